"""One PDSA cycle's pages under /n/<slug>/cycles/: new, the cycle, edit (with conflicts),
phase moves, ramps, history, delete and the principal's deleted cycles. The list of
cycles lives in its own blueprint. Thin: parse, call nic.services.cycles.cycles, render."""
from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import login_required

from nic.permissions import can_edit_cycle, requires, visible_cycles_clause
from nic.services.cycles import chain as cycle_chain
from nic.services.cycles import history as cycle_history
from nic.services.cycles import cycles
from nic.services.cycles.fields import FIELD_LABELS, snapshot
from nic.services.cycles.phases import PHASE_LABELS, is_forward, missing, next_phase, previous_phase
from nic.services.cycles.cycles import CycleConflict
from nic.services.errors import ServiceError
from nic.services.discussion.markdown import render as markdown
from nic.services.cycles.nudges import cycle_nudges
from nic.tenancy import current_membership
from nic.web.cycles.forms import ConfirmForm, CycleForm, form_data
from nic.web.forms import is_page_error, show_service_error
from nic.web.paging import Page

bp = Blueprint("cycles", __name__, url_prefix="/n/<slug>/cycles")
# Where each field a phase needs sits on the edit page.
FIELD_ANCHORS = {"questions": "questions", "results": "study", "do_as_planned": "do", "act_decision": "act"}


@dataclass(frozen=True)
class Problem:
    message: str
    target: str | None = None  # the phase a refused move aimed at
HISTORY_PER_PAGE = 25
DELETED_PER_PAGE = 25


def _form(membership, school_id: int, cycle=None, formdata=True, data=None) -> CycleForm:
    form = CycleForm() if formdata else CycleForm(formdata=None, data=data or {})
    people = cycles.school_people(school_id)
    if cycle is not None:  # people who have since left the school stay selectable, so a save keeps them
        known = {p.id for p in people}
        for user in [cycle.owner, *cycle.coauthors]:
            if user is not None and user.id not in known:
                people.append(user)
                known.add(user.id)
    form.set_choices(cycles.school_teams(school_id), people,
                     cycles.usable_change_ideas(cycle.change_idea_id if cycle else None))
    return form


def _show_errors(form: CycleForm, exc: ServiceError) -> None:
    """Field errors next to their fields; a question row's next to that row."""
    rest = {}
    for name, message in exc.fields.items():
        parts = name.split(".")
        if parts[0] == "questions" and len(parts) == 3 and parts[1].isdigit() and int(parts[1]) < len(form.questions):
            field = form.questions[int(parts[1])].form[parts[2]]
            field.errors = list(field.errors) + [message]
        else:
            rest[name] = message
    if rest or not exc.fields:
        show_service_error(form, ServiceError(exc.message, rest))


# --- new ---------------------------------------------------------------------------------

@bp.route("/new", methods=["GET", "POST"])
@login_required
@requires("cycles.create")
def new(slug):
    membership = current_membership()
    if membership.school_id is None:
        abort(403)
    if request.method == "GET":
        form = _form(membership, membership.school_id, formdata=False,
                     data={"owner_id": str(membership.user_id), "visibility": "school", "scale_unit": "students"})
        form.pad_questions(spare=3)
        return render_template("cycles/new.html", form=form)
    form = _form(membership, membership.school_id)
    status = 200
    if "add_question" in request.form:
        form.questions.append_entry()
    elif form.validate_on_submit():
        try:
            cycle = cycles.create_cycle(membership, form.values(whole=False))
        except ServiceError as exc:
            if is_page_error(exc):
                raise
            _show_errors(form, exc)
            status = 422
        else:
            flash("Cycle created. Its plan is ready for Do once it has an objective and a question with a prediction.", "success")
            return redirect(url_for("cycles.show", slug=slug, cycle_id=cycle.id))
    else:
        status = 400
    form.pad_questions()
    return render_template("cycles/new.html", form=form), status


# --- the cycle ---------------------------------------------------------------------------

@bp.route("/<int:cycle_id>")
@login_required
@requires("network.view")
def show(slug, cycle_id, problem=None, status=200):
    """The cycle. `problem` is a refused phase move or ramp, shown above the phase buttons
    (for a move forward: each missing field, linked to it on the edit page)."""
    membership = current_membership()
    cycle = cycles.visible_cycle(membership, cycle_id)
    state = snapshot(cycle)
    forward, back = next_phase(cycle.phase), previous_phase(cycle.phase)
    gaps = []
    if problem is not None and problem.target in PHASE_LABELS and problem.target != cycle.phase:
        gaps = missing(state, problem.target) if is_forward(cycle.phase, problem.target) else []
    return render_template(
        "cycles/show.html",
        cycle=cycle,
        md=markdown,
        phase_labels=PHASE_LABELS,
        nudges=cycle_nudges(cycle.id),
        chain=cycle_chain.chain(cycle, visible_cycles_clause(membership)),
        moves=cycles.phase_moves(cycle.id),
        can_edit=can_edit_cycle(membership, cycle),
        can_delete=cycles.can_delete_cycle(membership, cycle),
        can_ramp=cycles.can_ramp(membership, cycle),
        forward=forward,
        back=back,
        still_missing=missing(state, forward) if forward else [],
        problem=problem,
        gaps=gaps,
        field_labels=FIELD_LABELS,
        field_anchors=FIELD_ANCHORS,
        confirm_form=ConfirmForm(formdata=None),
    ), status


