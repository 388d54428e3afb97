"""Recording a measure's values, under /n/<slug>/measures/<measure_id>/: the quick form
(`points`), the grid of past periods (`data`, endpoint `measures.enter`), the CSV
template and upload, and the audit trail of a school's values.

Who: a school's principal and teacher leaders enter its values; everyone in the network
may read every school's values and their history (the charts show them all anyway).
Which school: `?school_id=N` (another network's id is a 404), else the viewer's own;
a facilitator with no school picks one.
"""
from __future__ import annotations

import re

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import login_required

from nic.models import School
from nic.permissions import require, requires
from nic.services.measures import csv_import
from nic.services.measures import measures
from nic.services.accounts import networks
from nic.services.measures import periods
from nic.services.measures import points
from nic.services.errors import Conflict, ServiceError
from nic.services.measures.points import PointsInvalid
from nic.tenancy import current_membership, get_scoped
from nic.web.forms import is_page_error, show_service_error
from nic.web.measures.forms import GridForm, PointForm, SchoolPicker, UploadForm, cells_of
from nic.web.measures.views import bp, chart_url, show
from nic.web.paging import Page
from nic.words import plural

GRID_PERIODS = 12
MAX_GRID_PAGE = 500  # about ten years of weeks back; further back is CSV work
AUDIT_PER_PAGE = 50


def _chosen_school(membership, source=None) -> School | None:
    """?school_id=N (404 unless it is this network's school), else the viewer's own."""
    raw = (source if source is not None else request.args).get("school_id", "")
    if raw.strip():
        school = get_scoped(School, raw.strip())
        if school is None:
            abort(404)
        return school
    return membership.school if membership.school_id else None


def _picker(school: School | None) -> SchoolPicker:
    form = SchoolPicker(formdata=None, data={"school_id": str(school.id) if school else ""})
    form.school_id.choices = [("", "— choose a school —")] + [(str(s.id), s.name) for s in networks.schools()]
    return form


def _status_of(exc: ServiceError) -> int:
    """A refused write shown on the page again: 409 for a clash with someone else's write,
    422 for bad input."""
    return 409 if isinstance(exc, Conflict) else 422


# --- the quick form ------------------------------------------------------------------------

@bp.route("/<int:measure_id>/points", methods=["POST"])
@login_required
@requires("network.view")
def quick_entry(slug, measure_id):
    measure = measures.get(measure_id)  # 404 before 403: another network's id looks like a missing one
    require("points.enter")
    membership = current_membership()
    form = PointForm()
    if not form.validate_on_submit():
        abort(400)
    school = _chosen_school(membership, request.form)  # another network's school: 404
    if school is None:
        abort(403)
    row = {name: getattr(form, name).data for name in points.columns(measure)}
    try:
        saved = points.record(membership, measure, school.id, [(0, row)], "form",
                              field_name=lambda ref, column: column or "period")
    except ServiceError as exc:
        if is_page_error(exc):
            raise
        status = _status_of(exc)
        show_service_error(form, exc)
        return show(slug, measure_id, form=form, status=status)
    period = periods.parse_date(form.period.data)
    what = "recorded" if saved.created else "updated" if saved.unchanged == 0 else "unchanged (same value)"
    flash(f"{periods.label(period, measure.frequency)}: {what}.", "success")
    return redirect(url_for("measures.show", slug=slug, measure_id=measure.id, _anchor="enter"))


# --- the grid ------------------------------------------------------------------------------

def _grid_form(measure, wanted, stored) -> GridForm:
    """The grid as stored: one row per period, `shown` remembering each row's cells."""
    rows = []
    for period in wanted:
        cells = cells_of(stored.get(period), measure.chart)
        rows.append({"period": period.isoformat(), "shown": "|".join(cells.values()), **cells})
    return GridForm(formdata=None, data={"rows": rows})


def _grid_page(measure, school, page, form=None, upload_form=None, report=None, status=200):
    membership = current_membership()
    may_enter = school is not None and points.can_enter(membership, school.id)
    wanted = periods.recent_periods(measure.frequency, GRID_PERIODS, page) if school else []
    stored = points.points_by_period(measure.id, school.id, wanted) if school else {}
    if school is not None and form is None:
        form = _grid_form(measure, wanted, stored)
    return render_template(
        "measures/data.html",
        measure=measure, school=school, picker=_picker(school), may_enter=may_enter, form=form,
        upload_form=upload_form or UploadForm(formdata=None, data={"school_id": str(school.id) if school else ""}),
        report=report, page=page, stored=stored, grid_periods=wanted,
        has_older=school is not None and page < MAX_GRID_PAGE, columns=points.value_columns(measure.chart),
        chart_url=chart_url(request.view_args["slug"], measure.id, school.id if school else None),
    ), status


def _page() -> int:
    return min(max(request.args.get("page", 1, type=int) or 1, 1), MAX_GRID_PAGE)


@bp.route("/<int:measure_id>/data", methods=["GET"])
@login_required
@requires("network.view")
def enter(slug, measure_id):
    measure = measures.get(measure_id)
    return _grid_page(measure, _chosen_school(current_membership()), _page())


