"""PDSA cycles, laid out like the IHI worksheet: a header, then Plan, Do, Study and Act.

`version` is SQLAlchemy's version counter: an UPDATE names the version it read, so two
people saving the same cycle cannot silently overwrite each other (the second gets a
conflict). Deleting is soft (`deleted_at`); a principal can restore.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, CheckConstraint, Column, Date, ForeignKey, Index, Integer, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from nic.clock import utcnow
from nic.extensions import db
from nic.models.base import TenantMixin, TimestampMixin, UTCDateTime
from nic.models.measure import Measure
from nic.models.network import School
from nic.models.team import Team
from nic.models.theory import ChangeIdea
from nic.models.user import User
from nic.words import plural

PHASES = ("plan", "do", "study", "act", "done")
VISIBILITIES = ("school", "network")
DECISIONS = ("adopt", "adapt", "abandon")
SCALE_UNITS = ("students", "classes", "teachers", "other")
# The units are stored plural; one of each, for a scale of 1.
SCALE_UNIT_ONE = {"students": "student", "classes": "class", "teachers": "teacher", "other": "other"}

cycle_coauthors = Table(
    "cycle_coauthors",
    db.metadata,
    Column("cycle_id", ForeignKey("cycles.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
)


class Cycle(TenantMixin, TimestampMixin, db.Model):
    __tablename__ = "cycles"
    __table_args__ = (
        Index("ix_cycles_network_created", "network_id", "created_at", "id"),
        # Roll-ups: the cycles completed from a day on (the network's median lengths).
        Index("ix_cycles_network_phase_changed", "network_id", "phase", "phase_changed_at"),
        CheckConstraint("phase IN ('plan', 'do', 'study', 'act', 'done')", name="phase"),
        CheckConstraint("visibility IN ('school', 'network')", name="visibility"),
        CheckConstraint("act_decision IS NULL OR act_decision IN ('adopt', 'adapt', 'abandon')", name="act_decision"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # header
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id", ondelete="CASCADE"), index=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="SET NULL"), index=True)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    change_idea_id: Mapped[int | None] = mapped_column(ForeignKey("change_ideas.id", ondelete="SET NULL"), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("cycles.id", ondelete="SET NULL"), index=True)
    scale_count: Mapped[int | None] = mapped_column(Integer)
    scale_unit: Mapped[str] = mapped_column(String(10), default="students")
    start_date: Mapped[date | None] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    phase: Mapped[str] = mapped_column(String(5), default="plan", index=True)
    phase_changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    visibility: Mapped[str] = mapped_column(String(7), default="school")
    # plan
    plan_objective: Mapped[str] = mapped_column(Text, default="")
    plan_who: Mapped[str] = mapped_column(Text, default="")
    plan_what: Mapped[str] = mapped_column(Text, default="")
    plan_when: Mapped[str] = mapped_column(Text, default="")
    plan_where: Mapped[str] = mapped_column(Text, default="")
    plan_data: Mapped[str] = mapped_column(Text, default="")  # the data to collect
    plan_measure: Mapped[str] = mapped_column(String(200), default="")  # the measure it feeds, in words
    measure_id: Mapped[int | None] = mapped_column(ForeignKey("measures.id", ondelete="SET NULL"), index=True)
    # do
    do_as_planned: Mapped[bool | None] = mapped_column(Boolean)
    do_observations: Mapped[str] = mapped_column(Text, default="")
    do_problems: Mapped[str] = mapped_column(Text, default="")  # problems and surprises
    # study
    study_learned: Mapped[str] = mapped_column(Text, default="")
    # act
    act_decision: Mapped[str | None] = mapped_column(String(7))
    act_reason: Mapped[str] = mapped_column(Text, default="")
    act_next: Mapped[str] = mapped_column(Text, default="")
    # bookkeeping
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    deleted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 (SQLAlchemy reads it once, at mapping)

    school: Mapped[School] = relationship()
    team: Mapped[Team | None] = relationship()
    owner: Mapped[User | None] = relationship(foreign_keys=[owner_id])
    change_idea: Mapped[ChangeIdea | None] = relationship()
    measure: Mapped[Measure | None] = relationship()
    parent: Mapped[Cycle | None] = relationship(remote_side=[id])
    coauthors: Mapped[list[User]] = relationship(secondary=cycle_coauthors, order_by="User.name")
    questions: Mapped[list[CycleQuestion]] = relationship(
        back_populates="cycle", order_by="CycleQuestion.position, CycleQuestion.id", cascade="all, delete-orphan"
    )

    @property
    def scale(self) -> str | None:
        """The test's scale in words, "1 teacher", "12 students"; None when not given."""
        if not self.scale_count:
            return None
        unit = self.scale_unit or "students"
        return plural(self.scale_count, SCALE_UNIT_ONE.get(unit, unit), unit)


class CycleQuestion(TenantMixin, db.Model):
    """A question the cycle asks, the prediction made in Plan and the result in Study."""

    __tablename__ = "cycle_questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    question: Mapped[str] = mapped_column(Text)
    prediction: Mapped[str] = mapped_column(Text, default="")
    result: Mapped[str] = mapped_column(Text, default="")

    cycle: Mapped[Cycle] = relationship(back_populates="questions")


class CyclePhaseMove(TenantMixin, TimestampMixin, db.Model):
    __tablename__ = "cycle_phase_moves"
    # The activity feed walks these newest first.
    __table_args__ = (Index("ix_cycle_phase_moves_network_created", "network_id", "created_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id", ondelete="CASCADE"), index=True)
    from_phase: Mapped[str] = mapped_column(String(5))
    to_phase: Mapped[str] = mapped_column(String(5))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    user: Mapped[User | None] = relationship()


class CycleChange(TenantMixin, TimestampMixin, db.Model):
    """One saved edit: who, when, the version it produced and each changed field's old
    and new value (`{"field": {"old": ..., "new": ...}}`)."""

    __tablename__ = "cycle_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    version: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(20), default="edit")  # create | edit | phase | delete | restore
    fields: Mapped[dict] = mapped_column(JSON, default=dict)

    user: Mapped[User | None] = relationship()
