"""What each role may do: one table, read by views, the API, socket handlers and tasks.

Being a member of a network (any role) is checked by nic.tenancy before any of this;
these are the extra actions a role allows inside its own network.
"""
from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, ParamSpec, TypeVar

from flask import abort

from nic.models import ROLES
from nic.tenancy import current_membership

if TYPE_CHECKING:
    from sqlalchemy import ColumnElement

    from nic.models import Artifact, Cycle, Membership

_P = ParamSpec("_P")
_R = TypeVar("_R")

_ALL = frozenset(ROLES)
_FACILITATORS = frozenset({"facilitator"})
_SCHOOL_LEADS = frozenset({"principal", "teacher_leader"})

# action -> roles allowed to take it
ACTION_ROLES: dict[str, frozenset[str]] = {
    "network.view": _ALL,
    "members.view": _ALL,
    "schools.manage": _FACILITATORS,
    "members.invite": _FACILITATORS,
    "members.manage": _FACILITATORS,
    # theory of improvement
    "theory.edit": _FACILITATORS,  # aims, drivers, change ideas; accept or decline proposals
    "change_ideas.propose": _ALL,
    # teams (inside the member's own school; facilitators in any school)
    "teams.manage": frozenset({"facilitator", "principal"}),
    # cycles (inside the member's own school; see can_edit_cycle for co-authors)
    "cycles.create": _SCHOOL_LEADS,
    "cycles.edit": _SCHOOL_LEADS,
    "cycles.restore": frozenset({"principal"}),
    "cycles.comment": _ALL,
    # the quality-nudge counts per school (principals: their own school's row only)
    "quality.view": frozenset({"facilitator", "principal"}),
    # measures: facilitators define them; a school's leads enter its values (for their own
    # school only, see services.points.can_enter); everyone reads every school's values
    "measures.define": _FACILITATORS,
    "points.enter": _SCHOOL_LEADS,
    # chart phases (principals: their own school's chart; see services.chart_splits.can_split)
    "charts.split": frozenset({"facilitator", "principal"}),
    # artifacts: anyone shares practice (as their school; people with no school pick one and
    # share with the whole network); see can_edit_artifact for who changes one afterwards
    "artifacts.share": _ALL,
    # discussion: facilitators create and edit the network's channels (who may read each)
    "channel.manage": _FACILITATORS,
    # roll-ups: facilitators read the network's and ask for a fresh one; principals read
    # the network's figures beside their own school's
    "rollups.view": frozenset({"facilitator", "principal"}),
    "rollups.run": _FACILITATORS,
    # dashboards: the whole network's page, its exports and report (principals see their
    # own school's page, under rollups.view); a nudge to a stalled cycle (principals: their
    # own school's cycles, see nic.services.rollups.dashboard_school)
    "dashboard.network": _FACILITATORS,
    "dashboard.nudge": frozenset({"facilitator", "principal"}),
    # leadership self-assessments: facilitators adopt, copy, import, edit and link the
    # network's frameworks and open and close rounds; who rates and records consensus in
    # a school is the school's leadership team (nic.services.assessments.assessments.can_rate); every
    # member reads the network's consensus view
    "frameworks.manage": _FACILITATORS,
    "assessments.manage": _FACILITATORS,
    "assessments.view": _ALL,
}


def allowed(role: str | None, action: str) -> bool:
    if action not in ACTION_ROLES:
        raise KeyError(f"unknown action {action!r}")  # a typo must not read as "denied"
    return role in ACTION_ROLES[action]


def can(action: str, membership: Membership | None = None) -> bool:
    membership = membership or current_membership()
    return membership is not None and allowed(membership.role, action)


def require(action: str) -> None:
    """Abort with 403 unless the current member may take `action`. Only reachable inside
    a network the user belongs to, so 403 reveals nothing about other networks."""
    if not can(action):
        abort(403)


def requires(action: str) -> Callable[[Callable[_P, _R]], Callable[_P, _R]]:
    def decorator(view: Callable[_P, _R]) -> Callable[_P, _R]:
        @wraps(view)
        def wrapped(*args: _P.args, **kwargs: _P.kwargs) -> _R:
            require(action)
            return view(*args, **kwargs)

        return wrapped

    return decorator


# --- object-level rules: which cycles a member may see and change ----------------------

def visible_cycles_clause(membership: Membership) -> ColumnElement[bool]:
    """SQL condition for the cycles `membership` may read: not deleted, and shared with
    the network or belonging to the member's own school. Facilitators (no school) read
    what is shared with the network. Every list, page, API route and task uses this."""
    from sqlalchemy import false, or_

    from nic.models import Cycle

    own_school = Cycle.school_id == membership.school_id if membership.school_id else false()
    return Cycle.deleted_at.is_(None) & or_(Cycle.visibility == "network", own_school)


def can_see_cycle(membership: Membership | None, cycle: Cycle | None) -> bool:
    if membership is None or cycle is None or cycle.deleted_at is not None:
        return False
    return cycle.visibility == "network" or (
        membership.school_id is not None and cycle.school_id == membership.school_id
    )


def can_edit_cycle(membership: Membership | None, cycle: Cycle | None) -> bool:
    """Principals and teacher leaders edit their own school's cycles; anyone named as a
    co-author (or the owner) contributes to that cycle. Facilitators read and comment."""
    if membership is None or cycle is None or not can_see_cycle(membership, cycle):
        return False
    if cycle.owner_id == membership.user_id or any(u.id == membership.user_id for u in cycle.coauthors):
        return True
    return allowed(membership.role, "cycles.edit") and cycle.school_id == membership.school_id


def can_restore_cycle(membership: Membership | None, cycle: Cycle) -> bool:
    """Soft-deleted cycles come back only through their school's principal."""
    return (
        membership is not None
        and allowed(membership.role, "cycles.restore")
        and cycle.school_id == membership.school_id
    )


# --- artifacts: the same rule shape as cycles --------------------------------------------

def visible_artifacts_clause(membership: Membership) -> ColumnElement[bool]:
    """SQL condition for the artifacts `membership` may read: not deleted, and shared with
    the network or belonging to the member's own school. Every artifact list, page, API
    route and count uses this."""
    from sqlalchemy import false, or_

    from nic.models import Artifact

    own_school = Artifact.school_id == membership.school_id if membership.school_id else false()
    return Artifact.deleted_at.is_(None) & or_(Artifact.visibility == "network", own_school)


def can_see_artifact(membership: Membership | None, artifact: Artifact | None) -> bool:
    if membership is None or artifact is None or artifact.deleted_at is not None:
        return False
    return artifact.visibility == "network" or (
        membership.school_id is not None and artifact.school_id == membership.school_id
    )


def can_edit_artifact(membership: Membership | None, artifact: Artifact | None) -> bool:
    """Its author, and the principal and teacher leaders of its school, change an artifact
    (metadata, versions, change-idea links) and delete it. Facilitators curate through
    links and discussion, not by rewriting a school's materials."""
    if membership is None or artifact is None or not can_see_artifact(membership, artifact):
        return False
    if artifact.author_id is not None and artifact.author_id == membership.user_id:
        return True
    return membership.role in _SCHOOL_LEADS and artifact.school_id == membership.school_id
