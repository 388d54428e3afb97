"""Roll-ups: asking for them (coalesced), computing them (one transaction per snapshot),
and reading the latest snapshot.

A request makes a `RollupJob` row in the requester's transaction and enqueues
`rollups.run` after commit. At most one job per network and scope waits in the queue (a
partial unique index): later requests join it, so a burst of edits causes one run, or
two when one is already running. A job is claimed (`running`), computed and marked
`done` in the same transaction as the snapshot it writes, so a worker killed half-way
leaves the previous snapshot intact and the redelivered task simply runs the job again.

The job row, not the broker message, is the source of truth: a message lost with Redis
(restarted without persistence) or never sent (broker down at commit) leaves its job
`queued`; `requeue_stale` (beat, `rollups.sweep`) and the next request that joins the job
send it again.
"""
from __future__ import annotations

import logging
import time
from datetime import date, datetime, timedelta, timezone

from flask import current_app
from sqlalchemy import delete, select, text, update
from sqlalchemy.exc import IntegrityError

from nic.clock import utcnow
from nic.extensions import db
from nic.models import (
    Network,
    RollupActiveMember,
    RollupChangeIdeaSchool,
    RollupJob,
    RollupMeasure,
    RollupMeasurePeriod,
    RollupMeasureSchool,
    RollupNetworkPeriod,
    RollupSchool,
    RollupSchoolPeriod,
    RollupStalledCycle,
    RollupState,
)
from nic.services.assessments import rollup as assessment_rollup
from nic.services.rollups import connections as rollup_db
from nic.services.rollups import series as rollup_series
from nic.services.rollups import sql
from nic.transaction import commit, on_commit
from nic.tenancy import UNSCOPED, current_network_id
from nic.events import publish
from nic import jobs

logger = logging.getLogger(__name__)

SCHOOL_TABLES = (RollupSchool, RollupSchoolPeriod, RollupChangeIdeaSchool, RollupMeasureSchool, RollupStalledCycle)
# An incremental run waits this long before starting, so the edits of the next seconds
# join the same job instead of each starting one.
INCREMENTAL_DELAY_SECONDS = 5
# How long a job may wait or run before it is sent again: ROLLUP_REQUEUE_QUEUED_SECONDS
# and ROLLUP_REQUEUE_RUNNING_SECONDS (nic/config.py). A running one is also redelivered
# by Celery after the visibility timeout, unless Redis lost the message.


# --- asking --------------------------------------------------------------------------------

def _enqueue(job: RollupJob, countdown: int = 0) -> None:
    """`rollups.run` for this job after commit. With a broker, a failure to send (Redis
    down) is logged by jobs.enqueue, not raised: the change that asked has committed, and
    the job row stays queued until requeue_stale sends it again."""
    jobs.enqueue("rollups.run", countdown=countdown, network_id=job.network_id, job_id=job.id)


def _is_stale(job: RollupJob, now: datetime) -> bool:
    config = current_app.config
    if job.state == "queued":
        limit = config["ROLLUP_REQUEUE_QUEUED_SECONDS"]
        return job.requested_at is not None and job.requested_at < now - timedelta(seconds=limit)
    if job.state == "running":
        limit = config["ROLLUP_REQUEUE_RUNNING_SECONDS"]
        return job.started_at is not None and job.started_at < now - timedelta(seconds=limit)
    return False


def _send_again(job: RollupJob, countdown: int = 0) -> None:
    """Enqueue a stale job once more; a queued one counts as freshly asked for, so the
    edits that keep joining it do not each send it again."""
    if job.state == "queued":
        job.requested_at = utcnow()
    _enqueue(job, countdown)


def request_full() -> RollupJob:
    """A full roll-up of the current network. If one is already waiting or running, that
    job is the answer: the same work is never done twice at once."""
    existing = db.session.scalar(
        select(RollupJob).where(RollupJob.scope == "network", RollupJob.state.in_(("queued", "running")))
        .order_by(RollupJob.id.desc()).limit(1).execution_options(populate_existing=True))
    if existing is not None:
        if _is_stale(existing, utcnow()):
            _send_again(existing)
            commit()
        return existing
    job = _insert_queued("network", None, None)
    if job.id is not None and job.state == "queued":
        _enqueue(job)
    commit()
    return job