def _changed_rows(form: GridForm, chart: str) -> list[tuple[int, dict]]:
    """The rows whose cells differ from what the page showed, as (index, cells)."""
    names = points.value_columns(chart)
    changed = []
    for index, entry in enumerate(form.rows):
        cells = {name: (entry.form[name].data or "").strip() for name in names}
        if "|".join(cells.values()) != (entry.form.shown.data or "").strip():
            changed.append((index, {"period": entry.form.period.data, **cells}))
    return changed


@bp.route("/<int:measure_id>/data", methods=["POST"])
@login_required
@requires("network.view")
def save_grid(slug, measure_id):
    measure = measures.get(measure_id)
    require("points.enter")
    membership = current_membership()
    school = _chosen_school(membership)
    if school is None:
        abort(404)
    page = _page()
    form = GridForm()
    if not form.validate_on_submit():
        abort(400)
    changed = _changed_rows(form, measure.chart)
    if not changed:
        flash("Nothing changed.", "info")
        return redirect(url_for("measures.enter", slug=slug, measure_id=measure.id, school_id=school.id, page=page))

    def describe(index):
        raw = form.rows[index].form.period.data if index < len(form.rows) else ""
        try:
            return periods.label(periods.parse_date(raw), measure.frequency)
        except ValueError:
            return f"row {index + 1}"

    try:
        saved = points.record_edits(membership, measure, school.id, changed, "grid",
                                    field_name=lambda ref, column: f"rows.{ref}.{column or 'period'}",
                                    describe=describe)
    except PointsInvalid as exc:
        for error in exc.errors:
            entry = form.rows[error.ref].form
            field = entry[error.column] if error.column in ("value", "numerator", "denominator") else entry.period
            field.errors = list(field.errors) + [error.message]
        form.form_errors.append(f"Nothing was saved: {plural(len(exc.errors), 'problem')} "
                                "to fix, marked below.")
        return _grid_page(measure, school, page, form=form, status=422)
    except ServiceError as exc:
        if is_page_error(exc):
            raise
        status = _status_of(exc)
        show_service_error(form, exc)
        return _grid_page(measure, school, page, form=form, status=status)
    parts = [f"{n} {label}" for n, label in ((saved.created, "added"), (saved.updated - saved.unchanged, "changed"),
                                             (saved.deleted, "cleared")) if n]
    flash(f"Saved: {', '.join(parts) or 'no changes'}.", "success")
    return redirect(url_for("measures.enter", slug=slug, measure_id=measure.id, school_id=school.id, page=page))


# --- CSV -----------------------------------------------------------------------------------

def _filename(name: str) -> str:
    return (re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "measure")[:60]


@bp.route("/<int:measure_id>/template.csv")
@login_required
@requires("network.view")
def template(slug, measure_id):
    measure = measures.get(measure_id)
    response = Response(csv_import.template(measure), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{_filename(measure.name)}-template.csv"'
    return response


@bp.route("/<int:measure_id>/upload", methods=["POST"])
@login_required
@requires("network.view")
def upload(slug, measure_id):
    measure = measures.get(measure_id)
    require("points.enter")
    membership = current_membership()
    school = _chosen_school(membership, request.form)
    form = UploadForm()
    if school is None:
        abort(404)
    if not form.validate_on_submit():
        abort(400)
    storage = form.file.data
    if storage is None or not getattr(storage, "filename", ""):
        form.file.errors = ["Choose a CSV file to upload."]
        return _grid_page(measure, school, 1, upload_form=form, status=422)
    data = storage.stream.read(csv_import.MAX_BYTES + 1)
    try:
        result = csv_import.import_file(membership, measure, school.id, data)
    except csv_import.CsvRejected as exc:
        return _grid_page(measure, school, 1, upload_form=form, report=exc.errors, status=422)
    except ServiceError as exc:
        if is_page_error(exc):
            raise
        status = _status_of(exc)
        show_service_error(form, exc)
        return _grid_page(measure, school, 1, upload_form=form, status=status)
    saved = result.saved
    message = f"Imported {storage.filename}: {saved.created} added, {saved.updated - saved.unchanged} changed"
    if saved.unchanged:
        message += f", {saved.unchanged} already up to date"
    if result.skipped:
        message += f"; {plural(result.skipped, 'row')} without values skipped"
    flash(message + ".", "success")
    return redirect(url_for("measures.enter", slug=slug, measure_id=measure.id, school_id=school.id))


# --- the audit trail ------------------------------------------------------------------------

@bp.route("/<int:measure_id>/audit")
@login_required
@requires("network.view")
def audit(slug, measure_id):
    measure = measures.get(measure_id)
    school = _chosen_school(current_membership())
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    entries, total = [], 0
    if school is not None:
        total = points.change_count(measure.id, school.id)
        entries = points.changes(measure.id, school.id, page, AUDIT_PER_PAGE)
    return render_template(
        "measures/audit.html", measure=measure, school=school, picker=_picker(school), entries=entries,
        pager=Page(page, AUDIT_PER_PAGE, total, entries), columns=points.value_columns(measure.chart),
    )
