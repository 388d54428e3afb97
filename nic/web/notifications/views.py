"""Notifications pages, under /n/<slug>/: the full list (newest first, paged), and the
forms that mark one or all read. They are the caller's own, in the current network:
someone else's notification id is a 404. The rules live in nic.services.notifications.notifications."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from nic.permissions import requires
from nic.services.notifications import notifications
from nic.tenancy import current_membership, current_network
from nic.web.paging import Page

bp = Blueprint("notifications", __name__, url_prefix="/n/<slug>")
PER_PAGE = 25


def _page_arg() -> int:
    return max(request.args.get("page", 1, type=int) or 1, 1)


@bp.route("/notifications", methods=["GET"])
@login_required
@requires("network.view")
def index(slug):
    page = _page_arg()
    total = notifications.count(current_user.id)
    items = notifications.latest(current_user.id, PER_PAGE, (page - 1) * PER_PAGE)
    return render_template(
        "notifications/index.html",
        items=items,
        unread=notifications.unread_count(current_user.id),
        pager=Page(page, PER_PAGE, total, items),
    )


def _back(slug):
    page = request.form.get("page", type=int)
    return redirect(url_for("notifications.index", slug=slug, page=page if page and page > 1 else None))


@bp.route("/notifications/<int:notification_id>/read", methods=["POST"])
@login_required
@requires("network.view")
def read(slug, notification_id):
    notification = notifications.mark_read(current_user.id, notification_id)
    if request.form.get("open"):
        [view] = notifications.view_rows([notification])
        return redirect(view.url)
    return _back(slug)


@bp.route("/notifications/read", methods=["POST"])
@login_required
@requires("network.view")
def read_all(slug):
    marked = notifications.mark_all_read(current_user.id)
    flash("All notifications marked read." if marked else "Nothing was unread.", "success" if marked else "info")
    return _back(slug)


@bp.app_context_processor
def _bell():
    def notification_bell():
        """For the top bar: the unread count in the current network, or None outside one."""
        network = current_network()
        if network is None or current_membership() is None or not current_user.is_authenticated:
            return None
        return {"unread": notifications.unread_count(current_user.id), "slug": network.slug}

    return {"notification_bell": notification_bell}
