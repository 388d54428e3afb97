"""The roll-up's per-school figures are the charts' own: every school's signal, longest
run, crossings and center in rollup_measure_schools, and each measure's count of schools
with a signal, are what the chart API answers for that school (GET .../chart?school_id=N),
whatever the chart type, baseline or phases. Checked on a hand-made i chart whose one
outlier only the Shewhart rules see, on the demo network and on a bench-seeded one."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from nic.cli import cli
from nic.demo.seed import DEMO_SLUG, seed_demo
from nic.extensions import db
from nic.models import (
    ChartSplit,
    Measure,
    MeasurePoint,
    Membership,
    Network,
    RollupMeasure,
    RollupMeasureSchool,
    School,
)
from nic.services.rollups import rollups
from nic.tenancy import use_network
from tests import factories

MONDAY = date(2026, 10, 5)
OUTLIER = [1, 2, 1, 2, 1, 2, 1, 2, 1, 20]


def _weekly(values, start=MONDAY):
    return [(start + timedelta(weeks=i), float(v)) for i, v in enumerate(values)]


def test_an_i_chart_outlier_is_a_signal_in_the_roll_up(client, tenants, login_as):
    check_an_i_chart_outlier(tenants, login_as)


def check_an_i_chart_outlier(tenants, login):
    """Its chart signals (the last point is far outside the limits); the median-based run
    test the roll-up used to apply saw nothing (longest run 1, 8 crossings)."""
    a = tenants.a
    measure = factories.make_measure(a.network, "Outreach hours", chart="i")
    factories.make_points(measure, a.schools[0], _weekly(OUTLIER))
    db.session.commit()
    chart = _chart(login(a.facilitator.user), a.network, measure.id, a.schools[0].id)
    assert chart["signal"] is True and chart["outside_limits"] == [9]
    with use_network(a.network):
        rollups.compute()
        db.session.commit()
        row = db.session.scalars(select(RollupMeasureSchool).filter_by(measure_id=measure.id)).one()
        assert row.signal is True
        assert row.center == pytest.approx(sum(OUTLIER) / len(OUTLIER))  # the i chart's center: the mean
        pooled = db.session.scalars(select(RollupMeasure).filter_by(measure_id=measure.id)).one()
        assert pooled.schools_with_signal == 1


def test_the_demo_networks_roll_up_agrees_with_its_charts(client, db_session, login_as):
    seed_demo()
    db_session.commit()
    check_the_demo(login_as)


def check_the_demo(login):
    network = db.session.scalar(select(Network).where(Network.slug == DEMO_SLUG))
    with use_network(network):  # the demo has a split chart and frozen baselines
        assert db.session.scalar(select(ChartSplit.id).limit(1)) is not None
        assert db.session.scalar(select(Measure.id).where(Measure.baseline_points.is_not(None)).limit(1))
    checked = check_roll_up_against_charts(login, network)
    assert checked["signals"] > 0 and checked["series"] == 4 * 6


def test_a_bench_seeded_networks_roll_up_agrees_with_its_charts(app, client, db_session, login_as):
    result = app.test_cli_runner().invoke(
        cli,
        [
            "bench",
            "seed",
            "--network",
            "bench-agree",
            "--schools",
            "8",
            "--cycles",
            "80",
            "--points",
            "1600",
            "--seed",
            "11",
        ],
    )
    assert result.exit_code == 0, result.output
    network = db.session.scalar(select(Network).where(Network.slug == "bench-agree"))
    with use_network(network):
        schools = db.session.scalars(select(School).order_by(School.id)).all()
        measures = db.session.scalars(select(Measure).order_by(Measure.id)).all()
        first = db.session.scalar(select(func.min(MeasurePoint.period)))
        # Phases on a few charts: two splits on one point, one before the first point,
        # two in the same week on another school, and a frozen baseline on one measure.
        for measure, school, weeks in (
            (measures[0], schools[0], (20, 20, -3, 35)),
            (measures[1], schools[1], (10.5,)),
            (measures[2], schools[2], (25, 25)),
            (measures[3], schools[3], (40,)),
        ):
            for week in weeks:
                factories.make_split(measure, first + timedelta(weeks=week), school)
        measures[2].baseline_points = 12
        db.session.commit()
    checked = check_roll_up_against_charts(login_as, network)
    assert checked["signals"] > 0 and checked["series"] == 4 * 8


def _chart(client, network, measure_id: int, school_id: int) -> dict:
    response = client.get(f"/api/v1/networks/{network.slug}/measures/{measure_id}/chart?school_id={school_id}")
    assert response.status_code == 200
    return response.get_json()


def check_roll_up_against_charts(login, network) -> dict:
    """Compute the roll-up, then ask the chart API (as a facilitator: `login(user)`
    answers a signed-in test client) for every school's chart of every measure: each
    school's stored figures, and each measure's count of schools with a signal, must be
    the charts'. Answers how many series and signals were compared."""
    with use_network(network):
        rollups.compute()
        db.session.commit()
        facilitator = db.session.scalar(
            select(Membership).where(Membership.role == "facilitator").order_by(Membership.id).limit(1)
        )
        measures = db.session.scalars(select(Measure).order_by(Measure.id)).all()
        school_ids = db.session.scalars(select(School.id).order_by(School.id)).all()
        stored = {(r.measure_id, r.school_id): r for r in db.session.scalars(select(RollupMeasureSchool))}
        pooled = {r.measure_id: r for r in db.session.scalars(select(RollupMeasure))}
        user = facilitator.user
    client = login(user)
    series = signals = 0
    for measure in measures:
        with_signal = 0
        for school_id in school_ids:
            chart = _chart(client, network, measure.id, school_id)
            recorded = [i for i, point in enumerate(chart["points"]) if point["value"] is not None]
            row = stored.get((measure.id, school_id))
            where = f"measure {measure.name!r} ({measure.chart}), school {school_id}"
            if not recorded:
                assert row is None, where
                assert chart["signal"] is False, where
                continue
            series += 1
            last = chart["points"][recorded[-1]]
            assert row is not None, where
            assert row.signal is chart["signal"], where
            assert (row.longest_run, row.crossings) == (chart["runs"]["longest_run"], chart["runs"]["crossings"]), where
            assert row.center == pytest.approx(last["center"], rel=1e-12), where
            assert (row.points, row.latest_period.isoformat()) == (len(recorded), last["period"]), where
            assert row.latest_value == pytest.approx(last["value"], rel=1e-12), where
            with_signal += chart["signal"]
        assert pooled[measure.id].schools_with_signal == with_signal, measure.name
        signals += with_signal
    return {"series": series, "signals": signals}
