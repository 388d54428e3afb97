"""The dashboard's "Latest" is the pooled value of the latest complete period (issue 14):
on the demo, one school entering next week's figure before the others must not become
the network's latest value; that week is drawn hollow on the dashboard's sparkline and
said to be partial, and the figures match the pooled chart's."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from nic.demo import calendar as demo_calendar
from nic.demo.measures import WEEKS, seed_measures
from nic.extensions import db
from nic.models import RollupMeasure, RollupMeasurePeriod
from nic.services.measures import charts
from nic.services.rollups import rollups
from nic.tenancy import use_network
from tests import factories
from tests.charts.test_demo_measures import demo_like_network


def _rollup(network, measure):
    with use_network(network):
        rollups.compute()
        db.session.commit()
        return db.session.scalars(select(RollupMeasure).filter_by(measure_id=measure.id)).one()


def test_a_partial_week_is_not_the_networks_latest(client, db_session, login_as):
    network, schools, facilitator = demo_like_network("demo-latest")
    measures = seed_measures(network, schools, facilitator.user)
    db.session.commit()
    on_track = measures["on_track"]
    last_week = WEEKS[-1] + demo_calendar.offset()
    before = _rollup(network, on_track)
    assert before.latest_period == last_week and before.schools_reporting == 6

    next_week = last_week + timedelta(weeks=1)
    factories.make_points(on_track, schools[0], [(next_week, 260, 270)])  # one school, far above the rest
    db.session.commit()
    after = _rollup(network, on_track)
    with use_network(network):
        chart = charts.chart_for(on_track, None)
        newest = db.session.scalars(
            select(RollupMeasurePeriod).filter_by(measure_id=on_track.id, period=next_week)
        ).one()
    assert newest.schools == 1 and newest.pooled_value == pytest.approx(260 / 270)
    # The latest complete week stays the latest, with the pooled chart's value for it.
    assert after.latest_period == last_week
    assert after.pooled_value == pytest.approx(chart.series.values[-2])
    assert chart.series.excluded == [len(chart.series) - 1]

    login_as(facilitator.user)
    html = client.get(f"/n/{network.slug}/dashboard").get_data(as_text=True)
    tile = html[html.index(on_track.name, html.index('id="measures"')) :]
    tile = tile[: tile.index("</li>")]
    shown = f"{after.pooled_value * 100:.1f}%"
    assert f"Latest {shown}" in tile and f"{next_week.day} {next_week:%b %Y}" in tile
    assert "so far: 1 of 6 schools (drawn hollow)" in tile
    assert tile.count('class="dash-spark__hollow"') == 1


def test_a_measure_no_period_of_which_is_complete_has_no_latest(db_session):
    network, schools, _facilitator = demo_like_network("demo-sparse")
    measure = factories.make_measure(network, "Staggered", chart="run")
    start = WEEKS[0]
    for i, school in enumerate(schools[:5]):  # five schools, each reporting one different week
        factories.make_points(measure, school, [(start + timedelta(weeks=i), 10.0 + i)])
    db.session.commit()
    row = _rollup(network, measure)
    assert row.schools_reporting == 5 and row.latest_period is None and row.pooled_value is None
