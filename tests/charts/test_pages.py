"""The chart pages: one school's or the pooled chart, the network view with the small
multiples, empty states, PDSA cycle markers filtered by visibility, and 404s for
another network's ids."""

from __future__ import annotations

import json
import re
from datetime import date

import pytest

from nic.extensions import db
from nic.tenancy import use_network
from tests import factories
from tests.charts.world import SHIFTED, ratio_points, values_points


def chart_url(tenant, measure_id, **args) -> str:
    query = "&".join(f"{k}={v}" for k, v in args.items())
    return f"/n/{tenant.network.slug}/measures/{measure_id}/chart" + (f"?{query}" if query or args else "")


def network_url(tenant, measure_id) -> str:
    return f"/n/{tenant.network.slug}/measures/{measure_id}/network"


def payload(html: str) -> dict:
    match = re.search(r'<script type="application/json" id="spc-data">(.*?)</script>', html, re.DOTALL)
    assert match, "no chart data on the page"
    return json.loads(match.group(1))


@pytest.fixture
def shifted(tenants):
    a = tenants.a
    measure = factories.make_measure(a.network, "Students discussed", chart="run", unit="students", goal=15)
    values_points(measure, a.schools[0], SHIFTED)
    values_points(measure, a.schools[1], [7, 8, 7, 8, 7, 8, 7, 8, 7, 8, 7, 8])
    db.session.commit()
    return measure


def test_a_school_leader_lands_on_their_schools_chart(client, tenants, login_as, shifted):
    a = tenants.a
    login_as(a.teacher_leader.user)
    response = client.get(chart_url(a, shifted.id))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert f'<p class="chart-subject">{a.schools[0].name}</p>' in html
    # The summary above the chart, in words.
    assert "A shift above the median since 27 Apr 2026: 8 points" in html
    # The chart: a canvas with a label saying what it shows, the data it is drawn from,
    # and the library loaded from static/vendor (no CDN).
    assert re.search(
        r'<canvas class="spc__canvas" role="img" aria-label="Students discussed, '
        + re.escape(a.schools[0].name)
        + r": 16 points from 02 Mar 2026 to 15 Jun 2026\.",
        html,
    )
    assert "/static/vendor/chart.umd.min.js" in html and "cdn" not in html.lower()
    data = payload(html)
    assert data["values"] == SHIFTED and data["goal"] == 15 and data["chart"] == "run"
    # Marked: the long run the Anhøj rules flag (here all 16 points: 8 below, then 8 above).
    assert data["signal"] == list(range(16)) and data["pattern"] == [] and data["upper"] == [None] * 16
    # The table below it, for readers without the chart.
    assert '<details class="chart-table">' in html
    assert html.count('<th scope="row"><time datetime="2026-') == 16
    assert "<td>Long run, Few crossings</td>" in html


def test_a_facilitator_without_a_school_gets_the_pooled_chart(client, tenants, login_as, shifted):
    a = tenants.a
    login_as(a.facilitator.user)
    html = client.get(chart_url(a, shifted.id)).get_data(as_text=True)
    assert '<p class="chart-subject">Whole network, pooled</p>' in html
    data = payload(html)
    assert data["values"][:2] == [(10 + 7) / 2, (9 + 8) / 2]  # the mean of both schools
    assert "the mean of the schools’ values" in html
    assert "2 of 2 schools" in html  # how many schools stand behind a pooled point, of how many


def test_any_school_can_be_picked_and_the_pooled_chart_asked_for(client, tenants, login_as, shifted):
    a = tenants.a
    login_as(a.member.user)  # member of school 1
    mine = client.get(chart_url(a, shifted.id)).get_data(as_text=True)
    assert f'<p class="chart-subject">{a.schools[1].name}</p>' in mine
    other = client.get(chart_url(a, shifted.id, school_id=a.schools[0].id)).get_data(as_text=True)
    assert f'<p class="chart-subject">{a.schools[0].name}</p>' in other
    pooled = client.get(chart_url(a, shifted.id, school_id="")).get_data(as_text=True)
    assert '<p class="chart-subject">Whole network, pooled</p>' in pooled


