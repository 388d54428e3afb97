"""Pooled (network) series know who reported (issue 14): each pooled point carries how
many schools reported it of how many report the measure; a period below the network's
reporting threshold is drawn hollow and left out of the center line, limits and rules,
and the summary names it. The repro: school A steady at 20%, school B steady at 80%
reporting only the first 12 weeks; pooled naively, the network "improves" from ~50% to
20% when B stops reporting."""

from __future__ import annotations

import json
import re
from datetime import date

from nic.analytics import analyse
from nic.extensions import db
from nic.services.measures import charts
from nic.tenancy import use_network
from tests import factories
from tests.charts.world import ratio_points, values_points, weeks

# Of 100 students a week, with binomial-sized noise (sd 4), so neither school's own
# chart has anything to say.
A_NUMERATORS = [20, 24, 17, 21, 15, 22, 19, 26, 18, 20, 23, 16, 21, 19, 25, 17, 20, 22, 14, 21]
B_NUMERATORS = [80, 76, 83, 79, 84, 78, 81, 75, 82, 80, 77, 83]  # weeks 0-11 only


def _ab(network, schools):
    measure = factories.make_measure(network, "On track", chart="p")
    ratio_points(measure, schools[0], [(n, 100) for n in A_NUMERATORS])
    ratio_points(measure, schools[1], [(n, 100) for n in B_NUMERATORS])
    db.session.commit()
    return measure


def bearer(tenant) -> dict:
    return {"Authorization": f"Bearer {tenant.api_secret}"}


def test_a_school_that_stops_reporting_is_not_an_improvement(client, tenants):
    a = tenants.a
    measure = _ab(a.network, a.schools)
    # Pooled naively (every period judged), the chart calls B's silence a change: the
    # repro of the finding, so this test would fail on a chart that pooled that way.
    naive = analyse(
        "p",
        numerators=[n + (B_NUMERATORS[i] if i < 12 else 0) for i, n in enumerate(A_NUMERATORS)],
        denominators=[100 + (100 if i < 12 else 0) for i in range(20)],
    )
    assert naive.signal and naive.outside_limits

    url = f"/api/v1/networks/{a.network.slug}/measures/{measure.id}/chart"
    body = client.get(url, headers=bearer(a)).get_json()
    assert body["signal"] is False and body["rules"] == [] and body["outside_limits"] == []
    points = body["points"]
    assert [p["schools_reporting"] for p in points] == [2] * 12 + [1] * 8
    assert {p["schools_expected"] for p in points} == {2}
    assert [p["excluded"] for p in points] == [False] * 12 + [True] * 8
    # The excluded weeks keep their value (drawn hollow) but no limits of their own.
    assert points[15]["value"] == A_NUMERATORS[15] / 100 and points[15]["upper"] is None
    assert points[0]["center"] == sum(A_NUMERATORS[:12] + B_NUMERATORS) / 2400  # from the complete weeks only
    last = weeks(20)[-1]
    assert body["summary"][0] == (
        f"Only 1 of 2 schools reported in 8 weeks (25 May – {last.day} {last:%b}), below the network's 80% "
        "threshold: those points are drawn hollow and left out of the center line, limits and rules."
    )
    assert not any("shift" in s.lower() or "limit (" in s for s in body["summary"])
    for school in a.schools[:2]:  # neither school's own chart shows anything
        own = client.get(f"{url}?school_id={school.id}", headers=bearer(a)).get_json()
        assert own["signal"] is False and "schools_reporting" not in own["points"][0]


def test_the_threshold_is_the_networks(tenants):
    a = tenants.a
    measure = _ab(a.network, a.schools)
    a.network.reporting_threshold = 50  # half the schools are enough in this network
    db.session.commit()
    with use_network(a.network):
        chart = charts.chart_for(measure, None)
    assert chart.series.excluded == [] and chart.series.threshold == 50
    assert chart.has_signal  # and then B's silence reads as a change, as the threshold allows


def test_the_pooled_page_draws_and_tables_who_reported(client, tenants, login_as):
    a = tenants.a
    measure = _ab(a.network, a.schools)
    login_as(a.facilitator.user)
    html = client.get(f"/n/{a.network.slug}/measures/{measure.id}/chart").get_data(as_text=True)
    data = json.loads(re.search(r'<script type="application/json" id="spc-data">(.*?)</script>', html, re.S).group(1))
    assert data["excluded"] == list(range(12, 20)) and data["reporting"] == [2] * 12 + [1] * 8
    assert data["expected"] == 2 and data["values"][19] == A_NUMERATORS[19] / 100
    assert data["signal"] == [] and data["outside_limits"] == []
    assert html.count(" · 1 of 2 schools</td>") == 8 and html.count(" · 2 of 2 schools</td>") == 12
    assert "Too few schools reported (below 80%)" in html
    assert "Hollow: too few schools reported" in html  # the legend explains the hollow points


def test_a_monthly_measure_names_the_month(tenants):
    a = tenants.a
    measure = factories.make_measure(a.network, "Monthly visits", chart="run", frequency="monthly")
    months = ["2026-01-01", "2026-02-01", "2026-03-01", "2026-04-01"]
    factories.make_points(measure, a.schools[0], [(date.fromisoformat(m), 10 + i) for i, m in enumerate(months)])
    factories.make_points(measure, a.schools[1], [(date.fromisoformat(m), 12) for m in months[:3]])
    db.session.commit()
    with use_network(a.network):
        chart = charts.chart_for(measure, None)
    assert chart.series.excluded == [3]
    assert chart.summary[0].startswith("Only 1 of 2 schools reported Apr 2026, below the network's 80% threshold")


def test_a_run_chart_pools_the_mean_of_those_who_reported(tenants):
    a = tenants.a
    measure = factories.make_measure(a.network, "Huddle", chart="run")
    values_points(measure, a.schools[0], [5] * 14)
    values_points(measure, a.schools[1], [15] * 7 + [None] * 7)
    db.session.commit()
    with use_network(a.network):
        chart = charts.chart_for(measure, None)
    assert chart.series.values == [10.0] * 7 + [5.0] * 7
    assert chart.series.excluded == list(range(7, 14))
    assert chart.analysis.values == [10.0] * 7 + [None] * 7  # the drop is not judged
    assert not chart.has_signal


def test_one_schools_early_week_on_the_demo_is_not_a_network_change(db_session):
    """The finding on the demo: one school entering next week's figure made the pooled
    chart read a partial week as a change. Now that week is hollow and named."""
    from datetime import timedelta

    from nic.demo import calendar as demo_calendar
    from nic.demo.measures import WEEKS, seed_measures
    from tests.charts.test_demo_measures import demo_like_network

    network, schools, facilitator = demo_like_network("demo-partial")
    measures = seed_measures(network, schools, facilitator.user)
    db.session.commit()
    on_track = measures["on_track"]
    with use_network(network):
        before = charts.chart_for(on_track, None)
    next_week = WEEKS[-1] + demo_calendar.offset() + timedelta(weeks=1)
    factories.make_points(on_track, schools[0], [(next_week, 260, 270)])  # 96%, far above the network
    db.session.commit()
    with use_network(network):
        after = charts.chart_for(on_track, None)
    assert after.series.periods[-1] == next_week and after.series.excluded == [len(after.series) - 1]
    assert after.series.reporting[-1] == 1 and after.series.expected == 6
    assert after.analysis.values[-1] is None and after.series.values[-1] == 260 / 270
    assert after.analysis.rules == before.analysis.rules  # nothing new is judged
    assert after.summary[0].startswith(f"Only 1 of 6 schools reported the week of {next_week.day} {next_week:%b %Y}")
