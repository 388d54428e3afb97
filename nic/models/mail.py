"""Every email the product sends is first a row here: the mail task sends it by id
(idempotently: a sent message is never sent again) and the dev outbox page lists them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from nic.extensions import db
from nic.models.base import TimestampMixin, UTCDateTime


class OutboxMessage(TimestampMixin, db.Model):
    __tablename__ = "outbox_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    to_address: Mapped[str] = mapped_column(String(254), index=True)
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    transport: Mapped[str | None] = mapped_column(String(20))  # smtp | log
