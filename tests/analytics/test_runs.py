"""The Anhøj and IHI run rules (nic.analytics.runs) against published values and
hand-worked series."""

from fractions import Fraction
from math import comb
from statistics import fmean

import pytest

from nic.analytics import anhoej_limits
from nic.analytics.runs import NO_RUNS, anhoej, shift_indices, side, trend_indices

# Critical values published by Anhøj & Olesen, PLoS ONE 2014;9(11):e113825 (Table 1,
# reproduced as "Critical values for longest runs and number of crossings" in the
# qicharts2 vignette): n useful observations -> (upper limit for the longest run,
# lower limit for the number of crossings).
ANHOEJ_TABLE = {
    10: (6, 2),
    11: (6, 2),
    12: (7, 3),
    13: (7, 3),
    14: (7, 4),
    15: (7, 4),
    16: (7, 4),
    17: (7, 5),
    18: (7, 5),
    19: (7, 6),
    20: (7, 6),
    21: (7, 6),
    22: (7, 7),
    23: (8, 7),
    24: (8, 8),
    25: (8, 8),
    26: (8, 8),
    27: (8, 9),
    28: (8, 9),
    29: (8, 10),
    30: (8, 10),
    31: (8, 11),
    32: (8, 11),
    33: (8, 11),
    34: (8, 12),
    35: (8, 12),
    36: (8, 13),
    37: (8, 13),
    38: (8, 14),
    39: (8, 14),
    40: (8, 14),
    41: (8, 15),
    42: (8, 15),
    43: (8, 16),
    44: (8, 16),
    45: (8, 17),
    46: (9, 17),
    47: (9, 17),
    48: (9, 18),
    49: (9, 18),
    50: (9, 19),
    51: (9, 19),
    52: (9, 20),
    53: (9, 20),
    54: (9, 21),
    55: (9, 21),
    56: (9, 21),
    57: (9, 22),
    58: (9, 22),
    59: (9, 23),
    60: (9, 23),
    70: (9, 28),
    80: (9, 32),
    90: (9, 37),
    91: (10, 37),
    100: (10, 41),
}


@pytest.mark.parametrize("n", sorted(ANHOEJ_TABLE))
def test_anhoej_limits_match_the_published_table(n):
    assert anhoej_limits(n) == ANHOEJ_TABLE[n]


def test_the_reference_values_named_in_the_issue():
    assert anhoej_limits(10) == (6, 2)
    assert anhoej_limits(24) == (8, 8)
    assert anhoej_limits(50) == (9, 19)


@pytest.mark.parametrize("n", [1, 2, 3, 5, 9, 10, 17, 64, 101, 250, 999, 1000])
def test_crossings_min_is_the_5th_percentile_as_r_qbinom_defines_it(n):
    # qbinom(0.05, n - 1, 0.5): the smallest k with P(X <= k) >= 0.05, checked here with
    # exact fractions rather than the integer loop the module uses.
    k = anhoej_limits(n)[1]
    m = n - 1

    def cdf(x):
        return sum(Fraction(comb(m, j), 2**m) for j in range(x + 1))

    assert cdf(k) >= Fraction(1, 20)
    assert k == 0 or cdf(k - 1) < Fraction(1, 20)


@pytest.mark.parametrize(
    "n, expected",
    [
        (1, 3),
        (2, 4),
        (3, 5),
        (4, 5),
        (5, 5),
        (6, 6),
        (8, 6),
        (11, 6),
        (12, 7),
        (22, 7),
        (23, 8),
        (45, 8),
        (46, 9),
        (90, 9),
        (91, 10),
        (181, 10),
        (182, 11),
    ],
)
def test_longest_run_max_is_rounded_log2_plus_3(n, expected):
    # Around the x.5 boundaries: log2(11) = 3.46, log2(12) = 3.58; log2(181) = 7.4998,
    # log2(182) = 7.508. No integer has log2 exactly x.5, so R's and Python's rounding agree.
    assert anhoej_limits(n)[0] == expected


def test_anhoej_limits_for_no_points_and_bad_input():
    assert anhoej_limits(0) == (0, 0)
    with pytest.raises(ValueError):
        anhoej_limits(-1)


def test_side_treats_float_noise_as_on_the_center():
    # fmean(0.1, 0.2, 0.3) is 0.19999999999999998, not 0.2: still "on the center".
    assert fmean([0.1, 0.2, 0.3]) != 0.2
    assert side(0.2, fmean([0.1, 0.2, 0.3])) == 0
    assert side(0.21, 0.2) == 1
    assert side(0.19, 0.2) == -1
    assert side(1e-12, 0.0) == 1  # near zero, no absolute slack
    assert side(None, 1.0) is None
    assert side(1.0, None) is None


# --- Anhøj tests on per-point sides (+1 above, -1 below, 0 on the center, None missing)


def test_alternating_series_has_many_crossings_and_no_signal():
    # n = 10 useful, alternating: 9 crossings, longest run 1; limits (6, 2).
    runs = anhoej([1, -1] * 5)
    assert (runs.useful, runs.longest_run, runs.crossings) == (10, 1, 9)
    assert (runs.longest_run_max, runs.crossings_min) == (6, 2)
    assert not runs.signal


