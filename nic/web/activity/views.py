"""The activity feed page: newest first, filtered by kind and school with a plain GET
form, paged with an "Older" link (keyset: ?before=CURSOR). What a member may see is
decided in nic.services.discussion.activity; this only parses, calls and renders."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import Blueprint, render_template, request
from flask_login import login_required

from nic.clock import utcnow
from nic.permissions import requires
from nic.services.discussion import activity
from nic.services.accounts import networks
from nic.services.errors import ValidationFailed
from nic.tenancy import current_membership, current_network
from nic.words import plural

bp = Blueprint("activity", __name__, url_prefix="/n/<slug>")
PAGE_SIZE = 30
HOME_ITEMS = 5


@dataclass
class Entry:
    """An item as a page shows it: with its link and its school's name."""

    item: activity.Item
    url: str
    school_name: str | None


def entries(items, slug: str, school_names: dict[int, str]) -> list[Entry]:
    return [Entry(i, activity.item_url(slug, i), school_names.get(i.school_id)) for i in items]


def _parsed(errors: dict, parse, raw, default):
    """The parsed value, or `default` with the error noted (shown above the list)."""
    try:
        return parse(raw)
    except ValidationFailed as exc:
        errors.update(exc.fields)
        return default


def _cursor(raw):
    return activity.Cursor.decode(raw, "before") if raw else None


@bp.route("/activity")
@login_required
@requires("network.view")
def feed(slug):
    args = request.args
    schools = networks.schools()
    errors: dict[str, str] = {}
    kinds = _parsed(errors, activity.parse_kinds, args.get("kind"), activity.KINDS)
    school_id = _parsed(errors, activity.parse_school, args.get("school_id"), None)
    before = _parsed(errors, _cursor, args.get("before"), None)
    if errors:
        page = activity.Page([], None)
    else:
        page = activity.feed(current_membership(), kinds, school_id, before, PAGE_SIZE)
    filters = {k: args.get(k) for k in ("kind", "school_id") if args.get(k)}
    return render_template(
        "activity/feed.html",
        entries=entries(page.items, slug, {s.id: s.name for s in schools}),
        next_cursor=page.next.encode() if page.next else None,
        filters=filters,
        paged=before is not None,
        schools=schools,
        kind_choices=activity.FILTER_LABELS,
        errors=errors,
    ), 422 if errors else 200


def ago(value: datetime, now: datetime | None = None) -> str:
    """"just now", "5 minutes ago", "yesterday", "3 days ago", "2 months ago"... (the page
    shows the exact time beside it)."""
    now = now or utcnow()
    seconds = int((now - value).total_seconds())
    if seconds < 60:
        return "just now"
    days = seconds // 86400
    if days == 1:
        return "yesterday"
    for amount, unit in ((days // 365, "year"), (days // 30, "month"), (days, "day"),
                         (seconds // 3600, "hour"), (seconds // 60, "minute")):
        if amount >= 1:
            return f"{plural(amount, unit)} ago"
    return "just now"


@bp.app_template_filter("ago")
def _ago_filter(value):
    return ago(value) if value else ""


@bp.app_context_processor
def _latest_activity_helper():
    def latest_activity(limit: int = HOME_ITEMS) -> list[Entry]:
        """For the network home page: the member's newest few items."""
        membership, network = current_membership(), current_network()
        if membership is None or network is None:
            return []
        page = activity.feed(membership, limit=limit)
        return entries(page.items, network.slug, {s.id: s.name for s in networks.schools()})

    return {"latest_activity": latest_activity}
