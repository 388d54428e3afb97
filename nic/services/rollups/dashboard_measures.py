"""The dashboards' measures, from the snapshot: the network's small multiples (each
measure's pooled series, how many schools report it and how many show a signal) and one
school's measures beside the network's. Set-based reads, as in nic.services.rollups.dashboard."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import case, func, select

from nic.analytics.reporting import DEFAULT_THRESHOLD, is_complete
from nic.extensions import db
from nic.models import Measure, Network, RollupMeasure, RollupMeasurePeriod, RollupMeasureSchool, School
from nic.services.rollups.dashboard import Filters
from nic.tenancy import current_network_id

MEASURE_POINTS = 26  # per small multiple when no dates are chosen


@dataclass
class MeasureSummary:
    id: int
    name: str
    chart: str
    unit: str
    direction: str
    frequency: str
    schools_reporting: int
    schools_with_signal: int
    latest_period: date | None  # the latest complete period (nic.analytics.reporting)
    pooled_value: float | None  # the pooled value of that period
    series: list[tuple[date, float | None, int]] = field(default_factory=list)  # (period, pooled, schools)
    schools_expected: int = 0  # the network's schools reporting the measure (a group filter leaves it)
    threshold: int = DEFAULT_THRESHOLD  # the network's reporting threshold (%)

    @property
    def incomplete(self) -> list[int]:
        """Indices of `series` periods below the reporting threshold: drawn hollow, as on
        the pooled chart, and never the "Latest"."""
        return [i for i, (_, value, schools) in enumerate(self.series)
                if value is not None and not is_complete(schools, self.schools_expected, self.threshold)]


def _columns():
    return (Measure.id, Measure.name, Measure.chart, Measure.unit, Measure.direction, Measure.frequency,
            RollupMeasure.schools_reporting, RollupMeasure.schools_with_signal, RollupMeasure.latest_period,
            RollupMeasure.pooled_value)


def _summary(r) -> MeasureSummary:
    return MeasureSummary(r.id, r.name, r.chart, r.unit or "", r.direction, r.frequency, r.schools_reporting or 0,
                          r.schools_with_signal or 0, r.latest_period, r.pooled_value,
                          schools_expected=r.schools_reporting or 0)


def network_measures(filters: Filters) -> list[MeasureSummary]:
    """Every measure with its network figures and pooled series (in the chosen dates, or
    its latest MEASURE_POINTS periods). For a school group, the counts of schools
    reporting and with a signal are the group's; the pooled series stays the network's
    (the snapshot pools the whole network only)."""
    stmt = (select(*_columns()).outerjoin(RollupMeasure, RollupMeasure.measure_id == Measure.id)
            .order_by(Measure.name, Measure.id))
    out = {r.id: _summary(r) for r in db.session.execute(stmt)}
    if not out:
        return []
    threshold = db.session.scalar(select(Network.reporting_threshold).where(Network.id == current_network_id()))
    for summary in out.values():
        summary.threshold = threshold
    if filters.group:
        counts = (select(RollupMeasureSchool.measure_id, func.count().label("reporting"),
                         func.sum(case((RollupMeasureSchool.signal, 1), else_=0)).label("signals"))
                  .join(School, School.id == RollupMeasureSchool.school_id)
                  .where(School.group_name == filters.group).group_by(RollupMeasureSchool.measure_id))
        found = {r.measure_id: r for r in db.session.execute(counts)}
        for summary in out.values():
            row = found.get(summary.id)
            summary.schools_reporting = row.reporting if row else 0
            summary.schools_with_signal = int(row.signals or 0) if row else 0
    series = select(RollupMeasurePeriod.measure_id, RollupMeasurePeriod.period, RollupMeasurePeriod.pooled_value,
                    RollupMeasurePeriod.schools)
    if filters.date_from:
        series = series.where(RollupMeasurePeriod.period >= filters.date_from)
    if filters.date_to:
        series = series.where(RollupMeasurePeriod.period <= filters.date_to)
    if not filters.dated:
        # Only each measure's latest MEASURE_POINTS periods leave the database (a network
        # with years of weekly data would otherwise send them all to be cut here).
        newest_first = func.row_number().over(partition_by=RollupMeasurePeriod.measure_id,
                                              order_by=RollupMeasurePeriod.period.desc())
        ranked = series.add_columns(newest_first.label("rank")).subquery()
        series = select(ranked.c.measure_id, ranked.c.period, ranked.c.pooled_value, ranked.c.schools).where(
            ranked.c.rank <= MEASURE_POINTS)
        series_order = (ranked.c.measure_id, ranked.c.period)
    else:
        series_order = (RollupMeasurePeriod.measure_id, RollupMeasurePeriod.period)
    for r in db.session.execute(series.order_by(*series_order)):
        if r.measure_id in out:
            out[r.measure_id].series.append((r.period, r.pooled_value, r.schools))
    if not filters.dated:
        for summary in out.values():
            summary.series = summary.series[-MEASURE_POINTS:]
    return list(out.values())


@dataclass
class SchoolMeasure:
    network: MeasureSummary
    points: int
    latest_period: date | None
    latest_value: float | None
    center: float | None  # the school chart's center line at its latest point
    signal: bool


def school_measures(school_id: int) -> list[SchoolMeasure]:
    """Every measure: the school's latest value and signal beside the network's pooled
    value and count of schools with a signal. A measure the school has not reported has
    points == 0."""
    mine = select(RollupMeasureSchool).where(RollupMeasureSchool.school_id == school_id).subquery()
    stmt = (select(*_columns(), mine.c.points, mine.c.latest_period.label("school_period"),
                   mine.c.latest_value, mine.c.center, mine.c.signal)
            .outerjoin(RollupMeasure, RollupMeasure.measure_id == Measure.id)
            .outerjoin(mine, mine.c.measure_id == Measure.id)
            .order_by(Measure.name, Measure.id))
    return [SchoolMeasure(_summary(r), r.points or 0, r.school_period, r.latest_value, r.center, bool(r.signal))
            for r in db.session.execute(stmt)]
