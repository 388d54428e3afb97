"""The one clock nic reads.

Every "what time is it" in the product comes from here: timestamps written to rows
(model defaults and services), "today" for period grids, the current week or month, due
and overdue data, stalled-cycle ages, digest windows, invitation and reset expiry, round
dates and the dashboard's default range.

The database never supplies the time: no column defaults to the server's `now()` and no
query compares with `CURRENT_DATE` or `now()` (tests/test_clock.py checks the sources),
so a test that moves this clock (the suite's `clock` fixture, with time-machine) moves
everything that depends on it, and PostgreSQL's own clock cannot contradict it.

Times are UTC. Durations that are not about the calendar (timeouts, deadlines,
heartbeats) use `time.monotonic()` where they are measured and are not read here.
"""

from __future__ import annotations

from datetime import UTC, date, datetime


def utcnow() -> datetime:
    """Now, as a timezone-aware UTC datetime."""
    return datetime.now(UTC)


def today() -> date:
    """Today's date in UTC: the day `utcnow()` falls on."""
    return utcnow().date()
