"""The period grid and the point services below the front ends: pure date arithmetic,
the one check every way in shares, and set-based writes and reads (the number of SQL
statements does not grow with the number of points or measures)."""

from contextlib import contextmanager
from datetime import date, timedelta

import pytest
from sqlalchemy import event

from nic.extensions import db
from nic.services.measures import periods, points
from nic.services.measures.points import PointsInvalid
from nic.tenancy import use_network
from tests.factories import make_measure, make_points
from tests.measures.conftest import audit_of, stored

# --- periods --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "day, weekly, monthly",
    [
        (date(2026, 9, 7), date(2026, 9, 7), date(2026, 9, 1)),  # a Monday
        (date(2026, 9, 13), date(2026, 9, 7), date(2026, 9, 1)),  # the Sunday after
        (date(2027, 1, 1), date(2026, 12, 28), date(2027, 1, 1)),  # a week across the new year
        (date(2028, 2, 29), date(2028, 2, 28), date(2028, 2, 1)),
    ],
)
def test_period_of(day, weekly, monthly):
    assert periods.period_of(day, "weekly") == weekly
    assert periods.period_of(day, "monthly") == monthly
    assert periods.is_on_grid(weekly, "weekly") and periods.is_on_grid(monthly, "monthly")


def test_off_grid_messages_name_the_period_to_use():
    assert periods.off_grid_message(date(2026, 9, 9), "weekly") == (
        "2026-09-09 is not a Monday (it is a Wednesday); weekly periods start on Mondays: use 2026-09-07"
    )
    assert periods.off_grid_message(date(2026, 9, 9), "monthly") == (
        "2026-09-09 is not the first of a month; monthly periods start on the 1st: use 2026-09-01"
    )
    assert periods.off_grid_message(date(2026, 9, 7), "weekly") is None


def test_shift_and_periods_between():
    assert periods.shift(date(2026, 11, 1), "monthly", 3) == date(2027, 2, 1)
    assert periods.shift(date(2026, 1, 1), "monthly", -1) == date(2025, 12, 1)
    assert periods.shift(date(2026, 9, 7), "weekly", -2) == date(2026, 8, 24)
    assert periods.periods_between(date(2026, 9, 9), date(2026, 9, 22), "weekly") == [
        date(2026, 9, 7),
        date(2026, 9, 14),
        date(2026, 9, 21),
    ]
    assert periods.periods_between(date(2026, 11, 15), date(2027, 1, 2), "monthly") == [
        date(2026, 11, 1),
        date(2026, 12, 1),
        date(2027, 1, 1),
    ]
    assert periods.periods_between(date(2026, 9, 22), date(2026, 9, 9), "weekly") == []


def test_recent_periods_page_back_in_time():
    today = date(2026, 11, 25)  # a Wednesday
    assert periods.recent_periods("weekly", 3, today=today) == [
        date(2026, 11, 23),
        date(2026, 11, 16),
        date(2026, 11, 9),
    ]
    assert periods.recent_periods("weekly", 3, page=2, today=today) == [
        date(2026, 11, 2),
        date(2026, 10, 26),
        date(2026, 10, 19),
    ]
    assert periods.recent_periods("monthly", 2, page=2, today=today) == [date(2026, 9, 1), date(2026, 8, 1)]


@pytest.mark.parametrize(
    "raw, words",
    [
        ("", "is required"),
        (None, "is required"),
        ("20260907", "YYYY-MM-DD"),
        ("2026-W37-1", "YYYY-MM-DD"),
        ("2026-13-01", "is not a date in the calendar"),
        ("1899-01-02", "outside the years 1990 to 2100"),
    ],
)
def test_check_period_refuses(raw, words):
    with pytest.raises(ValueError, match=words):
        periods.check_period(raw, "weekly")


def test_labels():
    assert periods.label(date(2026, 9, 7), "weekly") == "Week of 7 Sep 2026"
    assert periods.label(date(2026, 9, 1), "monthly") == "September 2026"


# --- the one check --------------------------------------------------------------------------


def check(measure, *rows):
    return points.check_points(measure, list(enumerate(rows)), lambda ref, column: f"{ref}.{column}")


