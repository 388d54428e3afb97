"""Who belongs to which network, in which role and school; and invitations to join."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from nic.extensions import db
from nic.models.base import TenantMixin, TimestampMixin, UTCDateTime
from nic.models.network import Network, School
from nic.models.user import User

# The roles, most to least privileged. What each may do is in nic.permissions.
ROLES = ("facilitator", "principal", "teacher_leader", "member")
ROLE_LABELS = {
    "facilitator": "Facilitator",
    "principal": "Principal",
    "teacher_leader": "Teacher leader",
    "member": "Member",
}
_ROLE_CHECK = "role IN ('facilitator', 'principal', 'teacher_leader', 'member')"


class Membership(TenantMixin, TimestampMixin, db.Model):
    __tablename__ = "memberships"
    __table_args__ = (
        UniqueConstraint("network_id", "user_id"),
        CheckConstraint(_ROLE_CHECK, name="role"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    school_id: Mapped[int | None] = mapped_column(ForeignKey("schools.id", ondelete="SET NULL"), index=True)
    role: Mapped[str] = mapped_column(String(20))

    user: Mapped[User] = relationship()
    school: Mapped[School | None] = relationship()
    network: Mapped[Network] = relationship()


class Invitation(TenantMixin, TimestampMixin, db.Model):
    """A single-use, expiring invitation. Only a SHA-256 of the link's token is kept."""

    __tablename__ = "invitations"
    __table_args__ = (CheckConstraint(_ROLE_CHECK, name="role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), index=True)
    role: Mapped[str] = mapped_column(String(20))
    school_id: Mapped[int | None] = mapped_column(ForeignKey("schools.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    school: Mapped[School | None] = relationship()
    network: Mapped[Network] = relationship()
    invited_by: Mapped[User | None] = relationship()
