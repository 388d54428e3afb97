"""Which rules make a signal on each chart type (nic.analytics.rules, docs/SIGNALS.md).

Run charts: the Anhøj rules are the headline; the IHI shift (6) and trend (5) are
patterns. Shewhart charts (i, p, u): the five rules of The Health Care Data Guide
(Provost & Murray 2011): outside the limits, 8 on one side, 6 rising or falling, 2 of 3
beyond 2 sigma, 15 within 1 sigma. Each rule is named, with the points it covers.
"""

import pytest

from nic.analytics import analyse
from nic.analytics.runs import side

# A frozen i-chart baseline with real spread: mean 118 / 10 = 11.8; moving ranges
# 8 11 6 11 9 5 8 4 7 -> MR̄ 69 / 9 = 7.667; limits 11.8 ± 2.66 × 7.667 = 11.8 ± 20.393
# (-8.593 .. 32.193); sigma = 20.393 / 3 = 6.798, so 2 sigma is 11.8 ± 13.596 (-1.80 ..
# 25.40) and 1 sigma 11.8 ± 6.798 (5.00 .. 18.60). Its last point, 17, is above the mean.
BASE = [12, 4, 15, 9, 20, 11, 6, 14, 10, 17]


def names(analysis):
    return [(rule.name, rule.indices) for rule in analysis.rules]


# --- Shewhart charts: the Data Guide's rules, not the run-chart thresholds -------------------


def test_an_i_chart_run_of_seven_is_an_ihi_shift_but_not_a_signal():
    # 17 then six 13s: seven above 11.8. The IHI shift (6 or more) still lists them, but a
    # Shewhart chart needs 8: no rule fires and there is no headline signal.
    a = analyse("i", BASE + [13] * 6, baseline=10)
    assert a.shift == list(range(9, 16))
    assert a.rules == []
    assert a.signal is False


def test_eight_on_one_side_of_the_mean_is_shift_8():
    a = analyse("i", BASE + [13] * 8, baseline=10)
    assert names(a) == [("shift_8", list(range(9, 18)))]
    assert a.signal is True


def test_six_rising_is_trend_6_and_five_is_only_a_pattern():
    # 17 then 8 9 10 11 12: five distinct values rising (indices 10-14) is an IHI trend;
    # a sixth (13) makes the Data Guide's trend. 8 .. 13 stay within 1 sigma with the
    # three points before them: 9 in a row, short of 15.
    five = analyse("i", BASE + [8, 9, 10, 11, 12], baseline=10)
    assert five.trend == [10, 11, 12, 13, 14] and five.rules == [] and not five.signal
    six = analyse("i", BASE + [8, 9, 10, 11, 12, 13], baseline=10)
    assert names(six) == [("trend_6", list(range(10, 16)))]
    assert six.signal


def test_two_of_three_beyond_two_sigma_on_the_same_side():
    # 27 and 26 are beyond 25.40 (z 2.24 and 2.09) with 12 between them: the rule covers
    # the two outer points. Three apart, or on opposite sides (-3 is z -2.18), it does not fire.
    a = analyse("i", BASE + [27, 12, 26], baseline=10)
    assert names(a) == [("two_of_three", [10, 12])]
    assert a.signal
    assert analyse("i", BASE + [27, 12, 11, 26], baseline=10).rules == []
    assert analyse("i", BASE + [27, 12, -3], baseline=10).rules == []


def test_fifteen_in_a_row_within_one_sigma():
    # 25 (z 1.94) is outside the inner third; then 11 13 ... alternate around the mean.
    # Fourteen inner points are not enough, fifteen are.
    fourteen = analyse("i", BASE + [25] + [11, 13] * 7, baseline=10)
    assert fourteen.rules == [] and not fourteen.signal
    fifteen = analyse("i", BASE + [25] + [11, 13] * 7 + [12], baseline=10)
    assert names(fifteen) == [("fifteen_inner", list(range(11, 26)))]
    assert fifteen.signal


def test_points_outside_the_limits_are_the_first_rule():
    # From test_spc: baseline mean 12, limits 5.35 .. 18.65; 19 and 5 outside.
    a = analyse("i", [10, 12, 11, 15, 12, 19, 5], baseline=5)
    assert a.fired("outside_limits") == a.outside_limits == [5, 6]
    assert a.rules[0].name == "outside_limits"
    assert a.signal


