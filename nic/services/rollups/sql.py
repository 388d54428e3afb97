"""The roll-up statements: set-based SQL (GROUP BY, window functions), one statement per
snapshot table, on PostgreSQL and SQLite alike.

These are the one place nic writes raw SQL against tenant tables. The ORM's tenant
scoping (nic.tenancy) cannot see inside text(), so every statement here names
`network_id = :network_id` for every tenant table it reads, and tests/rollups checks that
another network's rows never reach a snapshot. Keep it that way when editing.

Scope: a full run covers the network; an incremental run covers one school (every period
of that school is cheap) plus the network-wide rows from `since` on. The caller deletes the
scope's old rows and runs these in the same transaction (nic.services.rollups.rollups).

Conventions shared with the pages: a cycle starts on its start date (or the day it was
written); it completes when it moves to Done (`phase_changed_at` of a done cycle); a cycle
is stalled when it is not done and unchanged (`updated_at`) for the network's threshold.
Medians are the middle value (mean of the two middle values); Dialect.median computes
them the fastest way each database has, with the same result to the last bit.

The per measure x school figures (signals, runs, center, latest point) are not SQL: they
are each school chart's own analysis (nic.services.rollups.series); INSERT_MEASURE_SCHOOL
writes them, and `measures` sums their signals.

Performance (tests/bench/test_rollup_bench.py, docs/BENCHMARKS.md): the run's events are
gathered once into a temporary table; the network's periods are summed from the schools'
rows (with who was active kept per school in rollup_active_members), so an incremental
run never reads another school's events. Check a change here against the previous
version on a seeded network (every snapshot row identical) as well as with tests/rollups.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Date, bindparam, text

from nic.models.base import UTCDateTime


@dataclass(frozen=True)
class Dialect:
    """The few expressions the two databases spell differently."""

    name: str

    def day(self, timestamp: str) -> str:
        """A UTC timestamp column as a date."""
        if self.name == "postgresql":
            return f"CAST(({timestamp}) AT TIME ZONE 'UTC' AS date)"
        return f"date({timestamp})"

    def period(self, day: str, kind: str) -> str:
        """The Monday of the week, or the first of the month, of a date expression."""
        assert kind in ("week", "month")
        if self.name == "postgresql":
            return f"CAST(date_trunc('{kind}', CAST({day} AS timestamp)) AS date)"
        if kind == "week":
            return f"date({day}, 'weekday 0', '-6 days')"
        return f"date({day}, 'start of month')"

    def days_between(self, later: str, earlier: str) -> str:
        if self.name == "postgresql":
            return f"CAST(({later}) - ({earlier}) AS double precision)"
        return f"(julianday({later}) - julianday({earlier}))"

    def exact_sum(self, expr: str) -> str:
        """sum() of floating-point values that does not depend on the order the rows come
        in (PostgreSQL adds them as exact decimals), so an incremental run, which rewrites
        some rows and changes that order, gives a full run's result to the last bit."""
        if self.name == "postgresql":
            return f"CAST(sum(CAST({expr} AS numeric)) AS double precision)"
        return f"sum({expr})"

    def exact_avg(self, expr: str) -> str:
        if self.name == "postgresql":
            return f"CAST(avg(CAST({expr} AS numeric)) AS double precision)"
        return f"avg({expr})"

    def median(self, source: str, partition: str, value: str, name: str) -> str:
        """A CTE body: the median of `value` per `partition` columns of `source`.
        PostgreSQL averages the lower and the upper middle value, both from one
        ordered-set aggregate that sorts one group at a time in memory; SQLite numbers
        the rows of every group with row_number() and averages the middle one or two.
        Both add the same one or two values, so the results are the same to the last bit."""
        if self.name == "postgresql":
            # One sort per group for both middle values: percentile_disc(f) is the value at
            # row ceil(f * n), so 0.5 gives the lower middle and 0.5 plus a hair (less than
            # half a row for any n up to a billion) the upper one, the same row when n is odd.
            return f"""
        SELECT {partition}, (middle[1] + middle[2]) / 2 AS {name}
        FROM (SELECT {partition}, percentile_disc(ARRAY[0.5, 0.5 + 1e-10]) WITHIN GROUP (ORDER BY {value}) AS middle
              FROM {source} GROUP BY {partition}) middles"""
        return f"""
        SELECT {partition}, avg({value}) AS {name} FROM (
            SELECT {partition}, {value},
                   row_number() OVER (PARTITION BY {partition} ORDER BY {value}) AS rn,
                   count(*) OVER (PARTITION BY {partition}) AS n
            FROM {source}
        ) ranked
        WHERE rn IN ((n + 1) / 2, (n + 2) / 2)
        GROUP BY {partition}"""