def test_no_data_yet_is_an_empty_state_not_an_empty_chart(client, tenants, login_as):
    a = tenants.a
    measure = factories.make_measure(a.network, "Brand new", chart="i")
    db.session.commit()
    login_as(a.principal.user)
    html = client.get(chart_url(a, measure.id)).get_data(as_text=True)
    assert "No data yet" in html and "has not recorded this measure yet" in html
    assert "<canvas" not in html


def test_too_few_points_say_what_is_needed(client, tenants, login_as):
    a = tenants.a
    measure = factories.make_measure(a.network, "One week", chart="i", unit="hours")
    values_points(measure, a.schools[0], [12.5])
    db.session.commit()
    login_as(a.principal.user)
    html = client.get(chart_url(a, measure.id)).get_data(as_text=True)
    assert "Limits on an I chart need at least 2 points" in html
    assert "too few for the run rules to be reliable (about 10 are needed)" in html
    assert "<canvas" in html


def test_the_network_view_shows_every_school_with_signals_first(client, tenants, login_as, shifted):
    a = tenants.a
    quiet = factories.make_school(a.network, "Aardvark Quiet School")  # sorts first by name, but has no data
    db.session.commit()
    login_as(a.member.user)
    response = client.get(network_url(a, shifted.id))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "The network, pooled" in html and payload(html)["chart"] == "run"
    names = re.findall(r'<span class="multiple__name">([^<]+)</span>', html)
    assert names == [a.schools[0].name, a.schools[1].name, quiet.name]
    items = html.split('<li class="multiple')[1:]
    assert items[0].startswith(" multiple--signal") and "signal-badge--anhoej_longest_run" in items[0]
    assert "No signal" in items[1] and '<svg class="sparkline"' in items[1]
    assert "No data yet" in items[2] and "<svg" not in items[2]
    for school in (a.schools[0], a.schools[1], quiet):
        assert f'href="/n/{a.network.slug}/measures/{shifted.id}/chart?school_id={school.id}"' in html
    assert "1 shows a signal" in html


def test_cycle_markers_are_the_visible_cycles_of_this_measure_or_its_change_ideas(client, tenants, login_as, shifted):
    a = tenants.a
    idea = factories.make_change_idea(a.network, "Huddle idea")
    with_measure = factories.make_cycle(
        a.schools[0], a.teacher_leader.user, "Feeds the measure", start_date=date(2026, 4, 22), measure_id=shifted.id
    )
    via_idea = factories.make_cycle(
        a.schools[0], a.teacher_leader.user, "Tests its change idea", start_date=date(2026, 3, 10), change_idea=idea
    )
    factories.make_cycle(a.schools[0], a.teacher_leader.user, "Unrelated cycle", start_date=date(2026, 4, 1))
    factories.make_cycle(
        a.schools[0], a.teacher_leader.user, "Before the chart", start_date=date(2026, 1, 5), measure_id=shifted.id
    )
    private = factories.make_cycle(
        a.schools[0],
        a.teacher_leader.user,
        "Kept to the school",
        visibility="school",
        start_date=date(2026, 5, 6),
        measure_id=shifted.id,
    )
    factories.make_cycle(
        a.schools[1], a.member.user, "Other school's cycle", start_date=date(2026, 5, 6), measure_id=shifted.id
    )
    with use_network(a.network):
        shifted.change_ideas.append(idea)
        db.session.commit()

    login_as(a.principal.user)  # school 0: sees its own private cycle
    data = payload(client.get(chart_url(a, shifted.id)).get_data(as_text=True))
    assert [m["title"] for m in data["markers"]] == ["Tests its change idea", "Feeds the measure", "Kept to the school"]
    marker = data["markers"][1]
    assert marker["url"] == f"/n/{a.network.slug}/cycles/{with_measure.id}" and marker["phase"] == "Plan"
    assert marker["x"] == pytest.approx(7 + 2 / 7, abs=1e-3)  # Wednesday of the eighth week
    assert data["markers"][0]["id"] == via_idea.id

    login_as(a.member.user)  # school 1: not school 0's private cycle
    html = client.get(chart_url(a, shifted.id, school_id=a.schools[0].id)).get_data(as_text=True)
    titles = [m["title"] for m in payload(html)["markers"]]
    assert titles == ["Tests its change idea", "Feeds the measure"]
    assert private.title not in html
    # Each marker is also listed as a link below the chart.
    assert f'<a href="/n/{a.network.slug}/cycles/{with_measure.id}">Feeds the measure</a>' in html

    # The pooled chart shows visible cycles of every school, the private one excepted.
    html = client.get(network_url(a, shifted.id)).get_data(as_text=True)
    assert [m["title"] for m in payload(html)["markers"]] == [
        "Tests its change idea",
        "Feeds the measure",
        "Other school's cycle",
    ]


