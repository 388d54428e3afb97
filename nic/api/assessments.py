"""Self-assessment rounds over the API, under `/networks/<slug>/`:
`GET|POST rounds`, `GET rounds/<round_id>`, `POST rounds/<round_id>/close`,
`GET rounds/<round_id>/progress`. Ratings, consensus and finishing are in
nic.api.assessment_ratings (imported at the bottom so its routes register with these).

Everyone in the network reads rounds and progress; facilitators open and close rounds
(403 otherwise). The rules are in nic.services.assessments.assessments."""
from __future__ import annotations

from datetime import date, datetime

from flask import abort, jsonify, request, url_for
from pydantic import BaseModel, Field

from nic.api import bp
from nic.api.docs import documented
from nic.api.pagination import paginate
from nic.models import AssessmentRound, ROUND_CLOSE_STATES
from nic.permissions import requires
from nic.services.assessments import assessments
from nic.tenancy import current_membership


class LevelOut(BaseModel):
    key: str
    name: str
    rank: int = Field(description="0 is the framework's lowest level.")


class PracticeOut(BaseModel):
    id: int = Field(description="Use as `practice_id` in ratings and consensus.")
    key: str
    name: str
    domain: str


class RoundOut(BaseModel):
    id: int
    name: str
    framework_id: int
    framework_name: str
    open: bool
    opened_at: datetime
    due_on: date | None
    closed_at: datetime | None


class RoundDetailOut(RoundOut):
    levels: list[LevelOut] = Field(description="Lowest first.")
    practices: list[PracticeOut]


class RoundIn(BaseModel):
    framework_id: int = Field(description="A framework of this network that is not archived.")
    name: str = Field(description=f"Required, at most {assessments.NAME_MAX} characters (e.g. \"Fall 2026\").")
    due_on: date | None = Field(None, description="When schools should be done (YYYY-MM-DD); optional.")


class SchoolProgressOut(BaseModel):
    school_id: int
    name: str
    raters: int = Field(description="People who rated at least one practice.")
    ratings: int = Field(description="Individual ratings recorded (counts only: the ratings stay in the school).")
    agreed_practices: int = Field(description="Practices with a consensus.")
    total_practices: int
    submitted_at: datetime | None = Field(description="When the school's team said its consensus was finished.")
    close_state: str | None = Field(description="Set when the round closed: one of " + ", ".join(ROUND_CLOSE_STATES)
                                    + " (partial: it had started but not agreed every practice).")


class ProgressOut(BaseModel):
    round_id: int
    open: bool
    schools: list[SchoolProgressOut]


def round_out(round_: AssessmentRound) -> dict:
    return RoundOut(id=round_.id, name=round_.name, framework_id=round_.framework_id,
                    framework_name=round_.framework.name, open=round_.is_open, opened_at=round_.opened_at,
                    due_on=round_.due_on, closed_at=round_.closed_at).model_dump(mode="json")


def round_detail(round_: AssessmentRound) -> dict:
    data = round_out(round_)
    data["levels"] = [LevelOut(key=level["key"], name=level.get("name") or level["key"], rank=rank).model_dump()
                      for rank, level in enumerate(assessments.levels(round_.framework))]
    data["practices"] = [PracticeOut(id=p.id, key=p.key, name=p.name, domain=p.domain).model_dump()
                         for p in round_.framework.practices]
    return data


def progress_out(round_: AssessmentRound) -> dict:
    rows = [SchoolProgressOut(school_id=r.school_id, name=r.school_name, raters=r.raters, ratings=r.ratings,
                              agreed_practices=r.agreed, total_practices=r.total, submitted_at=r.submitted_at,
                              close_state=r.close_state) for r in assessments.progress(round_)]
    return ProgressOut(round_id=round_.id, open=round_.is_open, schools=rows).model_dump(mode="json")


def json_object() -> dict:
    if not request.is_json:
        abort(415, description="Send a JSON body with Content-Type: application/json.")
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        abort(400, description="The body must be a JSON object.")
    return data


@bp.get("/networks/<slug>/rounds")
@documented(summary="Self-assessment rounds", response=RoundOut, paginated=True, errors=(401, 404, 422),
            description="Every round of the network, open and closed, oldest first.")
@requires("assessments.view")
def list_rounds(slug):
    from sqlalchemy import select
    from sqlalchemy.orm import selectinload

    stmt = select(AssessmentRound).options(selectinload(AssessmentRound.framework))
    return jsonify(paginate(stmt, AssessmentRound.id, round_out))


@bp.post("/networks/<slug>/rounds")
@documented(summary="Open a round (facilitators)", response=RoundDetailOut, status=201, request=RoundIn,
            errors=(400, 401, 403, 404, 415, 422),
            description="Opens a round on one of the network's frameworks. An unknown, archived or other "
            "network's framework answers 422 naming `framework_id`; a missing name 422 naming `name`. A framework "
            "may have several rounds over time.")
def open_round(slug):
    body = json_object()
    round_ = assessments.open_round(current_membership(), body.get("framework_id"), body.get("name"),
                                    body.get("due_on"))
    response = jsonify(round_detail(assessments.get_round(round_.id)))
    response.status_code = 201
    response.headers["Location"] = url_for("api.get_round", slug=slug, round_id=round_.id)
    return response


@bp.get("/networks/<slug>/rounds/<round_id>")
@documented(summary="A round, with its framework's levels and practices", response=RoundDetailOut,
            errors=(401, 404))
@requires("assessments.view")
def get_round(slug, round_id):
    return jsonify(round_detail(assessments.get_round(round_id)))


@bp.post("/networks/<slug>/rounds/<round_id>/close")
@documented(summary="Close a round (facilitators)", response=ProgressOut, errors=(401, 403, 404, 409),
            description="Nothing in the round changes afterwards (writes answer 409). Each school's standing "
            "is kept: complete, partial (started, not every practice agreed: its ratings and consensus are kept "
            "and marked) or not_started. Closing a closed round answers 409.")
def close_round(slug, round_id):
    round_ = assessments.close_round(current_membership(), round_id)
    return jsonify(progress_out(round_))


@bp.get("/networks/<slug>/rounds/<round_id>/progress")
@documented(summary="How far each school has got in a round", response=ProgressOut, errors=(401, 404),
            description="Counts only: the individual ratings themselves stay inside their school.")
@requires("assessments.view")
def round_progress(slug, round_id):
    return jsonify(progress_out(assessments.get_round(round_id)))


from nic.api import assessment_ratings  # noqa: E402,F401  (ratings, consensus and finishing routes)
