"""Socket.IO event handlers. Each event runs in its own context: whoever connected is
re-established here from the session or the token given at connect."""

from __future__ import annotations

import logging
import threading

from flask import request, session
from flask_login import current_user
from flask_socketio import ConnectionRefusedError, join_room, leave_room
from sqlalchemy import select

from nic.events import publish
from nic.events.rooms import network_room, thread_room, user_room
from nic.extensions import db, socketio
from nic.models import Membership, Thread
from nic.realtime import presence
from nic.services.accounts.accounts import user_for_api_token
from nic.services.errors import NotFound, ServiceError
from nic.tenancy import UNSCOPED, use_network

logger = logging.getLogger(__name__)


@socketio.on("connect")
def on_connect(auth=None):
    user = current_user if current_user.is_authenticated else None
    if user is None and isinstance(auth, dict) and auth.get("token"):
        user = user_for_api_token(str(auth["token"]))
    if user is None:
        # Refuses the connection; the client sees a connect_error with this message.
        raise ConnectionRefusedError("unauthorized")
    session["nic_socket_user_id"] = user.id
    session["nic_socket_user_name"] = user.name  # for typing and viewers, without a query
    join_room(user_room(user.id))  # the person's own room, for notifications
    _join_network_rooms(user.id)
    logger.debug("socket connected for user %s", user.id)


def _join_network_rooms(user_id: int) -> None:
    """Members hear `rollup` for each network they belong to (facilitators' dashboards and
    everyone's leadership view refresh on it). Memberships are read UNSCOPED on purpose:
    a socket spans networks, and this reads only the person's own."""
    network_ids = db.session.scalars(
        select(Membership.network_id).where(Membership.user_id == user_id).execution_options(**UNSCOPED)
    )
    for network_id in network_ids:
        join_room(network_room(network_id))


# --- discussion: join, send, leave ---------------------------------------------------------


def _authorised_thread(data):
    """(thread, membership) for the connected user, or raise NotFound. Must run inside
    `use_network(thread.network_id)`; see _in_thread_network."""
    from nic.services.discussion.discussion import readable_thread

    membership = db.session.scalar(select(Membership).where(Membership.user_id == session.get("nic_socket_user_id")))
    if membership is None:
        raise NotFound("No such thread.")
    return readable_thread(membership, data.get("thread_id")), membership


def _thread_network_id(data) -> int | None:
    """The network a thread belongs to, or None. UNSCOPED on purpose: a socket event
    carries no network slug, so this lookup learns which network to make current; it
    reads nothing but network_id, and access is then checked inside that network."""
    try:
        thread_id = int(data.get("thread_id"))
    except (AttributeError, TypeError, ValueError):
        return None
    return db.session.scalar(select(Thread.network_id).where(Thread.id == thread_id).execution_options(**UNSCOPED))


def _handle(data, work):
    """Run `work(thread, membership)` with the thread's network current; answer the ack."""
    if not isinstance(data, dict) or session.get("nic_socket_user_id") is None:
        return {"ok": False, "error": "not_found"}
    try:
        network_id = _thread_network_id(data)
        if network_id is None:
            return {"ok": False, "error": "not_found"}
        with use_network(network_id):
            thread, membership = _authorised_thread(data)
            return work(thread, membership)
    except ServiceError as exc:
        db.session.rollback()
        answer = {"ok": False, "error": exc.code, "message": exc.message}
        if exc.fields:
            answer["fields"] = exc.fields
        return answer
    except Exception:
        # Always ack, so a client does not wait forever; it may resend with its client_id.
        db.session.rollback()
        logger.exception("socket event failed")
        return {"ok": False, "error": "server_error"}


@socketio.on("join")
def on_join(data=None):
    def work(thread, membership):
        join_room(thread_room(thread.id))  # a room from the authorised thread, not from data
        _viewers_changed(
            thread.id,
            lambda tracker: tracker.join(
                thread.id, request.sid, membership.user_id, session.get("nic_socket_user_name") or ""
            ),
        )
        return {"ok": True, "last_id": thread.last_message_id or 0}

    return _handle(data, work)


@socketio.on("send")
def on_send(data=None):
    from nic.services.discussion.discussion import post_message

    def work(thread, membership):
        # The thread is authorised already (_handle): post_message need not check it again.
        message = post_message(membership, thread.id, data.get("body"), data.get("client_id"), thread=thread)
        return {"ok": True, "id": message.id}

    return _handle(data, work)


@socketio.on("leave")
def on_leave(data=None):
    def work(thread, membership):
        leave_room(thread_room(thread.id))
        _viewers_changed(thread.id, lambda tracker: tracker.leave(thread.id, request.sid))
        return {"ok": True}

    return _handle(data, work)


# --- live extras: who is viewing, who is typing ----------------------------------------------


def _viewers_changed(thread_id: int, change) -> None:
    """Apply a presence change and tell the room who is viewing now. Presence is an
    extra: if its store fails, the join or leave itself still succeeds."""
    try:
        snapshot = change(presence.tracker())
    except Exception:
        logger.exception("presence update failed for thread %s", thread_id)
        return
    _announce_viewers(thread_id, snapshot)


# A join storm (a class opening the same thread) would send the whole viewer list to the
# whole room once per join: n joins x n sockets. Changes within this window go out as one
# list per thread and process, the latest, which is all a page shows.
VIEWERS_COALESCE_SECONDS = 0.25
_pending_viewers: dict[int, dict] = {}
_pending_lock = threading.Lock()


def _announce_viewers(thread_id: int, snapshot: dict) -> None:
    with _pending_lock:
        waiting = _pending_viewers.get(thread_id)
        # The last change applied is the state to show (pages still order lists by seq).
        _pending_viewers[thread_id] = snapshot
    if waiting is None:
        socketio.start_background_task(_send_viewers_soon, thread_id)


def _send_viewers_soon(thread_id: int) -> None:
    socketio.sleep(VIEWERS_COALESCE_SECONDS)
    with _pending_lock:
        snapshot = _pending_viewers.pop(thread_id, None)
    if snapshot is not None:
        publish.emit_to_thread(thread_id, "viewers", {"thread_id": thread_id, **snapshot})


@socketio.on("disconnect")
def on_disconnect(reason=None):
    try:
        changed = presence.tracker().disconnect(request.sid)
    except Exception:  # the process-memory index is gone with the socket either way
        logger.exception("presence cleanup failed for a disconnect")
        return
    for thread_id, snapshot in changed.items():
        _announce_viewers(thread_id, snapshot)


@socketio.on("typing")
def on_typing(data=None):
    """`typing` {"thread_id"} from a socket that joined the thread: re-checked like any
    event, throttled per socket, then sent to the room but not to the typer's own sockets."""

    def work(thread, membership):
        tracker = presence.tracker()
        sid = request.sid
        if not tracker.is_viewing(thread.id, sid):
            return {"ok": False, "error": "not_joined", "message": "Join the thread first."}
        if not tracker.typing_allowed(thread.id, sid):
            return {"ok": True, "throttled": True}
        user = {"id": membership.user_id, "name": session.get("nic_socket_user_name") or ""}
        own = set(tracker.sids_of(thread.id, membership.user_id)) | {sid}
        publish.emit_to_thread(thread.id, "typing", {"thread_id": thread.id, "user": user}, skip_sids=sorted(own))
        return {"ok": True}

    return _handle(data, work)
