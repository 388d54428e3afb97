"""Finding cycles: the filters of the browse page and of `GET .../cycles` in the API, and
the facilitator's quality table. Every query here starts from
`permissions.visible_cycles_clause`, so a deleted cycle or another school's private one
can never be listed or counted, whatever the filters say.

Dates: a cycle's span runs from its start date to its end date. A cycle with no start
date yet counts as starting the day it was created, and one with no end date as ending
the day it starts. `date_from`/`date_to` keep the cycles whose span overlaps that range
(either bound may be left open).
"""
from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date
from typing import Mapping

from sqlalchemy import Select, func, select
from sqlalchemy.orm import selectinload

from nic.extensions import db
from nic.models import PHASES, ChangeIdea, Cycle, Membership, School, Team, User
from nic.permissions import visible_cycles_clause
from nic.services.cycles import nudges
from nic.services.artifacts.search import cycles_matching
from nic.services.validation import FieldErrors, clean_choice, clean_id

ID_PARAMS = ("school_id", "team_id", "change_idea_id", "owner_id")
Q_MAX = 200

NUDGE_LABELS = {
    "no_prediction": "No prediction",
    "no_measure": "No measure linked",
    "study_before_data": "Study before data",
    "scale_too_big": "Too big for a first test",
}
NUDGE_HELP = {
    "no_prediction": "A question has no prediction written before the test (or the plan asks none).",
    "no_measure": "The plan names no measure for the data it collects.",
    "study_before_data": "Study is written while Do has no observations.",
    "scale_too_big": (
        f"A first cycle (no ramp before it) tests with more than {nudges.FIRST_TEST_MAX_STUDENTS} students, or more "
        f"than {nudges.FIRST_TEST_MAX_CLASSES_OR_TEACHERS} class or teacher."
    ),
}


@dataclass(frozen=True)
class CycleFilters:
    school_id: int | None = None
    team_id: int | None = None
    change_idea_id: int | None = None
    phase: str | None = None
    owner_id: int | None = None
    nudge: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    q: str | None = None

    def as_args(self) -> dict[str, str]:
        """The filters that are set, as URL query arguments (for page links)."""
        args = {}
        for item in fields(self):
            value = getattr(self, item.name)
            if value is not None:
                args[item.name] = value.isoformat() if isinstance(value, date) else str(value)
        return args

    @property
    def active(self) -> bool:
        return bool(self.as_args())


ALL_PARAMS = tuple(item.name for item in fields(CycleFilters))


def parse_filters(args: Mapping[str, str], params: tuple[str, ...] = ALL_PARAMS) -> CycleFilters:
    """Read filters from query arguments; empty ones are ignored. Raises ValidationFailed
    naming every bad parameter. An id of another network is not an error: like any id
    that matches nothing, it just finds no cycles."""
    errors = FieldErrors()
    values: dict[str, object] = {}
    for name in params:
        raw = (args.get(name) or "").strip()
        if not raw:
            continue
        if name in ID_PARAMS:
            values[name] = errors.check(name, clean_id, raw)
        elif name == "phase":
            values[name] = errors.check(name, clean_choice, raw, PHASES)
        elif name == "nudge":
            values[name] = errors.check(name, clean_choice, raw, nudges.NUDGE_CODES)
        elif name in ("date_from", "date_to"):
            values[name] = errors.check(name, _clean_date, raw)
        elif name == "q":
            values[name] = errors.check(name, _clean_query, raw)
    start, end = values.get("date_from"), values.get("date_to")
    if start and end and start > end:
        errors.add("date_to", "must be on or after the 'from' date")
    errors.raise_if_any()
    return CycleFilters(**values)


def cycle_conditions(membership, filters: CycleFilters) -> list:
    """The WHERE conditions for the cycles `membership` may see that pass `filters`: the
    one place the filters become SQL (the list and its count both use it)."""
    conditions = [visible_cycles_clause(membership)]
    for name in ID_PARAMS + ("phase",):
        value = getattr(filters, name)
        if value is not None:
            conditions.append(getattr(Cycle, name) == value)
    if filters.nudge:
        conditions.append(nudges.nudge_condition(filters.nudge))
    if filters.date_from or filters.date_to:
        span_start = func.coalesce(Cycle.start_date, _created_day())
        span_end = func.coalesce(Cycle.end_date, span_start)
        if filters.date_from:
            conditions.append(span_end >= filters.date_from)
        if filters.date_to:
            conditions.append(span_start <= filters.date_to)
    text = cycles_matching(filters.q)
    if text is not None:
        conditions.append(text)
    return conditions