def cycle_day(cycle, *more) -> date:
    """The earliest day whose roll-up periods a change to `cycle` can touch: every event
    of a cycle (start, phase moves, edits, completion) falls on or after the earlier of
    its start date and the day it was written. `more`: other dates the change involves
    (say, the start date an edit is about to set), as dates or ISO strings."""
    days = [cycle.created_at.date() if cycle.created_at else utcnow().date()]
    for value in (cycle.start_date, *more):
        if isinstance(value, str) and value:
            value = date.fromisoformat(value)
        if isinstance(value, datetime):
            value = value.date()
        if isinstance(value, date):
            days.append(value)
    return min(days)


def schedule_school(school_id: int, day: date | None = None, lock: bool = True) -> None:
    """Called by services inside the transaction of a change to a school's cycles,
    points, artifacts or messages: the school's incremental roll-up, from the period of
    `day` (or today, if earlier or not given: the change itself happens today) on, joins
    the waiting job or queues one. Commits nothing itself.

    lock=False (messages, which only feed engagement counts, and come in bursts from
    many people): if a job already waits with a range covering today, join it with a
    plain read instead of locking its row. The row lock would make concurrent senders
    of one school queue behind each other; the price is that a job claimed in the few
    milliseconds before this commit misses this message until the next change or the
    nightly run."""
    if not current_app.config["ROLLUP_ON_CHANGE"] or school_id is None:
        return
    today = utcnow().date()
    if not lock and (day is None or day >= today):
        waiting_since = db.session.scalar(select(RollupJob.since).where(
            RollupJob.scope == "school", RollupJob.school_id == int(school_id), RollupJob.state == "queued"))
        if waiting_since is not None and waiting_since <= today:
            return
    _insert_queued("school", int(school_id), min(day, today) if day else today,
                   enqueue_delay=INCREMENTAL_DELAY_SECONDS)


def _insert_queued(scope: str, school_id: int | None, since: date | None, enqueue_delay: int | None = None):
    job = RollupJob(scope=scope, school_id=school_id, since=since, state="queued", requested_at=utcnow())
    try:
        with db.session.begin_nested():
            db.session.add(job)
            db.session.flush()
    except IntegrityError:
        # One is waiting already: join it, widening its range to this change. The row
        # lock (PostgreSQL) makes a worker's claim of that job wait for this transaction
        # to commit, so the run it starts afterwards sees this change.
        waiting = db.session.scalar(select(RollupJob).where(
            RollupJob.scope == scope, RollupJob.state == "queued",
            RollupJob.school_id == school_id if school_id is not None else RollupJob.school_id.is_(None))
            .with_for_update().execution_options(populate_existing=True))
        if waiting is None:  # it started running in the meantime: try once more
            return _insert_queued(scope, school_id, since, enqueue_delay)
        if since is not None and (waiting.since is None or since < waiting.since):
            waiting.since = since
        if _is_stale(waiting, utcnow()):
            _send_again(waiting, countdown=enqueue_delay or 0)
        return waiting
    if enqueue_delay is not None:
        _enqueue(job, countdown=enqueue_delay)
    return job


def requeue_stale(now: datetime | None = None) -> int:
    """Send again every job, in every network, that waited or ran far too long (see the
    module's docstring). One UPDATE marks them sent now, so two sweeps running at once
    (beat's queue backs up while the worker is away) send each job once. UNSCOPED on
    purpose: it only learns which jobs to send; each run happens inside its network."""
    now = now or utcnow()
    queued_limit = current_app.config["ROLLUP_REQUEUE_QUEUED_SECONDS"]
    running_limit = current_app.config["ROLLUP_REQUEUE_RUNNING_SECONDS"]
    stale = []
    for state, column, limit in (("queued", RollupJob.requested_at, queued_limit),
                                 ("running", RollupJob.started_at, running_limit)):
        stale += db.session.execute(
            update(RollupJob).where(RollupJob.state == state, column < now - timedelta(seconds=limit))
            .values({column: now}).returning(RollupJob.id, RollupJob.network_id, RollupJob.state)
            .execution_options(synchronize_session=False, **UNSCOPED)).all()
    for job_id, network_id, state in stale:
        logger.info("sending roll-up job %s (%s) of network %s again", job_id, state, network_id)
        jobs.enqueue("rollups.run", network_id=network_id, job_id=job_id)
    commit()  # the sends run after it
    return len(stale)


