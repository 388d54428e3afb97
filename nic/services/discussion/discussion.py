"""Discussion threads and messages.

Who may read a thread follows its subject: a cycle's thread is read by whoever may see
the cycle, an artifact's likewise, a change idea's by everyone in the network, a
channel's by the roles the channel lists (none listed: everyone). A thread the member
may not read answers NotFound, exactly like one that does not exist.

Messages are stored and committed first; the broadcast is registered with `on_commit`,
so a rolled-back post tells nobody, and a client that missed a broadcast (Redis pub/sub
is at-most-once) catches up with `messages_after(last_id)`.
"""
from __future__ import annotations

from flask import current_app
from limits import parse
from sqlalchemy import and_, false, func, or_, select
from sqlalchemy.exc import IntegrityError

from nic.clock import utcnow
from nic.extensions import db, limiter
from nic.models import (
    THREAD_SUBJECTS,
    Artifact,
    ChangeIdea,
    Channel,
    Cycle,
    Message,
    Thread,
    ThreadRead,
    User,
)
from nic.permissions import (
    can_see_artifact,
    can_see_cycle,
    visible_artifacts_clause,
    visible_cycles_clause,
)
from nic.services.rollups import rollups
from nic.services.discussion.channels import readable_channels_clause
from nic.services.discussion import mentions
from nic.services.errors import Forbidden, NotFound, RateLimited, ValidationFailed
from nic.transaction import commit, on_commit
from nic.services.validation import FieldErrors, clean_id, clean_name
from nic.events import publish
from nic import jobs

BODY_MAX = 10_000
CLIENT_ID_MAX = 64


# --- who may read what ---------------------------------------------------------------------

def _channel_open_to(channel: Channel, role: str) -> bool:
    roles = {r.strip() for r in (channel.roles or "").split(",") if r.strip()}
    return not roles or role in roles


def subject_readable(membership, subject: str, subject_id: int | None) -> bool:
    """True if the subject exists in the current network and the member may read it."""
    if membership is None or subject_id is None:
        return False
    if subject == "cycle":
        return can_see_cycle(membership, db.session.scalar(select(Cycle).where(Cycle.id == subject_id)))
    if subject == "artifact":
        return can_see_artifact(membership, db.session.scalar(select(Artifact).where(Artifact.id == subject_id)))
    if subject == "change_idea":
        return db.session.scalar(select(ChangeIdea.id).where(ChangeIdea.id == subject_id)) is not None
    if subject == "channel":
        channel = db.session.scalar(select(Channel).where(Channel.id == subject_id))
        return channel is not None and _channel_open_to(channel, membership.role)
    return False


def readable_threads_clause(membership):
    """SQL condition for the threads `membership` may read (the same rules as
    `subject_readable`, set-based for lists)."""
    open_channels = select(Channel.id).where(readable_channels_clause(membership))
    return or_(
        and_(Thread.subject == "cycle",
             Thread.subject_id.in_(select(Cycle.id).where(visible_cycles_clause(membership)))),
        and_(Thread.subject == "artifact",
             Thread.subject_id.in_(select(Artifact.id).where(visible_artifacts_clause(membership)))),
        and_(Thread.subject == "change_idea", Thread.subject_id.in_(select(ChangeIdea.id))),
        and_(Thread.subject == "channel", Thread.subject_id.in_(open_channels)),
    ) if membership is not None else false()


def readable_thread(membership, thread_id) -> Thread:
    try:
        thread_id = int(thread_id)
    except (TypeError, ValueError):
        raise NotFound("No such thread.") from None
    thread = db.session.scalar(select(Thread).where(Thread.id == thread_id))
    if thread is None or not subject_readable(membership, thread.subject, thread.subject_id):
        raise NotFound("No such thread.")
    return thread


# --- threads -----------------------------------------------------------------------------

def threads_stmt(membership, subject: str | None = None, subject_id: int | None = None):
    """SELECT of the readable threads, optionally of one subject (for lists/pagination)."""
    stmt = select(Thread).where(readable_threads_clause(membership))
    if subject is not None:
        stmt = stmt.where(Thread.subject == subject)
    if subject_id is not None:
        stmt = stmt.where(Thread.subject_id == subject_id)
    return stmt


