"""Measures and their data: what the network tracks over time, each school's value for
each period, and an audit trail of every change to a value.

Periods sit on a grid: Mondays for weekly measures, the first of the month for monthly
ones. Run and `i` charts take `value`; `p` and `u` charts take `numerator` and
`denominator` (the value is then their ratio, computed, not stored).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Column,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from nic.clock import utcnow
from nic.extensions import db
from nic.models.base import TenantMixin, TimestampMixin, UTCDateTime
from nic.models.network import School
from nic.models.theory import Aim, ChangeIdea, Driver
from nic.models.user import User

MEASURE_KINDS = ("outcome", "process", "balancing")
CHART_TYPES = ("run", "i", "p", "u")
DIRECTIONS = ("up", "down")
FREQUENCIES = ("weekly", "monthly")
POINT_SOURCES = ("form", "grid", "csv", "api", "demo")

measure_drivers = Table(
    "measure_drivers",
    db.metadata,
    Column("measure_id", ForeignKey("measures.id", ondelete="CASCADE"), primary_key=True),
    Column("driver_id", ForeignKey("drivers.id", ondelete="CASCADE"), primary_key=True),
)
measure_change_ideas = Table(
    "measure_change_ideas",
    db.metadata,
    Column("measure_id", ForeignKey("measures.id", ondelete="CASCADE"), primary_key=True),
    Column("change_idea_id", ForeignKey("change_ideas.id", ondelete="CASCADE"), primary_key=True),
)


class Measure(TenantMixin, TimestampMixin, db.Model):
    __tablename__ = "measures"
    __table_args__ = (
        UniqueConstraint("network_id", "name"),
        CheckConstraint("kind IN ('outcome', 'process', 'balancing')", name="kind"),
        CheckConstraint("chart IN ('run', 'i', 'p', 'u')", name="chart"),
        CheckConstraint("direction IN ('up', 'down')", name="direction"),
        CheckConstraint("frequency IN ('weekly', 'monthly')", name="frequency"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    definition: Mapped[str] = mapped_column(Text, default="")  # the operational definition
    kind: Mapped[str] = mapped_column(String(10))
    chart: Mapped[str] = mapped_column(String(3))
    unit: Mapped[str] = mapped_column(String(40), default="")
    direction: Mapped[str] = mapped_column(String(4), default="up")
    goal: Mapped[float | None] = mapped_column(Float)
    frequency: Mapped[str] = mapped_column(String(7), default="weekly")
    aim_id: Mapped[int | None] = mapped_column(ForeignKey("aims.id", ondelete="SET NULL"), index=True)
    # Freeze the center line on the first N points (None: all points are the baseline).
    baseline_points: Mapped[int | None] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    aim: Mapped[Aim | None] = relationship()
    drivers: Mapped[list[Driver]] = relationship(secondary=measure_drivers, order_by="Driver.position, Driver.id")
    change_ideas: Mapped[list[ChangeIdea]] = relationship(secondary=measure_change_ideas, order_by="ChangeIdea.title")


class ChartSplit(TenantMixin, TimestampMixin, db.Model):
    """Starts a new phase of a measure's chart on `start_date` (say, after a change was
    adopted): each phase gets its own center line and limits. `school_id` None splits
    the network's pooled chart."""

    __tablename__ = "chart_splits"

    id: Mapped[int] = mapped_column(primary_key=True)
    measure_id: Mapped[int] = mapped_column(ForeignKey("measures.id", ondelete="CASCADE"), index=True)
    school_id: Mapped[int | None] = mapped_column(ForeignKey("schools.id", ondelete="CASCADE"), index=True)
    start_date: Mapped[date] = mapped_column(Date)
    label: Mapped[str] = mapped_column(String(200), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class MeasurePoint(TenantMixin, db.Model):
    __tablename__ = "measure_points"
    __table_args__ = (
        UniqueConstraint("network_id", "measure_id", "school_id", "period"),
        # Incremental roll-ups pool every school's points of recent periods.
        Index("ix_measure_points_network_period", "network_id", "period"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    measure_id: Mapped[int] = mapped_column(ForeignKey("measures.id", ondelete="CASCADE"), index=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id", ondelete="CASCADE"), index=True)
    period: Mapped[date] = mapped_column(Date)
    value: Mapped[float | None] = mapped_column(Float)
    numerator: Mapped[float | None] = mapped_column(Float)
    denominator: Mapped[float | None] = mapped_column(Float)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    measure: Mapped[Measure] = relationship()
    school: Mapped[School] = relationship()


class PointChange(TenantMixin, TimestampMixin, db.Model):
    """The audit trail: every create, update or delete of a point, with who, how (form,
    grid, csv, api) and the values before and after."""

    __tablename__ = "point_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    measure_id: Mapped[int] = mapped_column(ForeignKey("measures.id", ondelete="CASCADE"), index=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id", ondelete="CASCADE"), index=True)
    period: Mapped[date] = mapped_column(Date)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    source: Mapped[str] = mapped_column(String(5))
    before: Mapped[dict | None] = mapped_column(JSON)  # {"value", "numerator", "denominator"} or None if new
    after: Mapped[dict | None] = mapped_column(JSON)  # None if deleted

    user: Mapped[User | None] = relationship()