def _statement(sql: str):
    """text() with the timestamps typed, so SQLite stores them as the ORM does."""
    typed = []
    if ":computed_at" in sql:
        typed.append(bindparam("computed_at", type_=UTCDateTime()))
    if ":cutoff" in sql:
        typed.append(bindparam("cutoff", type_=UTCDateTime()))
    if ":since_at" in sql:
        typed.append(bindparam("since_at", type_=UTCDateTime()))
    if ":since" in sql.replace(":since_at", ""):
        typed.append(bindparam("since", type_=Date()))
    return text(sql).bindparams(*typed)


def _live_cycles(d: Dialect, school_filter: str) -> str:
    started = f"coalesce(c.start_date, {d.day('c.created_at')})"
    return f"""
        SELECT c.id, c.school_id, c.owner_id, c.phase, c.act_decision, c.change_idea_id, c.measure_id,
               c.created_at, c.updated_at, c.phase_changed_at, {started} AS started_on,
               {d.days_between(d.day('c.phase_changed_at'), started)} AS days
        FROM cycles c
        WHERE c.network_id = :network_id AND c.deleted_at IS NULL {school_filter.format(t='c')}"""


def _event_cycles(d: Dialect, school_filter: str) -> str:
    """`live` for the period statements: only what their events need, the days worked
    out once per cycle, so the CTE stays small (in memory) though read five times."""
    started = f"coalesce(c.start_date, {d.day('c.created_at')})"
    return f"""
        SELECT c.id, c.school_id, c.owner_id, c.phase, {started} AS started_on, {d.day('c.created_at')} AS created_on,
               {d.day('c.phase_changed_at')} AS changed_on,
               {d.days_between(d.day('c.phase_changed_at'), started)} AS days
        FROM cycles c
        WHERE c.network_id = :network_id AND c.deleted_at IS NULL {school_filter.format(t='c')}"""


def school_status(d: Dialect, school_filter: str):
    """rollup_schools: one row per school (a school with no cycles gets zeros)."""
    return _statement(f"""
        WITH live AS ({_live_cycles(d, school_filter)}),
        predicted AS (
            SELECT DISTINCT q.cycle_id FROM cycle_questions q JOIN live ON live.id = q.cycle_id
            WHERE q.network_id = :network_id AND q.prediction <> ''
        ),
        medians AS ({d.median("(SELECT school_id, days FROM live WHERE phase = 'done') done", "school_id", "days",
                             "median_days")}),
        counts AS (
            SELECT live.school_id, count(*) AS total,
                   sum(CASE WHEN phase = 'plan' THEN 1 ELSE 0 END) AS in_plan,
                   sum(CASE WHEN phase = 'do' THEN 1 ELSE 0 END) AS in_do,
                   sum(CASE WHEN phase = 'study' THEN 1 ELSE 0 END) AS in_study,
                   sum(CASE WHEN phase = 'act' THEN 1 ELSE 0 END) AS in_act,
                   sum(CASE WHEN phase = 'done' THEN 1 ELSE 0 END) AS done,
                   sum(CASE WHEN phase <> 'done' AND updated_at < :cutoff THEN 1 ELSE 0 END) AS stalled,
                   sum(CASE WHEN predicted.cycle_id IS NOT NULL THEN 1 ELSE 0 END) AS with_prediction,
                   sum(CASE WHEN measure_id IS NOT NULL THEN 1 ELSE 0 END) AS with_measure,
                   max(updated_at) AS last_activity_at
            FROM live LEFT JOIN predicted ON predicted.cycle_id = live.id
            GROUP BY live.school_id
        )
        INSERT INTO rollup_schools (network_id, school_id, cycles_total, in_plan, in_do, in_study, in_act, done,
                                    stalled, with_prediction, with_measure, median_days, last_activity_at,
                                    computed_at)
        SELECT s.network_id, s.id, coalesce(c.total, 0), coalesce(c.in_plan, 0), coalesce(c.in_do, 0),
               coalesce(c.in_study, 0), coalesce(c.in_act, 0), coalesce(c.done, 0), coalesce(c.stalled, 0),
               coalesce(c.with_prediction, 0), coalesce(c.with_measure, 0), m.median_days, c.last_activity_at,
               :computed_at
        FROM schools s
        LEFT JOIN counts c ON c.school_id = s.id
        LEFT JOIN medians m ON m.school_id = s.id
        WHERE s.network_id = :network_id {school_filter.format(t='s').replace('s.school_id', 's.id')}
    """)


