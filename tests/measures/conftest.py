"""Helpers for the measure tests: counting and reading points and audit entries outside a
request, tokens for each role, and the measures of network a by chart type."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from nic.extensions import db
from nic.models import MeasurePoint, PointChange
from nic.services.measures import periods
from nic.tenancy import UNSCOPED, use_network
from tests.factories import make_measure, make_token


def point_count() -> int:
    """Every point in every network: proof that a refused write wrote nothing anywhere."""
    return db.session.scalar(select(func.count()).select_from(MeasurePoint).execution_options(**UNSCOPED))


def change_count() -> int:
    return db.session.scalar(select(func.count()).select_from(PointChange).execution_options(**UNSCOPED))


def stored(tenant, measure, school) -> dict[date, tuple]:
    """period -> (value, numerator, denominator) of one school's points, read fresh."""
    db.session.expire_all()
    with use_network(tenant.network):
        rows = db.session.scalars(select(MeasurePoint).where(MeasurePoint.measure_id == measure.id,
                                                             MeasurePoint.school_id == school.id))
        return {p.period: (p.value, p.numerator, p.denominator) for p in rows}


def audit_of(tenant, measure, school) -> list[PointChange]:
    db.session.expire_all()
    with use_network(tenant.network):
        return list(db.session.scalars(select(PointChange).where(
            PointChange.measure_id == measure.id, PointChange.school_id == school.id).order_by(PointChange.id)))


def monday(weeks_ago: int = 0) -> date:
    return periods.current_period("weekly") - timedelta(weeks=weeks_ago)


def first_of_month(months_ago: int = 0) -> date:
    return periods.shift(periods.current_period("monthly"), "monthly", -months_ago)


def grid_page_of(period: date, per_page: int = 12) -> int:
    """The grid page (12 weeks each, newest first) holding a weekly `period`, whatever today is."""
    weeks_back = (periods.current_period("weekly") - period).days // 7
    return weeks_back // per_page + 1


def bearer(user) -> dict:
    _, secret = make_token(user)
    db.session.commit()
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def a(tenants):
    return tenants.a


@pytest.fixture
def b(tenants):
    return tenants.b


@pytest.fixture
def run_measure(a):
    """A weekly run chart of network a, no data yet."""
    measure = make_measure(a.network, "Alphaville minutes of reading", chart="run", unit="min")
    db.session.commit()
    return measure


@pytest.fixture
def monthly(a):
    measure = make_measure(a.network, "Alphaville suspensions per 100 students", chart="u", kind="balancing",
                           frequency="monthly", direction="down")
    db.session.commit()
    return measure


MONDAY = date(2026, 9, 7)  # a Monday the fixture p chart already has a value for
WEDNESDAY = date(2026, 9, 9)
FIRST = date(2026, 9, 1)


@pytest.fixture
def charts(a, run_measure, monthly):
    """One measure of network a per case: weekly run, weekly p (the fixture's, with two
    values at school 0), weekly u, monthly u."""
    u_weekly = make_measure(a.network, "Alphaville office referrals per 100 days", chart="u", kind="balancing",
                            direction="down")
    db.session.commit()
    return {"run": run_measure, "p": a.measure, "u": u_weekly, "monthly": monthly}


# Each bad point, as (measure key, row, the column named, words the message contains).
# Every way in (form, grid, CSV, API) must name each of them the same way.
BAD_POINTS = [
    pytest.param("run", {"period": "2026-09-14", "value": "twelve"}, "value", "must be a number", id="not-a-number"),
    pytest.param("run", {"period": "2026-09-14", "value": "nan"}, "value", "must be a finite number", id="nan"),
    pytest.param("run", {"period": "2026-09-14", "value": ""}, "value", "is required", id="missing-value"),
    pytest.param("run", {"period": "", "value": "3"}, "period", "is required", id="missing-period"),
    pytest.param("run", {"period": "09/14/2026", "value": "3"}, "period", "must be a date written YYYY-MM-DD",
                 id="not-a-date"),
    pytest.param("run", {"period": "2026-02-30", "value": "3"}, "period", "is not a date in the calendar",
                 id="impossible-date"),
    pytest.param("run", {"period": "2026-09-09", "value": "3"}, "period", "2026-09-09 is not a Monday",
                 id="off-weekly-grid"),
    pytest.param("monthly", {"period": "2026-09-09", "numerator": "1", "denominator": "5"}, "period",
                 "2026-09-09 is not the first of a month", id="off-monthly-grid"),
    pytest.param("p", {"period": "2026-09-21", "numerator": "21", "denominator": "20"}, "numerator",
                 "is above its denominator", id="p-numerator-above-denominator"),
    pytest.param("p", {"period": "2026-09-21", "numerator": "0", "denominator": "0"}, "denominator", "cannot be zero",
                 id="p-zero-denominator"),
    pytest.param("u", {"period": "2026-09-21", "numerator": "4", "denominator": "0"}, "denominator", "cannot be zero",
                 id="u-zero-denominator"),
    pytest.param("p", {"period": "2026-09-21", "numerator": "-1", "denominator": "20"}, "numerator",
                 "cannot be negative", id="p-negative-numerator"),
    pytest.param("u", {"period": "2026-09-21", "numerator": "3", "denominator": "-10"}, "denominator",
                 "cannot be negative", id="u-negative-denominator"),
    pytest.param("p", {"period": "2026-09-21", "numerator": "3.5", "denominator": "20"}, "numerator",
                 "must be a whole number", id="p-fractional-count"),
    pytest.param("p", {"period": "2026-09-21", "numerator": "3", "denominator": ""}, "denominator", "is required",
                 id="p-missing-denominator"),
]


def good_row(measure) -> dict:
    """A valid row for `measure` (a period no fixture uses)."""
    period = "2026-08-03" if measure.frequency == "weekly" else "2026-08-01"
    if measure.chart in ("p", "u"):
        return {"period": period, "numerator": "5", "denominator": "10"}
    return {"period": period, "value": "7.5"}
