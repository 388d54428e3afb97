"""Chart pages of one measure, under /n/<slug>/measures/<measure_id>/:

- `chart`: one school's chart (?school_id=N), or the network's pooled chart
  (?school_id= empty); with no argument, the viewer's own school, else the pooled one;
- `network`: the pooled chart and a small multiple of every school;
- `splits`: add or remove a phase of a chart (facilitators; principals for their school).

Measure data is shared across the network: every member may read every school's chart.
PDSA cycles drawn on a chart follow the cycle visibility rules.
"""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import login_required

from nic.models import Measure, School
from nic.permissions import allowed, requires
from nic.services.measures import markers as chart_markers
from nic.services.measures import splits as chart_splits
from nic.services.measures import charts
from nic.services.discussion import markdown
from nic.services.accounts import networks
from nic.services.errors import ServiceError
from nic.tenancy import current_membership, get_or_404, get_scoped
from nic.web.charts import display
from nic.web.charts.forms import ConfirmForm, SplitForm
from nic.web.forms import is_page_error, show_service_error

bp = Blueprint("charts", __name__, url_prefix="/n/<slug>/measures/<int:measure_id>")


def _cycle_url(slug: str):
    """A cycle's page from its id: the chart's markers link to it, in the page and its JSON."""
    return lambda cycle_id: url_for("cycles.show", slug=slug, cycle_id=cycle_id)


def _chosen_school(membership) -> School | None:
    """?school_id=N: that school (404 if it is not this network's); ?school_id= (empty):
    the pooled chart; nothing: the viewer's school, or the pooled chart."""
    if "school_id" not in request.args:
        return membership.school if membership.school_id else None
    raw = request.args.get("school_id", "").strip()
    if raw in ("", "network"):
        return None
    school = get_scoped(School, raw)
    if school is None:
        abort(404)
    return school


def _chart_title(measure: Measure, school: School | None) -> str:
    return f"{measure.name}, {school.name if school else 'whole network (pooled)'}"


def _chart_context(slug: str, measure: Measure, school: School | None, membership) -> dict:
    chart = charts.chart_for(measure, school)
    markers = chart_markers.markers_for(measure, membership, chart.series.periods, school.id if school else None)
    title = _chart_title(measure, school)
    return {
        "chart": chart,
        "markers": markers,
        "chart_title": title,
        "payload": display.chart_payload(chart, markers, _cycle_url(slug), title),
        "aria_label": display.aria_label(chart, title),
        "rows": display.table_rows(chart),
        "needs": display.needs(chart),
        "fmt": display.fmt,
        "cycle_url": _cycle_url(slug),
        "may_split": chart_splits.can_split(membership, school.id if school else None),
    }


def _page_context(measure: Measure) -> dict:
    return {
        "measure": measure,
        "chart_labels": display.CHART_LABELS,
        "kind_labels": display.KIND_LABELS,
        "signal_labels": display.SIGNAL_LABELS,
        "confirm_form": ConfirmForm(formdata=None),
        "render_markdown": markdown.render,
    }


@bp.get("/chart")
@login_required
@requires("network.view")
def measure(slug, measure_id):
    measure = get_or_404(Measure, measure_id)
    return _render_chart(slug, measure, _chosen_school(current_membership()))


def _may_enter(membership, school: School | None) -> bool:
    """Whether to offer the data entry link: the viewer's own school, a role that enters data."""
    own = school is not None and membership.school_id == school.id
    return own and allowed(membership.role, "points.enter")


def _render_chart(slug: str, measure: Measure, school: School | None, split_form=None, status: int = 200):
    split_form = split_form or SplitForm(formdata=None, school_id=str(school.id) if school else "")
    return render_template(
        "charts/measure.html", school=school, schools=networks.schools(), split_form=split_form,
        may_enter=_may_enter(current_membership(), school),
        **_page_context(measure), **_chart_context(slug, measure, school, current_membership()),
    ), status


@bp.get("/network")
@login_required
@requires("network.view")
def network(slug, measure_id):
    membership = current_membership()
    measure = get_or_404(Measure, measure_id)
    multiples = charts.small_multiples(measure, networks.schools())
    scale = display.sparkline_scale(multiples)
    return render_template(
        "charts/network.html", school=None, multiples=multiples,
        sparkline=lambda item: display.sparkline(item, scale),
        split_form=SplitForm(formdata=None, school_id=""),
        **_page_context(measure), **_chart_context(slug, measure, None, membership),
    )


def _back(slug: str, measure_id: int, school_id) -> str:
    return url_for("charts.measure", slug=slug, measure_id=measure_id, school_id=school_id or "") + "#phases"


@bp.post("/splits")
@login_required
@requires("charts.split")
def add_split(slug, measure_id):
    measure = get_or_404(Measure, measure_id)
    form = SplitForm()
    raw_school = (form.school_id.data or "").strip()
    school = get_scoped(School, raw_school) if raw_school else None
    if raw_school and school is None:
        abort(404)
    if form.validate_on_submit():
        try:
            split = chart_splits.add_split(current_membership(), measure, school.id if school else None,
                                           form.start_date.data, form.label.data)
        except ServiceError as exc:
            if is_page_error(exc):
                raise
            show_service_error(form, exc)
        else:
            flash(f"New phase from {split.start_date:%d %b %Y}.", "success")
            return redirect(_back(slug, measure.id, school.id if school else ""))
    # The same chart again, with the form's errors beside its fields.
    return _render_chart(slug, measure, school, split_form=form, status=422)


@bp.post("/splits/<int:split_id>/delete")
@login_required
@requires("charts.split")
def remove_split(slug, measure_id, split_id):
    measure = get_or_404(Measure, measure_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    split = chart_splits.remove_split(current_membership(), measure, split_id)
    flash("Phase removed: its points join the phase before.", "success")
    return redirect(_back(slug, measure.id, split.school_id or ""))
