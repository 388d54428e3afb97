"""Plain-language summaries: one sentence per signal, with its direction."""

from datetime import date, timedelta

import pytest

from nic.analytics import analyse, summarise


def mondays(n, start=date(2026, 1, 5)):
    return [start + timedelta(weeks=i) for i in range(n)]


def test_shift_since_a_date_and_its_direction():
    # Baseline 4 5 4 5 4 5 4 5 (median 4.5) then seven points of 8. The last baseline
    # point (5, index 7, Monday 23 Feb 2026) is above 4.5 too, so the shift is 8 points
    # long and reaches the last point: "since 23 Feb 2026". Anhøj: n = 15, a run of 8 is
    # longer than round(log2 15) + 3 = 7.
    values = [4, 5] * 4 + [8] * 7
    periods = mondays(len(values))
    a = analyse("run", values, baseline=8)
    assert a.shift == list(range(7, 15))
    assert periods[7] == date(2026, 2, 23)
    assert summarise(a, periods, direction="up", unit="min") == [
        "A shift above the median since 23 Feb 2026: 8 points — an improvement.",
        "The longest run on one side of the median (8 points) is longer than chance explains (7 at most): "
        "a non-random pattern.",
        # Over all 15 points (4 4 4 4 5 5 5 5 8 ...: 5), the frozen center beside it.
        "Median: 5 min; the center line is the median of the first 8 points (the baseline): 4.5 min.",
    ]
    text = summarise(a, periods, direction="down", unit="min")
    assert text[0] == "A shift above the median since 23 Feb 2026: 8 points — in the wrong direction."


def test_a_shift_that_ended_is_given_as_a_date_range():
    # Six below the median (1) in the middle of alternating points.
    values = [5, 6, 5, 6] + [1] * 6 + [5, 6, 5, 6, 5, 6, 5, 6]
    a = analyse("run", values)
    periods = mondays(len(values))
    text = summarise(a, periods, direction="up")
    assert text[0] == "A shift below the median from 2 Feb 2026 to 9 Mar 2026: 6 points — in the wrong direction."


def test_trend_sentence_counts_distinct_values():
    # From index 2 (19 Jan): 4 3 2 1 1 0 -1 falls through six distinct values; the
    # repeated 1 does not count: the Data Guide's trend of 6, a signal. Against the
    # baseline mean (5 + 3 + 4) / 3 = 4 the points 3 and 3 2 1 1 0 -1 are 7 in a row
    # below: an IHI shift, but a Shewhart chart needs 8, so it is told as a pattern.
    a = analyse("i", [5, 3, 4, 3, 2, 1, 1, 0, -1], baseline=3)
    text = summarise(a, mondays(9), direction="down")
    assert text[0] == "A falling trend since 19 Jan 2026: 6 points — an improvement."
    assert "7 points in a row below the mean since 12 Jan 2026: a pattern worth watching, not a signal." in text


def test_points_outside_the_limits_are_listed_by_date():
    # From the i-chart test: baseline mean 12, limits 5.35 .. 18.65; 19 and 5 outside.
    a = analyse("i", [10, 12, 11, 15, 12, 19, 5], baseline=5)
    text = summarise(a, mondays(7, start=date(2026, 2, 2)), direction="up", unit="pupils")
    assert "1 point above the upper limit (9 Mar) — an improvement." in text
    assert "1 point below the lower limit (16 Mar) — in the wrong direction." in text
    assert text[-1] == "Mean: 12 pupils; the center line is the mean of the first 5 points (the baseline): 12 pupils."


def test_several_points_above_and_dates_from_another_year_in_full():
    a = analyse("p", numerators=[50, 52, 48, 50, 80, 90], denominators=[100] * 6, baseline=4)
    periods = [
        date(2025, 11, 1),
        date(2025, 12, 1),
        date(2026, 1, 1),
        date(2026, 2, 1),
        date(2025, 12, 29),
        date(2026, 3, 1),
    ]
    text = summarise(a, periods, direction="up")
    assert "2 points above the upper limit (29 Dec 2025, 1 Mar) — an improvement." in text
    # 370 of 600 over the whole series; the frozen baseline's 200 of 400 beside it.
    assert (
        text[-1] == "Overall proportion: 61.7%; the center line is the proportion of the first 4 points (the "
        "baseline): 50%."
    )


def test_anhoej_sentences():
    # 8 below then 8 above the median: longest run 8 > 7, crossings 1 < 4.
    a = analyse("run", [1, 2] * 4 + [8, 9] * 4)
    text = summarise(a, mondays(16))
    assert (
        "The longest run on one side of the median (8 points) is longer than chance explains (7 at most): "
        "a non-random pattern."
    ) in text
    assert "Fewer crossings of the median than expected (1; at least 4 by chance): a non-random pattern." in text


def test_no_signal():
    a = analyse("run", [1, 2] * 6)
    text = summarise(a, mondays(12))
    assert text == ["No signal: the variation looks random.", "Median: 1.5."]


def test_no_signal_with_too_few_points_says_so():
    a = analyse("u", numerators=[1, 2, 1], denominators=[10, 10, 10])
    text = summarise(a, mondays(3), unit="incidents per pupil")
    assert text[0] == (
        "No signal yet, but only 3 points off the center line so far: too few for the run rules to "
        "be reliable (about 10 are needed)."
    )
    assert text[-1] == "Overall rate: 0.133 incidents per pupil."


def test_no_data():
    assert summarise(analyse("run", [None, None]), mondays(2)) == ["No data yet."]
    assert summarise(analyse("run", []), []) == ["No data yet."]


def test_center_of_the_latest_phase():
    a = analyse("run", [1, 2, 1, 2, 5, 6, 5, 6], splits=[4])
    text = summarise(a, mondays(8))
    assert text[-1] == "Median since 2 Feb 2026: 5.5."


def test_summarise_checks_its_arguments():
    a = analyse("run", [1, 2])
    with pytest.raises(ValueError):
        summarise(a, mondays(2), direction="sideways")
    with pytest.raises(ValueError):
        summarise(a, mondays(3))
