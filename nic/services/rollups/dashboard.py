"""What the dashboards show, read from the roll-up snapshot (nic.models.rollup) and shaped
for the pages: the snapshot's status, the trend of cycles and engagement per period, the
school x change-idea matrix, stalled cycles and the schools table (measures:
nic.services.rollups.dashboard_measures; a school's page and nudges: nic.services.rollups.dashboard_school).

Every read is one set-based statement over snapshot tables (plus the names of schools,
change ideas, measures and people), so a page costs the same handful of queries whatever
the number of schools; tests/dashboard/test_queries.py holds that. The one read of live
rows is the stalled list, joined to the cycles the member may see
(`permissions.visible_cycles_clause`): a private cycle of another school never shows its
title, and one changed since the snapshot drops off the list.

Filters: a date range on periods and a school group (School.group_name). What is "now"
(the matrix, stalled cycles, cycles by phase) ignores the dates; the group applies to
everything but the network's pooled measure series, which the snapshot keeps only for
the whole network.
"""
from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import date, datetime, timedelta
from typing import Mapping

from flask import current_app
from sqlalchemy import false, func, or_, select, true

from nic.clock import utcnow
from nic.extensions import db
from nic.models import (
    ChangeIdea, Cycle, RollupChangeIdeaSchool, RollupJob, RollupNetworkPeriod, RollupSchool, RollupSchoolPeriod,
    RollupStalledCycle, RollupState, School, User,
)
from nic.permissions import visible_cycles_clause
from nic.services.validation import FieldErrors, clean_choice
from nic.words import plural

PERIOD_KINDS = ("week", "month")
DEFAULT_SPAN = {"week": 26, "month": 12}  # periods shown when no dates are chosen
MAX_PERIODS = 260
STALE_AFTER = timedelta(days=1)
STALLED_LIMIT = 50
SCHOOLS_PER_PAGE = 25  # the heatmap follows the page: 25 rows x every idea renders in ~25 ms
PERIOD_FIGURES = ("started", "to_do", "to_study", "to_act", "completed", "messages", "artifacts", "active_members")
PHASE_FIGURES = ("started", "to_do", "to_study", "to_act", "completed")
CELL_STATES = ("adopted", "adapted", "testing", "abandoned")  # a cell shows the first that applies


# --- filters -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Filters:
    date_from: date | None = None
    date_to: date | None = None
    group: str = ""
    period: str = "week"
    page: int = 1

    def as_args(self, **changes) -> dict[str, str]:
        """The filters as query arguments (defaults left out), for links and exports."""
        args = {}
        for item in fields(self):
            value = changes.get(item.name, getattr(self, item.name))
            if value in (None, "") or value == item.default:
                continue
            args[item.name] = value.isoformat() if isinstance(value, date) else str(value)
        return args

    @property
    def dated(self) -> bool:
        return self.date_from is not None or self.date_to is not None


def _clean_date(raw: str) -> date:
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise ValueError("must be a date written YYYY-MM-DD") from None


def parse_filters(args: Mapping[str, str]) -> Filters:
    """Read the filters from query arguments; raises ValidationFailed naming each bad one."""
    errors = FieldErrors()
    values: dict[str, object] = {}
    for name in ("date_from", "date_to"):
        raw = (args.get(name) or "").strip()
        if raw:
            values[name] = errors.check(name, _clean_date, raw)
    raw_period = (args.get("period") or "").strip()
    if raw_period:
        values["period"] = errors.check("period", clean_choice, raw_period, PERIOD_KINDS)
    values["group"] = (args.get("group") or "").strip()[:100]
    try:
        values["page"] = max(int(args.get("page") or 1), 1)
    except ValueError:
        values["page"] = 1
    start, end = values.get("date_from"), values.get("date_to")
    if start and end and start > end:
        errors.add("date_to", "must be on or after the 'from' date")
    errors.raise_if_any()
    return Filters(**{k: v for k, v in values.items() if v is not None})


# --- periods -------------------------------------------------------------------------------

def period_start(day: date, kind: str) -> date:
    return day - timedelta(days=day.weekday()) if kind == "week" else day.replace(day=1)


