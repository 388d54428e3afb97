"""CSV exports of the roll-up tables the dashboard shows, with the page's filters applied.
Only the names in TABLES exist; anything else is a 404. Text cells that a spreadsheet
would run as a formula (=, +, -, @ first) are prefixed with an apostrophe."""
from __future__ import annotations

import csv
import io
from datetime import date, datetime

from nic.services.rollups import dashboard
from nic.services.rollups import dashboard_measures


def _schools(filters, membership):
    yield ("school_id", "school", "school_group", "cycles_total", "in_plan", "in_do", "in_study", "in_act", "done",
           "stalled", "with_prediction", "with_measure", "median_days", "last_activity_at",
           "started_in_range", "completed_in_range", "computed_at")
    for row in dashboard.school_rows(filters, limit=None):
        f = row.figures
        figures = (f.cycles_total, f.in_plan, f.in_do, f.in_study, f.in_act, f.done, f.stalled, f.with_prediction,
                   f.with_measure, f.median_days, f.last_activity_at) if f else ("",) * 11
        yield (row.id, row.name, row.group_name, *figures, row.started, row.completed, f.computed_at if f else "")


def _periods(filters, membership):
    yield ("period_kind", "period_start", "school_group", *dashboard.PERIOD_FIGURES)
    for p in dashboard.trend(filters):
        yield (filters.period, p.start, filters.group, *(getattr(p, name) for name in dashboard.PERIOD_FIGURES))


def _matrix(filters, membership):
    yield ("school_id", "school", "school_group", "change_idea_id", "change_idea", "cycles", "testing", "adapted",
           "adopted", "abandoned", "state")
    schools = dashboard.school_rows(filters, limit=None)
    grid = dashboard.matrix(group=filters.group)
    for school in schools:
        for idea_id, title in grid.ideas:
            cell = grid.cell(school.id, idea_id)
            if cell is not None:
                yield (school.id, school.name, school.group_name, idea_id, title, cell.cycles, cell.testing,
                       cell.adapted, cell.adopted, cell.abandoned, cell.state)


def _measures(filters, membership):
    yield ("measure_id", "measure", "chart", "unit", "frequency", "schools_reporting", "schools_with_signal",
           "latest_period", "pooled_value")
    for m in dashboard_measures.network_measures(filters):
        yield (m.id, m.name, m.chart, m.unit, m.frequency, m.schools_reporting, m.schools_with_signal,
               m.latest_period or "", "" if m.pooled_value is None else m.pooled_value)


def _measure_periods(filters, membership):
    yield ("measure_id", "measure", "period", "schools", "pooled_value")
    for m in dashboard_measures.network_measures(filters):
        for period, value, schools in m.series:
            yield (m.id, m.name, period, schools, "" if value is None else value)


def _stalled(filters, membership):
    yield ("cycle_id", "title", "school_id", "school", "phase", "owner", "idle_since", "days_idle")
    items, _ = dashboard.stalled(membership, filters.group, limit=None)
    for s in items:
        yield (s.cycle_id, s.title, s.school_id, s.school_name, s.phase, s.owner_name or "", s.idle_since, s.days_idle)


TABLES = {
    "schools": _schools,
    "periods": _periods,
    "matrix": _matrix,
    "measures": _measures,
    "measure-periods": _measure_periods,
    "stalled": _stalled,
}


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def render(table: str, filters, membership) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for row in TABLES[table](filters, membership):
        writer.writerow([_cell(value) for value in row])
    return out.getvalue()
