"""The signed-in person's own page: name, password and personal API tokens."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from nic.services.accounts import accounts
from nic.services.errors import ServiceError
from nic.tenancy import memberships_of
from nic.web.account.forms import ChangePasswordForm, NewTokenForm, ProfileForm, RevokeTokenForm
from nic.web.forms import show_service_error

bp = Blueprint("account", __name__, url_prefix="/profile")


def _render(profile_form=None, password_form=None, token_form=None, new_secret=None, status=200):
    user = current_user._get_current_object()
    return render_template(
        "account/profile.html",
        profile_form=profile_form or ProfileForm(obj=user, formdata=None),
        password_form=password_form or ChangePasswordForm(formdata=None),
        token_form=token_form or NewTokenForm(formdata=None),
        revoke_form=RevokeTokenForm(formdata=None),
        tokens=accounts.api_tokens_of(user),
        memberships=memberships_of(user),
        new_secret=new_secret,
    ), status


@bp.route("/", methods=["GET"])
@login_required
def profile():
    return _render()


@bp.route("/", methods=["POST"])
@login_required
def update_profile():
    form = ProfileForm()
    if form.validate_on_submit():
        try:
            accounts.update_profile(current_user._get_current_object(), form.name.data)
        except ServiceError as exc:
            show_service_error(form, exc)
        else:
            flash("Profile saved.", "success")
            return redirect(url_for("account.profile"))
    return _render(profile_form=form, status=422)


@bp.route("/password", methods=["POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            accounts.change_password(current_user._get_current_object(), form.current_password.data, form.new_password.data)
        except ServiceError as exc:
            show_service_error(form, exc)
        else:
            flash("Password changed.", "success")
            return redirect(url_for("account.profile"))
    return _render(password_form=form, status=422)


@bp.route("/tokens", methods=["POST"])
@login_required
def create_token():
    form = NewTokenForm()
    if form.validate_on_submit():
        try:
            _, secret = accounts.create_api_token(current_user._get_current_object(), form.name.data)
        except ServiceError as exc:
            show_service_error(form, exc)
        else:
            # Shown once, on this response only; it is not stored anywhere readable.
            return _render(new_secret=secret, status=201)
    return _render(token_form=form, status=422)


@bp.route("/tokens/<int:token_id>/revoke", methods=["POST"])
@login_required
def revoke_token(token_id):
    form = RevokeTokenForm()
    if not form.validate_on_submit():
        abort(400)
    token = accounts.revoke_api_token(current_user._get_current_object(), token_id)
    flash(f"Token “{token.name}” revoked.", "success")
    return redirect(url_for("account.profile"))
