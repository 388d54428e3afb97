"""nic.services.cycles.browse: every filter, alone and together, always inside what the member
may see (PostgreSQL here; tests/browse/test_sqlite.py runs the same ideas on SQLite)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select, update

from nic.extensions import db
from nic.models import Cycle
from nic.services.cycles import browse
from nic.services.cycles.nudges import NUDGE_CODES, nudge_condition
from nic.services.errors import ValidationFailed
from nic.tenancy import use_network
from tests.browse.world import titles

HUDDLE = "Alphaville huddle test one"  # the fixture's shared cycle in school 0
CALLS, MENTORING = "Attendance phone calls home", "Advisory mentoring ramp"


def found(membership, **args) -> set[str]:
    with use_network(membership.network_id):
        filters = browse.parse_filters({k: str(v) for k, v in args.items()})
        return titles(db.session.scalars(browse.cycles_query(membership, filters)))


def test_no_filter_lists_what_the_facilitator_may_see(tenants, world):
    # shared cycles only: not school-private ones, not the deleted one, not network b's
    assert found(tenants.a.facilitator) == {HUDDLE, CALLS, MENTORING}


def test_each_member_sees_their_own_school_private_cycles_and_no_other(tenants, world):
    a = tenants.a
    assert found(a.teacher_leader) == {HUDDLE, CALLS, MENTORING, "Alphaville private trial"}
    assert found(a.member) == {HUDDLE, CALLS, MENTORING, "Middle school private huddle"}


@pytest.mark.parametrize(
    "args, expected",
    [
        ({"school_id": 0}, {HUDDLE, MENTORING}),
        ({"school_id": 1}, {CALLS}),
        ({"phase": "study"}, {CALLS}),
        ({"phase": "done"}, {MENTORING}),
        ({"phase": "act"}, set()),
        ({"school_id": 0, "phase": "done"}, {MENTORING}),
        ({"school_id": 1, "phase": "done"}, set()),
    ],
)
def test_school_and_phase(tenants, world, args, expected):
    a = tenants.a
    if "school_id" in args:
        args["school_id"] = a.schools[args["school_id"]].id
    assert found(a.facilitator, **args) == expected


def test_team_change_idea_and_owner(tenants, world):
    a, f = tenants.a, tenants.a.facilitator
    assert found(f, team_id=a.team.id) == {HUDDLE}
    assert found(f, team_id=world.team1.id) == {CALLS}
    assert found(f, change_idea_id=a.change_idea.id) == {HUDDLE}
    assert found(f, change_idea_id=world.idea2.id) == {CALLS, MENTORING}
    assert found(f, owner_id=a.teacher_leader.user.id) == {HUDDLE}
    assert found(f, owner_id=a.principal.user.id) == {MENTORING}
    assert found(f, change_idea_id=world.idea2.id, owner_id=a.member.user.id) == {CALLS}


def test_another_networks_ids_find_nothing(tenants, world):
    b, f = tenants.b, tenants.a.facilitator
    assert found(f, school_id=b.schools[0].id) == set()
    assert found(f, change_idea_id=b.change_idea.id) == set()
    assert found(f, team_id=b.team.id) == set()
    assert found(f, owner_id=b.teacher_leader.user.id) == set()


def test_dates_keep_cycles_whose_span_overlaps_the_range(tenants, world):
    _created_on(tenants.a.cycle, datetime(2026, 5, 15, 12, tzinfo=UTC))
    f = tenants.a.facilitator
    assert found(f, date_from="2026-03-01", date_to="2026-03-31") == {CALLS}
    assert found(f, date_from="2026-02-01", date_to="2026-02-28") == {MENTORING}  # it ends on the 10th
    assert found(f, date_from="2026-03-20", date_to="2026-03-20") == {CALLS}  # the last day counts
    assert found(f, date_to="2026-01-31") == {MENTORING}
    assert found(f, date_from="2026-02-11", date_to="2026-03-01") == set()
    # no dates at all: the day the cycle was created stands in for them
    assert found(f, date_from="2026-05-15", date_to="2026-05-15") == {HUDDLE}
    assert found(f, date_from="2026-05-16") == set()


def test_a_start_date_alone_is_a_one_day_span(tenants, world):
    _created_on(tenants.a.cycle, datetime(2026, 5, 15, 12, tzinfo=UTC))
    with use_network(tenants.a.network):
        world.calls.end_date = None
        db.session.commit()
    f = tenants.a.facilitator
    assert found(f, date_from="2026-03-02", date_to="2026-03-02") == {CALLS}
    assert found(f, date_from="2026-03-03", date_to="2026-04-30") == set()


def _created_on(cycle, when):
    with use_network(cycle.network_id):
        db.session.execute(update(Cycle).where(Cycle.id == cycle.id).values(created_at=when))
        db.session.commit()


def test_text_search_stems_on_postgresql(tenants, world):
    f = tenants.a.facilitator
    # "huddles" finds "huddle"; never the deleted or school-private huddles, nor network b's
    assert found(f, q="huddles") == {HUDDLE}
    assert found(tenants.a.member, q="huddles") == {HUDDLE, "Middle school private huddle"}
    assert found(f, q="families calling") == {CALLS}  # text of Do's observations, stemmed
    assert found(f, q="mentoring", phase="study") == set()
    assert found(f, q="zebra") == set()


def test_each_nudge_filter_matches_the_nudge_rule(tenants, world):
    f = tenants.a.facilitator
    assert found(f, nudge="no_prediction") == {CALLS, MENTORING}
    assert found(f, nudge="no_measure") == {HUDDLE, CALLS}
    assert found(f, nudge="study_before_data") == {MENTORING}
    assert found(f, nudge="scale_too_big") == {MENTORING}
    # and the filter is the rule itself, for every nudge
    with use_network(tenants.a.network):
        for code in NUDGE_CODES:
            direct = titles(
                db.session.scalars(
                    select(Cycle).where(
                        nudge_condition(code), Cycle.deleted_at.is_(None), Cycle.visibility == "network"
                    )
                )
            )
            assert found(f, nudge=code) == direct, code


def test_count_agrees_with_the_list(tenants, world):
    f = tenants.a.facilitator
    with use_network(tenants.a.network):
        for args in ({}, {"phase": "study"}, {"q": "huddles"}, {"nudge": "no_measure"}):
            filters = browse.parse_filters(args)
            rows, total = browse.browse_page(f, filters, 1, 25)
            assert total == len(rows) == browse.count_cycles(f, filters), args


@pytest.mark.parametrize(
    "args, field",
    [
        ({"school_id": "abc"}, "school_id"),
        ({"team_id": "1.5"}, "team_id"),
        ({"change_idea_id": "-3"}, "change_idea_id"),
        ({"owner_id": "99999999999"}, "owner_id"),
        ({"phase": "launch"}, "phase"),
        ({"nudge": "everything"}, "nudge"),
        ({"date_from": "14/09/2026"}, "date_from"),
        ({"date_from": "2026-05-01", "date_to": "2026-04-01"}, "date_to"),
        ({"q": "x" * 201}, "q"),
    ],
)
def test_bad_values_are_named(args, field):
    with pytest.raises(ValidationFailed) as caught:
        browse.parse_filters(args)
    assert field in caught.value.fields


def test_empty_values_mean_no_filter():
    assert browse.parse_filters({"school_id": "", "phase": " ", "q": ""}) == browse.CycleFilters()
    filters = browse.parse_filters({"school_id": "4", "date_from": "2026-01-02", "unknown": "x"})
    assert filters.as_args() == {"school_id": "4", "date_from": "2026-01-02"}