def threads_for(subject: str, subject_id: int | None) -> list[Thread]:
    """Every thread on one subject, oldest first. Callers check the subject is readable."""
    stmt = select(Thread).where(Thread.subject == subject, Thread.subject_id == subject_id)
    return list(db.session.scalars(stmt.order_by(Thread.id)))


def create_thread(membership, subject, subject_id, title) -> Thread:
    errors = FieldErrors()
    if subject not in THREAD_SUBJECTS:
        errors.add("subject", f"must be one of: {', '.join(THREAD_SUBJECTS)}")
    clean_subject_id = errors.check("subject_id", clean_id, subject_id)
    clean_title = errors.check("title", clean_name, title, 200)
    errors.raise_if_any()
    if not subject_readable(membership, subject, clean_subject_id):
        raise NotFound(f"No such {subject.replace('_', ' ')}.")
    thread = Thread(subject=subject, subject_id=clean_subject_id, title=clean_title,
                    created_by_id=membership.user_id)
    db.session.add(thread)
    commit()
    return thread


# --- messages ----------------------------------------------------------------------------

def message_payload(message: Message, author: User | None = None) -> dict:
    """The shape shared by the socket `message` event and the API. Mentions of network
    members are marked in body_html (nic.services.discussion.mentions, after sanitising)."""
    author = author or message.author
    return {
        "id": message.id,
        "thread_id": message.thread_id,
        "author": {"id": author.id, "name": author.name} if author else None,
        "body_html": str(mentions.render(message.body, message.network_id)[0]) if message.deleted_at is None else "",
        "created_at": message.created_at.isoformat(),
    }


def messages_after(thread: Thread, after_id: int | None = 0, limit: int = 50) -> list[Message]:
    from sqlalchemy.orm import selectinload

    stmt = (select(Message).options(selectinload(Message.author))
            .where(Message.thread_id == thread.id, Message.id > (after_id or 0))
            .order_by(Message.id).limit(limit))
    return list(db.session.scalars(stmt))


def _clean_body(body) -> str:
    if not isinstance(body, str) or not body.strip():
        raise ValidationFailed({"body": "is required"})
    if len(body) > BODY_MAX:
        raise ValidationFailed({"body": f"must be at most {BODY_MAX:,} characters"})
    return body.strip()


def _clean_client_id(client_id) -> str | None:
    if client_id is None or client_id == "":
        return None
    if not isinstance(client_id, str) or len(client_id) > CLIENT_ID_MAX:
        raise ValidationFailed({"client_id": f"must be text of at most {CLIENT_ID_MAX} characters"})
    return client_id


def _existing(thread_id: int, author_id: int, client_id: str) -> Message | None:
    return db.session.scalar(select(Message).where(
        Message.thread_id == thread_id, Message.author_id == author_id, Message.client_id == client_id))


def _broadcast_after_commit(event: str, payload: dict) -> None:

    on_commit(lambda: publish.emit_message(payload, event=event))


def _count_against_flood_limit(user_id: int) -> None:
    """One person's messages per window, across every server process (the limiter's
    store is Redis when REDIS_URL is set). A resend of a stored message is not counted."""
    limit = parse(current_app.config["MESSAGE_RATE_LIMIT"])
    if not limiter.limiter.hit(limit, "nic-messages", str(user_id)):
        raise RateLimited(f"You are sending messages too fast (limit: {limit}). Wait a moment and send again.")


def post_message(membership, thread_id, body, client_id=None, *, thread: Thread | None = None) -> Message:
    """Store a message, then (after commit) broadcast it and queue its notifications.
    `thread`: the same thread, already authorised for this member by the caller."""
    if thread is None or thread.id != thread_id:
        thread = readable_thread(membership, thread_id)
    body = _clean_body(body)
    client_id = _clean_client_id(client_id)
    if client_id is not None:
        existing = _existing(thread.id, membership.user_id, client_id)
        if existing is not None:
            return existing  # a resend after a reconnect: already stored (and broadcast)
    _count_against_flood_limit(membership.user_id)
    message = Message(thread_id=thread.id, author_id=membership.user_id, body=body, client_id=client_id)
    try:
        # A savepoint, so losing a race with a concurrent resend undoes only this insert.
        with db.session.begin_nested():
            db.session.add(message)
            db.session.flush()
    except IntegrityError:
        existing = _existing(thread.id, membership.user_id, client_id) if client_id else None
        if existing is None:
            raise
        return existing
    thread.last_message_id = message.id
    author = db.session.get(User, membership.user_id)
    payload = message_payload(message, author)
    _broadcast_after_commit("message", payload)
    _notify_after_commit(thread, message, payload)
    # Messages only feed the engagement figures: join a waiting roll-up without locking it.
    rollups.schedule_school(membership.school_id, lock=False)
    commit()
    return message


