"""Data for the chart tests: weekly series that carry a known signal, and helpers to
lay them down as points through the factories."""

from __future__ import annotations

from datetime import date, timedelta

from tests import factories

MONDAY = date(2026, 3, 2)


def weeks(count: int, start: date = MONDAY) -> list[date]:
    return [start + timedelta(weeks=i) for i in range(count)]


# 16 weekly values: 8 around 10, then 8 around 16 — a shift above the median at the end.
SHIFTED = [10, 9, 11, 10, 12, 9, 10, 11, 15, 16, 17, 15, 16, 18, 16, 17]


def values_points(measure, school, values, start: date = MONDAY):
    """Run or i chart points; None values are left out (a missing week)."""
    rows = [(period, value) for period, value in zip(weeks(len(values), start), values) if value is not None]
    return factories.make_points(measure, school, rows)


def ratio_points(measure, school, pairs, start: date = MONDAY):
    """p or u chart points from (numerator, denominator) pairs; None pairs are left out."""
    rows = [
        (period, n, d) for period, pair in zip(weeks(len(pairs), start), pairs) if pair is not None for n, d in [pair]
    ]
    return factories.make_points(measure, school, rows)
