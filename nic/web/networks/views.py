"""Pages of one network, under /n/<slug>/. nic.tenancy has already checked membership
and made the network current before any of these run."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required

from nic.permissions import requires
from nic.services.accounts import invitations
from nic.services.accounts import networks
from nic.services.errors import ServiceError
from nic.tenancy import current_membership, current_network
from nic.web.auth.views import LAST_NETWORK_KEY
from nic.web.forms import is_page_error, show_service_error
from nic.web.paging import Page
from nic.web.networks.forms import (
    ConfirmForm, InviteForm, MemberForm, SchoolForm, ThresholdForm, school_choices,
)

bp = Blueprint("networks", __name__, url_prefix="/n/<slug>")
MEMBERS_PER_PAGE = 50


@bp.route("/")
@login_required
@requires("network.view")
def home(slug):
    session[LAST_NETWORK_KEY] = slug  # where "/" and sign-in take this person next time
    counts = networks.member_counts_by_school()
    return render_template(
        "networks/home.html",
        network=current_network(),
        membership=current_membership(),
        schools=networks.schools(),
        member_total=sum(counts.values()),
        members_per_school=counts,
        facilitators=networks.facilitators(),
    )


# --- schools ----------------------------------------------------------------------------

@bp.route("/schools", methods=["GET"])
@login_required
@requires("network.view")
def schools(slug, form=None, status=200, threshold_form=None):
    threshold_form = threshold_form or ThresholdForm(formdata=None,
                                                     reporting_threshold=current_network().reporting_threshold)
    return render_template(
        "networks/schools.html", schools=networks.schools(), form=form or SchoolForm(formdata=None),
        rename_form=SchoolForm(formdata=None), threshold_form=threshold_form,
    ), status


@bp.route("/settings/reporting", methods=["POST"])
@login_required
@requires("schools.manage")
def set_reporting_threshold(slug):
    form = ThresholdForm()
    if form.validate_on_submit():
        try:
            network = networks.set_reporting_threshold(form.reporting_threshold.data)
        except ServiceError as exc:
            show_service_error(form, exc)
        else:
            flash(f"Pooled charts now judge a period when {network.reporting_threshold}% of the schools reported it.",
                  "success")
            return redirect(url_for("networks.schools", slug=slug) + "#reporting")
    return schools(slug, status=422, threshold_form=form)


@bp.route("/schools", methods=["POST"])
@login_required
@requires("schools.manage")
def create_school(slug):
    form = SchoolForm()
    if form.validate_on_submit():
        try:
            school = networks.create_school(form.name.data, form.group_name.data or "")
        except ServiceError as exc:
            show_service_error(form, exc)
        else:
            flash(f"{school.name} added.", "success")
            return redirect(url_for("networks.schools", slug=slug))
    return schools(slug, form=form, status=422)


@bp.route("/schools/<int:school_id>", methods=["POST"])
@login_required
@requires("schools.manage")
def rename_school(slug, school_id):
    form = SchoolForm()
    if form.validate_on_submit():
        try:
            networks.rename_school(school_id, form.name.data,
                                   form.group_name.data if "group_name" in request.form else None)
        except ServiceError as exc:
            if is_page_error(exc):
                raise
            flash(f"Not renamed: {exc.message}", "error")
        else:
            flash("School saved.", "success")
    else:
        flash("Not renamed: the name is required.", "error")
    return redirect(url_for("networks.schools", slug=slug))


# --- members and invitations ------------------------------------------------------------

def _invite_form(formdata=True) -> InviteForm:
    form = InviteForm() if formdata else InviteForm(formdata=None)
    form.school.choices = school_choices(networks.schools())
    return form


@bp.route("/members", methods=["GET"])
@login_required
@requires("members.view")
def members(slug, invite_form=None, status=200):
    choices = school_choices(networks.schools())
    page = request.args.get("page", 1, type=int) or 1
    total = networks.member_count()
    shown = networks.members(page, MEMBERS_PER_PAGE)
    return render_template(
        "networks/members.html",
        members=shown,
        member_total=total,
        pager=Page(page, MEMBERS_PER_PAGE, total, shown),
        invitations=invitations.pending(),
        invite_form=invite_form or _invite_form(formdata=False),
        school_choices=[(choice.value, choice.label) for choice in choices],
        member_form=MemberForm(formdata=None),
        confirm_form=ConfirmForm(formdata=None),
    ), status


@bp.route("/members/invite", methods=["POST"])
@login_required
@requires("members.invite")
def invite(slug):
    form = _invite_form()
    if form.validate_on_submit():
        try:
            invitation = invitations.invite(
                form.email.data, form.role.data, form.school.data or None, current_user._get_current_object()
            )
        except ServiceError as exc:
            show_service_error(form, exc)
        else:
            flash(f"Invitation sent to {invitation.email}.", "success")
            return redirect(url_for("networks.members", slug=slug))
    return members(slug, invite_form=form, status=422)


@bp.route("/members/<int:membership_id>", methods=["POST"])
@login_required
@requires("members.manage")
def change_member(slug, membership_id):
    form = MemberForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        networks.change_member(membership_id, form.role.data, form.school.data or None, current_user._get_current_object())
    except ServiceError as exc:
        if is_page_error(exc):
            raise
        flash(f"Not changed: {exc.message}", "error")
    else:
        flash("Member updated.", "success")
    return redirect(url_for("networks.members", slug=slug))


@bp.route("/members/<int:membership_id>/remove", methods=["POST"])
@login_required
@requires("members.manage")
def remove_member(slug, membership_id):
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        networks.remove_member(membership_id)
    except ServiceError as exc:
        if is_page_error(exc):
            raise
        flash(f"Not removed: {exc.message}", "error")
    else:
        flash("Member removed from the network.", "success")
    return redirect(url_for("networks.members", slug=slug))


@bp.route("/invitations/<int:invitation_id>/revoke", methods=["POST"])
@login_required
@requires("members.invite")
def revoke_invitation(slug, invitation_id):
    if not ConfirmForm().validate_on_submit():
        abort(400)
    invitations.revoke(invitation_id)
    flash("Invitation withdrawn.", "success")
    return redirect(url_for("networks.members", slug=slug))
