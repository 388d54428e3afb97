"""Summaries a school team can trust: figures over the data they describe, the cause
named when there is nothing to judge, one outlier called one point, patterns marked as
patterns, and dates written as ranges and months where that is what they are."""

import random
from datetime import date, timedelta

import pytest

from nic.analytics import analyse, summarise


def mondays(n, start=date(2026, 1, 5)):
    return [start + timedelta(weeks=i) for i in range(n)]


def months(n, start=date(2026, 1, 1)):
    return [date(start.year + (start.month - 1 + i) // 12, (start.month - 1 + i) % 12 + 1, 1) for i in range(n)]


# --- the figure under the chart is over the whole series, whatever the baseline ------------


@pytest.mark.parametrize(
    "chart, data, expected",
    [
        # Median of 4 5 4 5 4 5 4 5 8 8 8 8 8 8 8 is 5; the baseline's is 4.5.
        (
            "run",
            {"values": [4, 5] * 4 + [8] * 7},
            "Median: 5; the center line is the median of the first 8 points (the baseline): 4.5.",
        ),
        # Mean of 1 2 1 2 5 6 5 6 is 28 / 8 = 3.5; the baseline's 1.5.
        (
            "i",
            {"values": [1, 2, 1, 2, 5, 6, 5, 6]},
            "Mean: 3.5; the center line is the mean of the first 4 points (the baseline): 1.5.",
        ),
        # 4 × 25 + 4 × 73 = 392 of 800 = 0.49; the baseline's 100 of 400 = 0.25.
        (
            "p",
            {"numerators": [25] * 4 + [73] * 4, "denominators": [100] * 8},
            "Overall proportion: 49%; the center line is the proportion of the first 4 points (the baseline): 25%.",
        ),
        (
            "u",
            {"numerators": [25] * 4 + [73] * 4, "denominators": [100] * 8},
            "Overall rate: 0.49; the center line is the rate of the first 4 points (the baseline): 0.25.",
        ),
    ],
)
def test_a_frozen_baseline_does_not_change_the_overall_figure(chart, data, expected):
    baseline = 8 if chart == "run" else 4
    a = analyse(
        chart,
        data.get("values", ()),
        numerators=data.get("numerators"),
        denominators=data.get("denominators"),
        baseline=baseline,
    )
    text = summarise(a, mondays(len(a.values)))
    assert text[-1] == expected


def test_the_figure_of_a_later_phase_says_which_phase():
    a = analyse("u", numerators=[25] * 4 + [73] * 4, denominators=[100] * 8, baseline=2, splits=[4])
    assert summarise(a, mondays(8))[-1] == "Overall rate since 2 Feb 2026: 0.73."


# --- nothing to judge: say why ---------------------------------------------------------------------


@pytest.mark.parametrize("chart", ["run", "i"])
def test_equal_values_are_called_equal(chart):
    text = summarise(analyse(chart, [4] * 15), mondays(15))
    assert "No signal: all 15 values are equal, so there is no variation to judge." in text
    assert not any("0 points" in sentence for sentence in text)


def test_a_one_point_phase_is_called_that():
    a = analyse("run", [1, 2] * 6 + [9], splits=[12])
    text = summarise(a, mondays(13))
    assert (
        "No signal yet: the current phase (since 30 Mar 2026) has only 1 point, too few for the run rules to be "
        "reliable (about 10 are needed)."
    ) in text
    assert not any("0 points" in sentence for sentence in text)
    alone = summarise(analyse("i", [12.5]), mondays(1))
    assert (
        alone[0]
        == "No signal yet: only 1 point so far, too few for the run rules to be reliable (about 10 are needed)."
    )


# --- one outlier is one point -------------------------------------------------------------------


def test_one_high_point_after_equal_ones_is_one_point_not_a_shift():
    # The 20 pulls the mean up to 6, so the fourteen 5s sit below it: the rules do find 8+
    # on one side, but the story is the single point.
    a = analyse("i", [5] * 14 + [20])
    text = summarise(a, mondays(15))
    assert "1 point above the upper limit (13 Apr) — an improvement." in text
    assert not any("shift" in sentence or "14 points" in sentence for sentence in text)


# --- patterns are marked as patterns -------------------------------------------------------------


def test_a_random_series_gets_no_verdict_on_its_patterns():
    # 48 draws from N(50, 10) (seed 2): eight in a row below the median (indices 5-12),
    # an IHI shift, while the Anhøj rules see nothing (longest run 8 <= 9, 25 crossings >= 18).
    rng = random.Random(2)
    values = [round(rng.gauss(50, 10), 1) for _ in range(48)]
    a = analyse("run", values)
    assert a.shift == list(range(5, 13)) and not a.runs.signal
    text = summarise(a, mondays(48), direction="up")
    assert "No signal: the variation looks random." in text
    assert (
        "8 points in a row below the median from 9 Feb 2026 to 30 Mar 2026: a pattern worth watching, not a signal."
    ) in text
    assert not any("wrong direction" in sentence or "improvement" in sentence for sentence in text)


def test_shewhart_rule_sentences():
    base = [12, 4, 15, 9, 20, 11, 6, 14, 10, 17]  # mean 11.8, sigma 6.798 (see test_rules)
    text = summarise(analyse("i", base + [27, 12, 26], baseline=10), mondays(13))
    assert "2 of 3 points in a row beyond 2 sigma above the mean (16 Mar, 30 Mar) — an improvement." in text
    text = summarise(analyse("i", base + [25] + [11, 13] * 7 + [12], baseline=10), mondays(26))
    assert (
        "15 points in a row within 1 sigma of the mean since 23 Mar 2026: less variation than the limits "
        "expect; check how the limits were set and whether the data mix different sources."
    ) in text


# --- dates: ranges, and months for monthly measures ---------------------------------------------


def test_consecutive_dates_collapse_into_a_range():
    a = analyse("p", numerators=[50] * 8 + [80] * 8, denominators=[100] * 16, baseline=8)
    text = summarise(a, mondays(16, start=date(2026, 7, 13)))
    assert "8 points above the upper limit (8 weeks, 7 Sep – 26 Oct) — an improvement." in text


def test_twenty_one_dates_are_one_range():
    a = analyse("p", numerators=[50] * 8 + [80] * 21, denominators=[100] * 29, baseline=8)
    text = summarise(a, mondays(29, start=date(2026, 7, 13)))
    assert "21 points above the upper limit (21 weeks, 7 Sep 2026 – 25 Jan 2027) — an improvement." in text


def test_monthly_series_are_written_as_months():
    a = analyse("p", numerators=[50] * 8 + [80] * 8, denominators=[100] * 16, baseline=8)
    text = summarise(a, months(16))
    assert "8 points above the upper limit (8 months, Sep 2026 – Apr 2027) — an improvement." in text
    assert "A shift above the center line since Sep 2026: 8 points — an improvement." in text
    one = analyse("p", numerators=[50] * 8 + [80], denominators=[100] * 9, baseline=8)
    assert "1 point above the upper limit (Sep 2026) — an improvement." in summarise(one, months(9))