def stalled_cycles(d: Dialect, school_filter: str):
    return _statement(f"""
        INSERT INTO rollup_stalled_cycles (network_id, cycle_id, school_id, owner_id, phase, visibility, idle_since,
                                           computed_at)
        SELECT c.network_id, c.id, c.school_id, c.owner_id, c.phase, c.visibility, c.updated_at, :computed_at
        FROM cycles c
        WHERE c.network_id = :network_id AND c.deleted_at IS NULL AND c.phase <> 'done'
              AND c.updated_at < :cutoff {school_filter.format(t='c')}
    """)


def change_idea_schools(d: Dialect, school_filter: str):
    """The school x change-idea matrix. A cycle not yet done is testing the idea; a done
    cycle counts by its Act decision."""
    return _statement(f"""
        INSERT INTO rollup_change_idea_schools (network_id, change_idea_id, school_id, cycles, testing, adapted,
                                                adopted, abandoned, computed_at)
        SELECT :network_id, c.change_idea_id, c.school_id, count(*),
               sum(CASE WHEN c.phase <> 'done' THEN 1 ELSE 0 END),
               sum(CASE WHEN c.phase = 'done' AND c.act_decision = 'adapt' THEN 1 ELSE 0 END),
               sum(CASE WHEN c.phase = 'done' AND c.act_decision = 'adopt' THEN 1 ELSE 0 END),
               sum(CASE WHEN c.phase = 'done' AND c.act_decision = 'abandon' THEN 1 ELSE 0 END),
               :computed_at
        FROM cycles c
        WHERE c.network_id = :network_id AND c.deleted_at IS NULL AND c.change_idea_id IS NOT NULL
              {school_filter.format(t='c')}
        GROUP BY c.change_idea_id, c.school_id
    """)


def _events(d: Dialect, school_filter: str) -> str:
    """Everything that happened, one row per event: (school_id, day, kind, user_id, days).
    A school's engagement is what happened to its cycles, points and artifacts, and the
    messages its members wrote (facilitators' messages have no school: network only).
    Needs the CTE `live` (_event_cycles with the same school filter)."""
    c_filter = school_filter.format(t="l")
    return f"""
        SELECT school_id, started_on AS day, 'started' AS kind, CAST(NULL AS integer) AS user_id,
               CAST(NULL AS double precision) AS days FROM live
        UNION ALL
        SELECT school_id, created_on, 'created', owner_id, NULL FROM live
        UNION ALL
        SELECT school_id, changed_on, 'completed', NULL, days FROM live WHERE phase = 'done'
        UNION ALL
        SELECT l.school_id, {d.day('m.created_at')}, 'to_' || m.to_phase, m.user_id, NULL
        FROM cycle_phase_moves m JOIN live l ON l.id = m.cycle_id
        WHERE m.network_id = :network_id AND m.to_phase IN ('do', 'study', 'act')
        UNION ALL
        SELECT l.school_id, {d.day('ch.created_at')}, 'edit', ch.user_id, NULL
        FROM cycle_changes ch JOIN live l ON l.id = ch.cycle_id
        WHERE ch.network_id = :network_id {c_filter}
        UNION ALL
        SELECT pc.school_id, {d.day('pc.created_at')}, 'point', pc.user_id, NULL
        FROM point_changes pc WHERE pc.network_id = :network_id {school_filter.format(t='pc')}
        UNION ALL
        SELECT a.school_id, {d.day('a.created_at')}, 'artifact', a.author_id, NULL
        FROM artifacts a WHERE a.network_id = :network_id AND a.deleted_at IS NULL {school_filter.format(t='a')}
        UNION ALL
        SELECT mb.school_id, {d.day('msg.created_at')}, 'message', msg.author_id, NULL
        FROM messages msg
        LEFT JOIN memberships mb ON mb.user_id = msg.author_id AND mb.network_id = :network_id
        WHERE msg.network_id = :network_id AND msg.deleted_at IS NULL {school_filter.format(t='mb')}"""


