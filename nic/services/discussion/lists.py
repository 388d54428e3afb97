"""What the discussion pages list: a thread's recent messages (oldest first) and the
channels a member may read with their threads and unread counts. The reading rules
themselves live in nic.services.discussion.discussion; this module only shapes lists for pages."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from nic.extensions import db
from nic.models import Artifact, ChangeIdea, Channel, Cycle, Message, Thread
from nic.services.discussion import discussion

PAGE_SIZE = 100


@dataclass
class MessagePage:
    messages: list[Message]      # oldest first
    earlier_before: int | None   # pass as ?before= to see the messages before these


def recent_messages(thread: Thread, before: int | None = None, limit: int | None = None) -> MessagePage:
    """The newest `limit` messages (before id `before`, if given), shown oldest first:
    a long thread opens on its latest exchange, with a link back to earlier ones."""
    limit = limit or PAGE_SIZE
    stmt = (select(Message).options(selectinload(Message.author))
            .where(Message.thread_id == thread.id))
    if before is not None:
        stmt = stmt.where(Message.id < before)
    newest_first = list(db.session.scalars(stmt.order_by(Message.id.desc()).limit(limit + 1)))
    has_earlier = len(newest_first) > limit
    messages = list(reversed(newest_first[:limit]))
    return MessagePage(messages, messages[0].id if has_earlier and messages else None)


@dataclass
class ChannelRow:
    channel: Channel
    thread: Thread | None
    unread: int


def readable_channels(membership) -> list[ChannelRow]:
    """The network's channels the member may read, by name, each with its thread (the
    first one, if any has been started) and the member's unread count there."""
    # The same role rule as discussion.subject_readable, applied to rows already loaded
    # (one query for every channel rather than one per channel).
    channels = [c for c in db.session.scalars(select(Channel).order_by(Channel.name))
                if discussion._channel_open_to(c, membership.role)]
    threads: dict[int, Thread] = {}
    if channels:
        stmt = (select(Thread)
                .where(Thread.subject == "channel", Thread.subject_id.in_([c.id for c in channels]))
                .order_by(Thread.id))
        for thread in db.session.scalars(stmt):
            threads.setdefault(thread.subject_id, thread)
    unread = discussion.unread_counts(membership, [t.id for t in threads.values()])
    return [ChannelRow(c, threads.get(c.id), unread.get(threads[c.id].id, 0) if c.id in threads else 0)
            for c in channels]


def subject_panel(membership, subject: str, subject_id: int) -> list[tuple[Thread, int]]:
    """The threads on one subject with the member's unread count, or [] when the member
    may not read the subject."""
    if not discussion.subject_readable(membership, subject, subject_id):
        return []
    threads = discussion.threads_for(subject, subject_id)
    unread = discussion.unread_counts(membership, [t.id for t in threads])
    return [(t, unread.get(t.id, 0)) for t in threads]


SUBJECT_LABELS = {"cycle": "Cycle", "artifact": "Artifact", "change_idea": "Change idea", "channel": "Channel"}


def subject_title(thread: Thread) -> str:
    """The name of what the thread is about (the caller has checked it is readable)."""
    column = {"cycle": Cycle.title, "artifact": Artifact.title, "change_idea": ChangeIdea.title,
              "channel": Channel.name}[thread.subject]
    model = column.class_
    return db.session.scalar(select(column).where(model.id == thread.subject_id)) or ""
