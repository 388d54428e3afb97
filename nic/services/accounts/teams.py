"""Teams inside a school (the instructional leadership team, PLCs, grade-level and
department teams) and who is on them.

Who may manage a school's teams is decided here, once, for the pages and any other way
in: the `teams.manage` action (nic.permissions) limited to the member's own school, except
for facilitators, who work across the network. A team's school is fixed when it is
created: its cycles belong to that school, and moving the team would leave them pointing
at a team of another school.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from nic.extensions import db
from nic.models import TEAM_KINDS, Cycle, Membership, School, Team, User
from nic.permissions import allowed, visible_cycles_clause
from nic.services.errors import Forbidden, NotFound, ValidationFailed
from nic.transaction import commit, rollback
from nic.services.validation import FieldErrors, clean_name
from nic.tenancy import get_scoped

NAME_MAX = 200
_DUPLICATE = "another team of this school already has this name"


@dataclass(frozen=True)
class SchoolTeams:
    school: School
    teams: list[Team]


def may_manage(membership, school_id: int | None) -> bool:
    if membership is None or school_id is None or not allowed(membership.role, "teams.manage"):
        return False
    return membership.role == "facilitator" or membership.school_id == school_id


def manageable_schools(membership) -> list[School]:
    """The schools whose teams `membership` may create or change, by name."""
    schools = db.session.scalars(select(School).order_by(School.name))
    return [school for school in schools if may_manage(membership, school.id)]


# --- reading -------------------------------------------------------------------------------

def teams_by_school() -> list[SchoolTeams]:
    """Every school of the network (those without teams too) with its teams by name, the
    teams' members loaded in the same round trips."""
    schools = list(db.session.scalars(select(School).order_by(School.name)))
    teams = db.session.scalars(
        select(Team).options(selectinload(Team.members)).order_by(Team.school_id, func.lower(Team.name))
    )
    grouped: dict[int, list[Team]] = {school.id: [] for school in schools}
    for team in teams:
        grouped.setdefault(team.school_id, []).append(team)
    return [SchoolTeams(school, grouped[school.id]) for school in schools]


def cycle_counts_by_team(membership) -> dict[int, int]:
    """How many cycles `membership` may see for each team, in one GROUP BY."""
    stmt = (
        select(Cycle.team_id, func.count())
        .where(visible_cycles_clause(membership), Cycle.team_id.is_not(None))
        .group_by(Cycle.team_id)
    )
    return dict(db.session.execute(stmt).all())


def get_team(team_id) -> Team:
    team = get_scoped(Team, team_id)
    if team is None:
        raise NotFound("No such team in this network.")
    return team


def people_at(school_id: int) -> list[User]:
    """Members of the network at this school: the people a team of it can include."""
    stmt = (
        select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.school_id == school_id)
        .order_by(User.name, User.id)
    )
    return list(db.session.scalars(stmt))


# --- changing ------------------------------------------------------------------------------

def create_team(membership, school_id, name, kind, member_ids=()) -> Team:
    errors = FieldErrors()
    school = _school(errors, school_id)
    if school is not None and not may_manage(membership, school.id):
        raise Forbidden("You can manage the teams of your own school only.")
    name = errors.check("name", clean_name, name, NAME_MAX)
    kind = errors.check("kind", _clean_kind, kind)
    members = _members(errors, school, member_ids) if school is not None else []
    if school is not None and name and _name_taken(school.id, name):
        errors.add("name", _DUPLICATE)
    errors.raise_if_any()
    team = Team(school_id=school.id, name=name, kind=kind, members=members)
    db.session.add(team)
    _commit_or_duplicate()
    return team


def update_team(membership, team_id, name, kind, member_ids=()) -> Team:
    team = get_team(team_id)
    if not may_manage(membership, team.school_id):
        raise Forbidden("You can manage the teams of your own school only.")
    errors = FieldErrors()
    name = errors.check("name", clean_name, name, NAME_MAX)
    kind = errors.check("kind", _clean_kind, kind)
    members = _members(errors, team.school, member_ids)
    if name and _name_taken(team.school_id, name, except_id=team.id):
        errors.add("name", _DUPLICATE)
    errors.raise_if_any()
    team.name, team.kind, team.members = name, kind, members
    _commit_or_duplicate()
    return team


def delete_team(membership, team_id) -> str:
    """Remove a team. Its cycles stay with their school and simply lose the team (the
    foreign key says SET NULL; done here too because SQLite does not enforce it)."""
    team = get_team(team_id)
    if not may_manage(membership, team.school_id):
        raise Forbidden("You can manage the teams of your own school only.")
    name = team.name
    db.session.execute(
        update(Cycle).where(Cycle.team_id == team.id).values(team_id=None)
        .execution_options(synchronize_session="fetch")
    )
    db.session.delete(team)
    commit()
    return name


# --- checks ----------------------------------------------------------------------------------

def _clean_kind(value) -> str:
    if value not in TEAM_KINDS:
        raise ValueError(f"must be one of {', '.join(TEAM_KINDS)}")
    return value


def _school(errors: FieldErrors, school_id) -> School | None:
    school = get_scoped(School, school_id) if school_id not in (None, "") else None
    if school is None:
        errors.add("school_id", "is not a school of this network" if school_id not in (None, "") else "is required")
    return school


def _members(errors: FieldErrors, school: School, member_ids) -> list[User]:
    """The users named, each of whom must be a network member at the team's school. An id
    from another network looks exactly like one at no school here."""
    wanted: list[int] = []
    for raw in member_ids or ():
        try:
            wanted.append(int(raw))
        except (TypeError, ValueError):
            errors.add("members", f"{raw!r} is not a person's id")
            return []
    if not wanted:
        return []
    people = {user.id: user for user in people_at(school.id) if user.id in set(wanted)}
    strangers = [user_id for user_id in wanted if user_id not in people]
    if strangers:
        listed = ", ".join(map(str, strangers))
        errors.add("members", f"must be members of the network at {school.name} (not: {listed})")
        return []
    return [people[user_id] for user_id in dict.fromkeys(wanted)]


def _name_taken(school_id: int, name: str, except_id: int | None = None) -> bool:
    stmt = select(Team.id).where(Team.school_id == school_id, func.lower(Team.name) == name.lower())
    if except_id is not None:
        stmt = stmt.where(Team.id != except_id)
    return db.session.scalar(stmt.limit(1)) is not None


def _commit_or_duplicate() -> None:
    # Two people naming a team the same at once: the unique constraint catches the second.
    try:
        commit()
    except IntegrityError:
        rollback()
        raise ValidationFailed({"name": _DUPLICATE}) from None