# --- computing -----------------------------------------------------------------------------

def stalled_days() -> int:
    state = db.session.scalar(select(RollupState))
    return state.stalled_days if state is not None else current_app.config["ROLLUP_STALLED_DAYS"]


def _lock_network(network_id: int) -> None:
    """Two runs for one network take turns (PostgreSQL advisory lock, released at commit;
    SQLite serialises writers anyway)."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": 7_000_000 + network_id})


def compute(school_id: int | None = None, since: date | None = None, parallel: bool = False):
    """Replace the current network's snapshot (or one school's part of it, plus the
    network-wide rows from `since`) in the current transaction. Returns computed_at.

    parallel (a full run on PostgreSQL): the per-series figures (every school chart
    read and analysed, nic.services.rollups.series), the longest part, are worked out on
    a second connection in a thread while this one writes the rest, so the run uses two
    cores. That connection sees only committed data: the worker's and `nic rollup run`'s
    transactions have written nothing before they call this, but a caller holding
    uncommitted changes must leave `parallel` off."""
    network_id = current_network_id()
    _lock_network(network_id)
    d = sql.Dialect(db.session.get_bind().dialect.name)
    computed_at = utcnow()
    params = {"network_id": network_id, "computed_at": computed_at,
              "cutoff": computed_at - timedelta(days=stalled_days())}
    school_filter = ""
    if school_id is not None:
        school_filter = "AND {t}.school_id = :school_id"
        params["school_id"] = school_id
    for model in SCHOOL_TABLES:
        stmt = delete(model)
        if school_id is not None:
            stmt = stmt.where(model.school_id == school_id)
        db.session.execute(stmt)
    since_filter_periods = since_filter_points = ""
    period_delete = delete(RollupNetworkPeriod)
    measure_period_delete = delete(RollupMeasurePeriod)
    active_delete = delete(RollupActiveMember)
    if school_id is not None:
        # Without a `since`, the network's periods are all recounted from the rows, but
        # the people with no school cannot be (their events are not in this run's table).
        since = since or date.min
    incremental = school_id is not None
    if incremental:
        # Whole periods from the one holding `since`: a week or a month starts no later.
        month = since.replace(day=1)
        params["since"] = month - timedelta(days=7) if month > date.min + timedelta(days=7) else date.min
        params["since_at"] = datetime.combine(params["since"], datetime.min.time(), tzinfo=timezone.utc)
        since_filter_periods = "AND t.period_start >= :since"
        since_filter_points = "AND p.period >= :since"
        period_delete = period_delete.where(RollupNetworkPeriod.period_start >= params["since"])
        measure_period_delete = measure_period_delete.where(RollupMeasurePeriod.period >= params["since"])
        # The school's rows, and those with no school from `since` (two statements: each
        # finds its rows by its own index).
        db.session.execute(delete(RollupActiveMember).where(RollupActiveMember.school_id == school_id))
        active_delete = active_delete.where(RollupActiveMember.school_id.is_(None),
                                            RollupActiveMember.period_start >= params["since"])
    db.session.execute(period_delete)
    db.session.execute(measure_period_delete)
    db.session.execute(active_delete)
    db.session.execute(delete(RollupMeasure))

    run = db.session.execute
    side = None
    if parallel and school_id is None and d.name == "postgresql":
        side = rollup_db.SideWork(lambda connection: rollup_series.measure_school_rows(connection, network_id))
    run(sql.school_status(d, school_filter), params)
    run(sql.stalled_cycles(d, school_filter), params)
    run(sql.change_idea_schools(d, school_filter), params)
    # The events are gathered once into a temporary table: the school periods and who
    # was active are counted from it, and the network's periods are then summed from
    # those rows, so a one-school run never reads the other schools' events.
    for statement in sql.create_events_table(d):
        run(statement)
    run(sql.fill_events(d, school_filter), params)
    if incremental:
        run(sql.fill_schoolless_since(d), params)
    for kind in ("week", "month"):
        run(sql.active_members(d, kind, incremental), params)
        run(sql.school_periods(d, kind, school_filter), params)
        run(sql.network_periods(d, kind, since_filter_periods), params)
    run(sql.drop_events_table())
    # What does not need the per-series figures runs before waiting for them.
    run(sql.measure_periods(d, since_filter_points), params)
    assessment_rollup.compute(d, params, school_id)
    if side is not None:
        series = side.result()
    else:
        series = rollup_series.measure_school_rows(db.session.connection(), network_id, school_id)
    if series:
        for row in series:
            row.update(network_id=network_id, computed_at=computed_at)
        run(sql.INSERT_MEASURE_SCHOOL, series)
    run(sql.measures(d), params)

    state = db.session.scalar(select(RollupState))
    if state is None:
        state = RollupState(computed_at=computed_at, stalled_days=stalled_days())
        db.session.add(state)
    state.computed_at = computed_at
    if school_id is None:
        state.full_computed_at = computed_at
    db.session.flush()
    return computed_at


def run_job(job_id: int) -> str:
    """Run a queued (or interrupted) job; idempotent: a done job is left alone."""
    job = db.session.scalar(select(RollupJob).where(RollupJob.id == job_id))
    if job is None:
        return "missing"
    if job.state in ("done", "failed"):
        return job.state
    claimed = db.session.execute(
        update(RollupJob).where(RollupJob.id == job_id, RollupJob.state.in_(("queued", "running")))
        .values(state="running", started_at=utcnow(), attempts=RollupJob.attempts + 1)
        .execution_options(synchronize_session=False))
    commit()
    if claimed.rowcount == 0:
        return "taken"
    db.session.refresh(job)
    # A second delivery of a job that is running elsewhere (sent again by the sweep, or
    # redelivered) waits here for that run to commit, then finds it done.
    _lock_network(job.network_id)
    if db.session.scalar(select(RollupJob.state).where(RollupJob.id == job_id)) == "done":
        commit()
        return "done"
    started = time.perf_counter()
    computed_at = (compute(job.school_id, job.since) if job.scope == "school"
                   else compute(parallel=current_app.config["ROLLUP_PARALLEL"]))
    job.state = "done"
    job.finished_at = utcnow()
    job.seconds = time.perf_counter() - started
    network = db.session.get(Network, job.network_id)
    _emit_after_commit(network.id, network.slug, computed_at)
    commit()
    logger.info("roll-up %s (%s) of network %s in %.3f s", job.id, job.scope, network.slug, job.seconds)
    if job.scope == "network":
        logger.info("snapshot tables vacuumed in %.3f s", rollup_db.vacuum_snapshot())
    return "done"


def fail_job(job_id: int, error: str) -> None:
    db.session.rollback()
    db.session.execute(update(RollupJob).where(RollupJob.id == job_id, RollupJob.state != "done")
                       .values(state="failed", finished_at=utcnow(), error=error[:2000])
                       .execution_options(synchronize_session=False))
    commit()


def _emit_after_commit(network_id: int, slug: str, computed_at) -> None:

    payload = {"network": slug, "computed_at": computed_at.isoformat()}
    on_commit(lambda: publish.emit_rollup(network_id, payload))


def run_now() -> tuple[datetime, float]:
    """A full roll-up of the current network in this process (`nic rollup run`), with the
    same announcement as a job's. Answers (computed_at, seconds)."""
    started = time.perf_counter()
    computed_at = compute(parallel=current_app.config["ROLLUP_PARALLEL"])
    network = db.session.get(Network, current_network_id())
    _emit_after_commit(network.id, network.slug, computed_at)
    commit()
    seconds = time.perf_counter() - started
    rollup_db.vacuum_snapshot()
    return computed_at, seconds
