"""One cycle over the API: `POST /networks/<slug>/cycles` and
`GET|PATCH|DELETE /networks/<slug>/cycles/<cycle_id>` (the list, GET on the first path,
is nic.api.cycle_list). The object is nic.api.cycle_schema.CycleOut.

The JSON's nested worksheet (`plan.objective`, `study.results`, ...) is flattened here into
the services' field names (nic.services.cycles.fields) and field errors are named back in
the JSON's terms, so a 422 names exactly the key that was sent.
"""
from __future__ import annotations

from datetime import date, datetime

from flask import abort, jsonify, request, url_for
from pydantic import BaseModel, ConfigDict, Field

from nic.api import bp
from nic.api.cycle_schema import CycleOut, Decision, Phase, ScaleUnit, Visibility, cycle_out
from nic.api.docs import documented
from nic.services.cycles import cycles
from nic.services.errors import ServiceError
from nic.tenancy import current_membership


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")  # a misspelt key is a 422 naming it, not a silent no-op


class QuestionIn(_Strict):
    question: str
    prediction: str = ""


class ResultIn(_Strict):
    result: str = ""
    question: str | None = Field(None, description="Ignored: the question comes from plan.questions.")
    prediction: str | None = Field(None, description="Ignored: the prediction comes from plan.questions.")


class PlanIn(_Strict):
    objective: str | None = None
    questions: list[QuestionIn] | None = Field(
        None, description="Replaces the questions; results stay with the question at the same position.")
    who: str | None = None
    what: str | None = None
    when: str | None = None
    where: str | None = None
    data: str | None = None
    measure: str | None = Field(None, description="At most 200 characters.")
    measure_id: int | None = Field(None, description="A measure of this network; null unlinks it.")


class DoIn(_Strict):
    as_planned: bool | None = None
    observations: str | None = None
    problems: str | None = None


class StudyIn(_Strict):
    results: list[ResultIn] | None = Field(None, description="One per plan question, in the same order.")
    learned: str | None = None


class ActIn(_Strict):
    decision: Decision | None = None
    reason: str | None = None
    next: str | None = None


class ScaleIn(_Strict):
    count: int | None = None
    unit: ScaleUnit | None = None


class _CycleFields(_Strict):
    change_idea_id: int | None = Field(None, description="An accepted, testing or spreading change idea.")
    team_id: int | None = Field(None, description="A team of the cycle's school.")
    owner_id: int | None = Field(None, description="A user at the cycle's school. Default on create: you.")
    coauthor_ids: list[int] | None = Field(None, description="Users at the cycle's school; they may edit it.")
    visibility: Visibility | None = None
    phase: Phase | None = Field(None, description="Moving forward needs each phase's fields (422 names what is missing).")
    scale: ScaleIn | None = None
    start_date: date | None = None
    end_date: date | None = None
    plan: PlanIn | None = None
    do: DoIn | None = None
    study: StudyIn | None = None
    act: ActIn | None = None


class CycleCreate(_CycleFields):
    title: str = Field(description="At most 200 characters.")
    school_id: int | None = Field(None, description="Your own school (the default).")
    parent_id: int | None = Field(None, description="Start this cycle as the next one of a ramp.")


class CyclePatch(_CycleFields):
    version: int = Field(description="The version you read; if someone saved since, 409 and nothing changes.")
    title: str | None = None
    # Read-only keys of the object, accepted so a client may send back what it read.
    id: int | None = Field(None, description="Read-only; ignored.")
    school_id: int | None = Field(None, description="Read-only: must be the cycle's own school if sent.")
    parent_id: int | None = Field(None, description="Read-only: must be unchanged if sent.")
    created_at: datetime | None = Field(None, description="Read-only; ignored.")
    updated_at: datetime | None = Field(None, description="Read-only; ignored.")


_SECTIONS = {
    "plan": {"objective": "plan_objective", "questions": "questions", "who": "plan_who", "what": "plan_what",
             "when": "plan_when", "where": "plan_where", "data": "plan_data", "measure": "plan_measure",
             "measure_id": "measure_id"},
    "do": {"as_planned": "do_as_planned", "observations": "do_observations", "problems": "do_problems"},
    "study": {"results": "results", "learned": "study_learned"},
    "act": {"decision": "act_decision", "reason": "act_reason", "next": "act_next"},
    "scale": {"count": "scale_count", "unit": "scale_unit"},
}
_TOP_LEVEL = ("title", "school_id", "parent_id", "change_idea_id", "team_id", "owner_id", "coauthor_ids",
              "visibility", "phase", "start_date", "end_date")
