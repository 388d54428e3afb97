"""Roll-ups over the API (docs/INTERFACE.md): `POST /networks/<slug>/rollups` asks the worker for
a full roll-up and answers 202 `{"job": ID}` at once (a request while one is queued or
running answers that job); `GET .../rollups/latest` reads the latest snapshot, never
waiting for a run; `GET .../rollups/jobs/<job_id>` tells how a job is getting on.

Facilitators ask for roll-ups and read everything; principals read the network-wide
figures beside their own school's row. The logic is in nic.services.rollups.rollups (asking,
computing) and nic.services.rollups.latest (reading)."""
from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from flask import jsonify, url_for
from pydantic import BaseModel, Field

from nic.api import bp
from nic.api.docs import documented
from nic.models import RollupJob
from nic.permissions import requires
from nic.services.rollups import latest as rollup_latest
from nic.services.rollups import rollups
from nic.tenancy import current_membership, get_or_404


class JobAccepted(BaseModel):
    job: int = Field(description="The roll-up job's id; poll `rollups/jobs/{job_id}` for its state.")


class PhasesOut(BaseModel):
    plan: int
    do: int
    study: int
    act: int
    done: int


class SchoolRollupOut(BaseModel):
    school_id: int
    name: str
    cycles_by_phase: PhasesOut = Field(description="Live (not deleted) cycles by the phase they are in now.")
    cycles_completed: int = Field(description="Cycles in Done.")
    stalled: int = Field(description="Cycles not done and unchanged for `stalled_days` days.")
    cycles_total: int
    with_prediction: int = Field(description="Cycles with at least one question carrying a prediction.")
    with_measure: int = Field(description="Cycles linked to a measure.")
    median_days: float | None = Field(description="Median days from start to Done of completed cycles.")
    last_activity_at: datetime | None
    computed_at: datetime = Field(description="When this school's row was written (an incremental run "
                                  "rewrites one school's rows).")


class ChangeIdeaRollupOut(BaseModel):
    id: int
    title: str
    status: str
    schools_testing: int = Field(description="Schools with at least one cycle of the idea not yet done.")
    schools_adopted: int = Field(description="Schools with at least one done cycle of the idea decided `adopt`.")
    schools_adapted: int = Field(description="Likewise, decided `adapt`.")
    schools_abandoned: int = Field(description="Likewise, decided `abandon`.")


class MeasureRollupOut(BaseModel):
    id: int
    name: str
    schools_reporting: int = Field(description="Schools with at least one value.")
    schools_with_signal: int = Field(description="Schools whose own chart of the measure signals: the headline "
                                     "`signal` of GET …/chart?school_id=N (Anhøj rules on run charts, the Health "
                                     "Care Data Guide's on i, p and u charts; docs/SIGNALS.md).")
    latest_period: date | None
    pooled_value: float | None = Field(description="The network's value for `latest_period` (p, u: Σ numerators "
                                       "/ Σ denominators; run, i: the mean of the schools' values).")


class FailureOut(BaseModel):
    job: int
    finished_at: datetime | None


class LatestOut(BaseModel):
    computed_at: datetime | None = Field(description="When the snapshot was last written; null before the "
                                         "first roll-up (and then every list is empty).")
    full_computed_at: datetime | None = Field(description="When the last full roll-up finished.")
    age_seconds: float | None = Field(description="Seconds since `computed_at`.")
    stale: bool = Field(description="True when no roll-up ever finished, or a job failed after the snapshot "
                        "was written: the figures are the last good ones.")
    stalled_days: int | None
    pending_job: int | None = Field(description="A roll-up job queued or running now, if any.")
    last_failure: FailureOut | None = Field(description="The failed job that makes the snapshot stale.")
    schools: list[SchoolRollupOut] = Field(description="Every school (a principal: their own school only).")
    change_ideas: list[ChangeIdeaRollupOut]
    measures: list[MeasureRollupOut]


class JobOut(BaseModel):
    id: int
    scope: Literal["network", "school"]
    school_id: int | None
    since: date | None = Field(description="Incremental runs: the earliest day whose periods are recomputed.")
    state: Literal["queued", "running", "done", "failed"]
    requested_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    seconds: float | None
    attempts: int = Field(description="Times a worker started it (more than 1 after a worker died).")
    error: str | None = Field(description="Failed jobs: the first line of the error.")


@bp.post("/networks/<slug>/rollups")
@documented(summary="Ask for a full roll-up of the network", response=JobAccepted, status=202,
            errors=(401, 403, 404),
            description="Facilitators only. The worker computes it; a request while a full roll-up is queued "
            "or running answers that job's id instead of starting another.")
@requires("rollups.run")
def request_rollup(slug):
    job = rollups.request_full()
    response = jsonify({"job": job.id})
    response.status_code = 202
    response.headers["Location"] = url_for("api.rollup_job", slug=slug, job_id=job.id)
    return response


@bp.get("/networks/<slug>/rollups/latest")
@documented(summary="The latest roll-up snapshot", response=LatestOut, errors=(401, 403, 404),
            description="Facilitators and principals. Reads the stored snapshot only, so it answers at once "
            "and keeps answering (with its age) while a roll-up runs or after one failed.")
@requires("rollups.view")
def latest_rollup(slug):
    return jsonify(rollup_latest.latest(current_membership()))


@bp.get("/networks/<slug>/rollups/jobs/<int:job_id>")
@documented(summary="One roll-up job's state", response=JobOut, errors=(401, 403, 404))
@requires("rollups.run")
def rollup_job(slug, job_id):
    return jsonify(rollup_latest.job_out(get_or_404(RollupJob, job_id)))
