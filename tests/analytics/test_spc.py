"""Centers, limits, phases and rules of analyse() on hand-worked series, one per chart
type and convention (the arithmetic is worked out in the comments)."""

import math
import random

import pytest

from nic.analytics import Analysis, analyse
from nic.analytics.runs import NO_RUNS


def approx_list(values):
    return [None if v is None else pytest.approx(v, abs=1e-9) for v in values]


# --- run charts ----------------------------------------------------------------------


def test_run_chart_median_with_ties_on_the_median():
    # 3 5 4 6 2 7 5 8 5 9 sorted: 2 3 4 5 5 5 6 7 8 9, median (5 + 5) / 2 = 5.
    # Three points sit on the median and are not useful. Sides of the rest:
    # 3- 4- 6+ 2- 7+ 8+ 9+ -> n = 7, longest run 3 (7 8 9), crossings 3.
    # Limits for 7: round(log2 7 = 2.81) + 3 = 6; qbinom(0.05, 6, .5) = 1 (P(X <= 0) = 1/64).
    a = analyse("run", [3, 5, 4, 6, 2, 7, 5, 8, 5, 9])
    assert a.center == [5.0] * 10
    assert a.lower == [None] * 10 and a.upper == [None] * 10
    assert a.runs.to_contract() == {
        "useful": 7,
        "longest_run": 3,
        "longest_run_max": 6,
        "crossings": 3,
        "crossings_min": 1,
        "signal": False,
    }
    assert a.shift == [] and a.trend == [] and a.outside_limits == []
    assert a.phases == [(0, 10)]


def test_run_chart_median_of_an_even_count_is_the_mean_of_the_middle_two():
    a = analyse("run", [1, 2, 3, 10])
    assert a.center[0] == 2.5


def test_run_chart_shift_and_too_few_crossings():
    # 1 2 1 2 1 2 1 2 then 8 9 8 9 8 9 8 9: median (2 + 8) / 2 = 5.
    # 8 below then 8 above: two shifts (16 indices), n = 16, longest run 8 > 7
    # (round(log2 16) + 3 = 7), crossings 1 < 4: both Anhøj tests signal.
    a = analyse("run", [1, 2] * 4 + [8, 9] * 4)
    assert a.center[0] == 5.0
    assert a.shift == list(range(16))
    assert (a.runs.longest_run, a.runs.longest_run_max, a.runs.crossings, a.runs.crossings_min) == (8, 7, 1, 4)
    assert a.runs.signal
    assert a.any_signal


def test_missing_periods_are_skipped_but_keep_their_place():
    # None in the middle: the median uses 4 values (1 3 5 7 -> 4); the missing point
    # has a value of None but still carries the center line.
    a = analyse("run", [1, None, 3, 5, None, 7])
    assert a.values == [1.0, None, 3.0, 5.0, None, 7.0]
    assert a.center == [4.0] * 6
    assert a.runs.useful == 4
    assert a.runs.crossings == 1


def test_nan_counts_as_missing():
    a = analyse("run", [1.0, float("nan"), 3.0])
    assert a.values == [1.0, None, 3.0]
    assert a.center[0] == 2.0


def test_frozen_baseline_judges_later_points_against_the_baseline_median():
    # Baseline 10 12 11 13 10 12 11 13 -> median (11 + 12) / 2 = 11.5, frozen over the
    # whole (single) phase. Then 14 15 14 16 15 14 are all above it.
    # Sides: - + - + - + - + + + + + + + -> the run of + from index 7 to 13 is 7 long:
    # an IHI shift (>= 6). Anhøj: n = 14, longest 7 is not above round(log2 14) + 3 = 7
    # and crossings 7 >= 4, so no Anhøj signal: the two rule sets can disagree.
    values = [10, 12, 11, 13, 10, 12, 11, 13, 14, 15, 14, 16, 15, 14]
    frozen = analyse("run", values, baseline=8)
    assert frozen.center == [11.5] * 14
    assert frozen.shift == list(range(7, 14))
    assert (frozen.runs.longest_run, frozen.runs.longest_run_max, frozen.runs.crossings) == (7, 7, 7)
    assert not frozen.runs.signal
    # Without the freeze the new points pull the median up to (13 + 13) / 2 = 13: the two
    # 13s sit on it, six points are below (0 1 2 4 5 6) and six above (8-13).
    unfrozen = analyse("run", values)
    assert unfrozen.center[0] == 13.0
    assert unfrozen.shift == [0, 1, 2, 4, 5, 6, 8, 9, 10, 11, 12, 13]


