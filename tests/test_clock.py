"""One clock: nic reads the time only through nic.clock, the database never supplies it,
and the suite's `clock` fixture moves everything that depends on the date."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from nic import clock as nic_clock
from nic.extensions import db
from nic.models import Network
from nic.services.measures import periods
from tests.clock import AWKWARD_DATES, DEFAULT_TODAY, parse_instant, real_now

ROOT = Path(__file__).resolve().parents[1]

# Ways Python code or SQL could read a clock other than nic.clock.
CLOCK_READS = re.compile(
    r"datetime\.(?:now|utcnow|today)\(|date\.today\(|time\.(?:time|time_ns|gmtime|localtime)\("
    r"|func\.(?:now|current_date|current_timestamp|localtimestamp)\b"
    r"|\b(?:CURRENT_DATE|CURRENT_TIMESTAMP|LOCALTIMESTAMP|LOCALTIME|now\(\)|clock_timestamp|statement_timestamp"
    r"|transaction_timestamp|julianday\('now'\)|date\('now'\)|datetime\('now'\))",
    re.IGNORECASE,
)


def _sources():
    for folder in ("nic", "worker", "migrations"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            if path == ROOT / "nic" / "clock.py":
                continue
            yield path


def test_only_nic_clock_reads_the_clock():
    found = []
    for path in _sources():
        for number, line in enumerate(path.read_text().splitlines(), 1):
            code = line.split("#", 1)[0]
            if CLOCK_READS.search(code):
                found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert found == [], "read the time through nic.clock (utcnow/today):\n" + "\n".join(found)


def test_the_guard_would_catch_each_kind_of_clock_read():
    for line in (
        "x = date.today()",
        "datetime.now(timezone.utc)",
        "server_default=func.now()",
        "WHERE due < CURRENT_DATE",
        "now() - interval '1 day'",
        "time.time()",
        "datetime('now')",
    ):
        assert CLOCK_READS.search(line), line
    for line in ("rollups.run_now()", "last_login_at = utcnow()", "clock.today()"):
        assert not CLOCK_READS.search(line), line


def test_each_test_starts_at_the_chosen_day(clock, pytestconfig):
    chosen = parse_instant(pytestconfig.getoption("--today"))
    assert clock.start == chosen
    assert abs(nic_clock.utcnow() - chosen) < timedelta(minutes=1)
    assert nic_clock.today() == chosen.date() == date.today() == clock.today()  # noqa: DTZ011 (the real clock moved)


def test_the_default_day_is_fixed_not_the_calendar():
    assert parse_instant(DEFAULT_TODAY) == datetime(2026, 11, 18, 12, tzinfo=UTC)
    assert parse_instant("2027-03-15T23:30:00") == datetime(2027, 3, 15, 23, 30, tzinfo=UTC)
    assert parse_instant("2027-03-15T23:30:00-05:00").utcoffset() == timedelta(hours=-5)
    assert {date.fromisoformat(day).isoformat() for day in AWKWARD_DATES} >= {"2026-12-31", "2027-01-01", "2028-02-29"}
    # A first of a month that falls on a Sunday, and a Monday after a DST change, are in the set.
    assert any(date.fromisoformat(day).day == 1 and date.fromisoformat(day).weekday() == 6 for day in AWKWARD_DATES)
    assert date(2027, 3, 15).weekday() == 0 and "2027-03-15" in AWKWARD_DATES


def test_moving_the_clock_moves_the_product(clock):
    clock.move_to("2028-02-29")
    assert periods.current_period("weekly") == date(2028, 2, 28)
    assert periods.current_period("monthly") == date(2028, 2, 1)
    clock.move_to(date(2026, 12, 31))
    assert periods.current_period("weekly") == date(2026, 12, 28)
    assert periods.current_period("monthly") == date(2026, 12, 1)
    clock.shift(timedelta(days=1))
    assert nic_clock.today() == date(2027, 1, 1) and periods.current_period("monthly") == date(2027, 1, 1)


@pytest.mark.real_clock
def test_a_real_clock_test_sees_the_real_time(clock):
    assert abs(nic_clock.utcnow() - real_now()) < timedelta(seconds=5)


def test_rows_are_stamped_by_the_python_clock_not_the_database(db_session, clock):
    """PostgreSQL's now() is the real time; a row written under a moved clock must carry
    the moved time, which it does only because no default comes from the database."""
    clock.move_to("2031-07-04T09:00:00")
    network = Network(slug="clockwork", name="Clockwork NIC")
    db.session.add(network)
    db.session.flush()
    db.session.expire(network)
    stamped = db.session.scalar(select(Network.created_at).where(Network.id == network.id))
    assert stamped.date() == date(2031, 7, 4)
    assert abs(stamped - datetime(2031, 7, 4, 9, tzinfo=UTC)) < timedelta(minutes=1)