def test_too_few_crossings_signal():
    # 5 above then 5 below: one crossing, fewer than the 2 required for n = 10;
    # the longest run (5) stays within 6.
    runs = anhoej([1] * 5 + [-1] * 5)
    assert (runs.longest_run, runs.crossings, runs.crossings_min) == (5, 1, 2)
    assert runs.signal


def test_too_long_run_signal():
    # + - + - then 7 above: n = 11, longest run 7 > 6; crossings 4 >= 2.
    runs = anhoej([1, -1, 1, -1] + [1] * 7)
    assert (runs.useful, runs.longest_run, runs.longest_run_max) == (11, 7, 6)
    assert (runs.crossings, runs.crossings_min) == (4, 2)
    assert runs.signal


def test_longest_run_equal_to_the_limit_is_no_signal():
    # n = 10: a run of exactly 6 is allowed; crossings: - + then 6 above then - + = 4.
    runs = anhoej([-1, 1, -1] + [1] * 6 + [-1])
    assert (runs.longest_run, runs.longest_run_max, runs.crossings) == (6, 6, 4)
    assert not runs.signal


def test_points_on_the_center_and_missing_points_are_not_useful():
    # + 0 + None + - : useful = 4 (+ + + -), the run of 3 continues across the 0 and
    # the gap, one crossing.
    runs = anhoej([1, 0, 1, None, 1, -1])
    assert (runs.useful, runs.longest_run, runs.crossings) == (4, 3, 1)
    assert (runs.longest_run_max, runs.crossings_min) == (5, 0)  # round(log2 4) + 3; qbinom(.05, 3, .5)
    assert not runs.signal


def test_no_useful_points_gives_the_empty_analysis():
    assert anhoej([]) == NO_RUNS
    assert anhoej([0, None, 0]) == NO_RUNS
    assert not NO_RUNS.signal


# --- IHI shift: 6 or more consecutive useful points on one side


def test_six_on_one_side_is_a_shift_five_is_not():
    assert shift_indices([1] * 5 + [-1]) == []
    assert shift_indices([-1] + [1] * 6) == [1, 2, 3, 4, 5, 6]


def test_points_on_the_median_neither_break_nor_add_to_a_shift():
    # Above, above, ON, above, above, above, above: six above (the 0 is skipped and not
    # listed), so a shift of 6 made of indices 0, 1, 3, 4, 5, 6.
    assert shift_indices([1, 1, 0, 1, 1, 1, 1]) == [0, 1, 3, 4, 5, 6]
    # Five above with two points on the median among them: still only five.
    assert shift_indices([1, 0, 1, 1, 0, 1, 1, -1]) == []


def test_missing_points_neither_break_nor_add_to_a_shift():
    assert shift_indices([-1, -1, -1, None, None, -1, -1, -1]) == [0, 1, 2, 5, 6, 7]


def test_two_shifts_in_a_row_and_the_offset():
    sides = [-1] * 6 + [1] * 7
    assert shift_indices(sides, offset=10) == list(range(10, 23))


# --- IHI trend: 5 or more consecutive points going up or down; repeats ignored


def test_five_rising_is_a_trend_four_is_not():
    assert trend_indices([1, 2, 3, 4, 5]) == [0, 1, 2, 3, 4]
    assert trend_indices([1, 2, 3, 4]) == []
    assert trend_indices([9, 7, 5, 3, 1, 2]) == [0, 1, 2, 3, 4]


def test_repeated_values_neither_add_to_nor_break_a_trend():
    # 1 2 2 3 4 5: the distinct values 1..5 rise, so it is a trend; the repeated 2 sits
    # inside it and is listed with it.
    assert trend_indices([1, 2, 2, 3, 4, 5]) == [0, 1, 2, 3, 4, 5]
    # 1 2 2 3 4: only four distinct values: no trend, the repeat does not add.
    assert trend_indices([1, 2, 2, 3, 4]) == []
    # A trend starting on a repeated value starts at its last occurrence and ends at
    # the first occurrence of its final value.
    assert trend_indices([1, 1, 2, 3, 4, 5, 5]) == [1, 2, 3, 4, 5]


def test_missing_points_are_skipped_by_the_trend_rule():
    assert trend_indices([1, None, 2, 3, None, 4, 5]) == [0, 2, 3, 5, 6]


def test_a_turning_point_belongs_to_both_trends():
    # 5 4 3 2 1 2 3 4 5: falling 5..1 (indices 0-4) then rising 1..5 (indices 4-8).
    assert trend_indices([5, 4, 3, 2, 1, 2, 3, 4, 5]) == list(range(9))


def test_a_break_in_direction_ends_the_trend():
    # 1 2 3 4 | 3 | 4 5 6 7 8: the first climb is four points, the second (3..8) six.
    assert trend_indices([1, 2, 3, 4, 3, 4, 5, 6, 7, 8]) == [4, 5, 6, 7, 8, 9]


def test_constant_and_empty_series_have_no_trend():
    assert trend_indices([4] * 20) == []
    assert trend_indices([]) == []
    assert trend_indices([None, None]) == []
