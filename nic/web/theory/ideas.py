"""Change idea pages under /n/<slug>/change-ideas: the list (filter, search, propose) and
each idea's page with every cycle that tested it, across the schools the viewer may see."""
from __future__ import annotations

from itertools import groupby

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from nic.models import CHANGE_IDEA_STATUSES, DECISIONS, PHASES, Aim, ChangeIdea
from nic.permissions import can, requires
from nic.services.discussion import markdown
from nic.services.theory import ideas as theory_ideas
from nic.services.errors import ServiceError
from nic.tenancy import current_membership, get_or_404, get_scoped
from nic.web.forms import is_page_error, show_service_error
from nic.web.paging import Page
from nic.web.theory.forms import ChangeIdeaForm, DecisionForm, StatusForm, driver_choices, form_data
from nic.web.theory.views import aim as aim_page, bp

IDEAS_PER_PAGE = 25
PHASE_LABELS = {phase: phase.capitalize() for phase in PHASES}
DECISION_LABELS = {decision: decision.capitalize() for decision in DECISIONS}


def _actor():
    return current_user._get_current_object()


def _idea_form(formdata=True, aim: Aim | None = None, **kwargs) -> ChangeIdeaForm:
    form = ChangeIdeaForm(**kwargs) if formdata else ChangeIdeaForm(formdata=None, **kwargs)
    groups = theory_ideas.driver_choices()
    if aim is not None:
        groups = [(a, drivers) for a, drivers in groups if a.id == aim.id]
    form.driver_ids.choices = driver_choices(d for _, drivers in groups for d in drivers)
    # The template shows the checkboxes grouped by aim (headed by its statement when there are several).
    form.driver_groups = [
        (_short(a.statement) if len(groups) > 1 else None, driver_choices(drivers))
        for a, drivers in groups if drivers
    ]
    return form


def _short(text: str, limit: int = 90) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


@bp.get("/change-ideas")
@login_required
@requires("network.view")
def change_ideas(slug, form=None, status_code=200):
    status = request.args.get("status") or None
    if status not in (None, *CHANGE_IDEA_STATUSES):
        status = None
    q = (request.args.get("q") or "").strip()
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    items, total = theory_ideas.listing(status, q, page, IDEAS_PER_PAGE)
    return render_template(
        "theory/change_ideas.html", ideas=items, total=total, status=status, q=q,
        pager=Page(page, IDEAS_PER_PAGE, total, items), statuses=CHANGE_IDEA_STATUSES,
        status_labels=theory_ideas.STATUS_LABELS,
        counts=theory_ideas.cycle_counts([i.id for i in items], current_membership()),
        form=form or _idea_form(formdata=False),
    ), status_code


@bp.post("/change-ideas")
@login_required
@requires("change_ideas.propose")
def propose(slug):
    aim = get_scoped(Aim, request.form.get("aim_id")) if request.form.get("aim_id") else None
    form = _idea_form(aim=aim)
    if form.validate_on_submit():
        try:
            # Proposals start as `proposed` whoever makes them; facilitators accept them after.
            idea = theory_ideas.propose(
                {**form_data(form, "title", "description", "driver_ids"), "aim_id": form.aim_id.data or None},
                _actor(),
            )
        except ServiceError as exc:
            show_service_error(form, exc)
        else:
            flash("Change idea proposed. A facilitator will accept or decline it.", "success")
            return redirect(url_for("theory.change_idea", slug=slug, change_idea_id=idea.id))
    if aim is not None:
        return aim_page(slug, aim.id, propose_form=form, status=422)
    return change_ideas(slug, form=form, status_code=422)


@bp.get("/change-ideas/<int:change_idea_id>")
@login_required
@requires("network.view")
def change_idea(slug, change_idea_id, edit_form=None, decision_form=None, status_code=200):
    idea = get_or_404(ChangeIdea, change_idea_id)
    aim = get_scoped(Aim, idea.aim_id) if idea.aim_id else None
    if edit_form is None:
        edit_form = _idea_form(formdata=False, aim=aim, obj=idea)
        edit_form.driver_ids.data = [d.id for d in idea.drivers]
    cycles = theory_ideas.cycles_testing(idea.id, current_membership())
    by_school = [(school, list(group)) for school, group in groupby(cycles, key=lambda c: c.school)]
    return render_template(
        "theory/change_idea.html", idea=idea, aim=aim,
        description=markdown.render(idea.description), decision_note=markdown.render(idea.decision_note),
        history=theory_ideas.status_history(idea), by_school=by_school, cycle_total=len(cycles),
        render_markdown=markdown.render,
        phase_labels=PHASE_LABELS, decision_labels=DECISION_LABELS, status_labels=theory_ideas.STATUS_LABELS,
        edit_form=edit_form, decision_form=decision_form or DecisionForm(formdata=None),
        status_form=StatusForm(formdata=None, status=idea.status),
        may_edit=can("theory.edit"),
    ), status_code


@bp.post("/change-ideas/<int:change_idea_id>")
@login_required
@requires("theory.edit")
def update_change_idea(slug, change_idea_id):
    idea = get_or_404(ChangeIdea, change_idea_id)
    form = _idea_form(aim=get_scoped(Aim, idea.aim_id) if idea.aim_id else None)
    if form.validate_on_submit():
        try:
            theory_ideas.update(idea.id, form_data(form, "title", "description", "driver_ids"), _actor())
        except ServiceError as exc:
            show_service_error(form, exc)
        else:
            flash("Change idea saved.", "success")
            return redirect(url_for("theory.change_idea", slug=slug, change_idea_id=idea.id))
    return change_idea(slug, change_idea_id, edit_form=form, status_code=422)


@bp.post("/change-ideas/<int:change_idea_id>/decision")
@login_required
@requires("theory.edit")
def decide(slug, change_idea_id):
    idea = get_or_404(ChangeIdea, change_idea_id)
    form = DecisionForm()
    if form.validate_on_submit():
        try:
            theory_ideas.decide(idea.id, form.decision.data, form.decision_note.data, _actor())
        except ServiceError as exc:
            show_service_error(form, exc)
        else:
            flash(f"Change idea {idea.status}.", "success")
            return redirect(url_for("theory.change_idea", slug=slug, change_idea_id=idea.id))
    return change_idea(slug, change_idea_id, decision_form=form, status_code=422)


@bp.post("/change-ideas/<int:change_idea_id>/status")
@login_required
@requires("theory.edit")
def set_status(slug, change_idea_id):
    idea = get_or_404(ChangeIdea, change_idea_id)
    form = StatusForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        theory_ideas.update(idea.id, {"status": form.status.data}, _actor())
    except ServiceError as exc:
        if is_page_error(exc):
            raise
        flash(f"Status not changed: {exc.message}", "error")
    else:
        flash(f"Status is now {theory_ideas.STATUS_LABELS[idea.status].lower()}.", "success")
    return redirect(url_for("theory.change_idea", slug=slug, change_idea_id=idea.id))
