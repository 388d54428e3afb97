"""The period grid of a measure: every value belongs to one period, named by its first
day. Weekly measures use Mondays (ISO weeks), monthly measures the first of the month.

A fixed grid is what lets a chart put schools side by side and see a missing week as a
gap: "the week of 7 September" is one date whoever typed it, whichever day they did.
Pure functions of dates; nothing here touches the database or the request.
"""
from __future__ import annotations

import re
from datetime import date, timedelta

from nic import clock

# Years a period may fall in: wide enough for any real series, narrow enough to catch a
# typo like 2062 or 0226 before it stretches every chart over decades.
FIRST_YEAR = 1990
LAST_YEAR = 2100

ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def period_of(day: date, frequency: str) -> date:
    """The period `day` falls in: its week's Monday, or its month's first day."""
    if frequency == "weekly":
        return day - timedelta(days=day.weekday())
    if frequency == "monthly":
        return day.replace(day=1)
    raise ValueError(f"unknown frequency {frequency!r}")


def current_period(frequency: str, today: date | None = None) -> date:
    return period_of(today or clock.today(), frequency)


def is_on_grid(day: date, frequency: str) -> bool:
    return period_of(day, frequency) == day


def off_grid_message(day: date, frequency: str) -> str | None:
    """Why `day` is not a period of this frequency (None if it is one), naming the
    period it falls in so the fix is obvious."""
    if is_on_grid(day, frequency):
        return None
    start = period_of(day, frequency).isoformat()
    if frequency == "weekly":
        return (f"{day.isoformat()} is not a Monday (it is a {WEEKDAY_NAMES[day.weekday()]}); "
                f"weekly periods start on Mondays: use {start}")
    return f"{day.isoformat()} is not the first of a month; monthly periods start on the 1st: use {start}"


def shift(period: date, frequency: str, steps: int) -> date:
    """The period `steps` periods after `period` (before, if negative)."""
    if frequency == "weekly":
        return period + timedelta(weeks=steps)
    months = period.year * 12 + (period.month - 1) + steps
    return date(months // 12, months % 12 + 1, 1)


def periods_between(first: date, last: date, frequency: str) -> list[date]:
    """Every period from the one holding `first` to the one holding `last`, oldest first."""
    period, end = period_of(first, frequency), period_of(last, frequency)
    out = []
    while period <= end:
        out.append(period)
        period = shift(period, frequency, 1)
    return out


def recent_periods(frequency: str, count: int, page: int = 1, today: date | None = None) -> list[date]:
    """Page `page` of the grid going back in time, newest first: page 1 is the current
    period and the `count - 1` before it, page 2 the `count` before those, and so on."""
    newest = shift(current_period(frequency, today), frequency, -(page - 1) * count)
    return [shift(newest, frequency, -i) for i in range(count)]


def parse_date(text) -> date:
    """A date written YYYY-MM-DD (what the API, the CSV template and date inputs send)."""
    if isinstance(text, date):
        return text
    if not isinstance(text, str) or not text.strip():
        raise ValueError("is required")
    value = text.strip()
    # fromisoformat alone would also take 20260907 and week dates (2026-W37-1): keep one form
    if not ISO_DATE.match(value):
        raise ValueError(f"must be a date written YYYY-MM-DD (got {value[:40]!r})")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{value} is not a date in the calendar") from None


def check_period(raw, frequency: str) -> date:
    """The period written in `raw`, or ValueError saying what is wrong with it."""
    day = parse_date(raw)
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise ValueError(f"{day.isoformat()} is outside the years {FIRST_YEAR} to {LAST_YEAR}")
    message = off_grid_message(day, frequency)
    if message:
        raise ValueError(message)
    return day


def label(period: date, frequency: str) -> str:
    """How a person reads a period: "Week of 7 Sep 2026" or "September 2026"."""
    if frequency == "weekly":
        return f"Week of {period.day} {period:%b %Y}"
    return f"{period:%B %Y}"
