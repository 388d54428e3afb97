"""Column mixins shared by the aggregates."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import DateTime, ForeignKey
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

from nic.clock import utcnow


class UTCDateTime(TypeDecorator):
    """A timezone-aware UTC datetime on every database. SQLite keeps no zone and hands
    back naive values, which would not compare with `utcnow()`."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None and value.tzinfo is not None:
            value = value.astimezone(UTC)
        return value

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class TenantMixin:
    """Marks a model as owned by one network.

    nic.tenancy adds `network_id = <current network>` to every query that touches a
    model with this mixin and stamps it on inserts; see that module before adding an
    unscoped query anywhere.
    """

    network_id: Mapped[int] = mapped_column(ForeignKey("networks.id", ondelete="CASCADE"), index=True)


# Indexes that exist in the database but not in the models: PostgreSQL full-text
# expression indexes, created by a migration for PostgreSQL only. Alembic's comparison
# (migrations/env.py, tests/test_migrations.py) leaves them out.
DATABASE_ONLY_INDEXES = frozenset({"ix_cycles_search", "ix_change_ideas_search", "ix_artifacts_search"})


def include_in_schema_comparison(obj, name, type_, reflected, compare_to) -> bool:
    return not (type_ == "index" and name in DATABASE_ONLY_INDEXES)