def test_another_networks_ids_answer_404(client, tenants, login_as, shifted):
    a, b = tenants.a, tenants.b
    login_as(a.facilitator.user)
    assert client.get(chart_url(a, b.measure.id)).status_code == 404
    assert client.get(network_url(a, b.measure.id)).status_code == 404
    assert client.get(chart_url(a, shifted.id, school_id=b.schools[0].id)).status_code == 404
    assert client.get(chart_url(a, shifted.id, school_id="nonsense")).status_code == 404
    assert client.get(chart_url(b, b.measure.id)).status_code == 404  # not a member of b
    html = client.get(chart_url(a, a.measure.id)).get_data(as_text=True)
    assert b.marker not in html


def test_signed_out_visitors_are_sent_to_sign_in(client, tenants, shifted):
    response = client.get(chart_url(tenants.a, shifted.id))
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_p_chart_page_shows_percentages_and_counts(client, tenants, login_as):
    a = tenants.a
    measure = factories.make_measure(
        a.network, "On track", chart="p", unit="%", goal=0.85, definition="Share of *9th graders* passing every course."
    )
    ratio_points(measure, a.schools[0], [(14, 20), (15, 20), (0, 0), None, (16, 20)])
    db.session.commit()
    login_as(a.principal.user)
    html = client.get(chart_url(a, measure.id)).get_data(as_text=True)
    assert "<td>70.0%</td>" in html and "<td>14 / 20</td>" in html
    assert "goal 85.0%" in html
    assert "<em>9th graders</em>" in html  # the definition is Markdown
    assert "no value (denominator 0)" in html
    assert "<td>not recorded</td>" in html  # the missing week is a row of its own


def test_the_data_entry_link_shows_to_those_who_enter_their_schools_data(client, tenants, login_as, shifted):
    a = tenants.a
    login_as(a.principal.user)
    assert ">Enter data</a>" in client.get(chart_url(a, shifted.id)).get_data(as_text=True)
    other_school = client.get(chart_url(a, shifted.id, school_id=a.schools[1].id)).get_data(as_text=True)
    assert ">Enter data</a>" not in other_school
    login_as(a.member.user)
    assert ">Enter data</a>" not in client.get(chart_url(a, shifted.id)).get_data(as_text=True)


def test_the_network_view_of_a_measure_without_data(client, tenants, login_as):
    a = tenants.a
    measure = factories.make_measure(a.network, "Nothing recorded", chart="p")
    db.session.commit()
    login_as(a.facilitator.user)
    html = client.get(network_url(a, measure.id)).get_data(as_text=True)
    assert "No school has recorded this measure yet." in html
    assert "0 schools report this measure; 0 show a signal." in html
    assert html.count("No data yet") >= 3  # the pooled chart and each school's card
    assert "<canvas" not in html
