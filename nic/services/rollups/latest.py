"""Reading the latest roll-up snapshot (`GET .../rollups/latest`) and the state of roll-up
jobs. Only snapshot rows and a few small lookups: the answer never waits for a roll-up.

Definitions (docs/API.md repeats them):
- a change idea's `schools_testing`: schools with at least one cycle of the idea not yet
  done; `schools_adopted`: schools with at least one done cycle of it decided `adopt`
  (likewise `schools_adapted`, `schools_abandoned`);
- `stale`: no snapshot yet, or a roll-up job failed after the snapshot was written (the
  numbers shown are the last good ones; `age_seconds` says how old they are).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, func, select

from nic.clock import utcnow
from nic.extensions import db
from nic.models import (
    ChangeIdea, Measure, RollupChangeIdeaSchool, RollupJob, RollupMeasure, RollupSchool, RollupState, School,
)

PHASES = ("plan", "do", "study", "act", "done")


@dataclass
class Freshness:
    computed_at: datetime | None
    full_computed_at: datetime | None
    age_seconds: float | None
    stale: bool
    stalled_days: int | None
    pending_job: RollupJob | None  # a job queued or running now
    last_failure: RollupJob | None  # the latest failed job, if it failed after the snapshot


def freshness(now: datetime | None = None) -> Freshness:
    now = now or utcnow()
    state = db.session.scalar(select(RollupState))
    pending = db.session.scalar(select(RollupJob).where(RollupJob.state.in_(("queued", "running")))
                                .order_by(RollupJob.scope, RollupJob.id).limit(1))  # 'network' before 'school'
    failed = db.session.scalar(select(RollupJob).where(RollupJob.state == "failed")
                               .order_by(RollupJob.finished_at.desc(), RollupJob.id.desc()).limit(1))
    if failed is not None and state is not None and (failed.finished_at or now) < state.computed_at:
        failed = None  # a later run succeeded
    if state is None:
        return Freshness(None, None, None, True, None, pending, failed)
    return Freshness(state.computed_at, state.full_computed_at, max(0.0, (now - state.computed_at).total_seconds()),
                     failed is not None, state.stalled_days, pending, failed)


def school_rows(school_id: int | None = None) -> list[tuple[RollupSchool, str]]:
    """(row, school name) per school of the snapshot; one school's only when given."""
    stmt = select(RollupSchool, School.name).join(School, School.id == RollupSchool.school_id).order_by(School.name)
    if school_id is not None:
        stmt = stmt.where(RollupSchool.school_id == school_id)
    return [(row, name) for row, name in db.session.execute(stmt)]


def change_idea_rows() -> list[dict]:
    """Every change idea of the network with the number of schools at each stage of it
    (one GROUP BY over the school x change-idea matrix)."""
    cell = RollupChangeIdeaSchool

    def schools_where(column):
        return func.count(case((column > 0, cell.school_id)))

    stmt = (select(ChangeIdea.id, ChangeIdea.title, ChangeIdea.status,
                   schools_where(cell.testing).label("testing"), schools_where(cell.adopted).label("adopted"),
                   schools_where(cell.adapted).label("adapted"), schools_where(cell.abandoned).label("abandoned"))
            .outerjoin(cell, cell.change_idea_id == ChangeIdea.id)
            .group_by(ChangeIdea.id, ChangeIdea.title, ChangeIdea.status).order_by(ChangeIdea.id))
    return [row._asdict() for row in db.session.execute(stmt)]


def measure_rows() -> list[tuple[RollupMeasure, str]]:
    stmt = (select(RollupMeasure, Measure.name).join(Measure, Measure.id == RollupMeasure.measure_id)
            .order_by(Measure.id))
    return [(row, name) for row, name in db.session.execute(stmt)]


def latest(membership) -> dict:
    """The answer of `GET rollups/latest` for this member: facilitators see every school;
    a principal sees the network-wide figures and their own school's row only."""
    fresh = freshness()
    answer = {
        "computed_at": _iso(fresh.computed_at),
        "full_computed_at": _iso(fresh.full_computed_at),
        "age_seconds": round(fresh.age_seconds, 3) if fresh.age_seconds is not None else None,
        "stale": fresh.stale,
        "stalled_days": fresh.stalled_days,
        "pending_job": fresh.pending_job.id if fresh.pending_job is not None else None,
        "last_failure": ({"job": fresh.last_failure.id, "finished_at": _iso(fresh.last_failure.finished_at)}
                         if fresh.last_failure is not None else None),
        "schools": [], "change_ideas": [], "measures": [],
    }
    if fresh.computed_at is None:
        return answer
    if membership.role == "facilitator":
        schools = school_rows()
    else:
        schools = school_rows(membership.school_id) if membership.school_id is not None else []
    answer["schools"] = [school_out(row, name) for row, name in schools]
    answer["change_ideas"] = [{
        "id": idea["id"], "title": idea["title"], "status": idea["status"],
        "schools_testing": idea["testing"], "schools_adopted": idea["adopted"],
        "schools_adapted": idea["adapted"], "schools_abandoned": idea["abandoned"],
    } for idea in change_idea_rows()]
    answer["measures"] = [{
        "id": row.measure_id, "name": name, "schools_reporting": row.schools_reporting,
        "schools_with_signal": row.schools_with_signal, "latest_period": _iso(row.latest_period),
        "pooled_value": row.pooled_value,
    } for row, name in measure_rows()]
    return answer


def school_out(row: RollupSchool, name: str) -> dict:
    return {
        "school_id": row.school_id, "name": name,
        "cycles_by_phase": {"plan": row.in_plan, "do": row.in_do, "study": row.in_study, "act": row.in_act,
                            "done": row.done},
        "cycles_completed": row.done, "stalled": row.stalled, "cycles_total": row.cycles_total,
        "with_prediction": row.with_prediction, "with_measure": row.with_measure,
        "median_days": row.median_days, "last_activity_at": _iso(row.last_activity_at),
        "computed_at": _iso(row.computed_at),
    }


def job_out(job: RollupJob) -> dict:
    return {
        "id": job.id, "scope": job.scope, "school_id": job.school_id, "since": _iso(job.since),
        "state": job.state, "requested_at": _iso(job.requested_at), "started_at": _iso(job.started_at),
        "finished_at": _iso(job.finished_at), "seconds": job.seconds, "attempts": job.attempts,
        # The first line only: enough to tell a timeout from a bug, without a traceback.
        "error": (job.error or "").splitlines()[0][:200] if job.state == "failed" and job.error else None,
    }


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None
