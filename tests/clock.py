"""The suite's one clock: every test starts at the same instant, whatever the calendar.

nic reads the time through `nic.clock` (and nothing else: tests/test_clock.py checks),
so moving Python's clock with time-machine moves everything that depends on the date:
period grids and pages, the current week or month, due and overdue data, stalled ages,
digest windows, expiry of invitations and resets, round dates, roll-up periods and the
dashboard's default range. The database never supplies the time, so PostgreSQL's
`now()` cannot contradict the frozen Python clock.

- `--today=YYYY-MM-DD` (or a full ISO instant) sets the instant every test starts at;
  the default, `DEFAULT_TODAY`, is a fixed Wednesday in term. The clock ticks from there
  (a test that waits a second sees a second pass) and is set back at each test's start.
- The `clock` fixture answers that instant (`clock.now()`, `clock.today()`) and moves it
  for one test (`clock.move_to(...)`, `clock.shift(...)`), e.g. to the last day of a year.
- Tests that talk to processes or servers on the real clock keep the real clock: marked
  `live` or `e2e` (their `nic serve` and Celery workers run beside the suite), or
  `real_clock` (e.g. S3 requests, whose signatures carry the time and are refused when
  it is weeks off). Their data is built relative to the real now, the same clock their
  servers read.
- `make test-dates` runs the tests marked `calendar` (every test whose outcome depends
  on where today falls: `CALENDAR_PATHS`, or the marker itself) at each of
  `AWKWARD_DATES`. Live and browser tests are not among them: they run on the real
  clock, with data built relative to it.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

import pytest
import time_machine

# A Wednesday in the middle of a term, in the middle of a month: nothing about it is
# special, which is the point of a default. Midday UTC, so a test has hours before the
# date changes under it.
DEFAULT_TODAY = "2026-11-18"
MIDDAY = time(12, 0)

# Dates that have broken calendar code before: year ends, a leap day, the Monday after a
# daylight-saving change (US, 14 March 2027; EU, 28 March 2027), the first of a month that
# starts on a Sunday (1 August 2027), and a school-year boundary (1 September).
AWKWARD_DATES = (
    "2026-12-31",
    "2027-01-01",
    "2028-02-29",
    "2027-03-15",
    "2027-03-29",
    "2027-08-01",
    "2027-09-01",
)

# Where a test's outcome depends on where today falls: period grids and pages, the current
# period, due and overdue data, stalled ages, digest windows, expiry, round dates, roll-up
# periods, the dashboard's default range, the demo's calendar. Every test under these
# paths is marked `calendar` (a test elsewhere can carry the marker itself).
CALENDAR_PATHS = (
    "tests/test_clock.py",
    "tests/measures/",
    "tests/charts/",
    "tests/rollups/",
    "tests/dashboard/",
    "tests/notifications/test_digest.py",
    "tests/web/test_invitations.py",
    "tests/web/test_signin.py",
    "tests/assessments/",
    "tests/leadership/",
    "tests/activity/",
    "tests/theory/test_change_idea_pages.py",
    "tests/test_nudges.py",
    "tests/test_demo.py",
    "tests/test_bench_seed.py",
)

REAL_CLOCK_MARKERS = ("live", "e2e", "real_clock")
# Storage tests run against SeaweedFS, whose S3 signatures carry the real time.
REAL_CLOCK_PATHS = ("tests/storage/",)
# Fixtures that start or reach processes on the real clock: a test using one is on it too.
REAL_CLOCK_FIXTURES = ("serve", "celery_worker", "live_app", "live_db", "clean_live_db", "s3_server")


def parse_instant(text: str) -> datetime:
    """A date (taken at midday UTC) or an ISO instant (UTC unless it names a zone)."""
    try:
        day = date.fromisoformat(text)
    except ValueError:
        instant = datetime.fromisoformat(text)
        return instant if instant.tzinfo else instant.replace(tzinfo=timezone.utc)
    return datetime.combine(day, MIDDAY, tzinfo=timezone.utc)


def real_now() -> datetime:
    return datetime.fromtimestamp(time_machine.escape_hatch.time.time(), timezone.utc)


@dataclass
class Clock:
    """What a test sees of the clock: the instant it started at, and ways to move it."""

    start: datetime
    _traveller: time_machine.Coordinates

    def now(self) -> datetime:
        return datetime.now(timezone.utc)

    def today(self) -> date:
        return self.now().date()

    def move_to(self, when: datetime | date | str) -> datetime:
        """Jump to `when` (a date means midday UTC) and tick on from there."""
        if isinstance(when, str):
            when = parse_instant(when)
        elif not isinstance(when, datetime):
            when = datetime.combine(when, MIDDAY, tzinfo=timezone.utc)
        self._traveller.move_to(when)
        return when

    def shift(self, delta: timedelta) -> None:
        self._traveller.shift(delta)


def pytest_addoption(parser):
    parser.addoption("--today", default=DEFAULT_TODAY, metavar="DATE",
                     help=f"the instant each test starts at: a date (midday UTC) or an ISO instant "
                          f"(default {DEFAULT_TODAY}; `make test-dates` tries {', '.join(AWKWARD_DATES)})")


def pytest_configure(config):
    config.addinivalue_line("markers", "calendar: the outcome depends on where today falls (run by make test-dates)")
    config.addinivalue_line("markers", "real_clock: talks to something on the real clock; the clock is not moved")
    parse_instant(config.getoption("--today"))  # a bad --today fails the run at once


def pytest_collection_modifyitems(config, items):
    for item in items:
        path = item.path.relative_to(config.rootpath).as_posix()
        if path.startswith(CALENDAR_PATHS):
            item.add_marker(pytest.mark.calendar)
        if path.startswith(REAL_CLOCK_PATHS):
            item.add_marker(pytest.mark.real_clock)


_TRAVEL = pytest.StashKey[tuple]()


def pytest_sessionstart(session):
    """Travel before collection, so module constants and session fixtures see the chosen
    day too; each test then starts again at it (see `clock`)."""
    traveller = time_machine.travel(parse_instant(session.config.getoption("--today")), tick=True)
    session.config.stash[_TRAVEL] = (traveller, traveller.start())


def pytest_sessionfinish(session):
    travel = session.config.stash.get(_TRAVEL, None)
    if travel is not None:
        travel[0].stop()


@pytest.fixture(autouse=True)
def clock(request, pytestconfig) -> Clock:
    """Each test starts at `--today` (or, for tests on the real clock, at the real now)."""
    if (any(request.node.get_closest_marker(name) for name in REAL_CLOCK_MARKERS)
            or any(name in request.fixturenames for name in REAL_CLOCK_FIXTURES)):
        start = real_now()
    else:
        start = parse_instant(pytestconfig.getoption("--today"))
    coordinates = pytestconfig.stash[_TRAVEL][1]
    coordinates.move_to(start)
    return Clock(start, coordinates)