# The run's events, written once and read by the four period statements (school and
# network, week and month) instead of each building the union of eight sources again.
# A temporary table: private to the connection, dropped at commit on PostgreSQL.
EVENTS_TABLE = "rollup_events"


def create_events_table(d: Dialect) -> list:
    on_commit = " ON COMMIT DROP" if d.name == "postgresql" else ""
    return [text(f"DROP TABLE IF EXISTS {EVENTS_TABLE}"),
            text(f"CREATE TEMPORARY TABLE {EVENTS_TABLE} (school_id integer, day date, kind varchar(16),"
                 f" user_id integer, days double precision){on_commit}")]


def drop_events_table() -> object:
    return text(f"DROP TABLE IF EXISTS {EVENTS_TABLE}")


def fill_events(d: Dialect, school_filter: str):
    """A full run: every event of the network (school_filter empty). An incremental run:
    every event of the one school (its periods are all recomputed; one school is cheap)."""
    return _statement(f"""
        WITH live AS ({_event_cycles(d, school_filter)})
        INSERT INTO {EVENTS_TABLE} (school_id, day, kind, user_id, days)
        SELECT school_id, day, kind, user_id, days FROM ({_events(d, school_filter)}) e""")


def fill_schoolless_since(d: Dialect):
    """An incremental run, after fill_events for its school: the events with no school
    (messages by people with no school in the network, such as facilitators) from
    `:since` on, which the network's periods count. Every other kind of event belongs to
    a school, and the network's figures take those from the schools' rows."""
    return _statement(f"""
        INSERT INTO {EVENTS_TABLE} (school_id, day, kind, user_id, days)
        SELECT NULL, {d.day('msg.created_at')}, 'message', msg.author_id, NULL
        FROM messages msg
        LEFT JOIN memberships mb ON mb.user_id = msg.author_id AND mb.network_id = :network_id
        WHERE msg.network_id = :network_id AND msg.deleted_at IS NULL AND mb.school_id IS NULL
              AND msg.created_at >= :since_at""")


def _period_columns() -> str:
    """The counts of one period; who was active is counted from rollup_active_members
    (one row per person), which spares a sort of every event for count(DISTINCT)."""
    return """
        sum(CASE WHEN kind = 'started' THEN 1 ELSE 0 END) AS started,
        sum(CASE WHEN kind = 'to_do' THEN 1 ELSE 0 END) AS to_do,
        sum(CASE WHEN kind = 'to_study' THEN 1 ELSE 0 END) AS to_study,
        sum(CASE WHEN kind = 'to_act' THEN 1 ELSE 0 END) AS to_act,
        sum(CASE WHEN kind = 'completed' THEN 1 ELSE 0 END) AS completed,
        sum(CASE WHEN kind = 'message' THEN 1 ELSE 0 END) AS messages,
        sum(CASE WHEN kind = 'artifact' THEN 1 ELSE 0 END) AS artifacts"""


