"""Roll-ups: snapshots of where the network stands, computed by Celery jobs with set-based
SQL (nic.services.rollups.sql) and read by the facilitators' dashboard.

Snapshot rows are replaced whole in one transaction per scope (the network, or one school
for an incremental run): DELETE of the scope, INSERT ... SELECT, COMMIT. Under READ
COMMITTED a reader sees the old rows or the new ones, never a mixture. Every row carries
the `computed_at` of the run that wrote it.

`RollupJob` is the queue's bookkeeping: at most one *queued* job per network and scope
(a partial unique index), so a burst of requests or edits coalesces into one run.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from nic.clock import utcnow
from nic.extensions import db
from nic.models.base import TenantMixin, UTCDateTime

ROLLUP_SCOPES = ("network", "school")


class SnapshotRow(TenantMixin):
    """A row of a roll-up snapshot: tenant-scoped like any other, but with no foreign keys.

    A full run deletes and writes tens of thousands of these rows, and checking each
    row's keys (a trigger per key per row) took longer than computing them. The rows are
    derived: every run rewrites the rows it covers from the live tables, and every page
    that shows them joins those tables, so a row of something deleted since is never
    shown and is gone at the next run. (Schools, networks and measures are never hard
    deleted by nic; cycles are soft deleted.)"""

    network_id: Mapped[int] = mapped_column(Integer, index=True)


ROLLUP_JOB_STATES = ("queued", "running", "done", "failed")
PERIOD_KINDS = ("week", "month")


class RollupJob(TenantMixin, db.Model):
    __tablename__ = "rollup_jobs"
    __table_args__ = (
        CheckConstraint("scope IN ('network', 'school')", name="scope"),
        CheckConstraint("state IN ('queued', 'running', 'done', 'failed')", name="state"),
        # One queued job per network and scope: a second request joins it (coalescing).
        Index(
            "uq_rollup_jobs_queued",
            "network_id",
            "scope",
            text("coalesce(school_id, 0)"),
            unique=True,
            postgresql_where=text("state = 'queued'"),
            sqlite_where=text("state = 'queued'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    scope: Mapped[str] = mapped_column(String(8))
    school_id: Mapped[int | None] = mapped_column(ForeignKey("schools.id", ondelete="CASCADE"))
    # Incremental runs: the earliest period touched (a coalesced job keeps the earliest).
    since: Mapped[date | None] = mapped_column(Date)
    state: Mapped[str] = mapped_column(String(8), default="queued", index=True)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    seconds: Mapped[float | None] = mapped_column(Float)
    error: Mapped[str] = mapped_column(Text, default="")


class RollupState(TenantMixin, db.Model):
    """One row per network: when its snapshot was last (fully) computed."""

    __tablename__ = "rollup_states"
    __table_args__ = (UniqueConstraint("network_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    full_computed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    stalled_days: Mapped[int] = mapped_column(Integer, default=21)


class RollupSchool(SnapshotRow, db.Model):
    """Where each school stands now: its cycles by phase, completions, stalled cycles,
    plan quality and cycle length."""

    __tablename__ = "rollup_schools"
    __table_args__ = (UniqueConstraint("school_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(Integer)
    cycles_total: Mapped[int] = mapped_column(Integer, default=0)
    in_plan: Mapped[int] = mapped_column(Integer, default=0)
    in_do: Mapped[int] = mapped_column(Integer, default=0)
    in_study: Mapped[int] = mapped_column(Integer, default=0)
    in_act: Mapped[int] = mapped_column(Integer, default=0)
    done: Mapped[int] = mapped_column(Integer, default=0)
    stalled: Mapped[int] = mapped_column(Integer, default=0)
    with_prediction: Mapped[int] = mapped_column(Integer, default=0)
    with_measure: Mapped[int] = mapped_column(Integer, default=0)
    median_days: Mapped[float | None] = mapped_column(Float)  # start to done, completed cycles
    last_activity_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime())


class PeriodFigures:
    """The figures of one week or month, kept per school and for the whole network."""

    period_kind: Mapped[str] = mapped_column(String(5))
    period_start: Mapped[date] = mapped_column(Date)
    started: Mapped[int] = mapped_column(Integer, default=0)
    to_do: Mapped[int] = mapped_column(Integer, default=0)
    to_study: Mapped[int] = mapped_column(Integer, default=0)
    to_act: Mapped[int] = mapped_column(Integer, default=0)
    completed: Mapped[int] = mapped_column(Integer, default=0)
    median_days: Mapped[float | None] = mapped_column(Float)
    messages: Mapped[int] = mapped_column(Integer, default=0)
    artifacts: Mapped[int] = mapped_column(Integer, default=0)
    active_members: Mapped[int] = mapped_column(Integer, default=0)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime())


class RollupSchoolPeriod(PeriodFigures, SnapshotRow, db.Model):
    """Per school and week (or month): cycles started, phase moves into Do, Study and Act,
    cycles completed and their median length, and engagement."""

    __tablename__ = "rollup_school_periods"
    __table_args__ = (
        UniqueConstraint("school_id", "period_kind", "period_start"),
        # The network's periods are summed from these rows, from a period on.
        Index("ix_rollup_school_periods_network_period", "network_id", "period_kind", "period_start"),
        CheckConstraint("period_kind IN ('week', 'month')", name="period_kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(Integer)


class RollupChangeIdeaSchool(SnapshotRow, db.Model):
    """The school x change-idea matrix: how a school is testing an idea, from its cycles.
    testing = cycles not yet done; the others count done cycles by their Act decision."""

    __tablename__ = "rollup_change_idea_schools"
    __table_args__ = (UniqueConstraint("change_idea_id", "school_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    change_idea_id: Mapped[int] = mapped_column(Integer, index=True)
    school_id: Mapped[int] = mapped_column(Integer, index=True)
    cycles: Mapped[int] = mapped_column(Integer, default=0)
    testing: Mapped[int] = mapped_column(Integer, default=0)
    adapted: Mapped[int] = mapped_column(Integer, default=0)
    adopted: Mapped[int] = mapped_column(Integer, default=0)
    abandoned: Mapped[int] = mapped_column(Integer, default=0)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime())


class RollupMeasureSchool(SnapshotRow, db.Model):
    """Per measure and school: how much data, the latest value, and what the school's
    chart shows, as its chart shows it (nic.services.rollups.series): the current center
    line, the Anhøj figures of the current phase, and the chart's headline signal (the
    rules of its chart type, docs/SIGNALS.md)."""

    __tablename__ = "rollup_measure_schools"
    __table_args__ = (UniqueConstraint("measure_id", "school_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    measure_id: Mapped[int] = mapped_column(Integer, index=True)
    school_id: Mapped[int] = mapped_column(Integer, index=True)
    points: Mapped[int] = mapped_column(Integer, default=0)
    latest_period: Mapped[date | None] = mapped_column(Date)
    latest_value: Mapped[float | None] = mapped_column(Float)
    # Kept so the network's pooled value (sum of numerators / sum of denominators) can be
    # recomputed from these rows alone after an incremental run.
    latest_numerator: Mapped[float | None] = mapped_column(Float)
    latest_denominator: Mapped[float | None] = mapped_column(Float)
    # The center line at the latest point: the median of a run chart, the mean of an i
    # chart, p̄ or ū; of the current phase, or of the frozen baseline.
    center: Mapped[float | None] = mapped_column(Float)
    longest_run: Mapped[int] = mapped_column(Integer, default=0)
    crossings: Mapped[int] = mapped_column(Integer, default=0)
    signal: Mapped[bool] = mapped_column(Boolean, default=False)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime())


class RollupMeasure(SnapshotRow, db.Model):
    """Per measure, across the network: schools reporting, the pooled value of the latest
    period (sum of numerators over sum of denominators for p and u charts, the mean of the
    schools' values otherwise) and how many schools show a signal."""

    __tablename__ = "rollup_measures"
    __table_args__ = (UniqueConstraint("measure_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    measure_id: Mapped[int] = mapped_column(Integer)
    schools_reporting: Mapped[int] = mapped_column(Integer, default=0)
    schools_with_signal: Mapped[int] = mapped_column(Integer, default=0)
    latest_period: Mapped[date | None] = mapped_column(Date)
    pooled_value: Mapped[float | None] = mapped_column(Float)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime())


class RollupStalledCycle(SnapshotRow, db.Model):
    """A cycle not done and unchanged for the network's stalled threshold (default 21 days)."""

    __tablename__ = "rollup_stalled_cycles"
    __table_args__ = (
        UniqueConstraint("cycle_id"),
        # The dashboard lists them longest idle first and stops after a page.
        Index("ix_rollup_stalled_cycles_idle", "network_id", "idle_since", "cycle_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(Integer)
    school_id: Mapped[int] = mapped_column(Integer, index=True)
    owner_id: Mapped[int | None] = mapped_column(Integer)
    phase: Mapped[str] = mapped_column(String(5))
    # The cycle's visibility at the roll-up, so the dashboard counts what a member may
    # see without joining every row to its cycle.
    visibility: Mapped[str] = mapped_column(String(7), default="network")
    idle_since: Mapped[datetime] = mapped_column(UTCDateTime())
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime())


class RollupNetworkPeriod(PeriodFigures, SnapshotRow, db.Model):
    """The same figures as RollupSchoolPeriod for the whole network; kept apart because
    active members are counted once across schools (and facilitators have no school)."""

    __tablename__ = "rollup_network_periods"
    __table_args__ = (
        UniqueConstraint("network_id", "period_kind", "period_start"),
        CheckConstraint("period_kind IN ('week', 'month')", name="period_kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)


class RollupActiveMember(SnapshotRow, db.Model):
    """Who was active, per school (NULL: people with no school, such as facilitators
    writing messages) and week or month. The network's active members of a period are
    the distinct people here, so a one-school run can recount them without reading every
    other school's events again; a person active in two schools counts once."""

    __tablename__ = "rollup_active_members"
    __table_args__ = (
        CheckConstraint("period_kind IN ('week', 'month')", name="period_kind"),
        Index("ix_rollup_active_members_period", "network_id", "period_kind", "period_start"),
        Index("ix_rollup_active_members_school", "school_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int | None] = mapped_column(Integer)
    period_kind: Mapped[str] = mapped_column(String(5))
    period_start: Mapped[date] = mapped_column(Date)
    user_id: Mapped[int] = mapped_column(Integer)


class RollupMeasurePeriod(SnapshotRow, db.Model):
    """The network's pooled value of a measure per period, for the dashboard's small
    multiples (pooled the same way as RollupMeasure)."""

    __tablename__ = "rollup_measure_periods"
    __table_args__ = (UniqueConstraint("measure_id", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    measure_id: Mapped[int] = mapped_column(Integer)
    period: Mapped[date] = mapped_column(Date)
    schools: Mapped[int] = mapped_column(Integer, default=0)
    pooled_value: Mapped[float | None] = mapped_column(Float)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime())
