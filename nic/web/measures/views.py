"""Measure pages under /n/<slug>/measures: the list (by kind), define and edit
(facilitators), and each measure's page: its definition, what it is linked to, the chart
link, and for the viewer's school the quick form. Data entry pages are in
nic.web.measures.entry; the charts are the `charts` blueprint's.

Thin: parse, call nic.services.measures.measures / points, render.
"""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import login_required

from nic.permissions import can, requires
from nic.services.measures import markers as chart_markers
from nic.services.measures import measures
from nic.services.accounts import networks
from nic.services.measures import periods
from nic.services.measures import points
from nic.services.errors import ServiceError
from nic.services.discussion.markdown import render as markdown
from nic.tenancy import current_membership
from nic.web.forms import show_service_error
from nic.web.measures.forms import MeasureForm, PointForm, measure_form_data
from nic.web.paging import Page

bp = Blueprint("measures", __name__, url_prefix="/n/<slug>/measures")
MEASURES_PER_PAGE = 50
RECENT_POINTS = 8


def fmt(value, measure) -> str:
    """A value as people read it: proportions as percentages, others with their unit."""
    if value is None:
        return "—"
    if measure.chart == "p":
        return f"{value * 100:.1f}%"
    text = f"{value:,.2f}".rstrip("0").rstrip(".") if value != int(value) else f"{int(value):,}"
    unit = measure.unit or ""
    if not unit:
        return text
    return f"{text}{unit}" if unit == "%" else f"{text} {unit}"


@bp.context_processor
def _helpers():
    return {
        "fmt": fmt, "period_label": periods.label, "point_value": points.point_value,
        "labels": {"kind": measures.KIND_LABELS, "chart": measures.CHART_LABELS,
                   "direction": measures.DIRECTION_LABELS, "frequency": measures.FREQUENCY_LABELS},
        "signal_rules": measures.SIGNAL_RULES,
        "source_labels": {"form": "Quick form", "grid": "Grid", "csv": "CSV upload", "api": "API", "demo": "Demo data"},
    }


def chart_url(slug: str, measure_id: int, school_id: int | str | None = None) -> str:
    """The chart page: a school's (school_id=N), the pooled one (school_id=""), or with
    no school_id the viewer's school's, else the pooled one (nic.web.charts)."""
    args = {} if school_id is None else {"school_id": school_id}
    return url_for("charts.measure", slug=slug, measure_id=measure_id, **args)


def _measure_form(formdata=True, data=None, keep=None) -> MeasureForm:
    form = MeasureForm() if formdata else MeasureForm(formdata=None, data=data or {})
    aims, drivers, ideas = measures.theory_choices()
    if keep is not None:  # a declined idea the measure already names stays selectable
        known = {i.id for i in ideas}
        ideas += [i for i in keep.change_ideas if i.id not in known]
    form.set_choices(aims, drivers, ideas)
    return form


# --- the list ------------------------------------------------------------------------------

@bp.route("")
@login_required
@requires("network.view")
def index(slug):
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    total = measures.count()
    items = measures.page(page, MEASURES_PER_PAGE)
    groups = [(kind, [m for m in items if m.kind == kind]) for kind in measures.KIND_LABELS]
    return render_template(
        "measures/index.html", groups=[(k, ms) for k, ms in groups if ms], total=total,
        latest=measures.latest_values(items), school_total=measures.school_count(),
        pager=Page(page, MEASURES_PER_PAGE, total, items), kind_hints=measures.KIND_HINTS,
    )


# --- define and edit -----------------------------------------------------------------------

@bp.route("/new", methods=["GET", "POST"])
@login_required
@requires("measures.define")
def new(slug):
    if request.method == "GET":
        form = _measure_form(formdata=False, data={"kind": request.args.get("kind") or "outcome",
                                                   "direction": "up", "frequency": "weekly", "chart": "run"})
        return render_template("measures/form.html", form=form, measure=None)
    form = _measure_form()
    status = 400
    if form.validate_on_submit():
        try:
            measure = measures.create(form.values())
        except ServiceError as exc:
            show_service_error(form, exc)
            status = 422
        else:
            flash(f"Measure “{measure.name}” defined. Schools can now record it.", "success")
            return redirect(url_for("measures.show", slug=slug, measure_id=measure.id))
    return render_template("measures/form.html", form=form, measure=None), status


@bp.route("/<int:measure_id>/edit", methods=["GET", "POST"])
@login_required
@requires("network.view")
def edit(slug, measure_id):
    measure = measures.get(measure_id)  # 404 before 403: another network's id looks like a missing one
    if not can("measures.define"):
        abort(403)
    if request.method == "GET":
        form = _measure_form(formdata=False, data=measure_form_data(measure), keep=measure)
        return render_template("measures/form.html", form=form, measure=measure)
    form = _measure_form(keep=measure)
    status = 400
    if form.validate_on_submit():
        try:
            measures.update(measure.id, form.values())
        except ServiceError as exc:
            show_service_error(form, exc)
            status = 422
        else:
            flash("Measure saved.", "success")
            return redirect(url_for("measures.show", slug=slug, measure_id=measure.id))
    return render_template("measures/form.html", form=form, measure=measure), status


# --- the measure ---------------------------------------------------------------------------

def point_form(measure, membership, formdata=False) -> PointForm:
    if formdata:
        return PointForm()
    period = periods.current_period(measure.frequency)
    return PointForm(formdata=None, data={"period": period.isoformat(), "school_id": str(membership.school_id or "")})


@bp.route("/<int:measure_id>")
@login_required
@requires("network.view")
def show(slug, measure_id, form=None, status=200):
    measure = measures.get(measure_id)
    membership = current_membership()
    school = membership.school if membership.school_id else None
    may_enter = school is not None and points.can_enter(membership, school.id)
    # The same query as the chart's markers: the list says what the network chart draws.
    cycles = chart_markers.network_chart_cycles(measure, membership)
    return render_template(
        "measures/show.html",
        measure=measure,
        definition=markdown(measure.definition),
        school=school,
        may_enter=may_enter,
        form=form or (point_form(measure, membership) if may_enter else None),
        recent=points.recent(measure.id, school.id, RECENT_POINTS) if school else [],
        schools=networks.schools(),
        summaries=points.school_summaries(measure.id),
        on_chart=[c for c in cycles if c.marker is not None],
        off_chart=[c for c in cycles if c.marker is None],
        chart_url=chart_url(slug, measure.id),
        school_chart_url=lambda school_id: chart_url(slug, measure.id, school_id),
        network_chart_url=chart_url(slug, measure.id, ""),
        current_period=periods.current_period(measure.frequency),
        ratio=measure.chart in points.RATIO_CHARTS,
    ), status
