"""The dashboard reads the snapshot with a fixed number of statements: as many with 13
schools as with 3 (no per-school loop issuing queries)."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import timedelta

from sqlalchemy import event

from nic.clock import utcnow
from nic.extensions import db
from tests.dashboard.conftest import MONDAY, compute
from tests.factories import make_change_idea, make_cycle, make_points, make_school


@contextmanager
def counting():
    seen: list[str] = []

    def count(conn, cursor, statement, params, context, executemany):
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
            seen.append(statement)

    # A request starts with nothing loaded, as in production (a session per request); here
    # the test's requests share the test's session: expire what earlier requests loaded.
    db.session.expire_all()
    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def grow(a, n: int) -> None:
    """n more schools, each with cycles of a new change idea, a stalled cycle and points."""
    now = utcnow()
    for i in range(n):
        school = make_school(a.network, f"Grown School {i}")
        idea = make_change_idea(a.network, f"Grown idea {i}")
        make_cycle(
            school,
            a.teacher_leader.user,
            phase="done",
            change_idea=idea,
            act_decision="adopt",
            start_date=MONDAY,
            phase_changed_at=now - timedelta(days=1),
        )
        make_cycle(
            school,
            a.teacher_leader.user,
            f"Grown stalled {i}",
            phase="do",
            start_date=MONDAY,
            updated_at=now - timedelta(days=30),
        )
        make_points(a.measure, school, [(MONDAY, 5, 10), (MONDAY + timedelta(weeks=1), 6, 10)])
    db.session.commit()
    compute(a.network)


def queries_for(client, url) -> list[str]:
    with counting() as seen:
        response = client.get(url)
    assert response.status_code == 200
    return seen


def test_the_query_count_does_not_grow_with_schools(client, rolled, login_as):
    a = rolled.a
    login_as(a.facilitator.user)
    urls = [
        f"/n/{a.network.slug}/dashboard",
        f"/n/{a.network.slug}/dashboard?group=Cohort+1",
        f"/n/{a.network.slug}/dashboard/school/{a.schools[0].id}",
        f"/n/{a.network.slug}/dashboard/report",
    ]
    small = {url: len(queries_for(client, url)) for url in urls}
    grow(a, 10)
    large = {url: len(queries_for(client, url)) for url in urls}
    assert large == small
    assert small[urls[0]] <= 25, small  # a handful, whatever the size of the network
    body = client.get(urls[0]).get_data(as_text=True)
    assert "Grown stalled 9" in body and "13 schools" in body  # the growth really is on the page
