"""Roll-up of self-assessment rounds: called by nic.services.rollups.rollups.compute inside its
transaction, after the cycle and measure tables, with the same `computed_at`.

Two tables, each written by one set-based INSERT ... SELECT:
- rollup_assessment_schools: every round x every school of the network (a school that has
  not started gets zeros, so "not started" is a row rather than a gap): people who rated,
  individual ratings, practices agreed, practices in the framework, mean agreed level.
  Only counts of the private ratings leave the school, never a level.
- rollup_assessment_practices: per round, practice and level, how many schools agreed on
  that level (levels nobody agreed on have no row; readers fill in zeros).

Scope: a full run replaces the network's rows; an incremental run (one school's change)
replaces that school's school rows. The practice rows are network-wide, so every run
recomputes all of them: they come from the consensus table alone (schools x practices x
rounds, tens of thousands of rows at most), a grouped read that costs milliseconds, and
recomputing everything also catches a consensus removed from a round.

Like nic.services.rollups.sql, these statements are text SQL: every tenant table they read
is filtered by `network_id = :network_id` here, since the ORM's scoping cannot see inside
text().
"""
from __future__ import annotations

from sqlalchemy import delete

from nic.extensions import db
from nic.models import RollupAssessmentPractice, RollupAssessmentSchool
from nic.services.rollups.sql import Dialect, _statement


def school_rows(d: Dialect, school_filter: str):
    """rollup_assessment_schools. `school_filter`: "" or "AND {t}.school_id = :school_id"
    (the convention of nic.services.rollups.rollups.compute)."""
    ratings_filter = school_filter.format(t="ra")
    consensus_filter = school_filter.format(t="c")
    schools_filter = school_filter.format(t="s").replace("s.school_id", "s.id")
    return _statement(f"""
        WITH totals AS (
            SELECT fp.framework_id, count(*) AS practices
            FROM framework_practices fp WHERE fp.network_id = :network_id
            GROUP BY fp.framework_id
        ),
        rated AS (
            SELECT ra.round_id, ra.school_id, count(DISTINCT ra.user_id) AS raters, count(*) AS ratings
            FROM assessment_ratings ra WHERE ra.network_id = :network_id {ratings_filter}
            GROUP BY ra.round_id, ra.school_id
        ),
        agreed AS (
            SELECT c.round_id, c.school_id, count(*) AS agreed, avg(CAST(c.level_rank AS double precision)) AS mean_rank
            FROM assessment_consensus c WHERE c.network_id = :network_id {consensus_filter}
            GROUP BY c.round_id, c.school_id
        )
        INSERT INTO rollup_assessment_schools (network_id, round_id, school_id, raters, ratings, agreed_practices,
                                               total_practices, mean_rank, computed_at)
        SELECT :network_id, r.id, s.id, coalesce(rt.raters, 0), coalesce(rt.ratings, 0), coalesce(a.agreed, 0),
               coalesce(t.practices, 0), a.mean_rank, :computed_at
        FROM assessment_rounds r
        CROSS JOIN schools s
        LEFT JOIN totals t ON t.framework_id = r.framework_id
        LEFT JOIN rated rt ON rt.round_id = r.id AND rt.school_id = s.id
        LEFT JOIN agreed a ON a.round_id = r.id AND a.school_id = s.id
        WHERE r.network_id = :network_id AND s.network_id = :network_id {schools_filter}
    """)


def practice_rows(d: Dialect):
    """rollup_assessment_practices: the distribution of agreed levels per round and practice."""
    return _statement("""
        INSERT INTO rollup_assessment_practices (network_id, round_id, practice_id, level_rank, schools, computed_at)
        SELECT :network_id, c.round_id, c.practice_id, c.level_rank, count(*), :computed_at
        FROM assessment_consensus c
        WHERE c.network_id = :network_id
        GROUP BY c.round_id, c.practice_id, c.level_rank
    """)


def compute(d: Dialect, params: dict, school_id: int | None) -> None:
    """Replace the assessment roll-up rows of the network (or of one school, plus the
    network-wide distribution). `params`: network_id, computed_at and, for an
    incremental run, school_id."""
    school_filter = ""
    stmt = delete(RollupAssessmentSchool)  # scoped to the current network by nic.tenancy
    if school_id is not None:
        school_filter = "AND {t}.school_id = :school_id"
        stmt = stmt.where(RollupAssessmentSchool.school_id == school_id)
        params = {**params, "school_id": school_id}
    db.session.execute(stmt)
    db.session.execute(delete(RollupAssessmentPractice))
    db.session.execute(school_rows(d, school_filter), params)
    db.session.execute(practice_rows(d), params)
