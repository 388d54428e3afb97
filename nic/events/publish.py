"""Broadcasts to Socket.IO rooms. `socketio.emit` goes through the Redis message queue
when REDIS_URL is set, so it reaches clients of every server process, and works the same
from a Celery worker (whose app also runs realtime.init_app). Call these only after the
data is committed (nic.transaction.on_commit): pub/sub is at-most-once, and a
client that misses one catches up over HTTP from its last id."""

from __future__ import annotations

import logging

from nic.events.rooms import network_room, thread_room, user_room
from nic.extensions import socketio

logger = logging.getLogger(__name__)


def emit_message(payload: dict, event: str = "message") -> None:
    """`payload` is nic.services.discussion.discussion.message_payload (built before the commit, so
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


def emit_to_thread(thread_id: int, event: str, payload: dict, skip_sids: list[str] | None = None) -> None:
    """Any other event for a thread's room (`reaction`, `typing`, `viewers`), skipping
    the given sockets (say, the typer's own), on whichever process they are."""
    try:
        socketio.emit(event, payload, to=thread_room(thread_id), skip_sid=skip_sids or None)
    except Exception:  # live extras only; nothing is lost that a reload would not show
        logger.exception("could not send %s to thread %s", event, thread_id)


def emit_rollup(network_id: int, payload: dict) -> None:
    """`rollup` {network, computed_at} to the network's members: its facilitators, as
    docs/INTERFACE.md says, and everyone else in it (an extension: docs/API.md), whose open
    leadership view and school dashboard refresh on it. The payload names no figures."""
    try:
        socketio.emit("rollup", payload, to=network_room(network_id))
    except Exception:  # the snapshot is stored; dashboards also show its age on reload
        logger.exception("could not announce roll-up of network %s", network_id)
