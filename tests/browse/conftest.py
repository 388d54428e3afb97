"""Fixtures for the browsing tests: the hand-built cycles of tests/browse/world.py and a
counter of SQL statements (for the no-N+1 checks)."""
from __future__ import annotations

from contextlib import contextmanager

import pytest
from sqlalchemy import event

from tests.browse.world import build_world


@pytest.fixture
def world(tenants, db_session):
    built = build_world(tenants.a)
    db_session.commit()
    return built


@pytest.fixture
def count_queries(db_session):
    """`with count_queries() as seen:` collects the SQL statements run inside the block."""

    @contextmanager
    def counting():
        seen: list[str] = []

        def before(conn, cursor, statement, parameters, context, executemany):
            seen.append(statement)

        # A request starts with nothing loaded, as in production (a session per request); here
        # the test's requests share the test's session: expire what earlier requests loaded.
        db_session.expire_all()
        engine = db_session.get_bind().engine
        event.listen(engine, "before_cursor_execute", before)
        try:
            yield seen
        finally:
            event.remove(engine, "before_cursor_execute", before)

    return counting
