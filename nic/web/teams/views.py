"""Teams pages under /n/<slug>/teams: everyone in the network may look; principals manage
their own school's teams and facilitators any school's (nic.services.accounts.teams decides)."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import login_required

from nic.models import TEAM_KIND_LABELS, School
from nic.permissions import requires
from nic.services.accounts import teams
from nic.services.errors import ServiceError
from nic.tenancy import current_membership, get_scoped
from nic.web.forms import is_page_error, show_service_error
from nic.web.networks.forms import ConfirmForm
from nic.web.teams.forms import TeamForm, member_choices

bp = Blueprint("teams", __name__, url_prefix="/n/<slug>")

# The school is a hidden field: its errors belong at the top of the form.
_ALIASES = {"school_id": "-"}


@bp.get("/teams")
@login_required
@requires("network.view")
def index(slug):
    membership = current_membership()
    return render_template(
        "teams/index.html",
        groups=teams.teams_by_school(),
        cycle_counts=teams.cycle_counts_by_team(membership),
        may_manage=lambda school_id: teams.may_manage(membership, school_id),
        kind_labels=TEAM_KIND_LABELS,
    )


@bp.get("/teams/new")
@login_required
@requires("teams.manage")
def new(slug):
    membership = current_membership()
    school = _school_for_new(membership, request.args.get("school_id"))
    if school is None:  # a facilitator: first choose the school
        return render_template("teams/choose_school.html", schools=teams.manageable_schools(membership))
    form = TeamForm(formdata=None, school_id=school.id)
    return _form_page(form, school)


@bp.post("/teams")
@login_required
@requires("teams.manage")
def create(slug):
    form = TeamForm()
    school = get_scoped(School, form.school_id.data)
    if school is None:
        abort(404)
    if form.validate_on_submit():
        try:
            team = teams.create_team(current_membership(), school.id, form.name.data, form.kind.data, form.members.data)
        except ServiceError as exc:
            if is_page_error(exc):
                raise
            show_service_error(form, exc, _ALIASES)
        else:
            flash(f"{team.name} added to {school.name}.", "success")
            return redirect(url_for("teams.index", slug=slug, _anchor=f"team-{team.id}"))
    return _form_page(form, school, status=422)


@bp.get("/teams/<int:team_id>/edit")
@login_required
@requires("teams.manage")
def edit(slug, team_id):
    team = _manageable_team(team_id)
    form = TeamForm(formdata=None, name=team.name, kind=team.kind, members=[str(u.id) for u in team.members])
    return _form_page(form, team.school, team=team)


@bp.post("/teams/<int:team_id>")
@login_required
@requires("teams.manage")
def update(slug, team_id):
    team = _manageable_team(team_id)
    form = TeamForm()
    if form.validate_on_submit():
        try:
            teams.update_team(current_membership(), team.id, form.name.data, form.kind.data, form.members.data)
        except ServiceError as exc:
            show_service_error(form, exc, _ALIASES)
        else:
            flash(f"{team.name} saved.", "success")
            return redirect(url_for("teams.index", slug=slug, _anchor=f"team-{team.id}"))
    return _form_page(form, team.school, team=team, status=422)


@bp.post("/teams/<int:team_id>/delete")
@login_required
@requires("teams.manage")
def delete(slug, team_id):
    team = _manageable_team(team_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    name = teams.delete_team(current_membership(), team.id)
    flash(f"{name} removed. Its cycles stay with the school.", "success")
    return redirect(url_for("teams.index", slug=slug))


# --- helpers ---------------------------------------------------------------------------------

def _school_for_new(membership, school_id) -> School | None:
    """The school a new team goes in: the one asked for, or the only one this member may
    manage; None when a facilitator has yet to choose."""
    if school_id:
        school = get_scoped(School, school_id)
        if school is None:
            abort(404)
        if not teams.may_manage(membership, school.id):
            abort(403)
        return school
    schools = teams.manageable_schools(membership)
    if not schools:
        abort(403)
    return schools[0] if membership.role != "facilitator" and len(schools) == 1 else None


def _manageable_team(team_id):
    """The team (404 if it is not in this network), and 403 if it is one this member may
    see but not change: another school's team."""
    team = teams.get_team(team_id)
    if not teams.may_manage(current_membership(), team.school_id):
        abort(403)
    return team


def _form_page(form: TeamForm, school: School, team=None, status: int = 200):
    form.members.choices = member_choices(teams.people_at(school.id))
    return render_template(
        "teams/form.html", form=form, school=school, team=team, confirm_form=ConfirmForm(formdata=None)
    ), status
