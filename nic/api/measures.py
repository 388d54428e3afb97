"""Measures over the API (docs/INTERFACE.md): `GET|POST /networks/<slug>/measures`,
`GET /networks/<slug>/measures/<measure_id>` and
`POST /networks/<slug>/measures/<measure_id>/points`. (The chart route is nic.api.chart.)

The measure object is the contract's `{"id", "name", "kind", "chart", "unit",
"direction", "frequency", "goal"}` plus the rest of the definition (docs/API.md).

Points go through the same check as the form, the grid and the CSV upload
(nic.services.measures.points.check_points), so a bad point is named `points.<index>.<field>`
with the same words the other ways in use; one bad point and nothing is written.
"""
from __future__ import annotations

from datetime import datetime

from flask import abort, jsonify, request, url_for
from pydantic import BaseModel, ConfigDict, Field

from nic.api import bp
from nic.api.docs import documented
from nic.api.pagination import paginate
from nic.models import CHART_TYPES, DIRECTIONS, FREQUENCIES, MEASURE_KINDS, Measure
from nic.permissions import require
from nic.services.measures import measures as measure_service
from nic.services.measures import points
from nic.services.errors import NotFound, ValidationFailed
from nic.tenancy import current_membership

_ENUMS = {"kind": MEASURE_KINDS, "chart": CHART_TYPES, "direction": DIRECTIONS, "frequency": FREQUENCIES}


class MeasureOut(BaseModel):
    id: int
    name: str
    kind: str = Field(json_schema_extra={"enum": list(MEASURE_KINDS)})
    chart: str = Field(json_schema_extra={"enum": list(CHART_TYPES)})
    unit: str
    direction: str = Field(json_schema_extra={"enum": list(DIRECTIONS)})
    frequency: str = Field(json_schema_extra={"enum": list(FREQUENCIES)},
                           description="Periods are Mondays (weekly) or the first of the month (monthly).")
    goal: float | None = Field(description="On a p chart a proportion between 0 and 1.")
    # extensions (docs/API.md)
    definition: str = Field(description="The operational definition, in Markdown.")
    aim_id: int | None
    driver_ids: list[int]
    change_idea_ids: list[int]
    baseline_points: int | None = Field(description="The center line is frozen on the first N points; null: all.")
    created_at: datetime
    updated_at: datetime


class MeasureCreate(BaseModel):
    """Documents the body; the checks themselves are nic.services.measures.measures.clean, which
    the browser form shares (so both name a bad field in the same words)."""

    model_config = ConfigDict(extra="allow")

    name: str = Field(description="Unique in the network; at most 200 characters.")
    kind: str = Field(json_schema_extra={"enum": list(MEASURE_KINDS)})
    chart: str = Field(json_schema_extra={"enum": list(CHART_TYPES)})
    unit: str | None = Field(None, description="At most 40 characters.")
    direction: str | None = Field(None, json_schema_extra={"enum": list(DIRECTIONS)}, description="Default `up`.")
    frequency: str | None = Field(None, json_schema_extra={"enum": list(FREQUENCIES)}, description="Default `weekly`.")
    goal: float | None = Field(None, description="On a p chart a proportion between 0 and 1.")
    definition: str | None = Field(None, description="Markdown.")
    aim_id: int | None = Field(None, description="An aim of this network.")
    driver_ids: list[int] | None = Field(None, description="Drivers of this network.")
    change_idea_ids: list[int] | None = Field(None, description="Change ideas of this network.")
    baseline_points: int | None = Field(None, description="Freeze the center line on the first N points (2 to 1,000).")


class PointIn(BaseModel):
    period: str = Field(description="YYYY-MM-DD on the measure's grid: a Monday (weekly) or the 1st (monthly).",
                        json_schema_extra={"format": "date"})
    value: float | None = Field(None, description="Run and I charts.")
    numerator: float | None = Field(None, description="p and u charts; on a p chart at most the denominator.")
    denominator: float | None = Field(None, description="p and u charts; above zero.")


class PointsIn(BaseModel):
    school_id: int = Field(description="A school of this network that you enter values for.")
    points: list[PointIn] = Field(description=f"1 to {points.MAX_POINTS:,} points, each period once.")


class PointsOut(BaseModel):
    created: int
    updated: int = Field(description="Periods already recorded for the school, now holding the values sent.")
    unchanged: int = Field(description="Extension: how many of the updated periods already held exactly these values "
                           "(no audit entry is written for them).")


