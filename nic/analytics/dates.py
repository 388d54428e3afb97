"""Dates as a summary writes them: in English whatever the server's locale, as months
for a monthly measure ("Sep 2026", not "1 Sep 2026"), and consecutive periods as one
range ("8 weeks, 7 Sep – 26 Oct") rather than a list a reader has to count.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from itertools import pairwise

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
RANGE_FROM = 3  # this many consecutive periods or more are written as a range


class DateWriter:
    """Writes the periods of one series. `year` is the year of the latest recorded
    point: short dates in that year leave the year out.

    frequency: "weekly" or "monthly"; None infers it (monthly when every period is the
    first of a month: nic's monthly periods are, and a weekly series of Mondays cannot
    be for more than a point or two).
    """

    def __init__(self, periods: Sequence[date], year: int, frequency: str | None = None):
        if frequency not in (None, "weekly", "monthly"):
            raise ValueError('frequency must be "weekly", "monthly" or None')
        self.periods = periods
        self.year = year
        self.monthly = frequency == "monthly" or (frequency is None and all(p.day == 1 for p in periods))

    def long(self, day: date) -> str:
        month = MONTHS[day.month - 1]
        return f"{month} {day.year}" if self.monthly else f"{day.day} {month} {day.year}"

    def short(self, day: date) -> str:
        if self.monthly:  # a month alone is vague without its year
            return self.long(day)
        return f"{day.day} {MONTHS[day.month - 1]}" if day.year == self.year else self.long(day)

    def span(self, indices: Sequence[int], last_recorded: int) -> str:
        """ "since X" for a stretch that reaches the latest point, else "from X to Y"."""
        first = self.long(self.periods[indices[0]])
        if indices[-1] == last_recorded:
            return f"since {first}"
        return f"from {first} to {self.long(self.periods[indices[-1]])}"

    def listing(self, indices: Sequence[int]) -> str:
        """The dates of some points: runs of RANGE_FROM or more consecutive periods as
        one range with its length, the others one by one."""
        parts = []
        for run in _consecutive(indices):
            if len(run) >= RANGE_FROM:
                parts.append(f"{len(run)} {self._unit(run)}, {self.between(run[0], run[-1])}")
            else:
                parts.extend(self.short(self.periods[i]) for i in run)
        return ", ".join(parts)

    def _unit(self, run: list[int]) -> str:
        if self.monthly:
            return "months"
        steps = {(self.periods[b] - self.periods[a]).days for a, b in pairwise(run)}
        return "weeks" if steps == {7} else "periods"

    def between(self, first: int, last: int) -> str:
        """The periods at indices first..last as one range ("7 Sep – 26 Oct")."""
        a, b = self.periods[first], self.periods[last]
        if a.year != b.year:
            return f"{self.long(a)} – {self.long(b)}"
        if self.monthly:
            return f"{MONTHS[a.month - 1]} – {self.long(b)}"
        return f"{a.day} {MONTHS[a.month - 1]} – {self.short(b)}"


def _consecutive(indices: Sequence[int]) -> list[list[int]]:
    runs: list[list[int]] = []
    for i in indices:
        if runs and i == runs[-1][-1] + 1:
            runs[-1].append(i)
        else:
            runs.append([i])
    return runs
