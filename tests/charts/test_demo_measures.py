"""The demo's measures: four of them (one of each kind, a p chart among them), 38 weeks
of data per school, real signals where the story puts them and quiet noise elsewhere,
cycles pointing at the measures they feed, and one split chart."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from nic.demo import calendar as demo_calendar
from nic.demo import cycles as demo_cycles
from nic.demo import theory as demo_theory
from nic.demo.measures import WEEKS, seed_measures
from nic.demo.seed import SCHOOLS
from nic.extensions import db
from nic.models import ChartSplit, Cycle, MeasurePoint, Membership
from nic.services.measures import charts
from nic.services.measures import markers as chart_markers
from nic.tenancy import use_network
from tests import factories


def demo_like_network(slug: str):
    """The demo's shape without its people list: six schools with a principal and a
    teacher leader each, a facilitator, the demo theory and cycles."""
    network = factories.make_network(slug, "Demo-like network")
    schools = [factories.make_school(network, name) for name in SCHOOLS]
    facilitator = factories.make_member(network, "facilitator")
    for school in schools:
        factories.make_member(network, "principal", school)
        factories.make_member(network, "teacher_leader", school)
    with use_network(network):
        demo_theory.seed_theory(facilitator.user)
        demo_cycles.seed_teams(schools)
        demo_cycles.seed_cycles(schools)
        db.session.flush()
    return network, schools, facilitator


def test_the_demo_measures_carry_real_signals(db_session):
    network, schools, facilitator = demo_like_network("demo-like")
    with use_network(network):
        versions = dict(db.session.execute(select(Cycle.id, Cycle.version)).all())
    measures = seed_measures(network, schools, facilitator.user)
    db.session.commit()
    with use_network(network):
        assert sorted(m.kind for m in measures.values()) == ["balancing", "outcome", "process", "process"]
        assert sorted(m.chart for m in measures.values()) == ["i", "p", "run", "u"]
        assert measures["on_track"].aim_id is not None and measures["on_track"].goal == 0.85
        per_school = db.session.execute(
            select(MeasurePoint.measure_id, MeasurePoint.school_id, func.count()).group_by(
                MeasurePoint.measure_id, MeasurePoint.school_id
            )
        ).all()
        assert len(per_school) == 4 * 6 and min(count for *_, count in per_school) >= 30
        assert len(WEEKS) == 38

        def signals(key, school_index):
            chart = charts.chart_for(measures[key], schools[school_index])
            return {name for name, on in chart.signals.items() if on}, chart

        eastside, chart = signals("on_track", 0)
        assert "shift_8" in eastside  # a p chart: the Data Guide's 8 on one side
        # The story's 21 Sep 2026, moved onto the current autumn as `nic demo` does.
        since = date(2026, 9, 21) + demo_calendar.offset()
        assert any(
            s.startswith(f"A shift above the center line since {since.day} {since:%b %Y}") for s in chart.summary
        )
        riverside, _ = signals("missing", 1)
        assert "trend_6" in riverside
        harbor, chart = signals("outreach", 3)
        assert harbor == {"outside_limits"}
        high = date(2026, 10, 26) + demo_calendar.offset()
        year = "" if high.year == (WEEKS[-1] + demo_calendar.offset()).year else f" {high.year}"
        assert (
            chart.summary[0] == f"1 point above the upper limit ({high.day} {high:%b}{year}) — in the wrong direction."
        )
        quiet = [
            signals(key, index)[0]
            for key in measures
            for index in range(6)
            if (key, index) not in {("on_track", 0), ("missing", 1), ("outreach", 3), ("huddle", 0)}
        ]
        assert quiet and all(found == set() for found in quiet)  # the others: noise, no chance signal

        # The huddle chart of Eastside has two phases, split when the huddle was adopted.
        split = db.session.scalar(select(ChartSplit))
        assert split.school_id == schools[0].id and split.measure_id == measures["huddle"].id
        huddle = charts.chart_for(measures["huddle"], schools[0])
        assert len(huddle.analysis.phases) == 2
        # Maple Grove missed a week: a gap in its series.
        maple = charts.school_series(measures["huddle"], schools[4].id)
        assert maple.values.count(None) == 1

        # Cycles feed the measures; their markers show on the charts.
        fed = db.session.scalar(select(func.count()).select_from(Cycle).where(Cycle.measure_id.is_not(None)))
        assert fed >= 10
        db.session.expire_all()
        after = dict(db.session.execute(select(Cycle.id, Cycle.version)).all())
        assert after == versions  # a bulk update: no version bump, no conflict for anyone editing
        reader = db.session.scalar(select(Membership).where(Membership.school_id == schools[0].id))
        markers = chart_markers.markers_for(measures["huddle"], reader, huddle.series.periods, schools[0].id)
        assert [m.title for m in markers][:2] == [
            "Ninth-grade success team huddle",
            "Ninth-grade success team huddle, ramp 2",
        ]


def test_the_demo_data_is_the_same_every_time(db_session):
    sums = []
    for slug in ("demo-one", "demo-two"):
        network, schools, facilitator = demo_like_network(slug)
        seed_measures(network, schools, facilitator.user)
        with use_network(network):
            sums.append(
                db.session.execute(
                    select(func.sum(MeasurePoint.value), func.sum(MeasurePoint.numerator), func.count())
                ).one()
            )
    assert sums[0] == sums[1]
