"""/n/<slug>/quality: nudge counts per school for facilitators (and a principal's own
school), each count linking to exactly the cycles it counts."""

from __future__ import annotations

import re
from html import unescape

from nic.services.cycles import browse
from nic.tenancy import use_network
from tests.browse.world import listed

CODES = ("no_prediction", "no_measure", "study_before_data", "scale_too_big")


def rows_of(membership) -> dict[str, tuple[int, dict[str, int]]]:
    with use_network(membership.network_id):
        rows = browse.quality_rows(membership)
    return {(row.school.name if row.school else "total"): (row.cycles, row.counts) for row in rows}


def test_facilitator_counts_per_school_on_a_hand_built_set(tenants, world):
    # shared and not deleted: school 0 has the huddle test (no measure) and the mentoring
    # ramp (no prediction, study before data, 60 students in a first test); school 1
    # has the phone calls (no prediction, no measure)
    rows = rows_of(tenants.a.facilitator)
    assert rows == {
        "Alphaville High School": (
            2,
            {"no_prediction": 1, "no_measure": 1, "study_before_data": 1, "scale_too_big": 1},
        ),
        "Alphaville Middle School": (
            1,
            {"no_prediction": 1, "no_measure": 1, "study_before_data": 0, "scale_too_big": 0},
        ),
        "total": (3, {"no_prediction": 2, "no_measure": 2, "study_before_data": 1, "scale_too_big": 1}),
    }


def test_a_principal_sees_their_own_school_only_private_cycles_included(tenants, world):
    # school 0's own private trial (no questions, no measure) counts for its principal
    assert rows_of(tenants.a.principal) == {
        "Alphaville High School": (
            3,
            {"no_prediction": 2, "no_measure": 2, "study_before_data": 1, "scale_too_big": 1},
        ),
    }


def test_a_school_without_cycles_shows_zeros(tenants):
    rows = rows_of(tenants.a.facilitator)  # the fixture's only shared cycle is at school 0
    assert rows[tenants.a.schools[1].name] == (0, dict.fromkeys(CODES, 0))


def test_the_page_draws_the_table_and_each_count_opens_its_cycles(client, tenants, world, login_as):
    a = tenants.a
    login_as(a.facilitator.user)
    response = client.get("/n/alpha/quality")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "Alphaville High School" in body and "All schools" in body
    assert "share__fill--50" in body  # 1 of school 0's 2 cycles
    school = a.schools[0].id
    link = re.search(rf'href="(/n/alpha/cycles\?school_id={school}&amp;nudge=scale_too_big)"[^>]*>1</a>', body)
    assert link, "the count links to the filtered list"
    assert listed(client.get(unescape(link.group(1))).get_data(as_text=True)) == ["Advisory mentoring ramp"]
    link = re.search(rf'href="(/n/alpha/cycles\?school_id={school}&amp;nudge=no_measure)"', body)
    assert listed(client.get(unescape(link.group(1))).get_data(as_text=True)) == ["Alphaville huddle test one"]
    assert "Betatown" not in body


def test_the_principal_page_has_one_row(client, tenants, world, login_as):
    login_as(tenants.a.principal.user)
    body = client.get("/n/alpha/quality").get_data(as_text=True)
    assert "Alphaville High School" in body
    assert "Alphaville Middle School" not in body and "All schools" not in body


def test_teacher_leaders_and_members_may_not(client, tenants, login_as):
    for membership in (tenants.a.teacher_leader, tenants.a.member):
        login_as(membership.user)
        assert client.get("/n/alpha/quality").status_code == 403
