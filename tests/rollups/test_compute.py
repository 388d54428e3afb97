"""The roll-up statements on hand-built data, every figure checked by hand: cycles by
phase, completions and their median length, stalled cycles, the school x change-idea
matrix, measure signals (Anhøj) and pooled values, engagement per week; and another
network's rows never reaching a snapshot."""

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from nic.clock import utcnow
from nic.extensions import db
from nic.models import (
    CyclePhaseMove,
    RollupChangeIdeaSchool,
    RollupMeasure,
    RollupMeasurePeriod,
    RollupMeasureSchool,
    RollupNetworkPeriod,
    RollupSchool,
    RollupSchoolPeriod,
    RollupStalledCycle,
    RollupState,
)
from nic.services.rollups import rollups
from nic.tenancy import use_network
from tests.factories import make_change_idea, make_cycle, make_measure, make_points, make_school

MONDAY = date(2026, 10, 5)


def _at(day: date, hour: int = 12) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


@pytest.fixture
def network(tenants):
    return build_counted_school(tenants)


def build_counted_school(tenants):
    """Alpha with a third school holding known cycles and points."""
    a = tenants.a
    school = make_school(a.network, "Counted High")
    idea = make_change_idea(a.network, "Counted idea")
    owner = a.teacher_leader.user
    now = utcnow()
    # Two done cycles: 7 and 13 days long -> median 10; decisions adopt and abandon.
    make_cycle(
        school,
        owner,
        phase="done",
        change_idea=idea,
        act_decision="adopt",
        start_date=MONDAY,
        phase_changed_at=_at(MONDAY + timedelta(days=7)),
        updated_at=now,
        questions=[("Will it work?", "Yes")],
    )
    make_cycle(
        school,
        owner,
        phase="done",
        change_idea=idea,
        act_decision="abandon",
        start_date=MONDAY,
        phase_changed_at=_at(MONDAY + timedelta(days=13)),
        updated_at=now,
    )
    # Testing: one fresh in Do, one stalled in Study (unchanged for 30 days).
    fresh = make_cycle(
        school, owner, phase="do", change_idea=idea, start_date=MONDAY, updated_at=now, measure_id=a.measure.id
    )
    stalled = make_cycle(school, owner, phase="study", start_date=MONDAY, updated_at=now - timedelta(days=30))
    with use_network(a.network):
        db.session.add(
            CyclePhaseMove(
                cycle_id=fresh.id,
                from_phase="plan",
                to_phase="do",
                user_id=owner.id,
                created_at=_at(MONDAY + timedelta(days=2)),
            )
        )
        db.session.flush()
    # A run chart: 12 weekly points, 6 low then 6 high: one crossing, longest run 6.
    measure = make_measure(a.network, "Counted run", chart="run")
    make_points(measure, school, [(MONDAY + timedelta(weeks=i), 1.0 if i < 6 else 5.0) for i in range(12)])
    # Alternating data at another school: no signal.
    make_points(measure, a.schools[0], [(MONDAY + timedelta(weeks=i), 1.0 + (i % 2)) for i in range(12)])
    db.session.commit()
    return a, school, idea, measure, stalled


def _one(model, **where):
    return db.session.scalars(select(model).filter_by(**where)).one()


def test_full_roll_up_counts_by_hand(network):
    check_counts_by_hand(*network)


