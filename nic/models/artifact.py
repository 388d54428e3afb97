"""Practice artifacts: files and links schools share (protocols, lesson plans,
observation tools...). A file artifact has versions; each version points at a blob in
content-addressed storage by its SHA-256 (nic.storage), never at a name a user chose.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
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
from nic.models.cycle import Cycle
from nic.models.network import School
from nic.models.theory import ChangeIdea
from nic.models.user import User

ARTIFACT_KINDS = ("protocol", "lesson_plan", "observation_tool", "data_tool", "meeting_agenda", "other")
ARTIFACT_KIND_LABELS = {
    "protocol": "Protocol",
    "lesson_plan": "Lesson plan",
    "observation_tool": "Observation tool",
    "data_tool": "Data tool",
    "meeting_agenda": "Meeting agenda",
    "other": "Other",
}
PROCESSING_STATES = ("pending", "done", "failed", "none")

artifact_change_ideas = Table(
    "artifact_change_ideas",
    db.metadata,
    Column("artifact_id", ForeignKey("artifacts.id", ondelete="CASCADE"), primary_key=True),
    Column("change_idea_id", ForeignKey("change_ideas.id", ondelete="CASCADE"), primary_key=True),
)


class Artifact(TenantMixin, TimestampMixin, db.Model):
    __tablename__ = "artifacts"
    __table_args__ = (
        Index("ix_artifacts_network_created", "network_id", "created_at", "id"),
        CheckConstraint(
            "kind IN ('protocol', 'lesson_plan', 'observation_tool', 'data_tool', 'meeting_agenda', 'other')",
            name="kind",
        ),
        CheckConstraint("visibility IN ('school', 'network')", name="visibility"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[str] = mapped_column(String(20), default="other")
    tags: Mapped[str] = mapped_column(String(500), default="")  # comma-separated, lower-cased
    grade_band: Mapped[str] = mapped_column(String(40), default="")
    subject: Mapped[str] = mapped_column(String(100), default="")
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    visibility: Mapped[str] = mapped_column(String(7), default="network")
    url: Mapped[str | None] = mapped_column(String(2000))  # a link artifact; None for files
    # Text extracted from the current version (PDF, Word, text), searched with the rest.
    extracted_text: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    school: Mapped[School] = relationship()
    author: Mapped[User | None] = relationship()
    change_ideas: Mapped[list[ChangeIdea]] = relationship(secondary=artifact_change_ideas, order_by="ChangeIdea.title")
    versions: Mapped[list[ArtifactVersion]] = relationship(
        back_populates="artifact", order_by="ArtifactVersion.number", cascade="all, delete-orphan"
    )


class ArtifactVersion(TenantMixin, TimestampMixin, db.Model):
    __tablename__ = "artifact_versions"
    __table_args__ = (
        Index("ix_artifact_versions_network_created", "network_id", "created_at", "id"),
        UniqueConstraint("artifact_id", "number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    artifact_id: Mapped[int] = mapped_column(ForeignKey("artifacts.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int] = mapped_column(BigInteger)
    content_type: Mapped[str] = mapped_column(String(100))  # sniffed from the bytes, not declared
    filename: Mapped[str] = mapped_column(String(255))  # sanitised original name, for downloads only
    note: Mapped[str] = mapped_column(Text, default="")
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    extraction_status: Mapped[str] = mapped_column(String(7), default="pending")
    extraction_error: Mapped[str] = mapped_column(String(300), default="")
    extracted_text: Mapped[str] = mapped_column(Text, default="")
    preview_status: Mapped[str] = mapped_column(String(7), default="pending")
    preview_sha256: Mapped[str | None] = mapped_column(String(64))  # a PNG thumbnail in storage

    artifact: Mapped[Artifact] = relationship(back_populates="versions")
    uploaded_by: Mapped[User | None] = relationship()


class ArtifactCycleLink(TenantMixin, TimestampMixin, db.Model):
    """A cycle used this artifact (e.g. attached from its Do step), optionally a specific
    version of it."""

    __tablename__ = "artifact_cycle_links"
    __table_args__ = (UniqueConstraint("artifact_id", "cycle_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    artifact_id: Mapped[int] = mapped_column(ForeignKey("artifacts.id", ondelete="CASCADE"), index=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id", ondelete="CASCADE"), index=True)
    version_id: Mapped[int | None] = mapped_column(ForeignKey("artifact_versions.id", ondelete="SET NULL"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    artifact: Mapped[Artifact] = relationship()
    cycle: Mapped[Cycle] = relationship()
    version: Mapped[ArtifactVersion | None] = relationship()
