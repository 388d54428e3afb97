"""The theory pages and the change-ideas API on the embedded default, SQLite: the
diagram, revisions, proposals, the LIKE search fallback, and a driver's removal (SQLite
does not enforce ON DELETE CASCADE, so the service removes links itself)."""

import pytest
from sqlalchemy import select

from nic.extensions import db
from nic.models import ChangeIdea
from nic.services.accounts import accounts, networks
from nic.services.theory import theory
from nic.tenancy import use_network
from nic.transaction import commit
from tests.factories import make_cycle, make_token
from tests.theory.svg import read_diagram


@pytest.fixture
def sqlite_app(sqlite_app):
    network = networks.create_network("lake", "Lake NIC")
    with use_network(network):
        school = networks.create_school("Shore High")
        facilitator = accounts.new_user("fac@lake.org", "Fac Ilitator", "lake password 1")
        networks.add_member(facilitator, "facilitator")
        commit()
        aim = theory.create_aim({"statement": "Reading on grade level rises to 80%"}, facilitator)
        primary = theory.create_driver(aim.id, {"kind": "primary", "title": "Daily reading time"}, facilitator)
    _, secret = make_token(facilitator)
    db.session.commit()
    return sqlite_app, network, school, aim.id, primary.id, {"Authorization": f"Bearer {secret}"}


def test_theory_on_sqlite(sqlite_app):
    app, network, school, aim_id, primary_id, api = sqlite_app
    client = app.test_client()
    assert client.post("/login", data={"email": "fac@lake.org", "password": "lake password 1"}).status_code == 302
    assert (
        client.post(
            f"/n/lake/theory/aims/{aim_id}/drivers",
            data={"kind": "secondary", "title": "Classroom libraries", "parent_ids": [str(primary_id)]},
        ).status_code
        == 302
    )
    created = client.post(
        "/api/v1/networks/lake/change-ideas",
        headers=api,
        json={"title": "Book tasting Fridays", "description": "Students sample 5% of titles"},
    )
    assert created.status_code == 201
    idea_id = created.get_json()["id"]
    with app.app_context(), use_network(network):
        idea_aim_id = db.session.scalar(select(ChangeIdea.aim_id).where(ChangeIdea.id == idea_id))
        assert idea_aim_id == aim_id  # the network's only aim
    patched = client.patch(
        f"/api/v1/networks/lake/change-ideas/{idea_id}",
        headers=api,
        json={"status": "testing", "driver_ids": [primary_id]},
    )
    assert patched.status_code == 200 and patched.get_json()["driver_ids"] == [primary_id]

    found = client.get("/api/v1/networks/lake/change-ideas?q=tasting%20friday", headers=api).get_json()["items"]
    assert [i["id"] for i in found] == [idea_id]
    assert client.get("/api/v1/networks/lake/change-ideas?q=5%25", headers=api).get_json()["items"][0]["id"] == idea_id
    assert client.get("/api/v1/networks/lake/change-ideas?q=poetry", headers=api).get_json()["items"] == []
    assert "Book tasting Fridays" in client.get("/n/lake/change-ideas?q=tasting").get_data(as_text=True)

    diagram = read_diagram(client.get(f"/n/lake/theory/aims/{aim_id}").get_data(as_text=True))
    assert len(diagram.links) == 4 and len(diagram.edges) == 3

    with app.app_context(), use_network(network):
        make_cycle(
            school,
            title="Book tasting in room 12",
            change_idea=db.session.scalar(select(ChangeIdea).where(ChangeIdea.id == idea_id)),
            act_decision="adopt",
            act_reason="Works for readers",
        )
        db.session.commit()
    page = client.get(f"/n/lake/change-ideas/{idea_id}").get_data(as_text=True)
    assert "Book tasting in room 12" in page and "Shore High" in page and "Adopt" in page

    assert client.post(f"/n/lake/theory/drivers/{primary_id}/delete").status_code == 302  # refused: has a child
    with app.app_context(), use_network(network):
        idea = db.session.scalar(select(ChangeIdea).where(ChangeIdea.id == idea_id))
        assert [d.id for d in idea.drivers] == [primary_id]
    revisions = client.get(f"/n/lake/theory/aims/{aim_id}/revisions").get_data(as_text=True)
    assert "Moved change idea “Book tasting Fridays” to testing" in revisions
    assert client.get(f"/n/lake/theory/aims/{aim_id}?as_of=2000-01-01").status_code == 200