def school_periods(d: Dialect, kind: str, school_filter: str):
    """rollup_school_periods for one period kind (week or month), from the events table
    (every school's, school_filter empty, or the one school's) and, for who was active,
    the rollup_active_members rows active_members() has just written."""
    where = f"school_id IS NOT NULL {school_filter.format(t=EVENTS_TABLE)}"
    return _statement(f"""
        WITH periods AS (
            SELECT school_id, {d.period('day', kind)} AS period_start, kind, days
            FROM {EVENTS_TABLE} WHERE {where}
        ),
        medians AS ({d.median("(SELECT school_id, period_start, days FROM periods WHERE kind = 'completed') done",
                              "school_id, period_start", "days", "median_days")}),
        totals AS (SELECT school_id, period_start, {_period_columns()} FROM periods GROUP BY school_id, period_start),
        active AS (
            SELECT school_id, period_start, count(*) AS active_members FROM rollup_active_members
            WHERE network_id = :network_id AND period_kind = '{kind}'
                  AND school_id IS NOT NULL {school_filter.format(t='rollup_active_members')}
            GROUP BY school_id, period_start
        )
        INSERT INTO rollup_school_periods (network_id, school_id, period_kind, period_start, started, to_do, to_study,
                                           to_act, completed, median_days, messages, artifacts, active_members,
                                           computed_at)
        SELECT :network_id, t.school_id, '{kind}', t.period_start, t.started, t.to_do, t.to_study, t.to_act,
               t.completed, m.median_days, t.messages, t.artifacts, coalesce(a.active_members, 0), :computed_at
        FROM totals t
        LEFT JOIN medians m ON m.school_id = t.school_id AND m.period_start = t.period_start
        LEFT JOIN active a ON a.school_id = t.school_id AND a.period_start = t.period_start
    """)


def active_members(d: Dialect, kind: str, since: bool):
    """rollup_active_members for one period kind, from the events table: every person
    with an event, once per school and period. An incremental run writes its school's
    rows and the rows with no school for the periods from `:since` on."""
    period = d.period("day", kind)
    schoolless = f"AND (school_id IS NOT NULL OR {period} >= :since)" if since else ""
    return _statement(f"""
        INSERT INTO rollup_active_members (network_id, school_id, period_kind, period_start, user_id)
        SELECT DISTINCT :network_id, school_id, '{kind}', {period}, user_id
        FROM {EVENTS_TABLE} WHERE user_id IS NOT NULL {schoolless}
    """)


def network_periods(d: Dialect, kind: str, since_filter: str):
    """rollup_network_periods for one period kind, from what is already written: the
    schools' rows summed, plus the events with no school (in the events table), the
    active members counted once across schools, and the median length of every cycle
    completed in the period. `since_filter` (the caller's `AND t.period_start >= :since`)
    limits an incremental run to the periods from `:since` on, so it reads the recent
    rows and never the other schools' events."""
    since = bool(since_filter)
    completed = "AND c.phase_changed_at >= :since_at" if since else ""
    started = f"coalesce(c.start_date, {d.day('c.created_at')})"
    period_filter = since_filter.replace("t.period_start", "period_start")
    return _statement(f"""
        WITH schools AS (
            SELECT period_start, sum(started) AS started, sum(to_do) AS to_do, sum(to_study) AS to_study,
                   sum(to_act) AS to_act, sum(completed) AS completed, sum(messages) AS messages,
                   sum(artifacts) AS artifacts
            FROM rollup_school_periods
            WHERE network_id = :network_id AND period_kind = '{kind}' {period_filter}
            GROUP BY period_start
        ),
        schoolless AS (
            SELECT {d.period('day', kind)} AS period_start, count(*) AS messages
            FROM {EVENTS_TABLE} WHERE school_id IS NULL AND kind = 'message'
            GROUP BY {d.period('day', kind)}
        ),
        active AS (
            SELECT period_start, count(DISTINCT user_id) AS active_members
            FROM rollup_active_members
            WHERE network_id = :network_id AND period_kind = '{kind}' {period_filter}
            GROUP BY period_start
        ),
        done AS (
            SELECT {d.period(d.day('c.phase_changed_at'), kind)} AS period_start,
                   {d.days_between(d.day('c.phase_changed_at'), started)} AS days
            FROM cycles c
            WHERE c.network_id = :network_id AND c.deleted_at IS NULL AND c.phase = 'done' {completed}
        ),
        medians AS ({d.median("done", "period_start", "days", "median_days")}),
        periods AS (SELECT period_start FROM schools UNION SELECT period_start FROM schoolless)
        INSERT INTO rollup_network_periods (network_id, period_kind, period_start, started, to_do, to_study, to_act,
                                            completed, median_days, messages, artifacts, active_members, computed_at)
        SELECT :network_id, '{kind}', t.period_start, coalesce(s.started, 0), coalesce(s.to_do, 0),
               coalesce(s.to_study, 0), coalesce(s.to_act, 0), coalesce(s.completed, 0), m.median_days,
               coalesce(s.messages, 0) + coalesce(n.messages, 0), coalesce(s.artifacts, 0),
               coalesce(a.active_members, 0), :computed_at
        FROM periods t
        LEFT JOIN schools s ON s.period_start = t.period_start
        LEFT JOIN schoolless n ON n.period_start = t.period_start
        LEFT JOIN active a ON a.period_start = t.period_start
        LEFT JOIN medians m ON m.period_start = t.period_start
        WHERE t.period_start IS NOT NULL {since_filter}
    """)


