"""Sign in and out, accepting invitations, password resets."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from nic.extensions import limiter
from nic.services.accounts import accounts
from nic.services.accounts import invitations
from nic.services.errors import ServiceError
from nic.tenancy import memberships_of
from nic.web.auth.forms import AcceptInvitationForm, JoinForm, RequestResetForm, SetPasswordForm, SignInForm
from nic.web.forms import show_service_error

bp = Blueprint("auth", __name__)


def _signin_limit() -> str:
    return current_app.config["SIGNIN_RATE_LIMIT"]


def _safe_next(target: str | None) -> str | None:
    """Only same-site paths: `next` must not send people to another site."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


LAST_NETWORK_KEY = "nic_last_network"


def home_for(user) -> str:
    """The network the person used last, else the one they joined first."""
    memberships = memberships_of(user)
    if not memberships:
        return url_for("account.profile")
    slugs = [m.network.slug for m in sorted(memberships, key=lambda m: m.id)]
    last = session.get(LAST_NETWORK_KEY)
    return url_for("networks.home", slug=last if last in slugs else slugs[0])


@bp.route("/")
def index():
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    return redirect(url_for("auth.login"))


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_signin_limit, methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    form = SignInForm()
    if form.validate_on_submit():
        user = accounts.authenticate(form.email.data, form.password.data)
        if user is not None:
            login_user(user, remember=form.remember.data)
            return redirect(_safe_next(request.args.get("next")) or home_for(user))
        form.password.errors.append("Wrong email or password.")
    return render_template("auth/login.html", form=form), (200 if request.method == "GET" or not form.errors else 422)


@bp.route("/logout", methods=["POST"])
def logout():
    logout_user()
    flash("You are signed out.", "info")
    return redirect(url_for("auth.login"))


@bp.route("/reset", methods=["GET", "POST"])
@limiter.limit(_signin_limit, methods=["POST"])
def request_reset():
    form = RequestResetForm()
    if form.validate_on_submit():
        accounts.request_password_reset(form.email.data)
        flash("If that address has an account, a reset link is on its way.", "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/request_reset.html", form=form)


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset_password(token):
    if accounts.usable_reset(token) is None:
        return render_template("auth/link_invalid.html", what="password reset"), 404
    form = SetPasswordForm()
    if form.validate_on_submit():
        try:
            user = accounts.reset_password(token, form.password.data)
        except ServiceError as exc:
            show_service_error(form, exc)
        else:
            login_user(user)
            flash("Your password is changed.", "success")
            return redirect(home_for(user))
    return render_template("auth/reset_password.html", form=form)


@bp.route("/invite/<token>", methods=["GET", "POST"])
def accept_invitation(token):
    invitation = invitations.find_open(token)
    if invitation is None:
        return render_template("auth/link_invalid.html", what="invitation"), 404
    signed_in = current_user.is_authenticated
    form = JoinForm() if signed_in else AcceptInvitationForm()
    if form.validate_on_submit():
        try:
            if signed_in:
                user = invitations.accept(token, user=current_user._get_current_object())
            else:
                user = invitations.accept(token, form.name.data, form.password.data)
        except ServiceError as exc:
            show_service_error(form, exc)
        else:
            login_user(user)
            flash(f"Welcome to {invitation.network.name}.", "success")
            return redirect(url_for("networks.home", slug=invitation.network.slug))
    return render_template("auth/accept_invitation.html", form=form, invitation=invitation, signed_in=signed_in)


@bp.route("/networks")
@login_required
def my_networks():
    return render_template("auth/networks.html", memberships=memberships_of(current_user))
