"""The demo's calendar: its story is written for one autumn, and seeded onto this one.

The demo's cycles, measure points, chart split and theory history are written as dates of
the autumn of 2026, ending in the week of `STORY_WEEK`. `nic demo` moves all of them by
the same whole number of weeks, so that the story ends in the current week whenever it
is seeded: a demo seeded in 2028 still fills the dashboard's default range, and weekly
periods stay on Mondays. Relative dates (stalled cycles, rating rounds) already count
back from `nic.clock`.
"""

from __future__ import annotations

from datetime import date, timedelta

from nic.services.measures.periods import current_period

STORY_WEEK = date(2026, 11, 16)  # the Monday of the demo story's last week


def offset(today: date | None = None) -> timedelta:
    """How far the story moves: whole weeks from `STORY_WEEK` to the current week."""
    return current_period("weekly", today) - STORY_WEEK