# service field name -> JSON key, for naming errors the way the client sent them
_JSON_NAMES = {flat: f"{section}.{key}" for section, keys in _SECTIONS.items() for key, flat in keys.items()}


def _flatten(body: dict) -> dict:
    data = {key: body[key] for key in _TOP_LEVEL if key in body}
    for section, keys in _SECTIONS.items():
        for key, value in (body.get(section) or {}).items():
            if key in keys:
                data[keys[key]] = value
    if "results" in data and data["results"] is not None:
        data["results"] = [item.get("result") or "" for item in data["results"]]
    return data


def _json_name(name: str) -> str:
    head, _, rest = name.partition(".")
    if head == "questions":
        return f"plan.questions.{rest}" if rest else "plan.questions"
    if head == "results":
        return f"study.results.{rest}.result" if rest else "study.results"
    return _JSON_NAMES.get(head, head) + (f".{rest}" if rest else "")


def _call(function, *args):
    """Run a service call; its field errors renamed to the JSON's keys."""
    try:
        return function(*args)
    except ServiceError as exc:
        if exc.fields:
            renamed = {_json_name(name): why for name, why in exc.fields.items()}
            first_flat, first_why = next(iter(exc.fields.items()))
            if exc.message == f"{first_flat}: {first_why}":
                exc.message = f"{_json_name(first_flat)}: {first_why}"
            exc.fields = renamed
        if isinstance(exc, cycles.CycleConflict):
            exc.message += " Read the cycle again for its current version."
        raise


def _json_body(model: type[BaseModel]) -> dict:
    if not request.is_json:
        abort(415, description="Send a JSON body with Content-Type: application/json.")
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        abort(400, description="The body must be a JSON object.")
    return model.model_validate(data).model_dump(exclude_unset=True)


@bp.post("/networks/<slug>/cycles")
@documented(
    summary="Start a cycle", response=CycleOut, status=201, request=CycleCreate, errors=(400, 401, 403, 404, 415, 422),
    description="Principals and teacher leaders, in their own school (403 otherwise). Starts in `plan` unless "
    "`phase` says otherwise and the worksheet has what each phase needs. Another network's ids answer 404.",
)
def create_cycle(slug):
    body = _json_body(CycleCreate)
    cycle = _call(cycles.create_cycle, current_membership(), _flatten(body))
    response = jsonify(cycle_out(cycles.visible_cycle(current_membership(), cycle.id)))
    response.status_code = 201
    response.headers["Location"] = url_for("api.get_cycle", slug=slug, cycle_id=cycle.id)
    return response


@bp.get("/networks/<slug>/cycles/<int:cycle_id>")
@documented(summary="One cycle", response=CycleOut, errors=(401, 404),
            description="A cycle you may not see (another school's, not shared; deleted; another network's) is 404.")
def get_cycle(slug, cycle_id):
    return jsonify(cycle_out(_call(cycles.visible_cycle, current_membership(), cycle_id)))


@bp.patch("/networks/<slug>/cycles/<int:cycle_id>")
@documented(
    summary="Edit a cycle or move its phase", response=CycleOut, request=CyclePatch,
    errors=(400, 401, 403, 404, 409, 415, 422),
    description="Send `version` as read: a stale one answers 409 and changes nothing. Only the keys sent change. "
    "A forward `phase` needs each phase's fields: 422 names what is missing. Facilitators and people who are "
    "neither the school's leads nor the cycle's owner or co-authors get 403.",
)
def patch_cycle(slug, cycle_id):
    membership = current_membership()
    cycles.visible_cycle(membership, cycle_id)  # 404 before the body is read: hidden looks like missing
    body = _json_body(CyclePatch)
    version = body.pop("version")
    for read_only in ("id", "created_at", "updated_at"):
        body.pop(read_only, None)
    cycle = _call(cycles.update_cycle, membership, cycle_id, _flatten(body), version)
    return jsonify(cycle_out(cycles.visible_cycle(membership, cycle.id)))


@bp.delete("/networks/<slug>/cycles/<int:cycle_id>")
@documented(summary="Delete a cycle (softly: the school's principal can restore it)", response=None, status=204,
            errors=(401, 403, 404),
            description="The school's principal and teacher leaders only (403 otherwise).")
def delete_cycle(slug, cycle_id):
    _call(cycles.delete_cycle, current_membership(), cycle_id)
    return "", 204

