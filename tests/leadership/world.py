"""A network with two rounds on one framework to look at: alpha (tests/factories) plus a
third school, a closed spring round before alpha's open fall round, agreed levels that go
up, down, stay and appear, private ratings carrying a marker that must never leave the
school, change ideas linked to practices (directly, through a driver, and a declined one
that stays hidden), and a principal in the school others learn from. Beta keeps its own
round and consensus, to leak (and must not)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest

from nic.clock import utcnow
from nic.extensions import db
from nic.models.assessment import practice_change_ideas, practice_drivers
from nic.services.rollups import rollups
from nic.tenancy import use_network
from tests.factories import (
    make_change_idea,
    make_consensus,
    make_member,
    make_rating,
    make_round,
    make_school,
    make_user,
)

PRIVATE_MARKER = "ZZ-PRIVATE-RATING-MARKER"


@dataclass
class World:
    a: object
    b: object
    s0: object  # Alphaville High School
    s1: object  # Alphaville Middle School: rated high, the peer to learn from
    s2: object  # Alphaville Charter, in group "Cohort 1"
    p0: object
    p1: object
    spring: object  # closed, opened 200 days ago
    fall: object  # tenants.a.round: open, the latest
    peer_principal: object
    declined_idea: object


def roll_up(network) -> None:
    with use_network(network):
        rollups.compute()
        db.session.commit()


def build(tenants) -> World:
    a, b = tenants.a, tenants.b
    s0, s1 = a.schools
    s2 = make_school(a.network, "Alphaville Charter")
    with use_network(a.network):
        s2.group_name = "Cohort 1"
        db.session.flush()
    p0, p1 = a.framework.practices[0], a.framework.practices[1]
    spring = make_round(
        a.framework,
        "Alphaville spring round",
        closed=True,
        opened_by=a.facilitator.user,
        opened_at=utcnow() - timedelta(days=200),
    )
    fall = a.round  # already: s0 agreed p0 at rank 1, the teacher rated p0 (private)
    make_consensus(spring, s0, p0, 0, notes="Spring: just starting")
    make_consensus(spring, s0, p1, 2, notes="Spring: strong")
    make_consensus(spring, s2, p0, 1)
    make_consensus(fall, s0, p1, 1, notes="Fall: slipped")
    make_consensus(fall, s1, p0, 2, notes="Fall: our grade huddles")
    make_consensus(fall, s1, p1, 2)
    make_consensus(fall, s2, p0, 1)
    make_rating(fall, s0, a.principal.user, p1, 2, note=PRIVATE_MARKER)
    make_rating(spring, s0, a.principal.user, p0, 0, note=PRIVATE_MARKER)
    peer_principal = make_member(a.network, "principal", s1, make_user("peer@alpha.org", "Alphaville Peer Principal"))
    declined = make_change_idea(a.network, "Alphaville declined idea", status="declined")
    with use_network(a.network):
        db.session.execute(
            practice_change_ideas.insert(),
            [
                {"practice_id": p1.id, "change_idea_id": a.change_idea.id},
                {"practice_id": p0.id, "change_idea_id": declined.id},
            ],
        )
        db.session.execute(practice_drivers.insert(), [{"practice_id": p0.id, "driver_id": a.secondary_driver.id}])
        db.session.flush()
    db.session.commit()
    roll_up(a.network)
    roll_up(b.network)
    return World(a, b, s0, s1, s2, p0, p1, spring, fall, peer_principal, declined)


@pytest.fixture
def world(tenants) -> World:
    return build(tenants)
