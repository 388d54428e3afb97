"""GET /api/v1/networks/<slug>/measures/<measure_id>/chart[?school_id=N]: a measure's
analysed chart, one school's or (no school_id) the network's pooled series, exactly as
docs/INTERFACE.md names it, plus keys of our own (documented in docs/API.md): `rules` and
`signal` (which rules of the chart's type fired, and the headline verdict), `summary`,
the plain-language sentences the chart page shows, `cycles`, the PDSA cycles the caller
may see that started during the chart's periods (its markers), and on the pooled chart
each point's `schools_reporting`, `schools_expected` and `excluded`."""
from __future__ import annotations

from datetime import date

from flask import abort, jsonify, request, url_for
from pydantic import BaseModel, Field
from werkzeug.routing import BuildError

from nic.api import bp
from nic.api.docs import documented
from nic.models import Measure, School
from nic.services.measures import markers as chart_markers
from nic.services.measures import charts
from nic.services.errors import ValidationFailed
from nic.tenancy import current_membership, get_or_404, get_scoped


class ChartPointOut(BaseModel):
    period: date = Field(description="The period's first day: a Monday (weekly) or the first of the month.")
    value: float | None = Field(description="null where the period was not recorded or its denominator is 0.")
    center: float | None
    lower: float | None = Field(description="null on run charts.")
    upper: float | None = Field(description="null on run charts.")
    schools_reporting: int | None = Field(None, description="Extension, pooled chart only: schools behind this point.")
    schools_expected: int | None = Field(None, description="Extension, pooled chart only: schools that report the "
                                         "measure in the charted window.")
    excluded: bool | None = Field(None, description="Extension, pooled chart only: true when too few schools "
                                  "reported (below the network's reporting threshold): the point keeps its value "
                                  "but is left out of the center, limits and rules (docs/SIGNALS.md).")


class RuleOut(BaseModel):
    name: str = Field(description="anhoej_longest_run, anhoej_crossings (run charts); outside_limits, shift_8, "
                      "trend_6, two_of_three, fifteen_inner (i, p, u charts).")
    indices: list[int] = Field(description="The points the rule covers, in every phase.")


class RunsOut(BaseModel):
    useful: int = Field(description="Points neither missing nor on the center line (current phase).")
    longest_run: int
    longest_run_max: int = Field(description="round(log2(useful)) + 3")
    crossings: int
    crossings_min: int = Field(description="5th percentile of Binomial(useful - 1, 0.5)")
    signal: bool


class ChartCycleOut(BaseModel):
    id: int
    title: str
    phase: str
    school_id: int
    start_date: date
    url: str = Field(description="The cycle's page.")


class ChartOut(BaseModel):
    points: list[ChartPointOut]
    runs: RunsOut
    shift: list[int] = Field(description="Indices of points in a run of 6 or more on one side of the center.")
    trend: list[int] = Field(description="Indices of points in 5 or more rising or falling (ties not counted).")
    outside_limits: list[int] = Field(description="Indices of points outside the limits (never on run charts).")
    rules: list[RuleOut] = Field(description="Extension: the rules of this chart type that fired (docs/SIGNALS.md).")
    signal: bool = Field(description="Extension: the headline verdict, a rule of this chart type fired in the "
                         "current (last) phase; what badges, ordering and the roll-up use.")
    summary: list[str] = Field(description="Extension: the chart's signals in plain language.")
    cycles: list[ChartCycleOut] = Field(description="Extension: visible PDSA cycles started during these periods.")


SCHOOL_PARAM = {
    "name": "school_id", "in": "query", "required": False, "schema": {"type": "integer"},
    "description": "One school's chart. Without it: the network's pooled chart (p and u: Σ numerators / "
                   "Σ denominators per period; run and i: the mean of the schools' values).",
}


def _school_from_args() -> School | None:
    raw = request.args.get("school_id")
    if raw is None or raw.strip() == "":
        return None
    try:
        school_id = int(raw)
    except ValueError:
        raise ValidationFailed({"school_id": "must be a whole number (a school's id)"}) from None
    school = get_scoped(School, school_id)
    if school is None:
        abort(404)  # not this network's school, or no school at all
    return school


@bp.get("/networks/<slug>/measures/<int:measure_id>/chart")
@documented(
    summary="A measure's chart: points, center, limits and signals",
    response=ChartOut,
    params=[SCHOOL_PARAM],
    errors=(401, 404, 422),
    description="Another network's measure or school answers 404. Missing periods between the first and the "
    "last recorded one are points with a null value.",
)
def measure_chart(slug, measure_id):
    measure = get_or_404(Measure, measure_id)
    school = _school_from_args()
    chart = charts.chart_for(measure, school)
    markers = chart_markers.markers_for(measure, current_membership(), chart.series.periods,
                                        school.id if school else None)
    body = chart.contract()
    body["summary"] = chart.summary
    body["cycles"] = [m.to_json(_cycle_url(slug, m.cycle_id)) for m in markers]
    return jsonify(body)


def _cycle_url(slug: str, cycle_id: int) -> str:
    try:
        return url_for("cycles.show", slug=slug, cycle_id=cycle_id)
    except BuildError:  # the cycles pages are another blueprint; the path is stable
        return f"/n/{slug}/cycles/{cycle_id}"
