"""The network dashboard and a school's page, read from a computed snapshot: what they
show, what they hide (another school's private cycle), their empty states, the snapshot's
age and trouble said plainly, and the filters."""

from __future__ import annotations

import json
import re
from datetime import timedelta

from nic.clock import utcnow
from nic.extensions import db
from nic.models import RollupJob, RollupState
from nic.tenancy import use_network
from tests.dashboard.conftest import PRIVATE_STALLED_TITLE, STALLED_TITLE


def payload(body, chart_id):
    found = re.search(
        rf'id="{chart_id}".*?<script type="application/json" data-dash-payload>(.*?)</script>', body, re.S
    )
    return json.loads(found.group(1))


def page(client, url):
    response = client.get(url)
    return response, response.get_data(as_text=True)


def test_the_network_dashboard_shows_every_section(client, rolled, login_as):
    a = rolled.a
    login_as(a.facilitator.user)
    response, body = page(client, f"/n/{a.network.slug}/dashboard")
    assert response.status_code == 200
    assert "Updated just now" in body and "Refresh now" in body
    # (a) the trend, drawn from JSON, with its numbers in a table
    assert 'id="trend-chart"' in body and '"label": "Started"' in body
    assert "The numbers behind this chart" in body
    # (b) the heatmap: state in words, each cell linking to those cycles
    assert "Alphaville mentoring circle" in body
    cell = re.search(r'<td class="heat heat--adopted">\s*<a href="([^"]+)"', body)
    assert cell is not None
    assert f"school_id={rolled.group_school.id}" in cell.group(1) and f"change_idea_id={rolled.idea.id}" in cell.group(
        1
    )
    abandoned = re.search(r'<td class="heat heat--abandoned">\s*<a [^>]*title="([^"]+)">\s*Abandoned', body)
    assert abandoned is not None and "1 abandoned" in abandoned.group(1)
    # (c) the stalled cycle the facilitator may see, with days idle and a nudge; never the private one
    assert STALLED_TITLE in body and "40 days idle" in body
    assert f"/n/{a.network.slug}/dashboard/nudge/{rolled.stalled.id}" in body
    assert PRIVATE_STALLED_TITLE not in body
    # (d) measures: a small multiple linking to the network chart
    assert f"/n/{a.network.slug}/measures/{a.measure.id}/network" in body
    assert "0 of 2 schools with a signal" in body
    # (e) engagement, (f) the schools table with links to the rows behind each number
    assert 'id="engagement-chart"' in body
    assert f"/n/{a.network.slug}/cycles?school_id={a.schools[1].id}&amp;phase=study" in body
    assert f"/n/{a.network.slug}/dashboard/school/{a.schools[1].id}#stalled" in body
    assert "3 schools" in body
    # another network's figures never show
    assert "Betatown" not in body


def test_the_nav_offers_the_dashboard_to_facilitators_and_principals_only(client, rolled, login_as):
    a = rolled.a
    for membership, shown in ((a.facilitator, True), (a.principal, True), (a.teacher_leader, False), (a.member, False)):
        login_as(membership.user)
        _, body = page(client, f"/n/{a.network.slug}/")
        assert (f'href="/n/{a.network.slug}/dashboard"' in body) is shown, membership.role


def test_no_snapshot_yet_is_an_empty_state_with_compute_now(client, tenants, login_as):
    a = tenants.a
    login_as(a.facilitator.user)
    response, body = page(client, f"/n/{a.network.slug}/dashboard")
    assert response.status_code == 200
    assert "No roll-up yet" in body and "Compute now" in body
    assert f'action="/n/{a.network.slug}/dashboard/refresh"' in body


def test_an_old_snapshot_and_a_failed_job_are_said_plainly(client, rolled, login_as):
    a = rolled.a
    with use_network(a.network):
        state = db.session.scalar(db.select(RollupState))
        state.computed_at = utcnow() - timedelta(days=3)
        db.session.add(RollupJob(scope="network", state="failed", error="boom", finished_at=utcnow()))
        db.session.commit()
    login_as(a.facilitator.user)
    response, body = page(client, f"/n/{a.network.slug}/dashboard")
    assert response.status_code == 200
    assert "Updated 3 days ago" in body
    assert "more than a day old" in body
    assert "The last roll-up did not finish" in body and "last one that did" in body
    assert "boom" not in body  # the error is for the logs, not the page
    assert STALLED_TITLE in body  # the last good figures are still there


