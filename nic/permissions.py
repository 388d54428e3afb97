"""What each role may do: one table, read by views, the API, socket handlers and tasks.

Being a member of a network (any role) is checked by nic.tenancy before any of this;
these are the extra actions a role allows inside its own network.
"""
from __future__ import annotations

from functools import wraps

from flask import abort

from nic.models import ROLES
from nic.tenancy import current_membership

_ALL = frozenset(ROLES)
_FACILITATORS = frozenset({"facilitator"})

# action -> roles allowed to take it
ACTION_ROLES: dict[str, frozenset[str]] = {
    "network.view": _ALL,
    "members.view": _ALL,
    "schools.manage": _FACILITATORS,
    "members.invite": _FACILITATORS,
    "members.manage": _FACILITATORS,
}


def allowed(role: str | None, action: str) -> bool:
    if action not in ACTION_ROLES:
        raise KeyError(f"unknown action {action!r}")  # a typo must not read as "denied"
    return role in ACTION_ROLES[action]


def can(action: str, membership=None) -> bool:
    membership = membership or current_membership()
    return membership is not None and allowed(membership.role, action)


def require(action: str) -> None:
    """Abort with 403 unless the current member may take `action`. Only reachable inside
    a network the user belongs to, so 403 reveals nothing about other networks."""
    if not can(action):
        abort(403)


def requires(action: str):
    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            require(action)
            return view(*args, **kwargs)

        wrapped.nic_action = action
        return wrapped

    return decorator
