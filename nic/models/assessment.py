"""Leadership-practice self-assessments: the network's frameworks, rounds, each leadership
team member's own ratings, the team's consensus with its evidence, and the roll-up of
rounds.

A framework's whole document (levels, domains, practices, descriptors, guiding questions;
the shape in nic.frameworks.schema) is kept as JSON on `Framework.document`, and each
practice also gets a `FrameworkPractice` row so ratings, consensus and links to drivers
and change ideas have a real foreign key. The service that saves a document keeps the
rows in step (nic.services.assessments.frameworks).

Who sees what:
- `AssessmentRating` rows (one person's own view) stay inside their school: only members
  of that school read them; other schools and the network's facilitators get a 404 (see
  nic.services.assessments.assessments for the one rule).
- `AssessmentConsensus` rows (the team's agreed level and evidence) are shared with the
  whole network.

Levels are stored as both the key (what people and the API see) and the rank (0 = the
framework's lowest level), so SQL can average, compare and bucket them.
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
from nic.models.user import User

FRAMEWORK_ORIGINS = ("builtin", "copy", "import", "custom")
# How a school stood when its round closed: every practice agreed, some, or none.
ROUND_CLOSE_STATES = ("complete", "partial", "not_started")
EVIDENCE_KINDS = ("cycle", "artifact", "measure")

# Association tables: written only through services that loaded both ends in the network.
practice_drivers = Table(
    "practice_drivers",
    db.metadata,
    Column("practice_id", ForeignKey("framework_practices.id", ondelete="CASCADE"), primary_key=True),
    Column("driver_id", ForeignKey("drivers.id", ondelete="CASCADE"), primary_key=True, index=True),
)
practice_change_ideas = Table(
    "practice_change_ideas",
    db.metadata,
    Column("practice_id", ForeignKey("framework_practices.id", ondelete="CASCADE"), primary_key=True),
    Column("change_idea_id", ForeignKey("change_ideas.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Framework(TenantMixin, TimestampMixin, db.Model):
    """A framework the network uses: adopted from a built-in, copied, imported or written."""

    __tablename__ = "frameworks"
    __table_args__ = (
        UniqueConstraint("network_id", "key"),
        CheckConstraint("origin IN ('builtin', 'copy', 'import', 'custom')", name="origin"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    origin: Mapped[str] = mapped_column(String(8), default="custom")
    # The built-in or network framework key this one started from, for "based on ...".
    based_on: Mapped[str] = mapped_column(String(64), default="")
    # nic.frameworks.schema.to_dict of the framework: the one source of its text.
    document: Mapped[dict] = mapped_column(JSON)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Optimistic concurrency: an edit carries the version it read; a stale one is a 409.
    version: Mapped[int] = mapped_column(Integer, default=1)

    practices: Mapped[list[FrameworkPractice]] = relationship(
        back_populates="framework", order_by="FrameworkPractice.position", cascade="all, delete-orphan"
    )
    created_by: Mapped[User | None] = relationship()


class FrameworkPractice(TenantMixin, db.Model):
    __tablename__ = "framework_practices"
    __table_args__ = (UniqueConstraint("framework_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    framework_id: Mapped[int] = mapped_column(ForeignKey("frameworks.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    domain: Mapped[str] = mapped_column(String(200), default="")
    position: Mapped[int] = mapped_column(Integer, default=0)

    framework: Mapped[Framework] = relationship(back_populates="practices")
    drivers: Mapped[list[Driver]] = relationship(  # noqa: F821 - nic.models.theory
        secondary=practice_drivers, order_by="Driver.position, Driver.id"
    )
    change_ideas: Mapped[list[ChangeIdea]] = relationship(  # noqa: F821 - nic.models.theory
        secondary=practice_change_ideas, order_by="ChangeIdea.title"
    )


class AssessmentRound(TenantMixin, TimestampMixin, db.Model):
    """One self-assessment round on one framework (say, "Fall 2026"), opened by a facilitator."""

    __tablename__ = "assessment_rounds"

    id: Mapped[int] = mapped_column(primary_key=True)
    # RESTRICT: a framework with rounds is archived, never deleted, so history stays readable.
    framework_id: Mapped[int] = mapped_column(ForeignKey("frameworks.id", ondelete="RESTRICT"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    due_on: Mapped[date | None] = mapped_column(Date)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    version: Mapped[int] = mapped_column(Integer, default=1)

    framework: Mapped[Framework] = relationship()
    opened_by: Mapped[User | None] = relationship(foreign_keys=[opened_by_id])
    closed_by: Mapped[User | None] = relationship(foreign_keys=[closed_by_id])

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class AssessmentRating(TenantMixin, db.Model):
    """One leadership-team member's own rating of one practice: private to the school."""

    __tablename__ = "assessment_ratings"
    __table_args__ = (
        UniqueConstraint("round_id", "practice_id", "user_id"),
        Index("ix_assessment_ratings_round_school", "round_id", "school_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("assessment_rounds.id", ondelete="CASCADE"))
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id", ondelete="CASCADE"))
    practice_id: Mapped[int] = mapped_column(ForeignKey("framework_practices.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    level_key: Mapped[str] = mapped_column(String(64))
    level_rank: Mapped[int] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    user: Mapped[User] = relationship()
    practice: Mapped[FrameworkPractice] = relationship()


class AssessmentConsensus(TenantMixin, db.Model):
    """The school team's agreed level for one practice in one round, with notes and
    evidence: shared with the whole network."""

    __tablename__ = "assessment_consensus"
    __table_args__ = (
        UniqueConstraint("round_id", "school_id", "practice_id"),
        Index("ix_assessment_consensus_round_practice", "round_id", "practice_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("assessment_rounds.id", ondelete="CASCADE"))
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id", ondelete="CASCADE"), index=True)
    practice_id: Mapped[int] = mapped_column(ForeignKey("framework_practices.id", ondelete="CASCADE"))
    level_key: Mapped[str] = mapped_column(String(64))
    level_rank: Mapped[int] = mapped_column(Integer)
    notes: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    school: Mapped[School] = relationship()
    practice: Mapped[FrameworkPractice] = relationship()
    recorded_by: Mapped[User | None] = relationship()
    evidence: Mapped[list[ConsensusEvidence]] = relationship(
        back_populates="consensus", order_by="ConsensusEvidence.id", cascade="all, delete-orphan"
    )


class ConsensusEvidence(TenantMixin, TimestampMixin, db.Model):
    """A cycle, artifact or measure the team points to as evidence for a consensus level.
    Exactly one of the three targets is set (a real foreign key each, so deleting the
    target removes the link instead of leaving a dangling id)."""

    __tablename__ = "consensus_evidence"
    __table_args__ = (
        CheckConstraint(
            "(CASE WHEN cycle_id IS NULL THEN 0 ELSE 1 END"
            " + CASE WHEN artifact_id IS NULL THEN 0 ELSE 1 END"
            " + CASE WHEN measure_id IS NULL THEN 0 ELSE 1 END) = 1",
            name="one_target",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    consensus_id: Mapped[int] = mapped_column(ForeignKey("assessment_consensus.id", ondelete="CASCADE"), index=True)
    cycle_id: Mapped[int | None] = mapped_column(ForeignKey("cycles.id", ondelete="CASCADE"), index=True)
    artifact_id: Mapped[int | None] = mapped_column(ForeignKey("artifacts.id", ondelete="CASCADE"), index=True)
    measure_id: Mapped[int | None] = mapped_column(ForeignKey("measures.id", ondelete="CASCADE"), index=True)
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    consensus: Mapped[AssessmentConsensus] = relationship(back_populates="evidence")

    @property
    def kind(self) -> str:
        if self.cycle_id is not None:
            return "cycle"
        return "artifact" if self.artifact_id is not None else "measure"

    @property
    def target_id(self) -> int:
        return self.cycle_id or self.artifact_id or self.measure_id


class AssessmentRoundSchool(TenantMixin, db.Model):
    """A school's standing in a round: when its team said its consensus was finished, and
    how it stood when the round closed (a school mid-way keeps its ratings, marked partial)."""

    __tablename__ = "assessment_round_schools"
    __table_args__ = (
        UniqueConstraint("round_id", "school_id"),
        CheckConstraint(
            "close_state IS NULL OR close_state IN ('complete', 'partial', 'not_started')", name="close_state"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("assessment_rounds.id", ondelete="CASCADE"), index=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id", ondelete="CASCADE"))
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    close_state: Mapped[str | None] = mapped_column(String(12))
    # At close: practices with a consensus, and practices in the framework.
    agreed_practices: Mapped[int | None] = mapped_column(Integer)
    total_practices: Mapped[int | None] = mapped_column(Integer)

    school: Mapped[School] = relationship()


class RollupAssessmentSchool(TenantMixin, db.Model):
    """Roll-up: each school's progress and mean consensus level in each round."""

    __tablename__ = "rollup_assessment_schools"
    __table_args__ = (UniqueConstraint("round_id", "school_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("assessment_rounds.id", ondelete="CASCADE"), index=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id", ondelete="CASCADE"))
    raters: Mapped[int] = mapped_column(Integer, default=0)  # people who rated at least one practice
    ratings: Mapped[int] = mapped_column(Integer, default=0)  # individual ratings recorded
    agreed_practices: Mapped[int] = mapped_column(Integer, default=0)
    total_practices: Mapped[int] = mapped_column(Integer, default=0)
    mean_rank: Mapped[float | None] = mapped_column(Float)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime())


class RollupAssessmentPractice(TenantMixin, db.Model):
    """Roll-up: per round, practice and level, how many schools agreed on that level
    (the distribution per practice)."""

    __tablename__ = "rollup_assessment_practices"
    __table_args__ = (UniqueConstraint("round_id", "practice_id", "level_rank"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("assessment_rounds.id", ondelete="CASCADE"), index=True)
    practice_id: Mapped[int] = mapped_column(ForeignKey("framework_practices.id", ondelete="CASCADE"))
    level_rank: Mapped[int] = mapped_column(Integer)
    schools: Mapped[int] = mapped_column(Integer, default=0)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime())
