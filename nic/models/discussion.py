"""Discussion: threads attached to a cycle, an artifact, a change idea, or a channel of
the network; messages with increasing ids (clients catch up with ?after=ID); reactions;
and each person's read position per thread, for unread counts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from nic.extensions import db
from nic.models.base import TenantMixin, TimestampMixin, UTCDateTime
from nic.models.user import User

THREAD_SUBJECTS = ("cycle", "artifact", "change_idea", "channel")


class Channel(TenantMixin, TimestampMixin, db.Model):
    """A network channel (general, or one a facilitator creates). `roles` limits who may
    read it (comma-separated roles; empty: everyone in the network)."""

    __tablename__ = "channels"
    __table_args__ = (UniqueConstraint("network_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text, default="")
    roles: Mapped[str] = mapped_column(String(200), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class Thread(TenantMixin, TimestampMixin, db.Model):
    __tablename__ = "threads"
    __table_args__ = (
        Index("ix_threads_network_created", "network_id", "created_at", "id"),
        CheckConstraint("subject IN ('cycle', 'artifact', 'change_idea', 'channel')", name="subject"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    subject: Mapped[str] = mapped_column(String(12))
    subject_id: Mapped[int | None] = mapped_column(Integer, index=True)  # the cycle/artifact/idea/channel id
    title: Mapped[str] = mapped_column(String(200), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    last_message_id: Mapped[int | None] = mapped_column(Integer)

    created_by: Mapped[User | None] = relationship()


class Message(TenantMixin, TimestampMixin, db.Model):
    """Stored before it is broadcast; ids only grow, so `after=ID` catches a client up.
    Deleting keeps the row (body cleared, deleted_at set) so the trace stays visible."""

    __tablename__ = "messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("threads.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    body: Mapped[str] = mapped_column(Text)
    # The sender's own id for the message, so a resend after a reconnect is not stored twice.
    client_id: Mapped[str | None] = mapped_column(String(64))
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    author: Mapped[User | None] = relationship()
    __table_args__ = (
        Index("ix_messages_network_created", "network_id", "created_at", "id"),
        UniqueConstraint("thread_id", "author_id", "client_id"),
    )


class Reaction(TenantMixin, TimestampMixin, db.Model):
    __tablename__ = "reactions"
    __table_args__ = (UniqueConstraint("message_id", "user_id", "emoji"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    emoji: Mapped[str] = mapped_column(String(16))


class ThreadRead(TenantMixin, db.Model):
    """The last message id a person has seen in a thread (unread = messages after it)."""

    __tablename__ = "thread_reads"
    __table_args__ = (UniqueConstraint("thread_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("threads.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    last_read_id: Mapped[int] = mapped_column(Integer, default=0)


NOTIFICATION_KINDS = ("mention", "reply", "cycle_activity")


class Notification(TenantMixin, TimestampMixin, db.Model):
    """Something a person should hear about: a mention, a reply in a thread they started,
    or activity on a cycle they own. Shown live in the bell menu; if still unread after a
    while (they were away), sent once in an email digest (`emailed_at`)."""

    __tablename__ = "notifications"
    __table_args__ = (
        CheckConstraint("kind IN ('mention', 'reply', 'cycle_activity')", name="kind"),
        # One notification per person per message and kind: a retried task adds nothing.
        UniqueConstraint("user_id", "message_id", "kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    thread_id: Mapped[int | None] = mapped_column(ForeignKey("threads.id", ondelete="CASCADE"))
    message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id", ondelete="CASCADE"))
    cycle_id: Mapped[int | None] = mapped_column(ForeignKey("cycles.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(String(300))
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    emailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id])