def check_counts_by_hand(a, school, idea, measure, stalled):
    with use_network(a.network):
        computed_at = rollups.compute()
        db.session.commit()
        row = _one(RollupSchool, school_id=school.id)
        assert (row.cycles_total, row.in_plan, row.in_do, row.in_study, row.in_act, row.done) == (4, 0, 1, 1, 0, 2)
        assert row.stalled == 1 and row.with_prediction == 1 and row.with_measure == 1
        assert row.median_days == pytest.approx(10.0)
        assert row.computed_at == computed_at
        # Schools with no cycles still get a row of zeros.
        empty = _one(RollupSchool, school_id=a.schools[1].id)
        assert empty.cycles_total == 0 and empty.median_days is None

        assert [c.cycle_id for c in db.session.scalars(select(RollupStalledCycle))] == [stalled.id]

        cell = _one(RollupChangeIdeaSchool, change_idea_id=idea.id, school_id=school.id)
        assert (cell.cycles, cell.testing, cell.adopted, cell.adapted, cell.abandoned) == (3, 1, 1, 0, 1)

        week = _one(RollupSchoolPeriod, school_id=school.id, period_kind="week", period_start=MONDAY)
        # Four started that Monday; the move into Do on Wednesday belongs to the same week.
        assert week.started == 4 and week.to_do == 1 and week.completed == 0
        assert week.active_members == 1  # the owner moved a cycle that week (they were written today)
        month = _one(RollupSchoolPeriod, school_id=school.id, period_kind="month", period_start=date(2026, 10, 1))
        assert month.started == 4 and month.to_do == 1 and month.completed == 2
        assert month.median_days == pytest.approx(10.0)

        signal = _one(RollupMeasureSchool, measure_id=measure.id, school_id=school.id)
        assert signal.points == 12 and signal.latest_value == 5.0
        assert signal.center == pytest.approx(3.0) and signal.longest_run == 6 and signal.crossings == 1
        assert signal.signal is True  # 1 crossing < 3 = qbinom(0.05, 11, 0.5)
        calm = _one(RollupMeasureSchool, measure_id=measure.id, school_id=a.schools[0].id)
        assert calm.crossings == 11 and calm.longest_run == 1 and calm.signal is False

        pooled = _one(RollupMeasure, measure_id=measure.id)
        assert pooled.schools_reporting == 2 and pooled.schools_with_signal == 1
        assert pooled.latest_period == MONDAY + timedelta(weeks=11)
        assert pooled.pooled_value == pytest.approx((5.0 + 2.0) / 2)
        p_chart = _one(RollupMeasure, measure_id=a.measure.id)
        assert p_chart.pooled_value == pytest.approx(15 / 20)
        first = _one(RollupMeasurePeriod, measure_id=measure.id, period=MONDAY)
        assert first.schools == 2 and first.pooled_value == pytest.approx(1.0)

        assert db.session.scalar(select(RollupState)).full_computed_at == computed_at
        assert db.session.scalars(select(RollupNetworkPeriod)).first() is not None


def test_another_networks_rows_never_reach_the_snapshot(network, tenants):
    a, b = tenants.a, tenants.b
    with use_network(b.network):
        rollups.compute()
        db.session.commit()
        school_ids = set(db.session.scalars(select(RollupSchool.school_id)))
        assert school_ids == {s.id for s in b.schools}
        assert all(r.network_id == b.network.id for r in db.session.scalars(select(RollupChangeIdeaSchool)))
        assert {r.measure_id for r in db.session.scalars(select(RollupMeasureSchool))} == {b.measure.id}
    with use_network(a.network):
        rollups.compute()
        assert len(db.session.scalars(select(RollupSchool)).all()) == 3
    with use_network(b.network):  # alpha's run replaced only alpha's snapshot
        assert {r.school_id for r in db.session.scalars(select(RollupSchool))} == {s.id for s in b.schools}


def test_rerun_gives_identical_numbers(network):
    a, *_ = network
    columns = ("school_id", "cycles_total", "done", "stalled", "median_days")
    with use_network(a.network):
        rollups.compute()
        first = sorted(tuple(getattr(r, c) for c in columns) for r in db.session.scalars(select(RollupSchool)))
        rollups.compute()
        second = sorted(tuple(getattr(r, c) for c in columns) for r in db.session.scalars(select(RollupSchool)))
    assert first == second and len(first) == 3


def test_long_series_are_counted_in_whole_numbers(tenants):
    """PostgreSQL returns sums as Decimal; the Anhøj limits of a 500-point series need
    exact integers (2**499 does not fit a 28-digit Decimal)."""
    a = tenants.a
    measure = make_measure(a.network, "Long run", chart="run")
    make_points(measure, a.schools[1], [(MONDAY + timedelta(weeks=i - 400), float(i % 7)) for i in range(500)])
    with use_network(a.network):
        rollups.compute()
        row = _one(RollupMeasureSchool, measure_id=measure.id, school_id=a.schools[1].id)
        assert row.points == 500 and isinstance(row.crossings, int)