def test_baseline_counts_recorded_points_not_periods():
    # The first three recorded values are 1 2 3 (the Nones do not count): median 2.
    a = analyse("run", [None, 1, 2, None, 3, 10, 10], baseline=3)
    assert a.center == [2.0] * 7


def test_baseline_longer_than_the_data_uses_every_point_and_zero_means_none():
    assert analyse("run", [1, 2, 3], baseline=10).center[0] == 2.0
    assert analyse("run", [1, 2, 3], baseline=0).center[0] == 2.0
    with pytest.raises(ValueError):
        analyse("run", [1, 2, 3], baseline=-1)


# --- phases -----------------------------------------------------------------------------


def test_each_phase_has_its_own_center_and_rules_stay_inside_a_phase():
    # Phase 1: 1 2 1 2 1 2 (median 1.5); phase 2: 5 6 5 6 5 6 (median 5.5).
    # Within each phase the points alternate: no shift. The Anhøj analysis covers the
    # last phase: n = 6, crossings 5.
    values = [1, 2, 1, 2, 1, 2, 5, 6, 5, 6, 5, 6]
    a = analyse("run", values, splits=[6])
    assert a.phases == [(0, 6), (6, 12)]
    assert a.center == [1.5] * 6 + [5.5] * 6
    assert a.shift == []
    assert (a.runs.useful, a.runs.crossings) == (6, 5)
    # One phase over everything: median 3.5, six below then six above: two shifts.
    whole = analyse("run", values)
    assert whole.shift == list(range(12))


def test_shift_indices_in_a_later_phase_are_absolute():
    # Phase 2 starts at index 3; its baseline is its own points 1 1 1 1 1 1 9 9 9 9 9 9
    # (median 5): six below then six above, i.e. indices 3-14.
    a = analyse("run", [7, 8, 9] + [1] * 6 + [9] * 6, splits=[3])
    assert a.shift == list(range(3, 15))


def test_baseline_freezes_the_first_phase_only():
    # Phase 1 (indices 0-4), baseline 2: median of 1 3 = 2. Phase 2 (5-8): all its
    # points: median of 10 20 30 40 = 25.
    a = analyse("run", [1, 3, 8, 9, 7, 10, 20, 30, 40], baseline=2, splits=[5])
    assert a.center == [2.0] * 5 + [25.0] * 4


def test_splits_are_sorted_deduplicated_and_out_of_range_ones_ignored():
    a = analyse("run", list(range(10)), splits=[7, 0, 3, 3, 10, 99])
    assert a.phases == [(0, 3), (3, 7), (7, 10)]
    with pytest.raises(ValueError):
        analyse("run", [1, 2], splits=[-1])


def test_a_phase_without_data_has_no_center():
    a = analyse("i", [1, 2, 3, None, None], splits=[3])
    assert a.center[3:] == [None, None]
    assert a.lower[3:] == [None, None]
    assert a.runs == NO_RUNS


# --- i charts ---------------------------------------------------------------------------


def test_i_chart_mean_and_moving_range_limits():
    # Baseline 10 12 11 15 12: mean 60 / 5 = 12; moving ranges 2 1 4 3, MR̄ = 2.5;
    # limits 12 ± 2.66 × 2.5 = 12 ± 6.65 -> 5.35 and 18.65, frozen over the phase.
    # The next points 19 and 5 lie above and below them.
    a = analyse("i", [10, 12, 11, 15, 12, 19, 5], baseline=5)
    assert a.center == approx_list([12.0] * 7)
    assert a.lower == approx_list([5.35] * 7)
    assert a.upper == approx_list([18.65] * 7)
    assert a.outside_limits == [5, 6]


