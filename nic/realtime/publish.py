"""Broadcasts to Socket.IO rooms. `socketio.emit` goes through the Redis message queue
when REDIS_URL is set, so it reaches clients of every server process, and works the same
from a Celery worker (whose app also runs realtime.init_app). Call these only after the
data is committed (nic.services.transaction.on_commit): pub/sub is at-most-once, and a
client that misses one catches up over HTTP from its last id."""
from __future__ import annotations

import logging

from nic.extensions import socketio
from nic.realtime.rooms import thread_room, user_room

logger = logging.getLogger(__name__)


def emit_message(payload: dict, event: str = "message") -> None:
    """`payload` is nic.services.discussion.message_payload (built before the commit, so
    nothing here touches the database)."""
    try:
        socketio.emit(event, payload, to=thread_room(payload["thread_id"]))
    except Exception:  # the message is stored; a lost broadcast is caught up by last id
        logger.exception("could not broadcast %s %s", event, payload.get("id"))


def emit_to_user(user_id: int, event: str, payload: dict) -> None:
    """To every socket of one person, whichever process it is connected to."""
    try:
        socketio.emit(event, payload, to=user_room(user_id))
    except Exception:  # stored already; the bell menu reloads from the database
        logger.exception("could not send %s to user %s", event, user_id)
