"""The tenant (Network) and its member schools."""

from __future__ import annotations

from sqlalchemy import Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from nic.extensions import db
from nic.models.base import TenantMixin, TimestampMixin


class Network(TimestampMixin, db.Model):
    __tablename__ = "networks"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    # A pooled period counts only when at least this percentage of the schools that
    # report the measure reported it (docs/SIGNALS.md, "Pooled series"); below it the
    # period is drawn hollow and left out of the center line, limits and rules.
    reporting_threshold: Mapped[int] = mapped_column(Integer, default=80, server_default="80")

    def __repr__(self) -> str:
        return f"<Network {self.slug}>"


class School(TenantMixin, TimestampMixin, db.Model):
    __tablename__ = "schools"
    __table_args__ = (UniqueConstraint("network_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    # A label facilitators use to compare sets of schools ("Cohort 1", "Middle schools");
    # the dashboard filters by it. Empty: no group.
    group_name: Mapped[str] = mapped_column(String(100), default="", server_default="")

    def __repr__(self) -> str:
        return f"<School {self.id} {self.name!r}>"
