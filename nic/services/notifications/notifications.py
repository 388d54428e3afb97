"""Notifications: a mention, a reply in a thread you started, activity on a cycle you own.

Made after the fact, never inside the request that caused them: `post_message` enqueues
`notifications.for_message` after its commit, and the task (`notify_for_message`) decides
who hears about it. One notification per person per message, the strongest reason
winning (mention, then reply, then cycle activity); never to the person who acted; and
never to someone who may not read the thread, so a mention in another school's private
cycle tells its subject to nobody outside. The unique (user, message, kind) constraint
with ON CONFLICT DO NOTHING makes a task that runs twice add nothing.

A phase move by someone other than the owner (`cycle_phase_moved`, called by
nic.services.cycles.cycles right after it writes the CyclePhaseMove) is written in the
same transaction as the move, so it exists exactly when the move does.

Each new notification is pushed live to its person's user room (`notification`), from
whichever process made it: the worker's Socket.IO writes through the Redis message queue.
Everything here works in the current network (nic.tenancy); notifications are that
network's data, like the threads they point to.
"""
from __future__ import annotations

import html
import logging
from dataclasses import dataclass

import nh3
from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import selectinload

from nic import links
from nic.clock import utcnow
from nic.extensions import db
from nic.models import Cycle, CyclePhaseMove, Membership, Message, Network, Notification, Thread, User
from nic.services.cycles.phases import PHASE_LABELS
from nic.services.errors import NotFound
from nic.services.discussion import mentions
from nic.services.discussion.discussion import subject_readable
from nic.services.discussion.lists import subject_title
from nic.services.discussion.markdown import render as render_markdown
from nic.transaction import commit, on_commit
from nic.tenancy import current_network_id, use_network
from nic.events import publish

logger = logging.getLogger(__name__)

TEXT_MAX = 300
EXCERPT_MAX = 160
PUSH_EVENT = "notification"
READ_EVENT = "notifications_read"


# --- words -------------------------------------------------------------------------------------

def _quoted(title: str, limit: int = 80) -> str:
    title = " ".join((title or "").split())
    return "“" + (title if len(title) <= limit else title[: limit - 1] + "…") + "”"


def _thread_title(thread: Thread) -> str:
    return thread.title or subject_title(thread) or "a discussion"


def _message_text(kind: str, actor: str, thread: Thread, cycle_title: str | None) -> str:
    where = _quoted(_thread_title(thread))
    if kind == "mention":
        text = f"{actor} mentioned you in {where}"
    elif kind == "reply":
        text = f"{actor} replied in {where}, which you started"
    else:
        text = f"{actor} posted in {where} on your cycle {_quoted(cycle_title or '')}"
    return text[:TEXT_MAX]


def excerpt(body: str | None) -> str:
    """The message as one short line of plain text (Markdown rendered, then every tag dropped)."""
    text = html.unescape(nh3.clean(str(render_markdown(body)), tags=set()))
    text = " ".join(text.split())
    return text if len(text) <= EXCERPT_MAX else text[: EXCERPT_MAX - 1] + "…"


# --- making them -------------------------------------------------------------------------------

def _insert_ignoring_duplicates(connection, row: dict) -> int | None:
    """INSERT ... ON CONFLICT DO NOTHING; the new id, or None if it was there already."""
    dialect = connection.dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as dialect_insert
    else:  # pragma: no cover - PostgreSQL in production, SQLite for the embedded default
        dialect_insert = None
    row = {"created_at": utcnow(), **row}
    if dialect_insert is None:
        return connection.execute(insert(Notification).values(**row).returning(Notification.id)).scalar()
    stmt = dialect_insert(Notification).values(**row).on_conflict_do_nothing().returning(Notification.id)
    return connection.execute(stmt).scalar()


def _recipients(message: Message, thread: Thread, mentioned: list[int], mentions_only: bool) -> dict[int, str]:
    """{user_id: kind}: the strongest reason for each person, the author left out."""
    wanted: dict[int, str] = {}
    for user_id in mentioned:
        wanted.setdefault(user_id, "mention")
    if not mentions_only:
        if thread.created_by_id is not None:
            wanted.setdefault(thread.created_by_id, "reply")
        if thread.subject == "cycle":
            owner_id = db.session.scalar(select(Cycle.owner_id).where(Cycle.id == thread.subject_id))
            if owner_id is not None:
                wanted.setdefault(owner_id, "cycle_activity")
    wanted.pop(message.author_id, None)
    return wanted