def test_p_chart_zones_use_each_points_own_sigma():
    # p̄ frozen at 400 / 800 = 0.5. At n = 400 sigma is 0.025, so 224/400 = 0.56 is 2.4
    # sigma out (beyond 2, inside the 0.575 limit); at n = 100 sigma is 0.05 and 0.56 is
    # only 1.2 sigma out. 0.6 at n = 100 is exactly 2 sigma: on the boundary, not beyond.
    base = [50, 52, 48, 50, 49, 51, 50, 50]

    def p(extra):
        return analyse(
            "p", numerators=base + [x for x, _ in extra], denominators=[100] * 8 + [n for _, n in extra], baseline=8
        )

    large = p([(224, 400), (50, 100), (224, 400)])
    assert large.upper[8] == pytest.approx(0.575)
    assert names(large) == [("two_of_three", [8, 10])]
    assert p([(56, 100), (50, 100), (56, 100)]).rules == []
    assert p([(60, 100), (50, 100), (60, 100)]).rules == []


def test_no_zones_without_spread():
    # A constant i chart has MR̄ = 0 and a p chart with p̄ = 0 has sigma 0: no zones, so
    # the 15-within-1-sigma rule cannot fire on a flat series.
    assert analyse("i", [7.5] * 30).rules == []
    assert analyse("p", numerators=[0] * 30, denominators=[12] * 30).rules == []


def test_a_proportion_that_never_varies_hugs_the_center_line():
    # 3 of 12 every week: sigma √(0.25 × 0.75 / 12) = 0.125 > 0, and 30 points sit on
    # p̄. Binomial counts would stay within 1 sigma (2..4 of 12) only 68% of the time,
    # so 15 in a row happens by chance about 0.3% of the time: rule 5 says so.
    a = analyse("p", numerators=[3] * 30, denominators=[12] * 30)
    assert names(a) == [("fifteen_inner", list(range(30)))]
    assert a.shift == [] and a.trend == [] and a.outside_limits == []


# --- run charts: Anhøj is the headline -------------------------------------------------------


def test_run_chart_rules_are_the_anhoej_rules():
    # 8 below then 8 above the median 5: longest run 8 > 7 and 1 crossing < 4.
    a = analyse("run", [1, 2] * 4 + [8, 9] * 4)
    assert names(a) == [("anhoej_longest_run", list(range(16))), ("anhoej_crossings", list(range(16)))]
    assert a.signal is True and a.signal == a.runs.signal


def test_a_run_chart_ihi_shift_without_an_anhoej_signal_is_a_pattern():
    # From test_spc: a shift of 7 above the frozen median, but Anhøj finds nothing
    # (longest run 7 is not above 7 for n = 14; 7 crossings).
    a = analyse("run", [10, 12, 11, 13, 10, 12, 11, 13, 14, 15, 14, 16, 15, 14], baseline=8)
    assert a.shift == list(range(7, 14))
    assert a.rules == [] and a.signal is False


def test_a_run_chart_trend_is_a_pattern():
    a = analyse("run", [1, 2, 3, 4, 5, 6])
    assert a.trend == list(range(6))
    assert a.signal is False


# --- phases --------------------------------------------------------------------------------


def test_rules_run_per_phase_and_the_headline_is_the_current_phase():
    # Phase 1 (0-15) has both Anhøj signals; phase 2 (16-25) alternates around its own
    # median. The rules keep phase 1's points; the headline (and runs) is phase 2's.
    a = analyse("run", [1, 2] * 4 + [8, 9] * 4 + [5, 6] * 5, splits=[16])
    assert names(a) == [("anhoej_longest_run", list(range(16))), ("anhoej_crossings", list(range(16)))]
    assert a.signal is False and a.runs.signal is False
    # And on an i chart: 40 outside phase 1's limits, nothing in phase 2.
    b = analyse("i", [10, 12, 11, 13, 40, 10, 12, 11, 13, 12, 11, 12], splits=[5])
    assert names(b) == [("outside_limits", [4])] and b.signal is False
    c = analyse("i", [10, 12, 11, 13, 12, 10, 12, 11, 13, 12, 11, 40], splits=[5])
    assert c.fired("outside_limits") == [11] and c.signal is True


# --- the dictionary form -----------------------------------------------------------------


def test_to_contract_carries_the_rules_and_the_headline():
    body = analyse("i", BASE + [13] * 8, baseline=10).to_contract()
    assert body["rules"] == [{"name": "shift_8", "indices": list(range(9, 18))}]
    assert body["signal"] is True
    assert body["shift"] == list(range(9, 18))


# --- "on the center line" ------------------------------------------------------------------


def test_a_point_just_above_the_median_is_above_it():
    # qicharts2 compares exactly; nic allows only float noise. 2.000000001 is 5e-10
    # above the median 2 (relative), 2 × (1 + 1e-8) 1e-8: both are above it.
    assert analyse("run", [1, 2, 2.000000001]).runs.useful == 2
    assert analyse("run", [1, 2, 2 * (1 + 1e-8)]).runs.useful == 2
    assert side(1234567891, 1234567890) == 1  # ten significant digits, one unit apart
    assert side(0.1 + 0.2, 0.3) == 0  # 0.30000000000000004: float noise, on the center
