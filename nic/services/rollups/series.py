"""The roll-up's per measure x school figures (rollup_measure_schools), taken from the
school's chart itself.

Every series goes through nic.services.measures.charts.analyse_school_rows, the one path each
school chart takes (its page, the API, the small multiples), so a school counts as
having a signal exactly when its chart shows one: the rules of its chart type (Anhøj
on run charts, the Health Care Data Guide's on i, p and u charts), against its frozen
baseline and within its phases (nic.analytics, docs/SIGNALS.md). No rule is written
twice: the roll-up only stores what the analysis found.

Stored per series (a series with no recorded value has no row, as before):
- points: recorded values (a p or u point needs a numerator and a denominator above 0);
- latest_*: the last recorded point, with its numerator and denominator on p and u
  charts (the network's pooled value is summed from them, nic.services.rollups.sql);
- center: the chart's center line at that point (the current phase's median, mean or
  p̄/ū, or the frozen baseline's);
- longest_run, crossings: the Anhøj figures of the current phase (analysis.runs);
- signal: the chart's headline verdict (analysis.signal).

Reading is three statements, each naming `network_id` (text SQL, like rollup_sql: the
ORM's tenant scoping does not reach a side connection): the measures, the schools'
chart splits, and the points. On PostgreSQL the points arrive as one row of arrays per
series (array_agg over the unique index's order), so a million points cost the client
a few thousand rows, not a million; elsewhere they arrive ordered by series and are
grouped with itertools.groupby. The order of the points inside a series does not
matter: analyse_school_rows places them on the period grid itself.

The measures and splits are plain rows carrying the attributes analyse_school_rows
reads (chart, frequency, baseline_points; start_date), so this module can run on a
connection of its own in a thread (nic.services.rollups.connections.SideWork) with no ORM session.
"""
from __future__ import annotations

from collections import defaultdict
from itertools import groupby
from operator import itemgetter

from sqlalchemy import Date, text

from nic.services.measures import charts

MEASURES = text("SELECT id, chart, frequency, baseline_points FROM measures WHERE network_id = :network_id")

SPLITS = """
    SELECT measure_id, school_id, start_date FROM chart_splits
    WHERE network_id = :network_id AND school_id IS NOT NULL {school}
    ORDER BY start_date, id
"""

# No ORDER BY inside array_agg: it would sort every series again (PostgreSQL 15 does not
# see that the index already delivers them in period order), and the order is not needed.
POINTS_GROUPED = """
    SELECT measure_id, school_id, array_agg(period) AS periods, array_agg(value) AS vals,
           array_agg(numerator) AS nums, array_agg(denominator) AS dens
    FROM measure_points WHERE network_id = :network_id {school}
    GROUP BY measure_id, school_id
"""

POINTS_ORDERED = """
    SELECT measure_id, school_id, period, value, numerator, denominator
    FROM measure_points WHERE network_id = :network_id {school}
    ORDER BY measure_id, school_id
"""

_SERIES_KEY = itemgetter(0, 1)


def measure_school_rows(connection, network_id: int, school_id: int | None = None) -> list[dict]:
    """The rollup_measure_schools rows (without network_id and computed_at) of every
    series of the network, or of one school's series, read on `connection`."""
    params = {"network_id": network_id}
    school = ""
    if school_id is not None:
        school, params["school_id"] = "AND school_id = :school_id", school_id
    measures = {row.id: row for row in connection.execute(MEASURES, params)}
    splits = defaultdict(list)
    for split in connection.execute(text(SPLITS.format(school=school)).columns(start_date=Date), params):
        splits[split.measure_id, split.school_id].append(split)
    rows = []
    for measure_id, series_school_id, points in _series_points(connection, params, school):
        series, analysis = charts.analyse_school_rows(measures[measure_id], points,
                                                      splits.get((measure_id, series_school_id), []))
        figures = _figures(series, analysis)
        if figures is not None:
            rows.append({"measure_id": measure_id, "school_id": series_school_id, **figures})
    return rows


def _series_points(connection, params: dict, school: str):
    """(measure_id, school_id, points) per series; points: (period, value, numerator,
    denominator) tuples in any order."""
    if connection.dialect.name == "postgresql":
        for measure_id, school_id, periods, values, numerators, denominators in connection.execute(
                text(POINTS_GROUPED.format(school=school)), params):
            yield measure_id, school_id, zip(periods, values, numerators, denominators)
        return
    ordered = connection.execute(text(POINTS_ORDERED.format(school=school)).columns(period=Date), params)
    for (measure_id, school_id), group in groupby(ordered, key=_SERIES_KEY):
        yield measure_id, school_id, [row[2:] for row in group]


def _figures(series, analysis) -> dict | None:
    """What the roll-up keeps of one analysed chart, or None when it has no recorded
    value (missing periods and zero denominators are None in series.values)."""
    values = series.values
    last = len(values) - 1
    while last >= 0 and values[last] is None:
        last -= 1
    if last < 0:
        return None
    ratio = series.numerators is not None
    return {
        "points": len(values) - values.count(None),
        "latest_period": series.periods[last],
        "latest_value": values[last],
        "latest_numerator": series.numerators[last] if ratio else None,
        "latest_denominator": series.denominators[last] if ratio else None,
        "center": analysis.center[last],
        "longest_run": analysis.runs.longest_run,
        "crossings": analysis.runs.crossings,
        "signal": analysis.signal,
    }
