"""Teams inside a school: the instructional leadership team, PLCs, grade-level and
department teams."""

from __future__ import annotations

from sqlalchemy import CheckConstraint, Column, ForeignKey, String, Table, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from nic.extensions import db
from nic.models.base import TenantMixin, TimestampMixin
from nic.models.network import School
from nic.models.user import User

TEAM_KINDS = ("ilt", "plc", "grade_level", "department", "other")
TEAM_KIND_LABELS = {
    "ilt": "Instructional leadership team",
    "plc": "Professional learning community",
    "grade_level": "Grade-level team",
    "department": "Department team",
    "other": "Other team",
}

team_members = Table(
    "team_members",
    db.metadata,
    Column("team_id", ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
)


class Team(TenantMixin, TimestampMixin, db.Model):
    __tablename__ = "teams"
    __table_args__ = (
        UniqueConstraint("network_id", "school_id", "name"),
        CheckConstraint("kind IN ('ilt', 'plc', 'grade_level', 'department', 'other')", name="kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20), default="other")

    school: Mapped[School] = relationship()
    members: Mapped[list[User]] = relationship(secondary=team_members, order_by="User.name")
