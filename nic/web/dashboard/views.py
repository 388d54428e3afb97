"""The dashboards, /n/<slug>/dashboard: the facilitators' network page (with its live
fragment, refresh, nudges, CSV exports and printable report) and each school's page.

Who sees what (nic.permissions): facilitators see everything here. A principal who opens
the network page is taken to their own school's page; another school's page answers 404,
as for a school that does not exist. Teacher leaders and members: 403 (their role has no
dashboard; the 403 tells nothing about other networks, which are 404 by tenancy first).
"""
from __future__ import annotations

import logging

from flask import Blueprint, Response, abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from markupsafe import Markup

from nic.clock import utcnow
from nic.models import School
from nic.permissions import can, requires
from nic.services.rollups import dashboard
from nic.services.rollups import dashboard_measures
from nic.services.rollups import dashboard_school
from nic.services.rollups import rollups
from nic.services.errors import RateLimited, ServiceError, ValidationFailed
from nic.tenancy import current_membership, current_network, get_or_404
from nic.web.charts.display import fmt
from nic.web.dashboard import display, exports, section_cache
from nic.web.dashboard.forms import DashboardFilterForm, fill_groups
from nic.web.forms import is_page_error, show_service_error
from nic.web.networks.forms import ConfirmForm
from nic.web.paging import Page

logger = logging.getLogger(__name__)
bp = Blueprint("dashboard", __name__, url_prefix="/n/<slug>/dashboard")


def _filters_and_form():
    """(filters, form, status code): bad filters show on the form, and the page falls
    back to the defaults rather than failing."""
    form = DashboardFilterForm(formdata=request.args)
    fill_groups(form, dashboard.groups())
    try:
        return dashboard.parse_filters(request.args), form, 200
    except ValidationFailed as exc:
        show_service_error(form, exc)
        return dashboard.Filters(), form, 422


def _status() -> dashboard.Status:
    return dashboard.status(current_app.config.get("ROLLUP_STALLED_DAYS", 21))


def _common() -> dict:
    return dict(ago=dashboard.ago, display=display, fmt=fmt, state_labels=display.STATE_LABELS,
                state_help=display.STATE_HELP)


def network_context(filters: dashboard.Filters, all_schools: bool = False) -> dict:
    """Everything the printable report shows: a fixed number of queries."""
    context = _live_context(filters)
    if not context["status"].empty:
        context.update(_snapshot_context(filters, all_schools))
    return context


def _live_context(filters: dashboard.Filters) -> dict:
    """What is read on every request: the snapshot's status and the stalled cycles (live:
    a cycle edited since the snapshot drops out of the list at once)."""
    status = _status()
    context = dict(status=status, filters=filters, **_common())
    if status.empty:
        return context
    first, last, clamped = dashboard.window(filters)
    stalled, stalled_total = dashboard.stalled(current_membership(), filters.group)
    context.update(first=first, last=last, clamped=clamped, stalled=stalled, stalled_total=stalled_total)
    return context


def _snapshot_context(filters: dashboard.Filters, all_schools: bool = False) -> dict:
    """What reads only the snapshot (and the filters)."""
    total = dashboard.school_count(filters.group)
    schools = dashboard.school_rows(filters, limit=None if all_schools else dashboard.SCHOOLS_PER_PAGE)
    periods = dashboard.trend(filters)
    return dict(
        schools=schools, school_total=total,
        pager=Page(filters.page, dashboard.SCHOOLS_PER_PAGE, total, schools),
        grid=dashboard.matrix(None if all_schools else [s.id for s in schools], filters.group),
        periods=periods, trend=display.trend_payload(periods, filters.period),
        engagement=display.engagement_payload(periods, filters.period),
        trend_has_data=display.has_data(periods, display.PHASE_SERIES),
        engagement_has_data=display.has_data(periods, display.ENGAGEMENT_SERIES),
        measures=dashboard_measures.network_measures(filters),
    )


def page_context(filters: dashboard.Filters) -> dict:
    """The network page: the live parts, and the snapshot sections rendered once per
    snapshot, filters, window and viewer (section_cache)."""
    context = _live_context(filters)
    if context["status"].empty:
        return context
    membership = current_membership()
    key = (membership.network_id, context["status"].computed_at, membership.role, membership.school_id,
           tuple(sorted(filters.as_args().items())), context["first"], context["last"])

    def render():
        full = {**context, **_snapshot_context(filters)}
        return (Markup(render_template("dashboard/_snapshot_top.html", **full)),
                Markup(render_template("dashboard/_snapshot_bottom.html", **full)))

    context["snapshot_top"], context["snapshot_bottom"] = section_cache.sections.get_or_render(key, render)
    return context


