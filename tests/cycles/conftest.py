"""Helpers for the cycle tests: reading cycles back outside a request, and the worksheet
form as a browser would send it."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from nic.extensions import db
from nic.models import Cycle, CycleChange, CyclePhaseMove
from nic.tenancy import UNSCOPED, use_network


def reload(tenant, cycle_id) -> Cycle | None:
    """The stored cycle, deleted or not, read fresh."""
    db.session.expire_all()
    with use_network(tenant.network):
        cycle = db.session.scalar(select(Cycle).where(Cycle.id == cycle_id))
        if cycle is not None:
            list(cycle.questions), list(cycle.coauthors)  # load while the network is current
        return cycle


def history_of(tenant, cycle_id) -> list[CycleChange]:
    db.session.expire_all()
    with use_network(tenant.network):
        return list(db.session.scalars(
            select(CycleChange).where(CycleChange.cycle_id == cycle_id).order_by(CycleChange.version, CycleChange.id)))


def moves_of(tenant, cycle_id) -> list[CyclePhaseMove]:
    with use_network(tenant.network):
        return list(db.session.scalars(
            select(CyclePhaseMove).where(CyclePhaseMove.cycle_id == cycle_id).order_by(CyclePhaseMove.id)))


def cycle_count() -> int:
    return len(list(db.session.scalars(select(Cycle.id).execution_options(**UNSCOPED))))


def form_for(cycle: Cycle, **changes) -> dict:
    """The edit form of `cycle` as a browser posts it (every field), with `changes`."""
    data = {
        "version": str(cycle.version), "title": cycle.title, "team_id": str(cycle.team_id or ""),
        "owner_id": str(cycle.owner_id or ""), "change_idea_id": str(cycle.change_idea_id or ""),
        "scale_count": str(cycle.scale_count or ""), "scale_unit": cycle.scale_unit or "students",
        "start_date": cycle.start_date.isoformat() if cycle.start_date else "",
        "end_date": cycle.end_date.isoformat() if cycle.end_date else "",
        "visibility": cycle.visibility,
        "plan_objective": cycle.plan_objective or "", "plan_who": cycle.plan_who or "",
        "plan_what": cycle.plan_what or "", "plan_when": cycle.plan_when or "", "plan_where": cycle.plan_where or "",
        "plan_data": cycle.plan_data or "", "plan_measure": cycle.plan_measure or "",
        "do_as_planned": {True: "yes", False: "no"}.get(cycle.do_as_planned, ""),
        "do_observations": cycle.do_observations or "", "do_problems": cycle.do_problems or "",
        "study_learned": cycle.study_learned or "", "act_decision": cycle.act_decision or "",
        "act_reason": cycle.act_reason or "", "act_next": cycle.act_next or "",
    }
    for i, q in enumerate(cycle.questions):
        data[f"questions-{i}-question"] = q.question
        data[f"questions-{i}-prediction"] = q.prediction or ""
        data[f"questions-{i}-result"] = q.result or ""
    data["coauthor_ids"] = [str(u.id) for u in cycle.coauthors]
    data.update(changes)
    return data


@pytest.fixture
def a(tenants):
    return tenants.a


@pytest.fixture
def b(tenants):
    return tenants.b
