"""Browsing, the API list, the quality table and teams on SQLite, the embedded default:
text search falls back to LIKE, dates and nudges are the same SQL, and deleting a team
clears its cycles' team although SQLite does not enforce the foreign key."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from nic.clock import utcnow
from nic.extensions import db
from nic.models import Cycle, Team
from nic.tenancy import UNSCOPED
from tests import factories
from tests.browse.world import listed


@pytest.fixture
def lake(sqlite_app):
    network = factories.make_network("lake", "Lake NIC")
    shore, bay = factories.make_school(network, "Shore High"), factories.make_school(network, "Bay Middle")
    facilitator = factories.make_member(network, "facilitator")
    principal = factories.make_member(network, "principal", shore)
    teacher = factories.make_member(network, "teacher_leader", shore)
    team = factories.make_team(shore, "Shore ILT", members=[teacher.user])
    factories.make_cycle(shore, teacher.user, "Weekly huddles for ninth grade", team=team,
                         questions=[("Will they come?", "Most will")], plan_measure="Attendance")
    factories.make_cycle(bay, None, "Phone calls home", phase="study", start_date=date(2026, 3, 2),
                         end_date=date(2026, 3, 20), scale_count=3, scale_unit="classes")
    factories.make_cycle(bay, None, "Bay private huddle", visibility="school")
    factories.make_cycle(shore, teacher.user, "Deleted huddle", deleted_at=utcnow())
    db.session.commit()
    ids = {"facilitator": facilitator.user.id, "principal": principal.user.id, "shore": shore.id,
           "bay": bay.id, "team": team.id, "teacher": teacher.user.id}
    return sqlite_app, ids


def signed_in(app, user_id):
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = str(user_id)
        session["_fresh"] = True
    return client


def test_browsing_on_sqlite(lake):
    app, ids = lake
    client = signed_in(app, ids["facilitator"])
    everything = client.get("/n/lake/cycles").get_data(as_text=True)
    assert set(listed(everything)) == {"Weekly huddles for ninth grade", "Phone calls home"}
    assert listed(client.get("/n/lake/cycles?q=HUDDLE").get_data(as_text=True)) == ["Weekly huddles for ninth grade"]
    assert listed(client.get("/n/lake/cycles?q=100%25").get_data(as_text=True)) == []  # % is a character, not a wildcard
    assert listed(client.get("/n/lake/cycles?date_from=2026-03-10&date_to=2026-04-01").get_data(as_text=True)) == [
        "Phone calls home"]
    today = utcnow().date().isoformat()  # no dates: the day it was created
    assert "Weekly huddles for ninth grade" in listed(
        client.get(f"/n/lake/cycles?date_from={today}&date_to={today}").get_data(as_text=True))
    assert listed(client.get("/n/lake/cycles?nudge=scale_too_big").get_data(as_text=True)) == ["Phone calls home"]
    assert listed(client.get(f"/n/lake/cycles?team_id={ids['team']}&phase=plan").get_data(as_text=True)) == [
        "Weekly huddles for ninth grade"]


def test_api_list_and_quality_on_sqlite(lake):
    app, ids = lake
    client = signed_in(app, ids["facilitator"])
    body = client.get(f"/api/v1/networks/lake/cycles?school_id={ids['bay']}").get_json()
    assert [item["title"] for item in body["items"]] == ["Phone calls home"] and body["next"] is None
    assert [i["title"] for i in client.get("/api/v1/networks/lake/cycles?q=huddle").get_json()["items"]] == [
        "Weekly huddles for ninth grade"]
    response = client.get("/api/v1/networks/lake/cycles?phase=later")
    assert response.status_code == 422 and "phase" in response.get_json()["error"]["fields"]
    quality = client.get("/n/lake/quality")
    assert quality.status_code == 200
    assert f'/n/lake/cycles?school_id={ids["bay"]}&amp;nudge=no_prediction' in quality.get_data(as_text=True)


def test_teams_on_sqlite(lake):
    app, ids = lake
    client = signed_in(app, ids["principal"])
    created = client.post("/n/lake/teams", data={"school_id": ids["shore"], "name": "Ninth grade PLC", "kind": "plc",
                                                  "members": [str(ids["teacher"])]})
    assert created.status_code == 302
    again = client.post("/n/lake/teams", data={"school_id": ids["shore"], "name": "ninth grade plc", "kind": "plc"})
    assert again.status_code == 422 and "already has this name" in again.get_data(as_text=True)
    assert client.post(f"/n/lake/teams/{ids['team']}/delete").status_code == 302
    with app.app_context():
        stmt = select(Cycle.team_id).where(Cycle.title == "Weekly huddles for ninth grade").execution_options(**UNSCOPED)
        assert db.session.scalar(stmt) is None
        names = db.session.scalars(select(Team.name).execution_options(**UNSCOPED)).all()
        assert names == ["Ninth grade PLC"]