def _next_period(start: date, kind: str) -> date:
    if kind == "week":
        return start + timedelta(days=7)
    return date(start.year + start.month // 12, start.month % 12 + 1, 1)


def _back(start: date, kind: str, count: int) -> date:
    if kind == "week":
        return start - timedelta(weeks=count)
    months = start.year * 12 + start.month - 1 - count
    return date(months // 12, months % 12 + 1, 1)


def window(filters: Filters, today: date | None = None) -> tuple[date, date, bool]:
    """(first period, last period, clamped): the periods to show. With no dates, the
    latest DEFAULT_SPAN periods up to today; never more than MAX_PERIODS."""
    kind = filters.period
    last = period_start(filters.date_to or today or utcnow().date(), kind)
    if filters.date_from is not None:
        first = period_start(filters.date_from, kind)
    else:
        first = _back(last, kind, DEFAULT_SPAN[kind] - 1)
    earliest = _back(last, kind, MAX_PERIODS - 1)
    clamped = first < earliest
    return (max(first, earliest), last, clamped)


def periods_between(first: date, last: date, kind: str) -> list[date]:
    out, current = [], first
    while current <= last:
        out.append(current)
        current = _next_period(current, kind)
    return out


# --- the snapshot's status -----------------------------------------------------------------

@dataclass
class Status:
    computed_at: datetime | None
    full_computed_at: datetime | None
    stalled_days: int
    last_job: RollupJob | None  # the newest finished job (done or failed)
    pending: RollupJob | None   # a job waiting or running
    now: datetime = field(default_factory=utcnow)

    @property
    def age(self) -> timedelta | None:
        return self.now - self.computed_at if self.computed_at else None

    @property
    def stale(self) -> bool:
        return self.computed_at is not None and self.age > STALE_AFTER

    @property
    def failed(self) -> bool:
        return self.last_job is not None and self.last_job.state == "failed"

    @property
    def empty(self) -> bool:
        return self.computed_at is None


def status(default_stalled_days: int | None = None) -> Status:
    """Where the snapshot stands. Before the first roll-up the stalled threshold is
    `default_stalled_days`, else the ROLLUP_STALLED_DAYS setting."""
    if default_stalled_days is None:
        default_stalled_days = current_app.config["ROLLUP_STALLED_DAYS"]
    state = db.session.scalar(select(RollupState))
    last_job = db.session.scalar(select(RollupJob).where(RollupJob.state.in_(("done", "failed")))
                                 .order_by(RollupJob.id.desc()).limit(1))
    pending = db.session.scalar(select(RollupJob).where(RollupJob.state.in_(("queued", "running")))
                                .order_by(RollupJob.id.desc()).limit(1))
    return Status(
        computed_at=state.computed_at if state else None,
        full_computed_at=state.full_computed_at if state else None,
        stalled_days=state.stalled_days if state else default_stalled_days,
        last_job=last_job, pending=pending,
    )


def ago(delta: timedelta | None) -> str:
    """'just now', '3 minutes ago', '2 days ago'."""
    if delta is None:
        return "never"
    seconds = max(int(delta.total_seconds()), 0)
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            n = seconds // size
            return f"{plural(n, unit)} ago"
    return "just now"


# --- schools -------------------------------------------------------------------------------

def groups() -> list[str]:
    return list(db.session.scalars(
        select(School.group_name).where(School.group_name != "").distinct().order_by(School.group_name)))


def _in_group(group: str):
    return School.group_name == group if group else true()


def school_count(group: str = "") -> int:
    return db.session.scalar(select(func.count()).select_from(School).where(_in_group(group))) or 0


@dataclass
class SchoolRow:
    id: int
    name: str
    group_name: str
    figures: RollupSchool | None  # None: the school is newer than the snapshot
    started: int = 0    # in the chosen periods
    completed: int = 0  # in the chosen periods


def school_rows(filters: Filters, limit: int | None = SCHOOLS_PER_PAGE) -> list[SchoolRow]:
    """The schools of the group (a page of them), by name, each with its snapshot row and
    the cycles it started and completed in the chosen periods."""
    first, last, _ = window(filters)
    page = select(School.id).where(_in_group(filters.group)).order_by(School.name, School.id)
    if limit is not None:
        page = page.limit(limit).offset((filters.page - 1) * limit)
    # Sum the periods of this page's schools only (the unique index on school, kind and
    # start serves it), not of every school in the network.
    in_range = (select(RollupSchoolPeriod.school_id, func.sum(RollupSchoolPeriod.started).label("started"),
                       func.sum(RollupSchoolPeriod.completed).label("completed"))
                .where(RollupSchoolPeriod.school_id.in_(page.scalar_subquery()),
                       RollupSchoolPeriod.period_kind == filters.period,
                       RollupSchoolPeriod.period_start.between(first, last))
                .group_by(RollupSchoolPeriod.school_id).subquery())
    stmt = (select(School.id, School.name, School.group_name, RollupSchool, in_range.c.started, in_range.c.completed)
            .outerjoin(RollupSchool, RollupSchool.school_id == School.id)
            .outerjoin(in_range, in_range.c.school_id == School.id)
            .where(_in_group(filters.group)).order_by(School.name, School.id))
    if limit is not None:
        stmt = stmt.limit(limit).offset((filters.page - 1) * limit)
    return [SchoolRow(r.id, r.name, r.group_name, r.RollupSchool, r.started or 0, r.completed or 0)
            for r in db.session.execute(stmt)]


# --- trend and engagement ------------------------------------------------------------------

@dataclass
class Period:
    start: date
    started: int = 0
    to_do: int = 0
    to_study: int = 0
    to_act: int = 0
    completed: int = 0
    messages: int = 0
    artifacts: int = 0
    active_members: int = 0


def trend(filters: Filters) -> list[Period]:
    """One Period per week (or month) of the window, empty ones included. For a school
    group, the sum of its schools' periods (active members counted per school)."""
    first, last, _ = window(filters)
    if filters.group:
        sums = [func.sum(getattr(RollupSchoolPeriod, name)).label(name) for name in PERIOD_FIGURES]
        stmt = (select(RollupSchoolPeriod.period_start, *sums)
                .join(School, School.id == RollupSchoolPeriod.school_id)
                .where(School.group_name == filters.group, RollupSchoolPeriod.period_kind == filters.period,
                       RollupSchoolPeriod.period_start.between(first, last))
                .group_by(RollupSchoolPeriod.period_start))
    else:
        stmt = (select(RollupNetworkPeriod.period_start,
                       *[getattr(RollupNetworkPeriod, name) for name in PERIOD_FIGURES])
                .where(RollupNetworkPeriod.period_kind == filters.period,
                       RollupNetworkPeriod.period_start.between(first, last)))
    return _filled(db.session.execute(stmt), first, last, filters.period)


def school_trend(school_id: int, filters: Filters) -> list[Period]:
    first, last, _ = window(filters)
    stmt = (select(RollupSchoolPeriod.period_start, *[getattr(RollupSchoolPeriod, n) for n in PERIOD_FIGURES])
            .where(RollupSchoolPeriod.school_id == school_id, RollupSchoolPeriod.period_kind == filters.period,
                   RollupSchoolPeriod.period_start.between(first, last)))
    return _filled(db.session.execute(stmt), first, last, filters.period)


def _filled(rows, first: date, last: date, kind: str) -> list[Period]:
    found = {row.period_start: row for row in rows}
    out = []
    for start in periods_between(first, last, kind):
        row = found.get(start)
        out.append(Period(start, **{name: int(getattr(row, name) or 0) for name in PERIOD_FIGURES})
                   if row is not None else Period(start))
    return out


# --- the school x change-idea matrix -------------------------------------------------------

@dataclass
class Cell:
    school_id: int
    change_idea_id: int
    cycles: int
    testing: int
    adapted: int
    adopted: int
    abandoned: int

    @property
    def state(self) -> str:
        return next((name for name in CELL_STATES if getattr(self, name)), "testing")

    @property
    def count(self) -> int:
        """The cycles in the state the cell shows (never the cell's other cycles: a cell
        "Adopted" counts only cycles done with an adopt decision)."""
        return getattr(self, self.state)

    @property
    def others(self) -> list[tuple[str, int]]:
        """The cell's other cycles by state, in the legend's order: (state, cycles)."""
        return [(name, getattr(self, name)) for name in CELL_STATES
                if name != self.state and getattr(self, name)]


@dataclass
class Matrix:
    ideas: list[tuple[int, str]]               # columns: (id, title)
    cells: dict[tuple[int, int], Cell]         # (school_id, change_idea_id) -> cell

    def cell(self, school_id: int, idea_id: int) -> Cell | None:
        return self.cells.get((school_id, idea_id))


def matrix(school_ids: list[int] | None = None, group: str = "") -> Matrix:
    """The matrix for these schools (None: every school of the group). Columns are the
    change ideas any of them is testing or has tested, by title."""
    stmt = (select(RollupChangeIdeaSchool, ChangeIdea.title)
            .join(ChangeIdea, ChangeIdea.id == RollupChangeIdeaSchool.change_idea_id)
            .join(School, School.id == RollupChangeIdeaSchool.school_id)
            .where(_in_group(group)))
    if school_ids is not None:
        stmt = stmt.where(RollupChangeIdeaSchool.school_id.in_(school_ids))
    ideas: dict[int, str] = {}
    cells = {}
    for row, title in db.session.execute(stmt):
        ideas[row.change_idea_id] = title
        cells[(row.school_id, row.change_idea_id)] = Cell(
            row.school_id, row.change_idea_id, row.cycles, row.testing, row.adapted, row.adopted, row.abandoned)
    return Matrix(sorted(ideas.items(), key=lambda item: (item[1].lower(), item[0])), cells)


# --- stalled cycles ------------------------------------------------------------------------

@dataclass
class Stalled:
    cycle_id: int
    title: str
    phase: str
    school_id: int
    school_name: str
    owner_name: str | None
    idle_since: datetime
    days_idle: int


def stalled(membership, group: str = "", school_id: int | None = None,
            limit: int | None = STALLED_LIMIT) -> tuple[list[Stalled], int]:
    """(the longest-idle stalled cycles the member may see, how many there are). A cycle
    edited since the snapshot is no longer idle and is left out of the list at once.

    The list walks the snapshot in idle order (an index) and stops at `limit`. When it
    is cut short, the total is counted on the snapshot alone (its rows carry each cycle's
    visibility), which can include for a few seconds a cycle edited since: the edit has
    queued its school's roll-up, which removes it. Counting it live instead meant joining
    every stalled row to its cycle on every page view."""
    now = utcnow()
    stmt = (select(RollupStalledCycle.cycle_id, RollupStalledCycle.phase, RollupStalledCycle.idle_since,
                   RollupStalledCycle.school_id, Cycle.title, School.name.label("school_name"),
                   User.name.label("owner_name"))
            .join(Cycle, Cycle.id == RollupStalledCycle.cycle_id)
            .join(School, School.id == RollupStalledCycle.school_id)
            .outerjoin(User, User.id == Cycle.owner_id)
            .where(visible_cycles_clause(membership), Cycle.phase != "done",
                   Cycle.updated_at <= RollupStalledCycle.idle_since, _in_group(group))
            .order_by(RollupStalledCycle.idle_since, RollupStalledCycle.cycle_id))
    if school_id is not None:
        stmt = stmt.where(RollupStalledCycle.school_id == school_id)
    if limit is not None:
        stmt = stmt.limit(limit)
    rows = db.session.execute(stmt).all()
    items = [Stalled(r.cycle_id, r.title, r.phase, r.school_id, r.school_name, r.owner_name, r.idle_since,
                     max((now - r.idle_since).days, 0)) for r in rows]
    if limit is None or len(items) < limit:
        return items, len(items)  # the whole list: counted exactly
    return items, max(_stalled_count(membership, group, school_id), len(items))


def _stalled_count(membership, group: str, school_id: int | None) -> int:
    # The snapshot's copy of the cycle visibility rule (nic.permissions.visible_cycles_clause):
    # shared with the network, or the member's own school's.
    own_school = RollupStalledCycle.school_id == membership.school_id if membership.school_id else false()
    stmt = (select(func.count()).select_from(RollupStalledCycle)
            .where(or_(RollupStalledCycle.visibility == "network", own_school)))
    if group:
        stmt = stmt.join(School, School.id == RollupStalledCycle.school_id).where(_in_group(group))
    if school_id is not None:
        stmt = stmt.where(RollupStalledCycle.school_id == school_id)
    return db.session.scalar(stmt) or 0