def notify_for_message(message_id: int, mentions_only: bool = False) -> list[int]:
    """Create the notifications one stored message calls for (the network is current),
    commit, and push them. `mentions_only` after an edit: only people newly mentioned.
    Answers the new notification ids; running it again adds none."""
    new_ids = create_for_message(message_id, mentions_only)
    if new_ids:
        network_id = current_network_id()
        on_commit(lambda: push(network_id, new_ids))
    commit()
    return new_ids


def create_for_message(message_id: int, mentions_only: bool = False) -> list[int]:
    """The rows alone, in the caller's transaction (the demo seeds them this way)."""
    message = db.session.scalar(select(Message).where(Message.id == int(message_id)))
    if message is None or message.deleted_at is not None:
        return []
    thread = db.session.scalar(select(Thread).where(Thread.id == message.thread_id))
    _, mentioned = mentions.render(message.body, message.network_id)
    wanted = _recipients(message, thread, mentioned, mentions_only)
    if not wanted:
        return []
    # One notification per person per message, whatever its kind: someone told already
    # (say, the thread's creator, before an edit mentioned them) is not told again.
    told = set(db.session.scalars(select(Notification.user_id).where(Notification.message_id == message.id)))
    memberships = db.session.scalars(select(Membership).where(Membership.user_id.in_(set(wanted) - told)))
    readers = [m for m in memberships if subject_readable(m, thread.subject, thread.subject_id)]
    if not readers:
        return []
    actor = db.session.scalar(select(User.name).where(User.id == message.author_id)) or "Someone"
    cycle_title = (db.session.scalar(select(Cycle.title).where(Cycle.id == thread.subject_id))
                   if thread.subject == "cycle" else None)
    connection = db.session.connection()
    new_ids = []
    for membership in readers:
        kind = wanted[membership.user_id]
        new_id = _insert_ignoring_duplicates(connection, {
            "network_id": message.network_id, "user_id": membership.user_id, "kind": kind,
            "actor_id": message.author_id, "thread_id": thread.id, "message_id": message.id,
            "cycle_id": thread.subject_id if thread.subject == "cycle" else None,
            "text": _message_text(kind, actor, thread, cycle_title),
        })
        if new_id is not None:
            new_ids.append(new_id)
    return new_ids


def cycle_phase_moved(move: CyclePhaseMove) -> None:
    """Tell the cycle's owner about a phase move someone else made. The service that
    records the move calls this after flushing it: the notification is written in the
    move's transaction (so it exists exactly when the move does) and pushed after the
    commit; nothing is left behind if the move rolls back."""
    row = db.session.execute(
        select(Cycle.owner_id, Cycle.title).where(Cycle.id == move.cycle_id)
    ).one_or_none()
    if row is None or row.owner_id is None or row.owner_id == move.user_id or move.user_id is None:
        return
    actor = db.session.scalar(select(User.name).where(User.id == move.user_id)) or "Someone"
    text = f"{actor} moved your cycle {_quoted(row.title)} to {PHASE_LABELS.get(move.to_phase, move.to_phase)}"
    new_id = _insert_ignoring_duplicates(db.session.connection(), {
        "network_id": move.network_id, "user_id": row.owner_id, "kind": "cycle_activity",
        "actor_id": move.user_id, "cycle_id": move.cycle_id, "text": text[:TEXT_MAX],
    })
    if new_id is not None:
        network_id = move.network_id
        on_commit(lambda: push(network_id, [new_id]))


# --- telling people live -----------------------------------------------------------------------

def push(network_id: int, notification_ids: list[int]) -> None:
    """`notification` to each recipient's sockets, with their new unread count. Called
    after the commit; the network may or may not be current (a task, an on_commit)."""
    try:
        with use_network(network_id):
            views = view_rows(db.session.scalars(select(Notification).options(selectinload(Notification.actor))
                                                 .where(Notification.id.in_(notification_ids))).all())
            counts = unread_counts({view.notification.user_id for view in views})
            for view in views:
                user_id = view.notification.user_id
                publish.emit_to_user(user_id, PUSH_EVENT, {**view.payload(), "unread_count": counts.get(user_id, 0)})
    except Exception:  # stored already: the bell reads the database on the next page
        logger.exception("could not push notifications %s", notification_ids)


def _push_read(user_id: int, ids: list[int] | None) -> None:

    network_id = current_network_id()
    slug = db.session.scalar(select(Network.slug).where(Network.id == network_id))
    publish.emit_to_user(user_id, READ_EVENT, {"network": slug, "ids": ids, "unread_count": unread_count(user_id)})


# --- reading them ------------------------------------------------------------------------------