def _notify_after_commit(thread: Thread | None, message: Message, payload: dict, mentions_only: bool = False) -> None:
    """Queue `notifications.for_message` (mentions, a reply to the thread's creator,
    activity on the cycle's owner) unless nobody could be told. The mention mark in
    body_html can only come from nic.services.discussion.mentions: the sanitiser drops any span."""

    mentioned = '<span class="mention"' in payload["body_html"]
    others = not mentions_only and (thread.subject == "cycle" or thread.created_by_id not in (None, message.author_id))
    if mentioned or others:
        jobs.enqueue("notifications.for_message", network_id=message.network_id, message_id=message.id,
                     mentions_only=mentions_only)


def _own_message(membership, message_id) -> Message:
    try:
        message_id = clean_id(message_id)
    except ValueError:
        raise NotFound("No such message.") from None
    message = db.session.scalar(select(Message).where(Message.id == message_id))
    if message is None:
        raise NotFound("No such message.")
    readable_thread(membership, message.thread_id)
    if message.author_id != membership.user_id:
        raise Forbidden("Only the author may change a message.")
    if message.deleted_at is not None:
        raise NotFound("This message was deleted.")
    return message


def _changed_payload(message: Message) -> dict:
    payload = message_payload(message)
    payload["edited_at"] = message.edited_at.isoformat() if message.edited_at else None
    payload["deleted_at"] = message.deleted_at.isoformat() if message.deleted_at else None
    return payload


def edit_message(membership, message_id, body) -> Message:
    message = _own_message(membership, message_id)
    message.body = _clean_body(body)
    message.edited_at = utcnow()
    db.session.flush()
    payload = _changed_payload(message)
    _broadcast_after_commit("message_changed", payload)
    # Someone newly mentioned by the edit hears of it; nobody is told twice (one per message).
    _notify_after_commit(None, message, payload, mentions_only=True)
    commit()
    return message


def delete_message(membership, message_id) -> Message:
    """Keeps the row as a trace: the body goes, the id and author stay."""
    message = _own_message(membership, message_id)
    message.body = ""
    message.deleted_at = utcnow()
    db.session.flush()
    _broadcast_after_commit("message_changed", _changed_payload(message))
    commit()
    return message


# --- read positions ------------------------------------------------------------------------

def mark_read(membership, thread: Thread, last_id: int | None = None) -> None:
    """Move the member's read position forward (never back) to `last_id` or the newest."""
    last_id = last_id if last_id is not None else (thread.last_message_id or 0)
    read = db.session.scalar(select(ThreadRead).where(
        ThreadRead.thread_id == thread.id, ThreadRead.user_id == membership.user_id))
    if read is None:
        read = ThreadRead(thread_id=thread.id, user_id=membership.user_id, last_read_id=0)
        db.session.add(read)
    read.last_read_id = max(read.last_read_id or 0, int(last_id))
    # What they have now seen needs no bell and no email. (Imported here: the
    # notifications module imports this one, for subject_readable.)
    from nic.services.notifications.notifications import read_in_thread

    read_in_thread(membership.user_id, thread.id, read.last_read_id)
    commit()


def unread_counts(membership, thread_ids) -> dict[int, int]:
    """{thread_id: unread} for the given threads, in one grouped query: messages after
    the member's read position, not deleted, not their own."""
    thread_ids = list(thread_ids)
    if not thread_ids:
        return {}
    stmt = (
        select(Message.thread_id, func.count(Message.id))
        .outerjoin(ThreadRead, and_(ThreadRead.thread_id == Message.thread_id,
                                    ThreadRead.user_id == membership.user_id))
        .where(Message.thread_id.in_(thread_ids),
               Message.id > func.coalesce(ThreadRead.last_read_id, 0),
               Message.deleted_at.is_(None),
               or_(Message.author_id.is_(None), Message.author_id != membership.user_id))
        .group_by(Message.thread_id)
    )
    counts = {thread_id: 0 for thread_id in thread_ids}
    counts.update({thread_id: count for thread_id, count in db.session.execute(stmt)})
    return counts
