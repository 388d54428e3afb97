"""Facilitators' channel pages, under /n/<slug>/channels/. Both forms work without
JavaScript; a refused or invalid form comes back with each error beside its field and
nothing stored. Another network's channel, or one that does not exist, is a 404."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import login_required

from nic.permissions import requires
from nic.services.discussion import channels
from nic.services.errors import ServiceError
from nic.tenancy import current_membership
from nic.web.channels.forms import AUDIENCES, ChannelForm, form_data
from nic.web.forms import is_page_error, show_service_error

bp = Blueprint("channels", __name__, url_prefix="/n/<slug>/channels")


def _audience_ok(form: ChannelForm) -> bool:
    if form.audience.data in {choice.value for choice in AUDIENCES}:
        return True
    form.audience.errors = ["Choose who may read the channel."]
    return False


@bp.route("/new", methods=["GET", "POST"])
@login_required
@requires("channel.manage")
def new(slug):
    form = ChannelForm()
    if form.validate_on_submit() and _audience_ok(form):
        try:
            channel = channels.create_channel(current_membership(), **form.values())
        except ServiceError as exc:
            show_service_error(form, exc)
        else:
            flash(f"Channel “{channel.name}” created.", "success")
            return redirect(url_for("discussion.channels", slug=slug, _anchor=f"channel-{channel.id}"))
    status = 422 if form.is_submitted() else 200
    return render_template("channels/form.html", form=form, channel=None), status


@bp.route("/<int:channel_id>/edit", methods=["GET", "POST"])
@login_required
@requires("channel.manage")
def edit(slug, channel_id):
    membership = current_membership()
    channel = channels.editable_channel(membership, channel_id)
    form = ChannelForm() if request.method == "POST" else ChannelForm(formdata=None, data=form_data(channel))
    if form.validate_on_submit() and _audience_ok(form):
        try:
            channels.update_channel(membership, channel.id, form.values())
        except ServiceError as exc:
            if is_page_error(exc):
                raise
            show_service_error(form, exc)
        else:
            flash("Channel saved.", "success")
            return redirect(url_for("discussion.channels", slug=slug, _anchor=f"channel-{channel.id}"))
    status = 422 if form.is_submitted() else 200
    return render_template("channels/form.html", form=form, channel=channel), status