@bp.get("")
@login_required
@requires("rollups.view")
def network(slug):
    membership = current_membership()
    if not can("dashboard.network"):
        # A principal's dashboard is their school beside the network.
        return redirect(url_for("dashboard.school", slug=slug, school_id=membership.school_id))
    filters, form, code = _filters_and_form()
    context = page_context(filters)
    if request.args.get("fragment"):
        return render_template("dashboard/_network_body.html", **context), code
    return render_template("dashboard/network.html", form=form, **context), code


@bp.get("/status")
@login_required
@requires("rollups.view")
def status(slug):
    """The snapshot's age and whether a roll-up is under way, for the page's script."""
    st = _status()
    return jsonify({
        "network": slug,
        "computed_at": st.computed_at.isoformat() if st.computed_at else None,
        "pending": st.pending is not None,
        "last_job": {"id": st.last_job.id, "state": st.last_job.state} if st.last_job else None,
    })


def _back(slug: str, fallback: str) -> str:
    """Where a form posted from the dashboard returns: its own page (with its filters)."""
    target = request.form.get("next") or ""
    if target.startswith(f"/n/{slug}/dashboard") and "//" not in target and "\\" not in target:
        return target
    return fallback


def _wants_json() -> bool:
    return request.accept_mimetypes.best_match(["text/html", "application/json"]) == "application/json"


@bp.post("/refresh")
@login_required
@requires("rollups.run")
def refresh(slug):
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        job = rollups.request_full()
    except Exception:  # the queue is unreachable: say so, keep showing the last figures
        logger.exception("roll-up request failed")
        message = "The roll-up could not be started just now. The figures shown are the last good ones; try again shortly."
        if _wants_json():
            return jsonify({"error": {"code": "unavailable", "message": message}}), 503
        flash(message, "error")
        return redirect(_back(slug, url_for("dashboard.network", slug=slug)))
    if _wants_json():
        return jsonify({"job": job.id, "state": job.state}), 202
    if job.state == "done":
        flash("The roll-up is done: these are the latest figures.", "success")
    else:
        flash("Roll-up requested. The figures update here when it finishes (reload the page if they do not).", "info")
    return redirect(_back(slug, url_for("dashboard.network", slug=slug)))


@bp.post("/nudge/<int:cycle_id>")
@login_required
@requires("dashboard.nudge")
def nudge(slug, cycle_id):
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        _, sent = dashboard_school.nudge(current_membership(), cycle_id, current_user.name)
    except RateLimited as exc:
        flash(exc.message, "error")
    except ServiceError as exc:
        if is_page_error(exc):
            raise
        flash(f"Not sent: {exc.message}", "error")
    else:
        if sent:
            flash("Nudge sent: a friendly check-in is now in the cycle’s discussion.", "success")
        else:
            flash("You already nudged this cycle today.", "info")
    return redirect(_back(slug, url_for("dashboard.network", slug=slug, _anchor="stalled")))


@bp.get("/school/<int:school_id>")
@login_required
@requires("rollups.view")
def school(slug, school_id):
    membership = current_membership()
    school = get_or_404(School, school_id)
    if not dashboard_school.may_view_school(membership, school.id):
        abort(404)  # another school's principal: the same answer as no such school
    filters, form, code = _filters_and_form()
    filters = dashboard.Filters(filters.date_from, filters.date_to, "", filters.period)
    status = _status()
    context = dict(school=school, filters=filters, form=form, status=status, **_common())
    if not status.empty:
        periods = dashboard.school_trend(school.id, filters)
        averages = dashboard_school.network_average(filters, dashboard.school_count())
        stalled, stalled_total = dashboard.stalled(membership, school_id=school.id)
        context.update(
            figures=dashboard_school.school_figures(school.id), periods=periods, averages=averages,
            comparison=display.comparison_payload(periods, averages, filters.period, school.name),
            comparison_has_data=any(p.started or p.completed for p in periods)
            or any(a.started or a.completed for a in averages),
            stalled=stalled, stalled_total=stalled_total, ideas=dashboard_school.school_ideas(school.id),
            measures=dashboard_measures.school_measures(school.id),
        )
    return render_template("dashboard/school.html", **context), code


@bp.get("/export/<table>.csv")
@login_required
@requires("dashboard.network")
def export(slug, table):
    if table not in exports.TABLES:
        abort(404)
    try:
        filters = dashboard.parse_filters(request.args)
    except ValidationFailed as exc:
        return Response(f"Bad filters: {exc.message}\n", status=422, mimetype="text/plain")
    body = exports.render(table, filters, current_membership())
    name = f"{slug}-{table}-{utcnow():%Y%m%d}.csv"
    return Response(body, mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"})


@bp.get("/report")
@login_required
@requires("dashboard.network")
def report(slug):
    filters, _, code = _filters_and_form()
    context = network_context(filters, all_schools=True)
    return render_template("dashboard/report.html", network=current_network(), printed_at=utcnow(),
                           groups_note=filters.group, **context), code
