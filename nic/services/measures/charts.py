"""A measure's chart: the series of one school, or of the whole network pooled, put on
the measure's period grid, split into phases, analysed by nic.analytics and shaped for
the page and for the API's `chart` answer.

Series assembly is set-based: one query per series (the pooled one aggregates in SQL
with GROUP BY period), and one query for all schools at once for the small multiples.

The pooled network value of a period:
- `p` and `u` charts: Σ numerators / Σ denominators over the schools that reported that
  period (the network's proportion or rate, weighting each school by its denominator,
  which is what a p or u chart of the whole population would show); the limits then use
  the pooled denominator, so a period with many students has narrower limits.
- `run` and `i` charts: the mean of the schools' values that period (each school counts
  once, whatever its size: the values carry no denominator to weight by).
Each pooled point knows how many schools reported it (`reporting`) out of how many
report the measure at all in the charted window (`expected`). A period below the
network's reporting threshold (nic.analytics.reporting: default 80%) is `excluded`: it is
drawn hollow, keeps its value for people to see, and takes no part in the center line,
limits or rules, so a school that stops reporting cannot pass for an improvement.

Missing periods between the first and the last recorded one stay in the series as gaps
(value None), so the chart shows them as gaps and the rules see them as missing, rather
than drawing two weeks three weeks apart as neighbours.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, timedelta
from operator import itemgetter

from sqlalchemy import and_, func, select

from nic.analytics import analyse, summarise
from nic.analytics.reporting import complete_mask, excluded_sentence
from nic.extensions import db
from nic.models import ChartSplit, Measure, MeasurePoint, Network, School

logger = logging.getLogger(__name__)

RATIO_CHARTS = ("p", "u")
_PERIOD = itemgetter(0)


@dataclass
class Series:
    """Points on the measure's period grid, oldest first. `numerators`/`denominators`
    are set for p and u charts (the values are their ratio), None otherwise."""

    periods: list[date]
    values: list[float | None]
    numerators: list[float | None] | None = None
    denominators: list[float | None] | None = None
    reporting: list[int] | None = None  # pooled series: schools behind each point
    expected: int | None = None  # pooled series: schools reporting the measure in the window
    threshold: int | None = None  # pooled series: the network's reporting threshold (%)
    excluded: list[int] = field(default_factory=list)  # pooled: recorded points below the threshold

    def __len__(self) -> int:
        return len(self.periods)

    @property
    def recorded(self) -> int:
        return sum(value is not None for value in self.values)


@dataclass
class Chart:
    """One analysed chart: whose it is, the series, its phases and what the rules found."""

    measure: Measure
    school: School | None  # None: the network's pooled chart
    series: Series
    analysis: object  # nic.analytics.Analysis
    splits: list[tuple[ChartSplit, int]] = field(default_factory=list)  # (split, index of its first point)
    summary: list[str] = field(default_factory=list)

    @property
    def pooled(self) -> bool:
        return self.school is None

    @property
    def signals(self) -> dict[str, bool]:
        return signal_flags(self.analysis)

    @property
    def has_signal(self) -> bool:
        return bool(self.analysis.signal)

    def contract(self) -> dict:
        """The API's `chart` answer (docs/INTERFACE.md): the analysis with each point's period;
        a pooled chart's points also say who reported them (docs/API.md)."""
        body = to_contract(self.analysis, self.series.periods)
        series = self.series
        if series.reporting is not None:
            excluded = set(series.excluded)
            for i, point in enumerate(body["points"]):
                point["value"] = series.values[i]  # an excluded point keeps its value, drawn hollow
                point["schools_reporting"] = series.reporting[i]
                point["schools_expected"] = series.expected
                point["excluded"] = i in excluded
        return body


# --- the period grid ------------------------------------------------------------------

