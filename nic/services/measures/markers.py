"""PDSA cycles drawn on a measure's chart, at their start dates, so a team sees which
tests came before a change in the data.

A cycle belongs to a measure when it names the measure (Cycle.measure_id) or tests one of
the measure's change ideas. Only cycles the viewer may see count
(permissions.visible_cycles_clause), and on a school's chart only that school's cycles;
the network's pooled chart shows every visible cycle. A cycle is drawn when it started
within the chart's periods.

One query (`measure_cycles`) answers both the chart's markers and the measure page's list
of cycles, so the page can never say a measure has no cycles while its chart draws some.
"""
from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload

from nic.extensions import db
from nic.models import Cycle, Measure
from nic.models.measure import measure_change_ideas
from nic.permissions import visible_cycles_clause
from nic.services.measures import charts
from nic.services.measures.charts import next_period
from nic.services.cycles.phases import PHASE_LABELS


@dataclass
class Marker:
    cycle_id: int
    title: str
    phase: str
    phase_label: str
    school_id: int
    school_name: str
    start_date: date
    x: float  # position on the chart's axis: point index, fractional between two periods

    def to_json(self, url: str) -> dict:
        return {
            "id": self.cycle_id, "title": self.title, "phase": self.phase, "school_id": self.school_id,
            "start_date": self.start_date.isoformat(), "url": url,
        }


def position(periods: list[date], day: date, frequency: str) -> float | None:
    """Where `day` falls on an axis whose point i sits at periods[i]: i plus the part of
    the way to the next period. None before the first period or after the last one."""
    index = bisect_right(periods, day) - 1
    if index < 0:
        return None
    period = periods[index]
    following = periods[index + 1] if index + 1 < len(periods) else next_period(period, frequency)
    if day >= following:
        return None
    return index + (day - period).days / (following - period).days


@dataclass
class MeasureCycle:
    """A cycle of a measure as the measure's page lists it: where it sits on the chart
    (`marker`), or why it is not drawn (`off_chart`)."""
    cycle: Cycle
    marker: Marker | None
    off_chart: str | None  # "no data" (an empty chart), "no start date", "before" or "after" the periods

    @property
    def phase_label(self) -> str:
        return PHASE_LABELS.get(self.cycle.phase, self.cycle.phase)


def measure_cycles(measure: Measure, membership, periods: list[date], school_id: int | None,
                   drawn_only: bool = False) -> list[MeasureCycle]:
    """Every visible cycle of this measure (on one school's chart: that school's), by start
    date, each placed on the chart's periods or said to be off it. `drawn_only`: only the
    ones the chart draws, filtered in SQL."""
    if drawn_only and not periods:
        return []
    ideas = select(measure_change_ideas.c.change_idea_id).where(measure_change_ideas.c.measure_id == measure.id)
    stmt = (
        select(Cycle)
        .options(joinedload(Cycle.school))
        .where(visible_cycles_clause(membership),
               or_(Cycle.measure_id == measure.id, Cycle.change_idea_id.in_(ideas)))
        .order_by(Cycle.start_date.nulls_last(), Cycle.id)
    )
    if school_id is not None:
        stmt = stmt.where(Cycle.school_id == school_id)
    if drawn_only:
        stmt = stmt.where(Cycle.start_date >= periods[0],
                          Cycle.start_date < next_period(periods[-1], measure.frequency))
    found = []
    for cycle in db.session.scalars(stmt):
        x = position(periods, cycle.start_date, measure.frequency) if periods and cycle.start_date else None
        if x is not None:
            marker = Marker(cycle.id, cycle.title, cycle.phase, PHASE_LABELS.get(cycle.phase, cycle.phase),
                            cycle.school_id, cycle.school.name, cycle.start_date, round(x, 3))
            found.append(MeasureCycle(cycle, marker, None))
        elif cycle.start_date is None:
            found.append(MeasureCycle(cycle, None, "no start date"))
        elif not periods:
            found.append(MeasureCycle(cycle, None, "no data"))
        else:
            found.append(MeasureCycle(cycle, None, "after" if cycle.start_date > periods[-1] else "before"))
    return found


def markers_for(measure: Measure, membership, periods: list[date], school_id: int | None) -> list[Marker]:
    """The visible cycles of this measure that started within the chart's periods."""
    return [c.marker for c in measure_cycles(measure, membership, periods, school_id, drawn_only=True)]


def network_chart_cycles(measure: Measure, membership) -> list[MeasureCycle]:
    """The measure's cycles placed on its network (pooled) chart: the markers are exactly
    the `cycles` of GET .../measures/<id>/chart without a school."""
    return measure_cycles(measure, membership, charts.chart_for(measure, None).series.periods, None)