def test_i_chart_bridges_missing_periods_in_the_moving_range():
    # 10 _ 12 11: mean 11; moving ranges between recorded points 2 and 1 -> 1.5;
    # limits 11 ± 3.99. The missing point keeps the center and limits.
    a = analyse("i", [10, None, 12, 11])
    assert a.values[1] is None
    assert a.center == approx_list([11.0] * 4)
    assert a.lower == approx_list([7.01] * 4)
    assert a.upper == approx_list([14.99] * 4)


def test_i_chart_with_one_point_has_a_center_but_no_limits():
    a = analyse("i", [None, 4.0])
    assert a.center == [4.0, 4.0]
    assert a.lower == [None, None] and a.upper == [None, None]
    assert a.outside_limits == []


def test_i_chart_gets_anhoej_and_ihi_rules_on_its_mean():
    # 1 2 3 4 5 6 7 8 9 10 11 12: mean 6.5, MR̄ 1, limits 6.5 ± 2.66.
    # Six below then six above the mean: two shifts; 12 rising: a trend; 1 2 3 and
    # 10 11 12 are outside 3.84 .. 9.16; crossings 1 < qbinom(.05, 11, .5) = 3.
    a = analyse("i", list(range(1, 13)))
    assert a.shift == list(range(12))
    assert a.trend == list(range(12))
    assert a.outside_limits == [0, 1, 2, 9, 10, 11]
    assert (a.runs.crossings, a.runs.crossings_min, a.runs.signal) == (1, 3, True)


def test_i_chart_lower_limit_may_be_negative():
    # Montgomery's individuals chart does not clip: 0 10 0 10 has mean 5, MR̄ 10,
    # limits 5 ± 26.6.
    a = analyse("i", [0, 10, 0, 10])
    assert a.lower[0] == pytest.approx(-21.6)


# --- p charts ---------------------------------------------------------------------------


def test_p_chart_center_and_per_point_limits():
    # Numerators 2 3 5 0 4 over 10 20 25 0 20: the fourth has a denominator of 0, so no
    # value, no limits, and it is left out of p̄ = 14 / 75 = 0.18667.
    # n = 10: 3 √(p̄(1 − p̄)/10) = 3 √(0.0151822) = 0.369648 -> lower 0 (clipped), upper 0.556315.
    # n = 25: 3 √(p̄(1 − p̄)/25) = 0.233786 -> lower 0 (clipped), upper 0.420453.
    a = analyse("p", numerators=[2, 3, 5, 0, 4], denominators=[10, 20, 25, 0, 20])
    p = 14 / 75
    assert a.values == approx_list([0.2, 0.15, 0.2, None, 0.2])
    assert a.center == approx_list([p] * 5)
    assert a.upper[0] == pytest.approx(0.556315, abs=1e-6)
    assert a.upper[2] == pytest.approx(0.420453, abs=1e-6)
    assert a.upper[1] == pytest.approx(p + 3 * math.sqrt(p * (1 - p) / 20))
    assert a.lower == [0.0, 0.0, 0.0, None, 0.0]
    assert a.upper[3] is None


def test_p_chart_upper_limit_clipped_at_one_and_a_point_on_it_is_not_outside():
    # 9 10 9 of 10: p̄ = 28/30 = 0.9333; 3 √(0.9333 × 0.0667 / 10) = 0.2366 ->
    # upper 1.17 clipped to 1, lower 0.6967. The value 1.0 sits on the limit.
    a = analyse("p", numerators=[9, 10, 9], denominators=[10, 10, 10])
    assert a.upper == [1.0, 1.0, 1.0]
    assert a.lower[0] == pytest.approx(0.69670, abs=1e-5)
    assert a.outside_limits == []


