"""CSV exports of the roll-up tables: whitelisted names, headers, content, filters, the
visibility of stalled cycles, and cells a spreadsheet would run as formulas."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest

from nic.clock import utcnow
from nic.extensions import db
from nic.tenancy import use_network
from tests.dashboard.conftest import PRIVATE_STALLED_TITLE, STALLED_TITLE, compute


def rows(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


@pytest.mark.parametrize(
    "table, first_columns",
    [
        ("schools", ["school_id", "school", "school_group", "cycles_total"]),
        ("periods", ["period_kind", "period_start", "school_group", "started"]),
        ("matrix", ["school_id", "school", "school_group", "change_idea_id"]),
        ("measures", ["measure_id", "measure", "chart", "unit"]),
        ("measure-periods", ["measure_id", "measure", "period", "schools"]),
        ("stalled", ["cycle_id", "title", "school_id", "school"]),
    ],
)
def test_each_table_exports_as_csv(client, rolled, login_as, table, first_columns):
    a = rolled.a
    login_as(a.facilitator.user)
    response = client.get(f"/n/{a.network.slug}/dashboard/export/{table}.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith(f'attachment; filename="alpha-{table}-')
    header = response.get_data(as_text=True).splitlines()[0].split(",")
    assert header[: len(first_columns)] == first_columns
    assert "Betatown" not in response.get_data(as_text=True)


def test_unknown_tables_are_404(client, rolled, login_as):
    a = rolled.a
    login_as(a.facilitator.user)
    for name in ("users", "rollup_jobs", "..%2Fschools", "SCHOOLS"):
        assert client.get(f"/n/{a.network.slug}/dashboard/export/{name}.csv").status_code == 404


def test_the_schools_export_holds_the_snapshot(client, rolled, login_as):
    a = rolled.a
    login_as(a.facilitator.user)
    by_name = {r["school"]: r for r in rows(client.get(f"/n/{a.network.slug}/dashboard/export/schools.csv"))}
    assert set(by_name) == {"Alphaville High School", "Alphaville Middle School", "Alphaville Charter"}
    middle = by_name["Alphaville Middle School"]
    assert (middle["cycles_total"], middle["in_study"], middle["done"], middle["stalled"]) == ("2", "1", "1", "1")
    assert by_name["Alphaville Charter"]["school_group"] == "Cohort 1"
    grouped = rows(client.get(f"/n/{a.network.slug}/dashboard/export/schools.csv?group=Cohort+1"))
    assert {r["school"] for r in grouped} == {"Alphaville High School", "Alphaville Charter"}


def test_the_matrix_and_periods_exports(client, rolled, login_as):
    a = rolled.a
    login_as(a.facilitator.user)
    matrix = rows(client.get(f"/n/{a.network.slug}/dashboard/export/matrix.csv"))
    states = {(r["school"], r["change_idea"]): r["state"] for r in matrix}
    assert states[("Alphaville Charter", "Alphaville mentoring circle")] == "adopted"
    assert states[("Alphaville Middle School", "Alphaville mentoring circle")] == "abandoned"
    periods = rows(
        client.get(
            f"/n/{a.network.slug}/dashboard/export/periods.csv?period=month&date_from=2026-10-01&date_to=2026-10-31"
        )
    )
    assert [(r["period_kind"], r["period_start"], r["started"]) for r in periods] == [("month", "2026-10-01", "3")]


def test_the_stalled_export_lists_only_visible_cycles(client, rolled, login_as):
    a = rolled.a
    login_as(a.facilitator.user)
    response = client.get(f"/n/{a.network.slug}/dashboard/export/stalled.csv")
    titles = [r["title"] for r in rows(response)]
    assert titles == [STALLED_TITLE]
    assert PRIVATE_STALLED_TITLE not in response.get_data(as_text=True)


def test_formulas_are_defused(client, rolled, login_as):
    a = rolled.a
    with use_network(a.network):
        rolled.stalled.title = '=HYPERLINK("http://evil")'
        rolled.stalled.updated_at = utcnow() - timedelta(days=40)  # still idle (an explicit value beats onupdate)
        db.session.commit()
    compute(a.network)
    login_as(a.facilitator.user)
    titles = [r["title"] for r in rows(client.get(f"/n/{a.network.slug}/dashboard/export/stalled.csv"))]
    assert titles == ['\'=HYPERLINK("http://evil")']


def test_bad_filters_are_422(client, rolled, login_as):
    a = rolled.a
    login_as(a.facilitator.user)
    response = client.get(f"/n/{a.network.slug}/dashboard/export/periods.csv?date_from=yesterday")
    assert response.status_code == 422