def test_filter_by_school_group(client, rolled, login_as):
    a = rolled.a
    login_as(a.facilitator.user)
    response, body = page(client, f"/n/{a.network.slug}/dashboard?group=Cohort+1")
    assert response.status_code == 200
    assert "2 schools" in body and "in Cohort 1" in body
    assert '<option selected value="Cohort 1">' in body or 'value="Cohort 1" selected' in body
    schools_table = body[body.index('id="schools-title"') :]
    assert "Alphaville Charter" in schools_table and "Alphaville High School" in schools_table
    assert "Alphaville Middle School" not in schools_table
    # the stalled cycle belongs to the Middle School: not in this group
    assert STALLED_TITLE not in body
    # the measure's counts are the group's: school 0 reports, school 1 is not in the group
    assert "0 of 1 school with a signal" in body


def test_filter_by_dates_and_month(client, rolled, login_as):
    a = rolled.a
    login_as(a.facilitator.user)
    response, body = page(client, f"/n/{a.network.slug}/dashboard?date_from=2026-10-01&date_to=2026-10-31&period=month")
    assert response.status_code == 200
    trend = payload(body, "trend-chart")
    assert trend["labels"] == ["Oct 2026"]
    # three cycles started on 5 October in the conftest (two done, one stalled)
    assert trend["datasets"][0] == {"label": "Started", "data": [3], "color": "#0072B2"}
    response, body = page(client, f"/n/{a.network.slug}/dashboard?period=week&date_from=2026-10-05&date_to=2026-10-18")
    assert payload(body, "trend-chart")["labels"] == ["5 Oct", "12 Oct"]


def test_bad_filters_show_on_the_form_and_the_page_still_answers(client, rolled, login_as):
    a = rolled.a
    login_as(a.facilitator.user)
    response, body = page(client, f"/n/{a.network.slug}/dashboard?date_from=2026-13-01&date_to=soon")
    assert response.status_code == 422
    assert "must be a date written YYYY-MM-DD" in body
    assert "Cycles over time" in body  # the default view, not an error page
    response, body = page(client, f"/n/{a.network.slug}/dashboard?date_from=2026-10-10&date_to=2026-10-01")
    assert response.status_code == 422 and "must be on or after" in body


def test_nothing_in_the_dates_is_an_empty_state(client, rolled, login_as):
    a = rolled.a
    login_as(a.facilitator.user)
    _, body = page(client, f"/n/{a.network.slug}/dashboard?date_from=2020-01-06&date_to=2020-02-24")
    assert "Nothing happened in these dates" in body and "No activity in these dates" in body
    assert "No data in these dates" in body


def test_the_fragment_is_the_figures_alone(client, rolled, login_as):
    a = rolled.a
    login_as(a.facilitator.user)
    response, body = page(client, f"/n/{a.network.slug}/dashboard?fragment=1&group=Cohort+1")
    assert response.status_code == 200
    assert "<html" not in body and "mainnav" not in body
    assert 'id="heatmap-title"' in body and "Alphaville Middle School" not in body.split('id="schools-title"')[1]


def test_a_school_page_beside_the_network(client, rolled, login_as):
    a = rolled.a
    login_as(a.principal.user)
    response, body = page(client, f"/n/{a.network.slug}/dashboard/school/{a.schools[0].id}")
    assert response.status_code == 200
    assert a.schools[0].name in body and "Average school: started" in body
    assert "Alphaville grade monitoring huddle" in body  # its change idea, testing
    assert "Alphaville on-track rate" in body
    assert payload(body, "comparison-chart")["datasets"][2]["label"] == "Average school: started"
    # another school's private stalled cycle never shows
    assert PRIVATE_STALLED_TITLE not in body
    assert "No stalled cycles" in body


def test_a_school_with_no_cycles(client, tenants, login_as):
    from tests.dashboard.conftest import compute
    from tests.factories import make_school

    a = tenants.a
    empty = make_school(a.network, "Alphaville Empty School")
    db.session.commit()
    compute(a.network)
    login_as(a.facilitator.user)
    response, body = page(client, f"/n/{a.network.slug}/dashboard/school/{empty.id}")
    assert response.status_code == 200
    assert "No cycles yet" in body and "No change ideas tested yet" in body and "No data yet" in body