def measure_out(measure: Measure) -> dict:
    return MeasureOut(
        id=measure.id, name=measure.name, kind=measure.kind, chart=measure.chart, unit=measure.unit or "",
        direction=measure.direction, frequency=measure.frequency, goal=measure.goal,
        definition=measure.definition or "", aim_id=measure.aim_id,
        driver_ids=[d.id for d in measure.drivers], change_idea_ids=[c.id for c in measure.change_ideas],
        baseline_points=measure.baseline_points, created_at=measure.created_at, updated_at=measure.updated_at,
    ).model_dump(mode="json")


def _json_object() -> dict:
    if not request.is_json:
        abort(415, description="Send a JSON body with Content-Type: application/json.")
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        abort(400, description="The body must be a JSON object.")
    return data


def _measure(measure_id) -> Measure:
    try:
        return measure_service.get(measure_id)
    except NotFound:
        abort(404)


LIST_PARAMS = [
    {"name": "kind", "in": "query", "required": False, "schema": {"type": "string", "enum": list(MEASURE_KINDS)},
     "description": "Only measures of this kind."},
]


@bp.get("/networks/<slug>/measures")
@documented(summary="The network's measures", response=MeasureOut, paginated=True, params=LIST_PARAMS,
            errors=(401, 404, 422), description="Ordered by id. An unknown `kind` answers 422 naming it.")
def list_measures(slug):
    stmt = measure_service.listing_stmt()
    kind = request.args.get("kind")
    if kind:
        if kind not in MEASURE_KINDS:
            raise ValidationFailed({"kind": f"must be one of {', '.join(MEASURE_KINDS)}"})
        stmt = stmt.where(Measure.kind == kind)
    return jsonify(paginate(stmt, Measure.id, measure_out))


@bp.post("/networks/<slug>/measures")
@documented(summary="Define a measure", response=MeasureOut, status=201, request=MeasureCreate,
            errors=(400, 401, 403, 404, 415, 422),
            description="Facilitators only (403 otherwise). `name`, `kind` and `chart` are required; the name is "
            "unique in the network. Unknown keys, and ids of aims, drivers or change ideas that are not this "
            "network's, answer 422 naming the field.")
def create_measure(slug):
    require("measures.define")
    measure = measure_service.create(_json_object())
    response = jsonify(measure_out(measure_service.get(measure.id)))
    response.status_code = 201
    response.headers["Location"] = url_for("api.get_measure", slug=slug, measure_id=measure.id)
    return response


@bp.get("/networks/<slug>/measures/<int:measure_id>")
@documented(summary="One measure", response=MeasureOut, errors=(401, 404))
def get_measure(slug, measure_id):
    return jsonify(measure_out(_measure(measure_id)))


def _point_field(ref, column) -> str:
    return f"points.{ref}" + (f".{column}" if column else "")


@bp.post("/networks/<slug>/measures/<int:measure_id>/points")
@documented(
    summary="Record a school's values", response=PointsOut, status=201, request=PointsIn,
    errors=(400, 401, 403, 404, 409, 415, 422),
    description="All or nothing: any bad point answers 422 naming it (`points.3.period`: \"2026-09-09 is not a "
    "Monday ...\") and nothing is written. A period the school already recorded is updated. `school_id` must be "
    "a school of this network (422 naming it otherwise, the same for another network's id as for an unknown one), "
    "and you must be its principal or a teacher leader (403 otherwise; facilitators read values but do not enter "
    "them). Each change is kept in the audit trail with source `api`.",
)
def record_points(slug, measure_id):
    measure = _measure(measure_id)
    body = _json_object()
    unknown = sorted(set(body) - {"school_id", "points"})
    if unknown:
        raise ValidationFailed({name: "is not a field of this request (send school_id and points)" for name in unknown})
    school_id = body.get("school_id")
    if isinstance(school_id, str):  # ids are numbers in JSON; "3" would pass get_scoped
        raise ValidationFailed({"school_id": "must be a school id (a number)"})
    school = points.entry_school(current_membership(), school_id)
    rows = body.get("points")
    if not isinstance(rows, list) or not rows:
        raise ValidationFailed({"points": "is required: a list of at least one point"})
    checked = points.check_points(measure, list(enumerate(rows)), _point_field, describe=lambda ref: f"points.{ref}")
    saved = points.save(measure, school.id, checked, current_membership().user_id, "api")
    response = jsonify(PointsOut(created=saved.created, updated=saved.updated,
                                 unchanged=saved.unchanged).model_dump())
    response.status_code = 201
    return response