# The rows come from nic.services.rollups.series (each school's chart, analysed).
INSERT_MEASURE_SCHOOL = _statement("""
    INSERT INTO rollup_measure_schools (network_id, measure_id, school_id, points, latest_period, latest_value,
                                        latest_numerator, latest_denominator, center, longest_run, crossings,
                                        signal, computed_at)
    VALUES (:network_id, :measure_id, :school_id, :points, :latest_period, :latest_value, :latest_numerator,
            :latest_denominator, :center, :longest_run, :crossings, :signal, :computed_at)
""")


def measures(d: Dialect):
    """rollup_measures, from rollup_measure_schools (already current for every school) and
    rollup_measure_periods (written before this): how many schools report the measure
    and how many schools' charts show a signal, and the pooled value of the latest
    COMPLETE period, one that at least the network's reporting threshold of those
    schools reported (nic.analytics.reporting, the rule the pooled chart draws by), so a
    week only one school has entered yet is not the network's "Latest"."""
    return _statement("""
        WITH per_measure AS (
            SELECT measure_id, count(*) AS schools, sum(CASE WHEN signal THEN 1 ELSE 0 END) AS signals
            FROM rollup_measure_schools WHERE network_id = :network_id GROUP BY measure_id
        ),
        complete AS (
            SELECT p.measure_id, max(p.period) AS period
            FROM rollup_measure_periods p
            JOIN per_measure e ON e.measure_id = p.measure_id
            JOIN networks n ON n.id = :network_id
            WHERE p.network_id = :network_id AND p.schools * 100 >= n.reporting_threshold * e.schools
            GROUP BY p.measure_id
        )
        INSERT INTO rollup_measures (network_id, measure_id, schools_reporting, schools_with_signal, latest_period,
                                     pooled_value, computed_at)
        SELECT m.network_id, m.id, coalesce(e.schools, 0), coalesce(e.signals, 0), c.period, mp.pooled_value,
               :computed_at
        FROM measures m
        LEFT JOIN per_measure e ON e.measure_id = m.id
        LEFT JOIN complete c ON c.measure_id = m.id
        LEFT JOIN rollup_measure_periods mp ON mp.network_id = :network_id AND mp.measure_id = m.id
                                           AND mp.period = c.period
        WHERE m.network_id = :network_id
    """)


def measure_periods(d: Dialect, since_filter: str):
    """rollup_measure_periods: the network's pooled value per measure and period, and how
    many schools reported a value that period (a p or u point needs a numerator and a
    denominator above 0), as the pooled chart counts them (nic.services.measures.charts)."""
    return _statement(f"""
        INSERT INTO rollup_measure_periods (network_id, measure_id, period, schools, pooled_value, computed_at)
        SELECT :network_id, p.measure_id, p.period,
               count(CASE WHEN m.chart IN ('p', 'u')
                          THEN CASE WHEN p.denominator > 0 AND p.numerator IS NOT NULL THEN 1 END
                          ELSE CASE WHEN p.value IS NOT NULL THEN 1 END END),
               CASE WHEN m.chart IN ('p', 'u')
                    THEN sum(CASE WHEN p.denominator > 0 THEN p.numerator END)
                         / nullif(sum(CASE WHEN p.denominator > 0 THEN p.denominator END), 0)
                    ELSE avg(p.value) END,
               :computed_at
        FROM measure_points p JOIN measures m ON m.id = p.measure_id AND m.network_id = :network_id
        WHERE p.network_id = :network_id {since_filter}
        GROUP BY p.measure_id, p.period, m.chart
    """)
