"""The dev outbox: the mail nic would have sent, for the demo and local work. Only on
when NIC_DEV_OUTBOX is set (make demo sets it): it shows reset and invitation links,
so it must never be reachable in production."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template

from nic.services.notifications.mail import recent_outbox

bp = Blueprint("dev", __name__, url_prefix="/dev")


@bp.before_request
def _only_when_enabled():
    if not current_app.config.get("NIC_DEV_OUTBOX") or current_app.config.get("SMTP_HOST"):
        abort(404)


@bp.route("/outbox")
def outbox():
    return render_template("dev/outbox.html", messages=recent_outbox())
