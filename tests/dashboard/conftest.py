"""A network with a roll-up to show: alpha (tests/factories.two_networks) plus a third
school in a group, cycles in every state of the matrix, a stalled cycle shared with the
network and a stalled one its school keeps private, measure points, and the snapshot
computed. Beta gets its own snapshot too, so its figures exist to leak (and must not)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pytest

from nic.clock import utcnow
from nic.extensions import db
from nic.models import Cycle, School
from nic.services.rollups import rollups
from nic.tenancy import use_network
from tests.factories import make_change_idea, make_cycle, make_member, make_points, make_school, make_user

MONDAY = date(2026, 10, 5)
STALLED_TITLE = "Alphaville stalled advisory pilot"
PRIVATE_STALLED_TITLE = "Alphaville secret stalled trial"


@dataclass
class Rolled:
    a: object
    b: object
    group_school: School
    other_principal: object
    stalled: Cycle
    private_stalled: Cycle
    idea: object


def compute(network) -> None:
    with use_network(network):
        rollups.compute()
        db.session.commit()


def build(tenants) -> Rolled:
    a, b = tenants.a, tenants.b
    now = utcnow()
    with use_network(a.network):
        a.schools[0].group_name = "Cohort 1"
        db.session.flush()
    group_school = make_school(a.network, "Alphaville Charter")
    with use_network(a.network):
        group_school.group_name = "Cohort 1"
        db.session.flush()
    other_principal = make_member(a.network, "principal", a.schools[1],
                                  make_user("principal2@alpha.org", "Alphaville Second Principal"))
    idea = make_change_idea(a.network, "Alphaville mentoring circle")
    teacher = a.teacher_leader.user
    make_cycle(group_school, teacher, "Alphaville adopted circle", phase="done", change_idea=idea,
               act_decision="adopt", start_date=MONDAY, phase_changed_at=now - timedelta(days=3))
    make_cycle(a.schools[1], teacher, "Alphaville abandoned circle", phase="done", change_idea=idea,
               act_decision="abandon", start_date=MONDAY, phase_changed_at=now - timedelta(days=2))
    stalled = make_cycle(a.schools[1], teacher, STALLED_TITLE, phase="study", visibility="network",
                         start_date=MONDAY, updated_at=now - timedelta(days=40))
    private = make_cycle(group_school, teacher, PRIVATE_STALLED_TITLE, phase="do", visibility="school",
                         updated_at=now - timedelta(days=30))
    make_points(a.measure, a.schools[1], [(MONDAY + timedelta(weeks=i), 10, 20) for i in range(3)])
    db.session.commit()
    compute(a.network)
    compute(b.network)
    return Rolled(a, b, group_school, other_principal, stalled, private, idea)


@pytest.fixture
def rolled(tenants) -> Rolled:
    return build(tenants)
