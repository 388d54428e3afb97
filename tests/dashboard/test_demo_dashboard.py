"""`nic demo` leaves the dashboard with figures to show: schools in two groups, a few
stalled cycles, and a snapshot computed at the end of seeding; on PostgreSQL and on the
embedded default (SQLite, no Redis: Refresh runs the roll-up in the request)."""

from __future__ import annotations

from sqlalchemy import func, select

from nic.demo.seed import DEMO_PASSWORD, DEMO_SLUG, _people, seed_demo
from nic.extensions import db
from nic.models import RollupSchool, RollupStalledCycle, RollupState, School
from nic.services.accounts.networks import network_by_slug
from nic.tenancy import use_network


def check_dashboard(client) -> None:
    email = _people()[0][0]  # the first facilitator
    assert client.post("/login", data={"email": email, "password": DEMO_PASSWORD}).status_code == 302
    response = client.get(f"/n/{DEMO_SLUG}/dashboard")
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Updated" in body and 'id="trend-chart"' in body and 'class="heat heat--' in body
    assert "days idle" in body and "6 schools" in body
    assert "3 schools in Cohort 2" in client.get(f"/n/{DEMO_SLUG}/dashboard?group=Cohort+2").get_data(as_text=True)
    report = client.get(f"/n/{DEMO_SLUG}/dashboard/report")
    assert report.status_code == 200 and "<svg" in report.get_data(as_text=True)
    assert client.get(f"/n/{DEMO_SLUG}/dashboard/export/matrix.csv").status_code == 200
    refreshed = client.post(f"/n/{DEMO_SLUG}/dashboard/refresh", headers={"Accept": "application/json"})
    assert refreshed.status_code == 202 and refreshed.json["state"] == "done"


def check_seeded() -> None:
    with use_network(network_by_slug(DEMO_SLUG)):
        assert db.session.scalar(select(RollupState)) is not None
        assert db.session.scalar(select(func.count()).select_from(RollupStalledCycle)) >= 3
        assert db.session.scalar(select(func.max(RollupSchool.median_days))) > 0  # done cycles took days
        stalled_schools = db.session.scalar(select(func.count(func.distinct(RollupStalledCycle.school_id))))
        assert stalled_schools >= 3
        groups = set(db.session.scalars(select(School.group_name)))
        assert groups == {"Cohort 1", "Cohort 2"}


def test_the_demo_dashboard_on_postgresql(client, db_session):
    seed_demo()
    db_session.commit()
    check_seeded()
    check_dashboard(client)


def test_the_demo_dashboard_on_sqlite(sqlite_app):
    app = sqlite_app
    seed_demo()
    check_seeded()
    check_dashboard(app.test_client())
