"""Tenant scoping, in one place, failing closed.

Every model with `TenantMixin` belongs to one network. While a network is current (set
for a request by the `/n/<slug>/` or `/api/v1/networks/<slug>/` URL, by a Socket.IO
handler, by a Celery task or by `use_network()`), every ORM SELECT, UPDATE and DELETE
touching such a model gets `network_id = <current>` added, and every insert is stamped
with it. With no current network, touching a tenant model raises `TenantScopeError`
instead of quietly returning every network's rows.

The one escape hatch is the execution option in `UNSCOPED`; grep for it to audit every
query that crosses networks (today: finding a user's own memberships).

`db.session.get()` can answer from the identity map without running SQL, so it bypasses
the hook: load tenant objects with `get_scoped()` / `get_or_404()` instead.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypeVar, cast

from flask import Flask, Response, abort, g, has_app_context, request
from flask_login import current_user
from sqlalchemy import ClauseElement, event, select
from sqlalchemy.orm import ORMExecuteState, Session, with_loader_criteria
from sqlalchemy.sql import util as sql_util

from nic.extensions import Base, db, login_manager
from nic.models import Membership, Network, TenantMixin

if TYPE_CHECKING:
    from sqlalchemy import FromClause
    from sqlalchemy.orm import UOWTransaction
    from sqlalchemy.sql import Executable

    from nic.models import User

logger = logging.getLogger(__name__)

_Model = TypeVar("_Model")

UNSCOPED = {"nic_unscoped": True}


class TenantScopeError(RuntimeError):
    """A tenant model was touched with no current network, or the wrong one."""


def current_network_id() -> int | None:
    return g.get("nic_network_id") if has_app_context() else None


def current_network() -> Network | None:
    return g.get("nic_network") if has_app_context() else None


@contextmanager
def use_network(network: Network | int) -> Iterator[None]:
    """Make `network` current for the block (CLI commands, tasks, tests)."""
    network_id = network if isinstance(network, int) else network.id
    previous = (g.get("nic_network_id"), g.get("nic_network"))
    g.nic_network_id = network_id
    g.nic_network = network if isinstance(network, Network) else None
    try:
        yield
    finally:
        g.nic_network_id, g.nic_network = previous


def get_scoped(model: type[_Model], object_id: Any) -> _Model | None:
    """The tenant object with this id in the current network, or None. `object_id` is
    whatever the client sent: anything that is not an integer finds nothing."""
    try:
        object_id = int(object_id)
    except (TypeError, ValueError):
        return None
    id_column = model.id  # type: ignore[attr-defined]  # every tenant model has an `id`; the mixin does not say so
    return db.session.scalar(select(model).where(id_column == object_id))


def get_or_404(model: type[_Model], object_id: Any) -> _Model:
    obj = get_scoped(model, object_id)
    if obj is None:
        abort(404)
    return obj


def membership_in(user: User, slug: str) -> Membership | None:
    """The user's membership in the network with this slug: the only way into a network."""
    stmt = (
        select(Membership)
        .join(Network, Network.id == Membership.network_id)
        .where(Membership.user_id == user.id, Network.slug == slug)
        .execution_options(**UNSCOPED)
    )
    return db.session.scalar(stmt)


def memberships_of(user: User) -> list[Membership]:
    """Every membership of one user, across networks, for the switcher and /api/v1/me."""
    stmt = (
        select(Membership)
        .join(Network, Network.id == Membership.network_id)
        .where(Membership.user_id == user.id)
        .order_by(Network.name)
        .execution_options(**UNSCOPED)
    )
    return list(db.session.scalars(stmt))


def _tenant_tables() -> frozenset[FromClause]:
    return frozenset(  # Base's registry is db.Model's
        mapper.local_table for mapper in Base.registry.mappers if issubclass(mapper.class_, TenantMixin)
    )


def _touches_tenant_data(statement: Executable) -> bool:
    """True if any table of a tenant model appears anywhere in the statement: selected,
    in select_from, joined, aliased, in a subquery or the target of an UPDATE/DELETE.
    (ORMExecuteState.all_mappers sees only the selected entities, which is not enough.)"""
    tenant_tables = _tenant_tables()
    # An ORM statement is a ClauseElement (a Select, Update or Delete); Executable does not say so.
    found = sql_util.find_tables(
        cast(ClauseElement, statement), check_columns=True, include_aliases=True, include_joins=True, include_crud=True
    )
    return any(item is not None and getattr(item, "element", item) in tenant_tables for item in found)


def _scope_orm_execute(state: ORMExecuteState) -> None:
    if not (state.is_select or state.is_update or state.is_delete):
        return
    if state.is_column_load or state.is_relationship_load:
        return  # criteria of the statement that loaded the parent propagate to these
    if state.execution_options.get("nic_unscoped"):
        return
    network_id = current_network_id()
    if network_id is None:
        if _touches_tenant_data(state.statement):
            raise TenantScopeError("query on tenant data with no current network")
        return
    # Added to every statement while a network is current: the option applies itself to
    # each tenant entity wherever it appears (joins, subqueries, aliases) and is a no-op
    # for statements without one.
    state.statement = state.statement.options(
        with_loader_criteria(TenantMixin, lambda cls: cls.network_id == network_id, include_aliases=True)
    )


def _check_flush(session: Session, flush_context: UOWTransaction, instances: object) -> None:
    network_id = current_network_id()
    for obj in session.new:
        if not isinstance(obj, TenantMixin):
            continue
        if network_id is None:
            raise TenantScopeError(f"insert of {type(obj).__name__} with no current network")
        if obj.network_id is None:
            obj.network_id = network_id
        elif obj.network_id != network_id:
            raise TenantScopeError(f"insert of {type(obj).__name__} into another network")
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, TenantMixin) and obj.network_id != network_id:
            raise TenantScopeError(f"change to {type(obj).__name__} outside the current network")


def _bind_network_from_url() -> Response | None:
    """Every URL with a `slug` is tenant data: sign-in first, then membership, else 404."""
    slug = (request.view_args or {}).get("slug")
    if slug is None:
        return None
    if not current_user.is_authenticated:
        response: Response = login_manager.unauthorized()
        return response
    membership = membership_in(current_user, slug)
    if membership is None:
        abort(404)
    g.nic_network_id = membership.network_id
    g.nic_network = membership.network
    g.nic_membership = membership
    return None


def _clear_network(exc: BaseException | None = None) -> None:
    for name in ("nic_network_id", "nic_network", "nic_membership"):
        g.pop(name, None)


def current_membership() -> Membership | None:
    return g.get("nic_membership") if has_app_context() else None


_listeners_installed = False


def init_app(app: Flask) -> None:
    global _listeners_installed
    if not _listeners_installed:
        # On the Session class, so every session (the request's, a task's, a test's
        # own) is scoped the same way.
        event.listen(Session, "do_orm_execute", _scope_orm_execute)
        event.listen(Session, "before_flush", _check_flush)
        _listeners_installed = True
    app.before_request(_bind_network_from_url)
    app.teardown_request(_clear_network)