def test_p_chart_point_outside_the_frozen_limits():
    # Baseline 50 52 48 50 of 100: p̄ = 0.5, limits 0.5 ± 3 × 0.05 = 0.35 .. 0.65;
    # the fifth point, 80 of 100, is above.
    a = analyse("p", numerators=[50, 52, 48, 50, 80], denominators=[100] * 5, baseline=4)
    assert a.center[0] == 0.5
    assert a.lower[4] == pytest.approx(0.35) and a.upper[4] == pytest.approx(0.65)
    assert a.outside_limits == [4]


def test_p_chart_zero_and_missing_denominators_and_numerators():
    a = analyse("p", numerators=[0, 3, None, 1, 5], denominators=[0, None, 4, 4, 0])
    assert a.values == [None, None, None, 0.25, None]
    assert a.center == [0.25] * 5
    assert a.runs.useful == 0


def test_p_chart_with_p_bar_of_zero_has_zero_width_limits():
    a = analyse("p", numerators=[0, 0, 0], denominators=[5, 5, 5])
    assert a.center == [0.0] * 3 and a.lower == [0.0] * 3 and a.upper == [0.0] * 3
    assert a.outside_limits == [] and not a.any_signal


def test_p_chart_rejects_impossible_proportions():
    with pytest.raises(ValueError, match="point 1"):
        analyse("p", numerators=[1, 6], denominators=[5, 5])
    with pytest.raises(ValueError):
        analyse("p", numerators=[-1], denominators=[5])


# --- u charts ---------------------------------------------------------------------------


def test_u_chart_limits_per_point_lower_not_below_zero():
    # 4/2 6/3 2/1 8/4: every rate is 2, ū = 20/10 = 2.
    # n = 2: 2 ± 3 √(2/2) = 2 ± 3 -> 0 (clipped), 5;   n = 3: 2 ± 2.449 -> 0, 4.449;
    # n = 1: 2 ± 4.243 -> 0, 6.243;                    n = 4: 2 ± 2.121 -> 0, 4.121.
    a = analyse("u", numerators=[4, 6, 2, 8], denominators=[2, 3, 1, 4])
    assert a.center == [2.0] * 4
    assert a.lower == [0.0] * 4
    assert a.upper == approx_list([5.0, 2 + 3 * math.sqrt(2 / 3), 2 + 3 * math.sqrt(2), 2 + 3 * math.sqrt(0.5)])
    # Every point is on the center: nothing is useful, no rule fires.
    assert a.runs == NO_RUNS and not a.any_signal


def test_u_chart_positive_lower_limit_and_outside_points():
    # 100/10 per point except the last two: ū over the 4-point baseline = 400/40 = 10;
    # n = 10: 10 ± 3 √(10/10) = 7 .. 13. Rates 14 and 6 are outside.
    a = analyse("u", numerators=[100, 100, 100, 100, 140, 60], denominators=[10] * 6, baseline=4)
    assert a.lower[0] == pytest.approx(7.0) and a.upper[0] == pytest.approx(13.0)
    assert a.outside_limits == [4, 5]


def test_u_chart_rates_may_exceed_one_and_zero_denominators_drop_out():
    a = analyse("u", numerators=[30, 5, 40], denominators=[10, 0, 10])
    assert a.values == [3.0, None, 4.0]
    assert a.center[0] == 3.5  # 70 / 20: the zero-denominator point is not in the sums


# --- input checks and the contract ------------------------------------------------------------


@pytest.mark.parametrize(
    "call",
    [
        lambda: analyse("x", [1]),
        lambda: analyse("run", [1], numerators=[1], denominators=[1]),
        lambda: analyse("p", [0.5]),
        lambda: analyse("p", numerators=[1, 2], denominators=[3]),
        lambda: analyse("u", numerators=[1]),
        lambda: analyse("i", [1, float("inf")]),
    ],
)
def test_bad_input_raises_value_error(call):
    with pytest.raises(ValueError):
        call()