def target_path(notification: Notification, slug: str) -> str:
    """Where the notification leads: the message in its thread, or the cycle."""
    if notification.thread_id is not None:
        path = links.path("discussion.thread", slug=slug, thread_id=notification.thread_id)
        return path + (f"#message-{notification.message_id}" if notification.message_id else "")
    if notification.cycle_id is not None:
        return links.path("cycles.show", slug=slug, cycle_id=notification.cycle_id)
    return links.path("notifications.index", slug=slug)


@dataclass
class NotificationView:
    notification: Notification
    slug: str
    url: str
    excerpt: str  # the message's text now ("" for a phase move; a deleted message says so)
    message_deleted: bool = False

    @property
    def unread(self) -> bool:
        return self.notification.read_at is None

    def payload(self) -> dict:
        n = self.notification
        return {
            "id": n.id, "kind": n.kind, "text": n.text, "excerpt": self.excerpt, "url": self.url,
            "created_at": n.created_at.isoformat(), "read_at": n.read_at.isoformat() if n.read_at else None,
            "actor": {"id": n.actor.id, "name": n.actor.name} if n.actor else None, "network": self.slug,
        }


def view_rows(rows: list[Notification]) -> list[NotificationView]:
    """Notifications with their links and message excerpts, in two queries for any number."""
    rows = list(rows)
    if not rows:
        return []
    slug = db.session.scalar(select(Network.slug).where(Network.id == rows[0].network_id))
    message_ids = {n.message_id for n in rows if n.message_id}
    messages = {m.id: m for m in db.session.scalars(select(Message).where(Message.id.in_(message_ids)))} \
        if message_ids else {}
    views = []
    for n in rows:
        message = messages.get(n.message_id)
        if message is None:
            text = ""
        elif message.deleted_at is not None:
            text = "This message was deleted."
        else:
            text = excerpt(message.body)
        views.append(NotificationView(n, slug, target_path(n, slug), text,
                                      message is not None and message.deleted_at is not None))
    return views


def mine_stmt(user_id: int, unread_only: bool = False):
    """SELECT of one person's notifications in the current network (newest first when
    ordered by id descending), with their actors."""
    stmt = select(Notification).options(selectinload(Notification.actor)).where(Notification.user_id == user_id)
    if unread_only:
        stmt = stmt.where(Notification.read_at.is_(None))
    return stmt


def latest(user_id: int, limit: int = 10, offset: int = 0) -> list[NotificationView]:
    stmt = mine_stmt(user_id).order_by(Notification.id.desc()).limit(limit).offset(offset)
    return view_rows(db.session.scalars(stmt).all())


def count(user_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(Notification).where(Notification.user_id == user_id))


def unread_count(user_id: int) -> int:
    return unread_counts([user_id]).get(user_id, 0)


def unread_counts(user_ids) -> dict[int, int]:
    user_ids = list(user_ids)
    if not user_ids:
        return {}
    stmt = (select(Notification.user_id, func.count()).where(Notification.user_id.in_(user_ids),
                                                              Notification.read_at.is_(None))
            .group_by(Notification.user_id))
    return dict(db.session.execute(stmt).all())


def one_of_mine(user_id: int, notification_id) -> Notification:
    """The person's own notification in this network; anyone else's (or another
    network's) is NotFound, like one that does not exist."""
    try:
        notification_id = int(notification_id)
    except (TypeError, ValueError):
        raise NotFound("No such notification.") from None
    found = db.session.scalar(mine_stmt(user_id).where(Notification.id == notification_id))
    if found is None:
        raise NotFound("No such notification.")
    return found


def mark_read(user_id: int, notification_id) -> Notification:
    notification = one_of_mine(user_id, notification_id)
    if notification.read_at is None:
        notification.read_at = utcnow()
        ids = [notification.id]
        on_commit(lambda: _push_read(user_id, ids))
        commit()
    return notification


def mark_all_read(user_id: int) -> int:
    result = db.session.execute(
        update(Notification).where(Notification.user_id == user_id, Notification.read_at.is_(None))
        .values(read_at=utcnow()).execution_options(synchronize_session=False))
    if result.rowcount:
        on_commit(lambda: _push_read(user_id, None))
    commit()
    return result.rowcount


def read_in_thread(user_id: int, thread_id: int, up_to_message_id: int) -> None:
    """The person has seen the thread up to this message: its notifications are read
    too. Part of the caller's transaction (nic.services.discussion.discussion.mark_read)."""
    result = db.session.execute(
        update(Notification).where(Notification.user_id == user_id, Notification.thread_id == thread_id,
                                   Notification.message_id <= up_to_message_id, Notification.read_at.is_(None))
        .values(read_at=utcnow()).execution_options(synchronize_session=False))
    if result.rowcount:
        on_commit(lambda: _push_read(user_id, None))

