"""The caller's notifications in one network (the bell menu reads these):

- `GET /networks/<slug>/notifications[?unread=1]`: newest first, paginated.
- `POST /networks/<slug>/notifications/<notification_id>/read`: one is read.
- `POST /networks/<slug>/notifications/read`: all are read.
- `GET /networks/<slug>/notifications/count`: `{"unread_count"}`.

Only the caller's own: someone else's notification, or another network's, answers 404.
The same items arrive live as the Socket.IO `notification` event (docs/API.md). The
rules are in nic.services.notifications.notifications."""
from __future__ import annotations

from datetime import datetime
from typing import Literal

from flask import jsonify, request
from flask_login import current_user
from pydantic import BaseModel, Field

from nic.api import bp
from nic.api.docs import documented
from nic.api.pagination import paginate
from nic.api.threads import AuthorOut
from nic.models import Notification
from nic.services.notifications import notifications


class NotificationOut(BaseModel):
    id: int
    kind: Literal["mention", "reply", "cycle_activity"]
    text: str = Field(description="One line saying what happened, e.g. “Ana Ruiz mentioned you in “Huddle notes””.")
    excerpt: str = Field(description="The message as plain text (shortened); empty for a phase move.")
    url: str = Field(description="Where it leads: the message in its thread, or the cycle (a path on this site).")
    created_at: datetime
    read_at: datetime | None
    actor: AuthorOut | None
    network: str = Field(description="The network's slug.")


class ReadOut(BaseModel):
    marked: int = Field(description="How many were unread and are now read.")
    unread_count: int


class NotificationReadOut(NotificationOut):
    unread_count: int


class CountOut(BaseModel):
    unread_count: int


@bp.get("/networks/<slug>/notifications")
@documented(summary="The caller's notifications in this network, newest first", response=NotificationOut,
            paginated=True, errors=(401, 404, 422),
            params=[{"name": "unread", "in": "query", "required": False, "schema": {"type": "integer", "enum": [0, 1]},
                     "description": "1: only the unread ones."}])
def list_notifications(slug):
    stmt = notifications.mine_stmt(current_user.id, unread_only=request.args.get("unread") in ("1", "true"))
    page = paginate(stmt, Notification.id, lambda n: n, descending=True)
    page["items"] = [view.payload() for view in notifications.view_rows(page["items"])]
    return jsonify(page)


@bp.get("/networks/<slug>/notifications/count")
@documented(summary="How many of the caller's notifications in this network are unread", response=CountOut,
            errors=(401, 404))
def count_notifications(slug):
    return jsonify(CountOut(unread_count=notifications.unread_count(current_user.id)).model_dump())


@bp.post("/networks/<slug>/notifications/<notification_id>/read")
@documented(summary="Mark one of the caller's notifications read", response=NotificationReadOut,
            errors=(400, 401, 404))
def read_notification(slug, notification_id):
    notification = notifications.mark_read(current_user.id, notification_id)
    [view] = notifications.view_rows([notification])
    return jsonify({**view.payload(), "unread_count": notifications.unread_count(current_user.id)})


@bp.post("/networks/<slug>/notifications/read")
@documented(summary="Mark all the caller's notifications in this network read", response=ReadOut,
            errors=(400, 401, 404))
def read_all_notifications(slug):
    marked = notifications.mark_all_read(current_user.id)
    return jsonify(ReadOut(marked=marked, unread_count=notifications.unread_count(current_user.id)).model_dump())