def test_empty_series():
    a = analyse("i", [])
    assert a.values == [] and a.phases == [] and a.runs == NO_RUNS
    assert a.to_contract() == {
        "points": [],
        "runs": NO_RUNS.to_contract(),
        "shift": [],
        "trend": [],
        "outside_limits": [],
        "rules": [],
        "signal": False,
    }


def test_to_contract_has_exactly_the_contract_fields_and_the_documented_extensions():
    # docs/INTERFACE.md's chart answer, plus `rules` and `signal` (docs/SIGNALS.md).
    body = analyse("p", numerators=[1, 2], denominators=[4, 4]).to_contract()
    assert set(body) == {"points", "runs", "shift", "trend", "outside_limits", "rules", "signal"}
    assert set(body["points"][0]) == {"value", "center", "lower", "upper"}
    assert set(body["runs"]) == {"useful", "longest_run", "longest_run_max", "crossings", "crossings_min", "signal"}
    assert body["points"][0] == {"value": 0.25, "center": 0.375, "lower": 0.0, "upper": pytest.approx(1.0)}


# --- properties ----------------------------------------------------------------------------


@pytest.mark.parametrize("chart", ["run", "i"])
@pytest.mark.parametrize("n", [1, 2, 6, 10, 37, 100])
def test_a_constant_series_has_no_signal(chart, n):
    a = analyse(chart, [7.5] * n)
    assert a.runs == NO_RUNS
    assert not a.any_signal


def test_a_constant_proportion_has_no_shift_trend_or_outlier():
    # It does hug the center line, which the Data Guide's 15-within-1-sigma rule flags:
    # binomial counts of 12 would not stay put (tests/analytics/test_rules.py).
    a = analyse("p", numerators=[3] * 30, denominators=[12] * 30)
    assert a.shift == [] and a.trend == [] and a.outside_limits == [] and not a.runs.signal
    assert [rule.name for rule in a.rules] == ["fifteen_inner"]


@pytest.mark.parametrize("chart", ["run", "i"])
def test_six_strictly_increasing_points_are_a_trend(chart):
    a = analyse(chart, [1, 2, 3, 4, 5, 6])
    assert a.trend == [0, 1, 2, 3, 4, 5]
    assert a.shift == []  # three below and three above the center


def _random_series(rng, n):
    return [None if rng.random() < 0.1 else round(rng.gauss(50, 10), 1) for _ in range(n)]


@pytest.mark.parametrize("seed", range(20))
def test_invariants_on_random_series(seed):
    rng = random.Random(seed)
    values = _random_series(rng, rng.randint(1, 80))
    splits = sorted(rng.sample(range(1, len(values) + 1), k=min(2, len(values)))) if rng.random() < 0.5 else []
    for chart in ("run", "i"):
        a = analyse(chart, values, splits=splits)
        n = len(values)
        assert len(a.values) == len(a.center) == len(a.lower) == len(a.upper) == n
        assert all(a.values[i] is not None and a.values[i] != a.center[i] for i in a.shift)
        for i in a.outside_limits:
            assert a.values[i] > a.upper[i] or a.values[i] < a.lower[i]
        # Negating every value mirrors the chart: the same rules fire on the same points.
        mirrored = analyse(chart, [None if v is None else -v for v in values], splits=splits)
        assert mirrored.runs == a.runs
        assert (mirrored.shift, mirrored.trend, mirrored.outside_limits) == (a.shift, a.trend, a.outside_limits)
        # Scaling by a positive factor changes no rule.
        scaled = analyse(chart, [None if v is None else v * 3 for v in values], splits=splits)
        assert scaled.runs == a.runs and scaled.shift == a.shift and scaled.trend == a.trend
        assert scaled.outside_limits == a.outside_limits


def test_analysis_is_immutable():
    a = analyse("run", [1, 2, 3])
    with pytest.raises(AttributeError):
        a.chart = "i"
    assert isinstance(a, Analysis)
