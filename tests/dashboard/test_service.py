"""The dashboard's pure parts: periods and windows, ages, cell states, filter parsing."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from nic.services.errors import ValidationFailed
from nic.services.rollups import dashboard
from nic.services.rollups.dashboard import Cell, Filters


def test_period_starts():
    assert dashboard.period_start(date(2026, 11, 26), "week") == date(2026, 11, 23)  # a Monday
    assert dashboard.period_start(date(2026, 11, 26), "month") == date(2026, 11, 1)


def test_periods_between_wrap_the_year():
    assert dashboard.periods_between(date(2026, 11, 1), date(2027, 2, 1), "month") == [
        date(2026, 11, 1),
        date(2026, 12, 1),
        date(2027, 1, 1),
        date(2027, 2, 1),
    ]
    assert len(dashboard.periods_between(date(2026, 1, 5), date(2026, 3, 30), "week")) == 13


def test_the_default_window_is_the_latest_periods_to_today():
    today = date(2026, 11, 26)
    first, last, clamped = dashboard.window(Filters(), today)
    assert (first, last, clamped) == (date(2026, 6, 1), date(2026, 11, 23), False)
    assert len(dashboard.periods_between(first, last, "week")) == dashboard.DEFAULT_SPAN["week"]
    first, last, _ = dashboard.window(Filters(period="month"), today)
    assert (first, last) == (date(2025, 12, 1), date(2026, 11, 1))


def test_a_huge_range_is_clamped():
    first, last, clamped = dashboard.window(Filters(date_from=date(1990, 1, 1), date_to=date(2026, 11, 26)))
    assert clamped and len(dashboard.periods_between(first, last, "week")) == dashboard.MAX_PERIODS


def test_ages_read_like_people_talk():
    assert dashboard.ago(timedelta(seconds=20)) == "just now"
    assert dashboard.ago(timedelta(minutes=1, seconds=5)) == "1 minute ago"
    assert dashboard.ago(timedelta(minutes=3)) == "3 minutes ago"
    assert dashboard.ago(timedelta(hours=5)) == "5 hours ago"
    assert dashboard.ago(timedelta(days=2, hours=3)) == "2 days ago"
    assert dashboard.ago(None) == "never"


@pytest.mark.parametrize(
    "counts, state",
    [
        ((1, 0, 0, 0), "testing"),
        ((1, 1, 0, 0), "adapted"),
        ((0, 1, 2, 0), "adopted"),
        ((0, 0, 0, 3), "abandoned"),
        ((1, 0, 0, 1), "testing"),
    ],
)
def test_a_cell_shows_how_far_the_school_got(counts, state):
    testing, adapted, adopted, abandoned = counts
    assert Cell(1, 1, sum(counts), testing, adapted, adopted, abandoned).state == state


def test_parse_filters():
    f = dashboard.parse_filters(
        {"date_from": "2026-09-01", "date_to": "2026-10-01", "group": " Cohort 1 ", "period": "month", "page": "2"}
    )
    assert f == Filters(date(2026, 9, 1), date(2026, 10, 1), "Cohort 1", "month", 2)
    assert f.as_args() == {
        "date_from": "2026-09-01",
        "date_to": "2026-10-01",
        "group": "Cohort 1",
        "period": "month",
        "page": "2",
    }
    assert f.as_args(page=1) == {
        "date_from": "2026-09-01",
        "date_to": "2026-10-01",
        "group": "Cohort 1",
        "period": "month",
    }
    assert dashboard.parse_filters({}) == Filters()
    assert dashboard.parse_filters({"page": "x"}).page == 1
    with pytest.raises(ValidationFailed) as caught:
        dashboard.parse_filters({"date_from": "2026-02-30", "period": "year"})
    assert set(caught.value.fields) == {"date_from", "period"}