def cycles_query(membership, filters: CycleFilters) -> Select:
    """SELECT of the matching cycles, unordered (the caller orders: newest first on the
    page, by id for the API's keyset pages), with the header's school, team, owner and
    change idea loaded alongside in a few queries rather than one per row."""
    return select(Cycle).where(*cycle_conditions(membership, filters)).options(
        selectinload(Cycle.school), selectinload(Cycle.team), selectinload(Cycle.owner), selectinload(Cycle.change_idea)
    )


def count_cycles(membership, filters: CycleFilters) -> int:
    stmt = select(func.count()).select_from(Cycle).where(*cycle_conditions(membership, filters))
    return db.session.scalar(stmt)


def browse_page(membership, filters: CycleFilters, page: int, per_page: int) -> tuple[list[Cycle], int]:
    """One page of matching cycles, most recently updated first, and how many match."""
    stmt = cycles_query(membership, filters)
    total = count_cycles(membership, filters)
    rows = db.session.scalars(
        stmt.order_by(Cycle.updated_at.desc(), Cycle.id.desc()).limit(per_page).offset((page - 1) * per_page)
    )
    return list(rows), total


def filter_choices(membership) -> dict[str, list]:
    """What the browse page's selects offer: schools, teams with their school, change
    ideas, and the people who own a cycle this member may see."""
    owners = (
        select(User)
        .join(Membership, Membership.user_id == User.id)  # members of this network only
        .where(User.id.in_(select(Cycle.owner_id).where(visible_cycles_clause(membership))))
        .order_by(User.name, User.id)
    )
    return {
        "schools": list(db.session.scalars(select(School).order_by(School.name))),
        "teams": list(db.session.scalars(
            select(Team).join(School, School.id == Team.school_id).options(selectinload(Team.school))
            .order_by(School.name, Team.name)
        )),
        "change_ideas": list(db.session.scalars(select(ChangeIdea).order_by(ChangeIdea.title))),
        "owners": list(db.session.scalars(owners)),
    }


# --- the facilitator's quality table -------------------------------------------------------------

@dataclass(frozen=True)
class QualityRow:
    school: School | None  # None: the network's total
    cycles: int
    counts: dict[str, int]


def quality_rows(membership) -> list[QualityRow]:
    """Per school, the cycles `membership` may see and how many of them carry each nudge.
    Facilitators get every school and a total; anyone else their own school's row only."""
    counts = nudges.counts_by_school(visible_cycles_clause(membership))
    schools = list(db.session.scalars(select(School).order_by(School.name)))
    if membership.role != "facilitator":
        schools = [school for school in schools if school.id == membership.school_id]
    rows = []
    for school in schools:
        found = counts.get(school.id, {})
        counts_here = {code: found.get(code, 0) for code in nudges.NUDGE_CODES}
        rows.append(QualityRow(school, found.get("cycles", 0), counts_here))
    if membership.role == "facilitator" and len(rows) > 1:
        rows.append(QualityRow(
            None, sum(row.cycles for row in rows),
            {code: sum(row.counts[code] for row in rows) for code in nudges.NUDGE_CODES},
        ))
    return rows


# --- parameter checks ------------------------------------------------------------------------------



def _clean_date(raw: str) -> date:
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise ValueError("must be a date written YYYY-MM-DD") from None


def _clean_query(raw: str) -> str:
    if len(raw) > Q_MAX:
        raise ValueError(f"must be at most {Q_MAX} characters")
    return raw


def _created_day():
    """The calendar day (UTC) a cycle was created, as SQL on either database."""
    if db.engine.dialect.name == "postgresql":
        return func.date(func.timezone("UTC", Cycle.created_at))
    return func.date(Cycle.created_at)
