"""PDSA cycles drawn on a measure's chart, at their start dates, so a team sees which
tests came before a change in the data.

A cycle belongs on a measure's chart when it names the measure (Cycle.measure_id) or
tests one of the measure's change ideas. Only cycles the viewer may see are drawn
(permissions.visible_cycles_clause), and on a school's chart only that school's cycles;
the network's pooled chart shows every visible cycle.
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
from nic.services.charts import next_period
from nic.services.cycle_phases import PHASE_LABELS


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


def markers_for(measure: Measure, membership, periods: list[date], school_id: int | None) -> list[Marker]:
    """The visible cycles of this measure that started within the chart's periods."""
    if not periods:
        return []
    ideas = select(measure_change_ideas.c.change_idea_id).where(measure_change_ideas.c.measure_id == measure.id)
    stmt = (
        select(Cycle)
        .options(joinedload(Cycle.school))
        .where(
            visible_cycles_clause(membership),
            or_(Cycle.measure_id == measure.id, Cycle.change_idea_id.in_(ideas)),
            Cycle.start_date >= periods[0],
            Cycle.start_date < next_period(periods[-1], measure.frequency),
        )
        .order_by(Cycle.start_date, Cycle.id)
    )
    if school_id is not None:
        stmt = stmt.where(Cycle.school_id == school_id)
    markers = []
    for cycle in db.session.scalars(stmt):
        x = position(periods, cycle.start_date, measure.frequency)
        if x is None:
            continue
        markers.append(Marker(cycle.id, cycle.title, cycle.phase, PHASE_LABELS.get(cycle.phase, cycle.phase),
                              cycle.school_id, cycle.school.name, cycle.start_date, round(x, 3)))
    return markers