def test_the_check_turns_text_and_json_numbers_into_points(a, tenants):
    run = make_measure(a.network, "Alphaville checks run")
    p = make_measure(a.network, "Alphaville checks p", chart="p")
    assert check(run, {"period": "2026-09-07", "value": " -2.5 "}, {"period": date(2026, 9, 14), "value": 3}) == [
        points.PointIn(date(2026, 9, 7), value=-2.5),
        points.PointIn(date(2026, 9, 14), value=3.0),
    ]
    assert check(p, {"period": "2026-09-07", "numerator": "20", "denominator": 20.0}) == [
        points.PointIn(date(2026, 9, 7), numerator=20, denominator=20)
    ]  # all of them is fine


def test_the_check_reports_every_problem_with_its_ref(a, tenants):
    u = make_measure(a.network, "Alphaville checks u", chart="u")
    with pytest.raises(PointsInvalid) as caught:
        check(
            u,
            {"period": "2026-09-07", "numerator": "2.5", "denominator": "0.5"},  # fine on a u chart
            {"period": "2026-09-08", "numerator": "x", "denominator": "0"},
            "not a row",
        )
    assert [(e.ref, e.column) for e in caught.value.errors] == [
        (1, "period"),
        (1, "numerator"),
        (1, "denominator"),
        (2, None),
    ]
    assert caught.value.fields["1.numerator"] == "must be a number (got 'x')"


# --- set-based writes and reads --------------------------------------------------------------


@contextmanager
def statements():
    seen = []

    def count(conn, cursor, statement, parameters, context, executemany):
        if not statement.startswith(("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO")):  # the test's transaction
            seen.append(statement)

    engine = db.session.get_bind()
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)


def test_saving_many_points_takes_a_fixed_number_of_statements(a, tenants):
    run = make_measure(a.network, "Alphaville bulk")
    start = date(2020, 1, 6)
    make_points(run, a.schools[0], [(start + timedelta(weeks=i), 1.0) for i in range(200)])
    db.session.commit()
    rows = [points.PointIn(start + timedelta(weeks=i), value=2.0) for i in range(400)]  # 200 updates, 200 new
    school_id, user_id = a.schools[0].id, a.teacher_leader.user.id  # read before counting
    with use_network(a.network):
        db.session.refresh(run)  # loaded by the caller, as the API view does
        with statements() as seen:
            saved = points.save(run, school_id, rows, user_id, "api")
    assert (saved.created, saved.updated, saved.unchanged) == (200, 200, 0)
    assert len(seen) <= 6, seen  # the load, one batched update, batched inserts of points and audit entries
    assert len(stored(a, run, a.schools[0])) == 400
    assert len(audit_of(a, run, a.schools[0])) == 400


def test_the_list_page_queries_do_not_grow_with_measures(client, a, login_as):
    login_as(a.member.user)
    with statements() as few:
        assert client.get("/n/alpha/measures").status_code == 200
    for i in range(8):
        measure = make_measure(a.network, f"Alphaville extra {i}", kind=("outcome", "process", "balancing")[i % 3])
        make_points(measure, a.schools[i % 2], [(date(2026, 9, 7), i)])
    db.session.commit()
    login_as(a.member.user)
    with statements() as many:
        assert client.get("/n/alpha/measures").status_code == 200
    assert len(many) == len(few)


def test_a_concurrent_insert_of_the_same_period_is_a_conflict_and_writes_nothing(a, tenants, monkeypatch):
    from nic.services.errors import Conflict

    run = make_measure(a.network, "Alphaville race")
    db.session.commit()
    # The other writer's row appears between our read of existing points and our insert.
    real_existing = points._existing

    def racing(measure_id, school_id, wanted):
        found = real_existing(measure_id, school_id, wanted)
        make_points(run, a.schools[0], [(date(2026, 9, 7), 99)])
        return found

    monkeypatch.setattr(points, "_existing", racing)
    with use_network(a.network), pytest.raises(Conflict):
        points.save(
            run,
            a.schools[0].id,
            [points.PointIn(date(2026, 9, 7), value=1), points.PointIn(date(2026, 9, 14), value=2)],
            None,
            "api",
        )
    assert date(2026, 9, 14) not in stored(a, run, a.schools[0])