@bp.route("/<int:cycle_id>/phase", methods=["POST"])
@login_required
@requires("network.view")
def move(slug, cycle_id):
    membership = current_membership()
    if not ConfirmForm().validate_on_submit():
        abort(400)
    target = request.form.get("to", "")
    try:
        cycle, moved = cycles.move_phase(membership, cycle_id, target)
    except ServiceError as exc:
        if is_page_error(exc):
            raise
        return show(slug, cycle_id, problem=Problem(exc.message, target), status=422)
    if moved:
        flash(f"Moved to {PHASE_LABELS[cycle.phase]}.", "success")
    else:
        flash(f"This cycle is already in {PHASE_LABELS[cycle.phase]}.", "info")
    return redirect(url_for("cycles.show", slug=slug, cycle_id=cycle_id, _anchor="phase"))


@bp.route("/<int:cycle_id>/next", methods=["POST"])
@login_required
@requires("network.view")
def ramp(slug, cycle_id):
    membership = current_membership()
    if not ConfirmForm().validate_on_submit():
        abort(400)
    adapt = request.form.get("kind") == "adapt"
    try:
        child = cycles.start_next_cycle(membership, cycle_id, adapt)
    except ServiceError as exc:
        if is_page_error(exc):
            raise
        return show(slug, cycle_id, problem=Problem(exc.message), status=422)
    flash("Next cycle started from the last one's header and plan. Update the plan for this test.", "success")
    return redirect(url_for("cycles.show", slug=slug, cycle_id=child.id))


# --- edit and conflicts --------------------------------------------------------------------

@bp.route("/<int:cycle_id>/edit", methods=["GET", "POST"])
@login_required
@requires("network.view")
def edit(slug, cycle_id):
    membership = current_membership()
    cycle = cycles.editable_cycle(membership, cycle_id)
    if request.method == "GET":
        form = _form(membership, cycle.school_id, cycle, formdata=False, data=form_data(snapshot(cycle)))
        form.version.data = str(cycle.version)
        form.pad_questions()
        return render_template("cycles/edit.html", form=form, cycle=cycle)
    form = _form(membership, cycle.school_id, cycle)
    status = 200
    if "add_question" in request.form:
        form.questions.append_entry()
    elif form.validate_on_submit():
        try:
            cycles.update_cycle(membership, cycle_id, form.values(whole=True), form.version.data)
        except CycleConflict as exc:
            return _conflict(slug, membership, exc)
        except ServiceError as exc:
            if is_page_error(exc):
                raise
            _show_errors(form, exc)
            status = 422
        else:
            flash("Cycle saved.", "success")
            return redirect(url_for("cycles.show", slug=slug, cycle_id=cycle_id))
    else:
        status = 400
    form.pad_questions()
    return render_template("cycles/edit.html", form=form, cycle=cycle), status


def _conflict(slug, membership, exc: CycleConflict):
    """Both versions side by side, and the edit form holding the latest version with this
    person's changes put back on top, ready to review and save."""
    cycle = cycles.editable_cycle(membership, exc.cycle_id)
    theirs = snapshot(cycle)
    base_version = exc.base_version if isinstance(exc.base_version, int) else None
    base = cycle_history.state_at(cycle, base_version, theirs) if base_version is not None else None
    result = cycle_history.merge(exc.submitted, theirs, base)
    form = _form(membership, cycle.school_id, cycle, formdata=False, data=form_data(result.merged))
    form.version.data = str(cycle.version)
    form.pad_questions()
    names = cycle_history.names_for([{c.field: {"old": c.yours, "new": c.theirs}} for c in result.comparisons])
    since = [c for c in cycle_history.changes(cycle.id, per_page=5) if base_version is None or c.version > base_version]
    return render_template(
        "cycles/conflict.html", cycle=cycle, form=form, merge=result, names=names, describe=cycle_history.describe,
        latest=since,
    ), 409


# --- history ------------------------------------------------------------------------------

@bp.route("/<int:cycle_id>/history")
@login_required
@requires("network.view")
def history(slug, cycle_id):
    membership = current_membership()
    cycle = cycles.visible_cycle(membership, cycle_id)
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    entries = cycle_history.changes(cycle.id, page, HISTORY_PER_PAGE)
    return render_template(
        "cycles/history.html", cycle=cycle, entries=entries,
        pager=Page(page, HISTORY_PER_PAGE, cycle_history.change_count(cycle.id), entries),
        names=cycle_history.names_for([e.fields or {} for e in entries]),
        describe=cycle_history.describe, label=cycle_history.label, phase_labels=PHASE_LABELS,
    )


# --- delete and restore -------------------------------------------------------------------

@bp.route("/<int:cycle_id>/delete", methods=["POST"])
@login_required
@requires("network.view")
def delete(slug, cycle_id):
    membership = current_membership()
    if not ConfirmForm().validate_on_submit():
        abort(400)
    cycles.delete_cycle(membership, cycle_id)
    flash("Cycle deleted. Your school's principal can restore it from Deleted cycles.", "success")
    if membership.role == "principal":
        return redirect(url_for("cycles.deleted", slug=slug))
    return redirect(url_for("browse.cycles", slug=slug))


@bp.route("/deleted")
@login_required
@requires("cycles.restore")
def deleted(slug):
    membership = current_membership()
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    items, total = cycles.deleted_cycles(membership, page, DELETED_PER_PAGE)
    return render_template(
        "cycles/deleted.html", items=items, pager=Page(page, DELETED_PER_PAGE, total, items),
        confirm_form=ConfirmForm(formdata=None), phase_labels=PHASE_LABELS,
    )


@bp.route("/<int:cycle_id>/restore", methods=["POST"])
@login_required
@requires("network.view")
def restore(slug, cycle_id):
    membership = current_membership()
    if not ConfirmForm().validate_on_submit():
        abort(400)
    cycle = cycles.restore_cycle(membership, cycle_id)
    flash(f"“{cycle.title}” restored.", "success")
    return redirect(url_for("cycles.show", slug=slug, cycle_id=cycle.id))