def next_period(period: date, frequency: str) -> date:
    if frequency == "monthly":
        return date(period.year + period.month // 12, period.month % 12 + 1, 1)
    return period + timedelta(days=7)


def period_grid(first: date, last: date, frequency: str) -> list[date]:
    periods, period = [], first
    while period <= last:
        periods.append(period)
        period = next_period(period, frequency)
    return periods


def _grid_length(first: date, last: date, frequency: str) -> int:
    if frequency == "monthly":
        return (last.year - first.year) * 12 + last.month - first.month + 1
    return (last - first).days // 7 + 1


def _series_from_rows(measure: Measure, rows, pooled: bool = False) -> Series:
    """rows: (period, value, numerator, denominator, reporting) in any order."""
    rows = sorted(rows, key=_PERIOD)
    if not rows:
        return Series([], [])
    first, last = rows[0][0], rows[-1][0]
    monthly = measure.frequency == "monthly"
    if len(rows) == _grid_length(first, last, measure.frequency) and all(
            (row[0].day == 1) if monthly else (row[0].weekday() == first.weekday()) for row in rows):
        # No gap (the common case, and the roll-up's million points): the rows are the
        # grid. One period per row on the grid and as many rows as grid periods means
        # every grid period is there once (points are unique per school and period).
        periods = [row[0] for row in rows]
        picked = [row[1:] for row in rows]
    else:
        by_period = {row[0]: row[1:] for row in rows}
        periods = period_grid(first, last, measure.frequency)
        picked = [by_period.get(period, (None, None, None, 0)) for period in periods]
    reporting = [row[3] for row in picked] if pooled else None
    if measure.chart in RATIO_CHARTS:
        numerators = [row[1] for row in picked]
        denominators = [row[2] for row in picked]
        values = [_ratio(n, d) for n, d in zip(numerators, denominators)]
        return Series(periods, values, numerators, denominators, reporting)
    return Series(periods, [row[0] for row in picked], reporting=reporting)


def _ratio(numerator, denominator) -> float | None:
    if numerator is None or not denominator:
        return None  # no data, or a denominator of zero: no rate to show
    return numerator / denominator


# --- series ---------------------------------------------------------------------------

def school_series(measure: Measure, school_id: int) -> Series:
    rows = db.session.execute(
        select(MeasurePoint.period, MeasurePoint.value, MeasurePoint.numerator, MeasurePoint.denominator)
        .where(MeasurePoint.measure_id == measure.id, MeasurePoint.school_id == school_id)
    ).all()
    return _series_from_rows(measure, [(*row, 1) for row in rows])


def pooled_series(measure: Measure) -> Series:
    """The network's series, aggregated per period in SQL (see the module docstring),
    with who reported each period and which periods fall below the reporting threshold."""
    point = MeasurePoint
    if measure.chart in RATIO_CHARTS:
        # A point with a denominator of 0 has no value: neither summed nor counted as reported.
        reported = and_(point.numerator.is_not(None), point.denominator > 0)
        stmt = (
            select(point.period, func.sum(point.numerator), func.sum(point.denominator), func.count())
            .where(point.measure_id == measure.id, reported)
            .group_by(point.period)
        )
        rows = [(period, None, num, den, count) for period, num, den, count in db.session.execute(stmt)]
    else:
        reported = point.value.is_not(None)
        stmt = (
            select(point.period, func.avg(point.value), func.count())
            .where(point.measure_id == measure.id, reported)
            .group_by(point.period)
        )
        rows = [(period, float(mean), None, None, count) for period, mean, count in db.session.execute(stmt)]
    series = _series_from_rows(measure, rows, pooled=True)
    if not len(series):
        return series
    series.expected = db.session.scalar(
        select(func.count(func.distinct(point.school_id))).where(point.measure_id == measure.id, reported))
    series.threshold = db.session.scalar(select(Network.reporting_threshold).where(Network.id == measure.network_id))
    complete = complete_mask(series.reporting, series.expected, series.threshold)
    series.excluded = [i for i, value in enumerate(series.values) if value is not None and not complete[i]]
    return series


def all_school_series(measure: Measure) -> dict[int, Series]:
    """Every school's series of one measure, from one query (for the small multiples)."""
    rows = db.session.execute(
        select(MeasurePoint.school_id, MeasurePoint.period, MeasurePoint.value, MeasurePoint.numerator,
               MeasurePoint.denominator)
        .where(MeasurePoint.measure_id == measure.id)
        .order_by(MeasurePoint.school_id, MeasurePoint.period)
    ).all()
    grouped: dict[int, list[tuple]] = {}
    for school_id, *rest in rows:
        grouped.setdefault(school_id, []).append((*rest, 1))
    return {school_id: _series_from_rows(measure, school_rows) for school_id, school_rows in grouped.items()}


# --- phases ---------------------------------------------------------------------------

def splits_of(measure: Measure, school_id: int | None) -> list[ChartSplit]:
    """The phase starts of one chart: a school's, or (school_id None) the pooled one."""
    owner = ChartSplit.school_id.is_(None) if school_id is None else ChartSplit.school_id == school_id
    return list(db.session.scalars(
        select(ChartSplit).where(ChartSplit.measure_id == measure.id, owner)
        .order_by(ChartSplit.start_date, ChartSplit.id)
    ))


def split_indices(periods: list[date], splits: list[ChartSplit]) -> list[tuple[ChartSplit, int]]:
    """Each split with the index of the first period on or after its date. A split
    before the first point or after the last one starts no phase on this chart and is
    left out; two splits landing on the same point make one phase."""
    placed, seen = [], set()
    for split in splits:
        index = next((i for i, period in enumerate(periods) if period >= split.start_date), None)
        if index is None or index == 0 or index in seen:
            continue
        seen.add(index)
        placed.append((split, index))
    return placed


# --- analysis -------------------------------------------------------------------------

def analyse_school_rows(measure: Measure, rows, splits: list[ChartSplit]):
    """(series, analysis) of one school's chart from its points' rows (period, value,
    numerator, denominator; any order) and its splits: the one path every school chart
    takes, whether for its page, the API, the small multiples or the roll-up."""
    series = _series_from_rows(measure, [(*row, 1) for row in rows])
    placed = split_indices(series.periods, splits)
    return series, analyse_series(measure, series, [index for _, index in placed])


def analyse_series(measure: Measure, series: Series, split_at: list[int] = ()):
    """The analysis of a series; a pooled series' excluded periods go in as missing."""
    def kept(values):
        if not series.excluded or values is None:
            return values
        out = list(values)
        for i in series.excluded:
            out[i] = None
        return out

    if measure.chart in RATIO_CHARTS:
        return analyse(measure.chart, numerators=kept(series.numerators) or [],
                       denominators=kept(series.denominators) or [],
                       baseline=measure.baseline_points, splits=tuple(split_at))
    return analyse(measure.chart, kept(series.values), baseline=measure.baseline_points, splits=tuple(split_at))


def chart_for(measure: Measure, school: School | None) -> Chart:
    """The analysed chart of one school, or of the network pooled (school None)."""
    series = pooled_series(measure) if school is None else school_series(measure, school.id)
    placed = split_indices(series.periods, splits_of(measure, school.id if school else None))
    analysis = analyse_series(measure, series, [index for _, index in placed])
    summary: list[str] = []
    if len(series):
        if series.excluded:
            summary.append(excluded_sentence(series.periods, series.excluded, series.reporting, series.expected,
                                             series.threshold, measure.frequency))
        if any(value is not None for value in analysis.values):
            summary += summarise(analysis, series.periods, direction=measure.direction, unit=measure.unit or "",
                                 frequency=measure.frequency)
        else:
            summary.append("No signal yet: no period has enough schools reporting to judge.")
    return Chart(measure, school, series, analysis, placed, summary)


def to_contract(analysis, periods: list[date]) -> dict:
    body = analysis.to_contract()
    body["points"] = [{"period": period.isoformat(), **point} for period, point in zip(periods, body["points"])]
    return body


def headline_rules(analysis) -> list[str]:
    """The names of the rules behind the headline `signal`: those of the chart's type
    that fired within the last phase (nic.analytics.rules; empty when no signal)."""
    if not analysis.signal or not analysis.phases:
        return []
    start, end = analysis.phases[-1]
    return [rule.name for rule in analysis.rules if any(start <= i < end for i in rule.indices)]


def signal_flags(analysis) -> dict[str, bool]:
    """{rule name: True} for the rules behind the headline signal (badges list them)."""
    return {name: True for name in headline_rules(analysis)}


@dataclass
class SchoolChart:
    """One school's small multiple on the network page."""

    school: School
    series: Series
    analysis: object | None  # None: the school has recorded nothing yet

    @property
    def signals(self) -> dict[str, bool]:
        return signal_flags(self.analysis) if self.analysis is not None else {}

    @property
    def has_signal(self) -> bool:
        return self.analysis is not None and bool(self.analysis.signal)


def small_multiples(measure: Measure, schools: list[School]) -> list[SchoolChart]:
    """Every school's chart of one measure: two queries in all (points, splits), however
    many schools; schools with a signal first, then by name."""
    series_by_school = all_school_series(measure)
    splits_by_school: dict[int, list[ChartSplit]] = {}
    for split in db.session.scalars(
        select(ChartSplit).where(ChartSplit.measure_id == measure.id, ChartSplit.school_id.is_not(None))
        .order_by(ChartSplit.start_date, ChartSplit.id)
    ):
        splits_by_school.setdefault(split.school_id, []).append(split)
    charts = []
    for school in schools:
        series = series_by_school.get(school.id)
        if series is None:
            charts.append(SchoolChart(school, Series([], []), None))
            continue
        placed = split_indices(series.periods, splits_by_school.get(school.id, []))
        charts.append(SchoolChart(school, series, analyse_series(measure, series, [i for _, i in placed])))
    charts.sort(key=lambda chart: (not chart.has_signal, chart.analysis is None, chart.school.name.lower()))
    return charts
