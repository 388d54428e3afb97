"""The measure's page lists the PDSA cycles on its network chart, the very ones the chart
draws (GET /api/v1/networks/<slug>/measures/<id>/chart, no school: its `cycles`), and says
which of the measure's cycles are not on the chart and why. Issue 14: the page said "No
cycle names this measure" while the chart listed 10 cycles (it counted only cycles naming
the measure, the chart also those testing one of its change ideas)."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import select

from nic.demo.seed import DEMO_SLUG, _people, seed_demo
from nic.extensions import db
from nic.models import Measure, User
from nic.services.accounts.networks import network_by_slug
from nic.tenancy import use_network
from tests.factories import make_change_idea, make_cycle


def section(body: str) -> str:
    start = body.index('id="cycles-title"')
    return body[start : body.index("</section>", start)]


def listed(body: str, list_id: str) -> list[int]:
    """The cycle ids linked from one list of the page's cycles section, in order."""
    match = re.search(rf'id="{list_id}"[^>]*>(.*?)</[ou]l>', section(body), flags=re.S)
    return [int(i) for i in re.findall(r'/cycles/(\d+)"', match.group(1))] if match else []


def chart_cycles(client, slug: str, measure_id: int) -> list[int]:
    response = client.get(f"/api/v1/networks/{slug}/measures/{measure_id}/chart")
    assert response.status_code == 200
    return [c["id"] for c in response.get_json()["cycles"]]


@pytest.mark.parametrize("role", ["facilitator", "teacher_leader"])
def test_the_demo_measure_pages_list_the_cycles_their_charts_draw(client, db_session, login_as, role):
    seed_demo()
    network = network_by_slug(DEMO_SLUG)
    email = next(p[0] for p in _people() if p[2] == role)
    login_as(db.session.scalar(select(User).where(User.email == email)))
    with use_network(network):
        measures = list(db.session.scalars(select(Measure).order_by(Measure.id)))
    drawn = {}
    for measure in measures:
        body = client.get(f"/n/{DEMO_SLUG}/measures/{measure.id}").get_data(as_text=True)
        drawn[measure.name] = chart_cycles(client, DEMO_SLUG, measure.id)
        assert listed(body, "cycles-on-chart") == drawn[measure.name], measure.name
        if drawn[measure.name]:
            assert "No cycle" not in section(body) and "No PDSA cycle" not in section(body)
    # The p chart of the aim: its cycles test its change ideas, none names it.
    assert len(drawn["9th graders on track"]) >= 5


@pytest.fixture
def linked(tenants):
    """Alpha's p-chart measure (points on 7 and 14 Sep 2026 at schools[0]) with an idea of
    its own. On the chart: a cycle testing the idea that started in the charted weeks, and
    one naming the measure. Not on it: one with no start date, one that started before the
    first point; and a school-only cycle of schools[1], seen only by its own members."""
    a = tenants.a
    idea = make_change_idea(a.network, "Alphaville attendance calls")
    with use_network(a.network):
        a.measure.change_ideas.append(idea)
        db.session.flush()  # in the network: the next read (a commit expired a's objects) autoflushes
    owner = a.teacher_leader.user
    cycles = {
        "via idea": make_cycle(
            a.schools[0], owner, "Calls, week one", change_idea=idea, start_date=date(2026, 9, 8), phase="do"
        ),
        "names it": make_cycle(
            a.schools[0], owner, "Calls log", start_date=date(2026, 9, 14), measure_id=a.measure.id, phase="study"
        ),
        "no start": make_cycle(a.schools[0], owner, "Calls, planned", measure_id=a.measure.id),
        "too early": make_cycle(
            a.schools[0],
            owner,
            "Calls pilot in spring",
            change_idea=idea,
            start_date=date(2026, 3, 2),
            phase="done",
            act_decision="adapt",
        ),
        "private": make_cycle(
            a.schools[1],
            owner,
            "Calls at the middle school",
            change_idea=idea,
            start_date=date(2026, 9, 15),
            visibility="school",
        ),
    }
    db.session.commit()
    return a, cycles


def test_the_page_lists_what_the_chart_draws_and_says_what_it_leaves_out(client, linked, login_as):
    a, cycles = linked
    login_as(a.facilitator.user)
    body = client.get(f"/n/{a.network.slug}/measures/{a.measure.id}").get_data(as_text=True)
    on_chart = [cycles["via idea"].id, cycles["names it"].id]
    assert chart_cycles(client, a.network.slug, a.measure.id) == on_chart
    assert listed(body, "cycles-on-chart") == on_chart
    assert sorted(listed(body, "cycles-off-chart")) == sorted([cycles["no start"].id, cycles["too early"].id])
    assert "no start date yet" in section(body) and "started before the chart" in section(body)
    assert "Calls at the middle school" not in body


def test_a_school_member_sees_their_school_only_cycle_on_both(client, linked, login_as):
    a, cycles = linked
    login_as(a.member.user)  # a member of schools[1]
    body = client.get(f"/n/{a.network.slug}/measures/{a.measure.id}").get_data(as_text=True)
    drawn = chart_cycles(client, a.network.slug, a.measure.id)
    assert cycles["private"].id in drawn
    assert listed(body, "cycles-on-chart") == drawn