def test_the_facilitator_sees_a_school_private_stalled_cycle_only_as_a_count(client, rolled, login_as):
    a = rolled.a
    login_as(a.facilitator.user)
    _, body = page(client, f"/n/{a.network.slug}/dashboard/school/{rolled.group_school.id}")
    assert PRIVATE_STALLED_TITLE not in body
    assert 'class="dash-glance__n">1</span> <span class="dash-glance__label">stalled' in body


def test_a_measure_with_no_data(client, rolled, login_as):
    from tests.dashboard.conftest import compute
    from tests.factories import make_measure

    a = rolled.a
    make_measure(a.network, "Alphaville attendance, no data yet")
    db.session.commit()
    compute(a.network)
    login_as(a.facilitator.user)
    _, body = page(client, f"/n/{a.network.slug}/dashboard")
    block = body[body.index("Alphaville attendance, no data yet") :]
    assert "No data yet" in block[:600] and "No school reports it yet" in block[:900]


def test_a_waiting_roll_up_is_mentioned(client, rolled, login_as):
    a = rolled.a
    with use_network(a.network):
        db.session.add(RollupJob(scope="network", state="queued", requested_at=utcnow() - timedelta(minutes=3)))
        db.session.commit()
    login_as(a.facilitator.user)
    _, body = page(client, f"/n/{a.network.slug}/dashboard")
    assert "A roll-up was asked for 3 minutes ago" in body


def test_schools_come_in_pages_and_the_heatmap_follows(client, rolled, login_as, monkeypatch):
    from nic.services.rollups import dashboard

    monkeypatch.setattr(dashboard, "SCHOOLS_PER_PAGE", 2)
    a = rolled.a
    login_as(a.facilitator.user)
    _, first = page(client, f"/n/{a.network.slug}/dashboard?group=")
    schools = first[first.index('id="schools-title"') :]
    assert "Alphaville Charter" in schools and "Alphaville High School" in schools
    assert "Alphaville Middle School" not in schools and "3 schools" in schools
    assert f'href="/n/{a.network.slug}/dashboard?page=2"' in first
    _, second = page(client, f"/n/{a.network.slug}/dashboard?page=2")
    heatmap = second[second.index('id="heatmap-title"') : second.index('id="stalled-title"')]
    assert "Alphaville Middle School" in heatmap and "Alphaville Charter" not in heatmap


def test_snapshot_sections_are_rendered_once_per_snapshot_and_never_outlive_it(client, rolled, login_as):
    """The trend, heatmap, measures, engagement and schools sections are kept per snapshot
    (nic/web/dashboard/section_cache.py): a second request reuses them, a new roll-up
    shows its own figures at once, and the stalled list stays live in between."""
    from nic.services.rollups import rollups
    from nic.web.dashboard.section_cache import sections

    a = rolled.a
    login_as(a.facilitator.user)
    url = f"/n/{a.network.slug}/dashboard"
    hits, misses = sections.hits, sections.misses
    _, first = page(client, url)
    _, again = page(client, url)
    assert (sections.hits - hits, sections.misses - misses) == (1, 1)
    assert again == first
    # Another filter is another entry, with its own figures.
    _, grouped = page(client, url + "?group=Cohort+1")
    assert sections.misses - misses == 2 and "Alphaville Middle School" not in grouped
    # A stalled cycle edited now leaves the list without a new roll-up (the live part).
    with use_network(a.network):
        rolled.stalled.updated_at = utcnow()
        db.session.commit()
    _, edited = page(client, url)
    assert STALLED_TITLE in first and STALLED_TITLE not in edited
    # A new cycle and a new roll-up: the kept sections are not used for the new snapshot.
    from tests.factories import make_cycle

    make_cycle(a.schools[1], a.teacher_leader.user, "Alphaville brand new cycle", phase="plan")
    db.session.commit()
    before = payload(first, "trend-chart")
    with use_network(a.network):
        rollups.compute()
        db.session.commit()
    _, after = page(client, url)
    assert sections.misses - misses == 3
    started = [sum(d["data"]) for d in payload(after, "trend-chart")["datasets"] if d["label"].startswith("Started")]
    started_before = [sum(d["data"]) for d in before["datasets"] if d["label"].startswith("Started")]
    assert started[0] == started_before[0] + 1
