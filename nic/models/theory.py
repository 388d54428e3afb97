"""The network's theory of improvement: aims, their driver diagrams and change ideas.

A primary driver sits under the aim; a secondary driver under one or more primary (or
secondary) drivers; change ideas link to any number of drivers. Every edit of a diagram
also stores a whole snapshot in DiagramRevision, so past versions can be shown as they were.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, Column, Date, Float, ForeignKey, Integer, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from nic.clock import utcnow
from nic.extensions import db
from nic.models.base import TenantMixin, TimestampMixin, UTCDateTime
from nic.models.user import User

DRIVER_KINDS = ("primary", "secondary")
CHANGE_IDEA_STATUSES = ("proposed", "accepted", "declined", "testing", "spreading", "retired")

# Association tables: rows are only ever written through the scoped parents' relationships,
# after the service has loaded both ends in the current network.
driver_parents = Table(
    "driver_parents",
    db.metadata,
    Column("child_id", ForeignKey("drivers.id", ondelete="CASCADE"), primary_key=True),
    Column("parent_id", ForeignKey("drivers.id", ondelete="CASCADE"), primary_key=True),
)
change_idea_drivers = Table(
    "change_idea_drivers",
    db.metadata,
    Column("change_idea_id", ForeignKey("change_ideas.id", ondelete="CASCADE"), primary_key=True),
    Column("driver_id", ForeignKey("drivers.id", ondelete="CASCADE"), primary_key=True),
)


class Aim(TenantMixin, TimestampMixin, db.Model):
    __tablename__ = "aims"

    id: Mapped[int] = mapped_column(primary_key=True)
    statement: Mapped[str] = mapped_column(Text)
    population: Mapped[str] = mapped_column(String(300), default="")
    measure_label: Mapped[str] = mapped_column(String(200), default="")  # e.g. "9th graders on track"
    baseline: Mapped[float | None] = mapped_column(Float)
    target: Mapped[float | None] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(String(40), default="")
    due_date: Mapped[date | None] = mapped_column(Date)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    drivers: Mapped[list[Driver]] = relationship(
        back_populates="aim", order_by="Driver.position, Driver.id", cascade="all, delete-orphan"
    )


class Driver(TenantMixin, TimestampMixin, db.Model):
    __tablename__ = "drivers"
    __table_args__ = (CheckConstraint("kind IN ('primary', 'secondary')", name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    aim_id: Mapped[int] = mapped_column(ForeignKey("aims.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer, default=0)

    aim: Mapped[Aim] = relationship(back_populates="drivers")
    parents: Mapped[list[Driver]] = relationship(
        secondary=driver_parents,
        primaryjoin="Driver.id == driver_parents.c.child_id",
        secondaryjoin="Driver.id == driver_parents.c.parent_id",
        order_by="Driver.position, Driver.id",
    )


class ChangeIdea(TenantMixin, TimestampMixin, db.Model):
    __tablename__ = "change_ideas"
    __table_args__ = (
        CheckConstraint(
            "status IN ('proposed', 'accepted', 'declined', 'testing', 'spreading', 'retired')", name="status"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    aim_id: Mapped[int | None] = mapped_column(ForeignKey("aims.id", ondelete="SET NULL"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(12), default="proposed")
    proposed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decision_note: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    drivers: Mapped[list[Driver]] = relationship(secondary=change_idea_drivers, order_by="Driver.position, Driver.id")
    proposed_by: Mapped[User | None] = relationship(foreign_keys=[proposed_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])


class DiagramRevision(TenantMixin, TimestampMixin, db.Model):
    """The whole diagram of one aim as it stood after an edit (a JSON snapshot:
    aim, drivers with parents, change ideas with drivers and status)."""

    __tablename__ = "diagram_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    aim_id: Mapped[int] = mapped_column(ForeignKey("aims.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    summary: Mapped[str] = mapped_column(String(300))
    snapshot: Mapped[dict] = mapped_column(JSON)

    author: Mapped[User | None] = relationship()
