"""Keyset pagination: `?limit=` (default 50, at most 200) and an opaque `?cursor=`;
answers `{"items": [...], "next": CURSOR_OR_NULL}`. Keyset, not OFFSET, so page 500
costs what page 1 does and rows added meanwhile are not shown twice."""
from __future__ import annotations

import base64
import json

from flask import current_app, request

from nic.extensions import db
from nic.services.errors import ValidationFailed


def _encode(last_id: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"after": last_id}).encode()).decode().rstrip("=")


def _decode(cursor: str) -> int:
    padded = cursor + "=" * (-len(cursor) % 4)
    try:
        value = json.loads(base64.urlsafe_b64decode(padded.encode()))["after"]
    except (ValueError, KeyError, TypeError):
        raise ValidationFailed({"cursor": "is not a cursor this API gave out"}) from None
    if not isinstance(value, int):
        raise ValidationFailed({"cursor": "is not a cursor this API gave out"})
    return value


def page_size() -> int:
    raw = request.args.get("limit")
    if raw is None or raw == "":
        return current_app.config["PAGE_SIZE"]
    try:
        limit = int(raw)
    except ValueError:
        raise ValidationFailed({"limit": "must be a whole number"}) from None
    if limit < 1:
        raise ValidationFailed({"limit": "must be at least 1"})
    return min(limit, current_app.config["MAX_PAGE_SIZE"])


def paginate(stmt, id_column, serialize, descending: bool = False) -> dict:
    """`stmt` selects one entity; pages are ordered by `id_column` ascending (newest
    first with `descending`, for lists like notifications)."""
    limit = page_size()
    cursor = request.args.get("cursor")
    if cursor:
        after = _decode(cursor)
        stmt = stmt.where(id_column < after if descending else id_column > after)
    order = id_column.desc() if descending else id_column
    rows = list(db.session.scalars(stmt.order_by(order).limit(limit + 1)))
    has_more = len(rows) > limit
    rows = rows[:limit]
    return {
        "items": [serialize(row) for row in rows],
        "next": _encode(rows[-1].id) if has_more and rows else None,
    }
