"""Roll-ups: asking for them (coalesced), computing them (one transaction per snapshot),
and reading the latest snapshot.

A request makes a `RollupJob` row in the requester's transaction and enqueues
`rollups.run` after commit. At most one job per network and scope waits in the queue (a
partial unique index): later requests join it, so a burst of edits causes one run, or
two when one is already running. A job is claimed (`running`), computed and marked
`done` in the same transaction as the snapshot it writes, so a worker killed half-way
leaves the previous snapshot intact and the redelivered task simply runs the job again.
"""
from __future__ import annotations

import logging
import time
from datetime import date, timedelta

from flask import current_app
from sqlalchemy import delete, select, text, update
from sqlalchemy.exc import IntegrityError

from nic.analytics.runs import anhoej_limits
from nic.extensions import db
from nic.models import (
    Network,
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
    utcnow,
)
from nic.services import rollup_sql as sql
from nic.services.transaction import commit, on_commit
from nic.tenancy import current_network_id

logger = logging.getLogger(__name__)

SCHOOL_TABLES = (RollupSchool, RollupSchoolPeriod, RollupChangeIdeaSchool, RollupMeasureSchool, RollupStalledCycle)
# An incremental run waits this long before starting, so the edits of the next seconds
# join the same job instead of each starting one.
INCREMENTAL_DELAY_SECONDS = 5


# --- asking --------------------------------------------------------------------------------

def _enqueue(job: RollupJob, countdown: int = 0) -> None:
    from nic import jobs

    jobs.enqueue("rollups.run", network_id=job.network_id, job_id=job.id, countdown=countdown)


def request_full() -> RollupJob:
    """A full roll-up of the current network. If one is already waiting or running, that
    job is the answer: the same work is never done twice at once."""
    existing = db.session.scalar(
        select(RollupJob).where(RollupJob.scope == "network", RollupJob.state.in_(("queued", "running")))
        .order_by(RollupJob.id.desc()).limit(1))
    if existing is not None:
        return existing
    job = _insert_queued("network", None, None)
    if job.id is not None and job.state == "queued":
        _enqueue(job)
    commit()
    return job


def schedule_school(school_id: int, day: date | None = None) -> None:
    """Called by services inside the transaction of a change to a school's cycles,
    points, artifacts or messages: the school's incremental roll-up, from the period of
    `day` on, joins the waiting job or queues one. Commits nothing itself."""
    if not current_app.config.get("ROLLUP_ON_CHANGE", True) or school_id is None:
        return
    _insert_queued("school", int(school_id), day or utcnow().date(), enqueue_delay=INCREMENTAL_DELAY_SECONDS)


def _insert_queued(scope: str, school_id: int | None, since: date | None, enqueue_delay: int | None = None):
    job = RollupJob(scope=scope, school_id=school_id, since=since, state="queued", requested_at=utcnow())
    try:
        with db.session.begin_nested():
            db.session.add(job)
            db.session.flush()
    except IntegrityError:
        # One is waiting already: join it, widening its range to this change.
        waiting = db.session.scalar(select(RollupJob).where(
            RollupJob.scope == scope, RollupJob.state == "queued",
            RollupJob.school_id == school_id if school_id is not None else RollupJob.school_id.is_(None)))
        if waiting is None:  # it started running in the meantime: try once more
            return _insert_queued(scope, school_id, since, enqueue_delay)
        if since is not None and (waiting.since is None or since < waiting.since):
            waiting.since = since
        return waiting
    if enqueue_delay is not None:
        _enqueue(job, countdown=enqueue_delay)
    return job


# --- computing -----------------------------------------------------------------------------

def stalled_days() -> int:
    state = db.session.scalar(select(RollupState))
    return state.stalled_days if state is not None else current_app.config.get("ROLLUP_STALLED_DAYS", 21)


def _lock_network(network_id: int) -> None:
    """Two runs for one network take turns (PostgreSQL advisory lock, released at commit;
    SQLite serialises writers anyway)."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": 7_000_000 + network_id})


def compute(school_id: int | None = None, since: date | None = None):
    """Replace the current network's snapshot (or one school's part of it, plus the
    network-wide rows from `since`) in the current transaction. Returns computed_at."""
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
    if school_id is not None and since is not None:
        # Whole periods from the one holding `since`: a week or a month starts no later.
        params["since"] = since.replace(day=1) - timedelta(days=7)
        since_filter_periods = "AND t.period_start >= :since"
        since_filter_points = "AND p.period >= :since"
        period_delete = period_delete.where(RollupNetworkPeriod.period_start >= params["since"])
        measure_period_delete = measure_period_delete.where(RollupMeasurePeriod.period >= params["since"])
    db.session.execute(period_delete)
    db.session.execute(measure_period_delete)
    db.session.execute(delete(RollupMeasure))

    run = db.session.execute
    run(sql.school_status(d, school_filter), params)
    run(sql.stalled_cycles(d, school_filter), params)
    run(sql.change_idea_schools(d, school_filter), params)
    for kind in ("week", "month"):
        run(sql.school_periods(d, school_filter, kind), params)
        run(sql.network_periods(d, kind, since_filter_periods), params)
    series = [dict(row._mapping) for row in run(sql.measure_series_stats(d, school_filter), params)]
    for row in series:
        longest_max, crossings_min = anhoej_limits(row["useful"])
        row["signal"] = bool(row["useful"]) and (row["longest_run"] > longest_max or row["crossings"] < crossings_min)
        row.update(network_id=network_id, computed_at=computed_at)
        row.pop("useful")
    if series:
        run(sql.INSERT_MEASURE_SCHOOL, series)
    run(sql.measures(d), params)
    run(sql.measure_periods(d, since_filter_points), params)

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
    started = time.perf_counter()
    computed_at = compute(job.school_id, job.since) if job.scope == "school" else compute()
    job.state = "done"
    job.finished_at = utcnow()
    job.seconds = time.perf_counter() - started
    network = db.session.get(Network, job.network_id)
    _emit_after_commit(network.id, network.slug, computed_at)
    commit()
    logger.info("roll-up %s (%s) of network %s in %.3f s", job.id, job.scope, network.slug, job.seconds)
    return "done"


def fail_job(job_id: int, error: str) -> None:
    db.session.rollback()
    db.session.execute(update(RollupJob).where(RollupJob.id == job_id, RollupJob.state != "done")
                       .values(state="failed", finished_at=utcnow(), error=error[:2000])
                       .execution_options(synchronize_session=False))
    commit()


def _emit_after_commit(network_id: int, slug: str, computed_at) -> None:
    from nic.realtime import publish

    payload = {"network": slug, "computed_at": computed_at.isoformat()}
    on_commit(lambda: publish.emit_rollup(network_id, payload))
