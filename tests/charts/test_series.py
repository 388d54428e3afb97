"""Series assembly: a school's points on the period grid, the network's pooled series
(p and u pooled by sums, run and i by the mean), splits turned into phase indices, and
the small multiples of every school from a fixed number of queries."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest
from sqlalchemy import event

from nic.extensions import db
from nic.services.measures import charts
from nic.tenancy import use_network
from tests import factories
from tests.charts.world import SHIFTED, ratio_points, values_points, weeks


@pytest.fixture
def net(tenants):
    return tenants.a


def test_a_schools_p_series_keeps_counts_and_leaves_gaps_for_missing_weeks(net):
    measure = factories.make_measure(net.network, "Passing", chart="p")
    ratio_points(measure, net.schools[0], [(5, 10), None, (3, 4), (0, 0)])
    with use_network(net.network):
        series = charts.school_series(measure, net.schools[0].id)
    assert series.periods == weeks(4)
    assert series.numerators == [5, None, 3, 0]
    assert series.denominators == [10, None, 4, 0]
    assert series.values == [0.5, None, 0.75, None]  # a denominator of 0 has no proportion
    assert series.recorded == 2
    assert series.reporting is None


def test_a_schools_series_reads_only_that_school_and_measure(net):
    measure = factories.make_measure(net.network, "Huddle count")
    other = factories.make_measure(net.network, "Other")
    values_points(measure, net.schools[0], [4, 5, 6])
    values_points(measure, net.schools[1], [40, 50, 60])
    values_points(other, net.schools[0], [400, 500, 600])
    with use_network(net.network):
        assert charts.school_series(measure, net.schools[0].id).values == [4, 5, 6]
        assert charts.school_series(measure, net.schools[1].id).values == [40, 50, 60]


def test_pooled_p_and_u_series_divide_the_sums_not_average_the_rates(net):
    for chart in ("p", "u"):
        measure = factories.make_measure(net.network, f"Pooled {chart}", chart=chart)
        # Week 1: 1/2 and 30/100 -> 31/102 (the mean of rates would be 0.4).
        ratio_points(measure, net.schools[0], [(1, 2), (2, 4), None])
        ratio_points(measure, net.schools[1], [(30, 100), None, (9, 10)])
        with use_network(net.network):
            series = charts.pooled_series(measure)
        assert series.periods == weeks(3)
        assert series.numerators == [31, 2, 9]
        assert series.denominators == [102, 4, 10]
        assert series.values == pytest.approx([31 / 102, 0.5, 0.9])
        assert series.reporting == [2, 1, 1]


def test_pooled_run_and_i_series_take_the_mean_of_the_schools_values(net):
    measure = factories.make_measure(net.network, "Hours", chart="i")
    values_points(measure, net.schools[0], [10, 20, None, 8])
    values_points(measure, net.schools[1], [30, None, None, 4])
    with use_network(net.network):
        series = charts.pooled_series(measure)
    assert series.values == [20, 20, None, 6]  # the third week nobody reported: a gap
    assert series.reporting == [2, 1, 0, 2]
    assert series.numerators is None


def test_monthly_series_sit_on_the_first_of_each_month(net):
    measure = factories.make_measure(net.network, "Monthly", chart="run", frequency="monthly")
    factories.make_points(measure, net.schools[0], [(date(2026, 11, 1), 3), (date(2027, 2, 1), 5)])
    with use_network(net.network):
        series = charts.school_series(measure, net.schools[0].id)
    assert series.periods == [date(2026, 11, 1), date(2026, 12, 1), date(2027, 1, 1), date(2027, 2, 1)]
    assert series.values == [3, None, None, 5]


def test_a_measure_with_no_points_has_an_empty_series_and_chart(net):
    measure = factories.make_measure(net.network, "Nothing yet", chart="u")
    with use_network(net.network):
        chart = charts.chart_for(measure, None)
        assert len(chart.series) == 0 and chart.summary == []
        assert chart.contract()["points"] == []


def test_splits_become_the_index_of_their_first_period():
    periods = weeks(6)

    def split(day):
        return SimpleNamespace(start_date=day)

    placed = charts.split_indices(
        periods,
        [
            split(date(2026, 2, 1)),  # before the chart: no phase
            split(date(2026, 3, 11)),  # mid-week: from the next Monday (index 2)
            split(date(2026, 3, 16)),  # the same Monday: one phase, not two
            split(date(2026, 3, 23)),  # exactly on a period (index 3)
            split(date(2026, 5, 1)),  # after the last point: not begun yet
        ],
    )
    assert [index for _, index in placed] == [2, 3]


def test_a_school_chart_uses_its_own_splits_and_the_pooled_chart_the_networks(net):
    measure = factories.make_measure(net.network, "Split me")
    values_points(measure, net.schools[0], SHIFTED)
    factories.make_split(measure, weeks(16)[8], net.schools[0], label="Adopted")
    factories.make_split(measure, weeks(16)[4], None, label="Network push")
    factories.make_split(measure, weeks(16)[2], net.schools[1], label="Not this school")
    with use_network(net.network):
        school_chart = charts.chart_for(measure, net.schools[0])
        pooled_chart = charts.chart_for(measure, None)
    assert [(s.label, i) for s, i in school_chart.splits] == [("Adopted", 8)]
    assert school_chart.analysis.phases == [(0, 8), (8, 16)]
    assert school_chart.analysis.center[0] == 10 and school_chart.analysis.center[15] == 16
    assert [(s.label, i) for s, i in pooled_chart.splits] == [("Network push", 4)]
    assert pooled_chart.analysis.phases == [(0, 4), (4, 16)]


def test_chart_for_finds_the_shift_and_says_so(net):
    measure = factories.make_measure(net.network, "Shifted", chart="run", unit="students")
    values_points(measure, net.schools[0], SHIFTED)
    with use_network(net.network):
        chart = charts.chart_for(measure, net.schools[0])
    assert chart.analysis.shift == list(range(16))  # 8 below the median, then 8 above
    assert chart.signals == {"anhoej_longest_run": True, "anhoej_crossings": True} and chart.has_signal
    assert any(
        sentence.startswith("A shift above the median since 27 Apr 2026: 8 points") for sentence in chart.summary
    )


def test_the_baseline_freezes_the_center_on_the_first_points(net):
    measure = factories.make_measure(net.network, "Frozen", chart="run", baseline_points=8)
    values_points(measure, net.schools[0], SHIFTED)
    with use_network(net.network):
        chart = charts.chart_for(measure, net.schools[0])
    assert set(chart.analysis.center) == {10}  # the median of the first 8, carried over all 16


def _count_queries():
    statements = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    return statements, record


def test_small_multiples_cover_every_school_in_two_queries(net):
    measure = factories.make_measure(net.network, "Multiples", chart="run")
    extra = [factories.make_school(net.network, f"Extra {i}") for i in range(4)]
    values_points(measure, net.schools[0], SHIFTED)
    for school in extra:
        values_points(measure, school, [5, 6, 5, 6, 5, 6, 5, 6, 5, 6, 5, 6])
    factories.make_split(measure, weeks(16)[8], extra[0])
    with use_network(net.network):
        schools = sorted([*net.schools, *extra], key=lambda s: s.name)
        statements, record = _count_queries()
        event.listen(db.engine, "before_cursor_execute", record)
        try:
            multiples = charts.small_multiples(measure, schools)
        finally:
            event.remove(db.engine, "before_cursor_execute", record)
    assert len(statements) == 2
    assert len(multiples) == 6
    assert multiples[0].school.id == net.schools[0].id and multiples[0].has_signal  # signals first
    assert multiples[-1].school.id == net.schools[1].id and multiples[-1].analysis is None  # no data last
    split_school = next(m for m in multiples if m.school.id == extra[0].id)
    assert split_school.analysis.phases == [(0, 8), (8, 12)]
