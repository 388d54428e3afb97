"""The browse page, /n/<slug>/cycles: filters in the URL, results, pages, empty states."""

from __future__ import annotations

import re
from html import unescape

from nic.extensions import db
from nic.tenancy import use_network
from tests import factories
from tests.browse.world import listed, selects

HUDDLE = "Alphaville huddle test one"
CALLS, MENTORING = "Attendance phone calls home", "Advisory mentoring ramp"
NEVER = ("Alphaville private trial", "Middle school private huddle", "Deleted huddle cycle", "Betatown")


def page(client, query="") -> tuple[int, str]:
    response = client.get(f"/n/alpha/cycles{query}")
    return response.status_code, response.get_data(as_text=True)


def test_everyone_sees_the_list_with_links_school_phase_and_decision(client, tenants, world, login_as):
    a = tenants.a
    login_as(a.facilitator.user)
    status, body = page(client)
    assert status == 200
    assert set(listed(body)) == {HUDDLE, CALLS, MENTORING}
    assert f'href="/n/alpha/cycles/{a.cycle.id}"' in body
    assert "3 cycles" in body
    assert 'class="badge phase phase--done">Done<' in body
    assert 'decision--adopt">Adopt<' in body
    assert "Grade nine team" in body and "Advisory check-ins" in body and "10 Jan 2026" in body
    for hidden in NEVER:
        assert hidden not in body


def test_school_private_and_deleted_cycles_stay_hidden_by_school(client, tenants, world, login_as):
    login_as(tenants.a.member.user)  # school 1
    _, body = page(client)
    assert set(listed(body)) == {HUDDLE, CALLS, MENTORING, "Middle school private huddle"}
    assert "Alphaville private trial" not in body and "Deleted huddle cycle" not in body


def test_filters_from_the_form_narrow_the_list_and_stay_selected(client, tenants, world, login_as):
    a = tenants.a
    login_as(a.facilitator.user)
    school = a.schools[0].id
    _, body = page(client, f"?school_id={school}&phase=done&q=&team_id=")
    assert listed(body) == [MENTORING]
    assert "1 cycle match these filters" in body
    assert re.search(rf'<option selected value="{school}">|<option value="{school}" selected', body)
    _, body = page(client, f"?team_id={world.team1.id}")
    assert listed(body) == [CALLS]
    _, body = page(client, f"?change_idea_id={a.change_idea.id}")
    assert listed(body) == [HUDDLE]
    _, body = page(client, f"?owner_id={a.principal.user.id}")
    assert listed(body) == [MENTORING]
    _, body = page(client, "?date_from=2026-03-01&date_to=2026-03-31")
    assert listed(body) == [CALLS]
    _, body = page(client, "?q=huddles")
    assert listed(body) == [HUDDLE]
    _, body = page(client, "?nudge=scale_too_big")
    assert listed(body) == [MENTORING]


def test_the_selects_offer_this_networks_choices_only(client, tenants, world, login_as):
    login_as(tenants.a.facilitator.user)
    _, body = page(client)
    assert "Grade nine team (Alphaville Middle School)" in body
    assert "Advisory check-ins" in body and "Alphaville Principal" in body
    assert "Betatown" not in body


def test_no_match_says_so_and_offers_to_clear(client, tenants, world, login_as):
    login_as(tenants.a.facilitator.user)
    status, body = page(client, "?q=zebra")
    assert status == 200
    assert "No cycles match these filters" in body
    assert 'href="/n/alpha/cycles">Clear the filters</a>' in body


def test_a_bad_filter_is_named_next_to_its_field(client, tenants, world, login_as):
    login_as(tenants.a.facilitator.user)
    status, body = page(client, "?school_id=abc&date_from=2026-05-01&date_to=2026-04-01")
    assert status == 422
    assert "must be a whole number" in body and "must be on or after" in body
    assert listed(body) == []


def test_pages_keep_the_filters(client, tenants, world, login_as):
    a = tenants.a
    for n in range(30):
        factories.make_cycle(a.schools[1], a.member.user, f"Ramp step {n:02d}", phase="do")
    db.session.commit()
    login_as(a.facilitator.user)
    _, first = page(client, "?phase=do")
    assert len(listed(first)) == 25 and "30 cycles match these filters" in first
    next_link = unescape(re.search(r'<a [^>]*rel="next" href="([^"]+)"', first).group(1))
    assert "phase=do" in next_link and "page=2" in next_link
    second = client.get(next_link).get_data(as_text=True)
    assert len(listed(second)) == 5
    assert set(listed(first)) | set(listed(second)) == {f"Ramp step {n:02d}" for n in range(30)}
    assert client.get("/n/alpha/cycles?phase=do&page=9").status_code == 302  # past the end: the last page


def test_the_list_costs_the_same_queries_for_3_or_23_cycles(client, tenants, world, login_as, count_queries):
    a = tenants.a
    login_as(a.facilitator.user)
    client.get("/n/alpha/cycles")  # warm up: the user, the membership
    with count_queries() as few:
        assert len(listed(client.get("/n/alpha/cycles").get_data(as_text=True))) == 3
    with use_network(a.network):
        for n in range(20):
            school = a.schools[n % 2]
            team = factories.make_team(school, f"Team {n}")
            idea = factories.make_change_idea(a.network, f"Idea {n}")
            factories.make_cycle(
                school,
                factories.make_member(a.network, "member", school).user,
                f"Busy {n}",
                team=team,
                change_idea=idea,
            )
        db.session.commit()
    with count_queries() as many:
        assert len(listed(client.get("/n/alpha/cycles").get_data(as_text=True))) == 23
    assert len(selects(many)) == len(selects(few))


def test_plan_a_new_cycle_is_offered_to_those_who_may(client, tenants, world, login_as):
    login_as(tenants.a.teacher_leader.user)
    _, body = page(client)
    assert 'href="/n/alpha/cycles/new"' in body and "Plan a new cycle" in body
    login_as(tenants.a.facilitator.user)
    _, body = page(client)
    assert "Plan a new cycle" not in body


def test_another_network_is_not_found(client, tenants, login_as):
    login_as(tenants.a.facilitator.user)
    assert client.get("/n/beta/cycles").status_code == 404
    assert client.get("/n/beta/quality").status_code == 404


def test_a_stale_page_of_an_empty_list_goes_to_the_first(client, tenants, world, login_as):
    login_as(tenants.a.facilitator.user)
    stale = client.get("/n/alpha/cycles?q=nothing+matches+this&page=3")
    assert stale.status_code == 302 and stale.headers["Location"].endswith("/n/alpha/cycles?page=1&q=nothing+matches+this")
    status, body = page(client, "?q=nothing+matches+this")
    assert status == 200 and listed(body) == [] and 'class="pager"' not in body
