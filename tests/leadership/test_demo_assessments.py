"""The demo's self-assessments: the built-in framework adopted, two closed rounds with
every school agreed on every practice (varied, some up and some down between them), the
open round mid-way, ratings by ILT members only, evidence pointing at the school's own
demo work, practices linked to the driver diagram, and the roll-up covering it all."""

from sqlalchemy import func, select

from nic.demo.seed import DEMO_SLUG, seed_demo
from nic.extensions import db
from nic.models import (
    AssessmentConsensus,
    AssessmentRating,
    AssessmentRound,
    AssessmentRoundSchool,
    ConsensusEvidence,
    Cycle,
    Framework,
    RollupAssessmentPractice,
    RollupAssessmentSchool,
    School,
    Team,
)
from nic.models.team import team_members
from nic.services.accounts.networks import network_by_slug
from nic.services.assessments import leadership, leadership_school
from nic.tenancy import use_network


def test_demo_rounds(db_session):
    seed_demo()
    with use_network(network_by_slug(DEMO_SLUG)):
        framework = db.session.scalar(select(Framework))
        assert framework.based_on == "leadership-core-practices" and framework.origin == "builtin"
        practices = len(framework.practices)
        schools = list(db.session.scalars(select(School).order_by(School.id)))
        rounds = list(db.session.scalars(select(AssessmentRound).order_by(AssessmentRound.opened_at)))
        closed, open_ = rounds[:2], rounds[2]
        assert all(r.closed_at is not None for r in closed) and open_.closed_at is None

        def agreed(round_, school):
            return db.session.scalar(
                select(func.count())
                .select_from(AssessmentConsensus)
                .where(AssessmentConsensus.round_id == round_.id, AssessmentConsensus.school_id == school.id)
            )

        for round_ in closed:
            assert [agreed(round_, s) for s in schools] == [practices] * len(schools)
            states = set(
                db.session.scalars(
                    select(AssessmentRoundSchool.close_state).where(AssessmentRoundSchool.round_id == round_.id)
                )
            )
            assert states == {"complete"}
        # The open round mid-way: two done, two part-way, one with ratings only, one not started.
        counts = [agreed(open_, s) for s in schools]
        assert counts.count(practices) == 2 and counts.count(0) == 2 and 0 < min(c for c in counts if c) < practices
        rated = {
            s
            for (s,) in db.session.execute(
                select(AssessmentRating.school_id).where(AssessmentRating.round_id == open_.id).distinct()
            )
        }
        assert schools[5].id not in rated and schools[4].id in rated

        # Varied levels, and change between the closed rounds both ways.
        view = leadership.heatmap(closed[1], schools)
        cells = [c for row in view.rows for c in row.cells if c]
        assert {c.level.rank for c in cells} == {0, 1, 2}
        changes = {c.change for c in cells}
        assert {"up", "down", "same"} <= changes

        # Only ILT members rate.
        ilt = set(
            db.session.execute(
                select(team_members.c.user_id).join(Team, Team.id == team_members.c.team_id).where(Team.kind == "ilt")
            ).scalars()
        )
        raters = set(db.session.scalars(select(AssessmentRating.user_id).distinct()))
        assert raters and raters <= ilt

        # Evidence points at the school's own demo work.
        linked = db.session.execute(
            select(ConsensusEvidence.cycle_id, AssessmentConsensus.school_id)
            .join(AssessmentConsensus, AssessmentConsensus.id == ConsensusEvidence.consensus_id)
            .where(ConsensusEvidence.cycle_id.is_not(None))
        ).all()
        assert linked
        owners = dict(db.session.execute(select(Cycle.id, Cycle.school_id)).all())
        assert all(owners[cycle_id] == school_id for cycle_id, school_id in linked)
        assert (
            db.session.scalar(
                select(func.count()).select_from(ConsensusEvidence).where(ConsensusEvidence.artifact_id.is_not(None))
            )
            > 0
        )

        # Practices linked to the driver diagram show up as change ideas for weak practices.
        assert sum(1 for p in framework.practices if p.drivers or p.change_ideas) >= 4
        panels = [leadership_school.weakest(closed[1], s.id) for s in schools]
        assert any(w.change_ideas for panel in panels for w in panel)
        assert any(w.peers for panel in panels for w in panel)

        # The demo's roll-up includes the rounds.
        assert db.session.scalar(select(func.count()).select_from(RollupAssessmentSchool)) == 3 * len(schools)
        assert db.session.scalar(select(func.sum(RollupAssessmentPractice.schools))) == db.session.scalar(
            select(func.count()).select_from(AssessmentConsensus)
        )


def test_demo_pages(client, login_as, db_session):
    from nic.models import Membership

    seed_demo()
    network = network_by_slug(DEMO_SLUG)
    with use_network(network):
        facilitator = db.session.scalar(select(Membership).where(Membership.role == "facilitator").limit(1))
        school = db.session.scalar(select(School).order_by(School.id).limit(1))
    db_session.commit()
    login_as(facilitator.user)
    body = client.get(f"/n/{DEMO_SLUG}/leadership").get_data(as_text=True)
    assert "Round 3: winter check-in: schools by practice" in body
    assert body.count('<tr data-school="') == 6 and 'data-change="up"' in body
    closed = client.get(f"/n/{DEMO_SLUG}/leadership/schools/{school.id}").get_data(as_text=True)
    assert "Schools to learn from" in closed
