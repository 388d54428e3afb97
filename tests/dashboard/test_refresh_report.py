"""Refresh now (a full roll-up request; eager here, so it is done when the answer comes),
the status the page's script polls, and the printable report."""

from __future__ import annotations

from sqlalchemy import select

from nic.extensions import db
from nic.models import RollupJob, RollupState
from nic.tenancy import use_network


def test_refresh_by_form_computes_and_goes_back(client, tenants, login_as):
    a = tenants.a
    login_as(a.facilitator.user)
    response = client.post(
        f"/n/{a.network.slug}/dashboard/refresh", data={"next": f"/n/{a.network.slug}/dashboard?period=month"}
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/n/{a.network.slug}/dashboard?period=month")
    with use_network(a.network):
        assert db.session.scalar(select(RollupState)) is not None
        assert [j.state for j in db.session.scalars(select(RollupJob))] == ["done"]
    body = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "The roll-up is done" in body and "Updated just now" in body


def test_refresh_by_script_answers_202(client, tenants, login_as):
    a = tenants.a
    login_as(a.facilitator.user)
    response = client.post(f"/n/{a.network.slug}/dashboard/refresh", headers={"Accept": "application/json"})
    assert response.status_code == 202
    assert response.json["state"] == "done" and isinstance(response.json["job"], int)
    status = client.get(f"/n/{a.network.slug}/dashboard/status").json
    assert status["network"] == a.network.slug and status["computed_at"] and status["pending"] is False
    assert status["last_job"] == {"id": response.json["job"], "state": "done"}


def test_status_before_any_roll_up(client, tenants, login_as):
    a = tenants.a
    login_as(a.facilitator.user)
    assert client.get(f"/n/{a.network.slug}/dashboard/status").json == {
        "network": a.network.slug,
        "computed_at": None,
        "pending": False,
        "last_job": None,
    }


def test_the_printable_report(client, rolled, login_as):
    a = rolled.a
    login_as(a.facilitator.user)
    response = client.get(f"/n/{a.network.slug}/dashboard/report?group=Cohort+1")
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Alphaville Network: network report" in body
    assert 'class="mainnav"' not in body and 'class="topbar"' not in body  # no navigation
    assert body.count('class="report__section"') >= 6
    assert '<svg class="report-chart"' in body and "<rect " in body
    assert "the group Cohort 1" in body and "Alphaville Charter" in body
    assert "Alphaville Middle School" not in body
    assert "Nudge" not in body  # nothing to click on paper


def test_the_report_with_no_snapshot(client, tenants, login_as):
    a = tenants.a
    login_as(a.facilitator.user)
    body = client.get(f"/n/{a.network.slug}/dashboard/report").get_data(as_text=True)
    assert "nothing to report" in body


def test_a_queue_that_cannot_be_reached_is_not_an_error_page(client, rolled, login_as, monkeypatch):
    from nic.services.rollups import rollups

    def broken():
        raise ConnectionError("redis is down")

    monkeypatch.setattr(rollups, "request_full", broken)
    a = rolled.a
    login_as(a.facilitator.user)
    response = client.post(f"/n/{a.network.slug}/dashboard/refresh")
    assert response.status_code == 302
    body = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "could not be started just now" in body and "Alphaville stalled advisory pilot" in body
    response = client.post(f"/n/{a.network.slug}/dashboard/refresh", headers={"Accept": "application/json"})
    assert response.status_code == 503 and response.json["error"]["code"] == "unavailable"
