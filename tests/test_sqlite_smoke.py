"""The embedded default (SQLite, no Redis) works end to end: migrate, seed, sign in,
see the network, call the API, invite someone (mail runs eager, in-process)."""

import re

import pytest
from sqlalchemy import select

from nic.extensions import db
from nic.models import OutboxMessage
from nic.services.accounts import accounts, networks
from nic.tenancy import use_network
from nic.transaction import commit


@pytest.fixture
def sqlite_app(sqlite_app):
    network = networks.create_network("lake", "Lake NIC")
    with use_network(network):
        school = networks.create_school("Shore High")
        facilitator = accounts.new_user("fac@lake.org", "Fac Ilitator", "lake password 1")
        networks.add_member(facilitator, "facilitator")
        commit()
    return sqlite_app, school.id


def test_sqlite_end_to_end(sqlite_app):
    app, school_id = sqlite_app
    client = app.test_client()
    assert client.post("/login", data={"email": "fac@lake.org", "password": "lake password 1"}).status_code == 302
    assert b"Lake NIC" in client.get("/n/lake/").data
    response = client.post(
        "/n/lake/members/invite", data={"email": "pat@lake.org", "role": "principal", "school": str(school_id)}
    )
    assert response.status_code == 302
    with app.app_context():
        message = db.session.scalar(select(OutboxMessage).where(OutboxMessage.to_address == "pat@lake.org"))
        assert message.transport == "log" and message.sent_at is not None  # eager task ran after commit
        path = re.search(r"https?://[^/\s]+(/invite/\S+)", message.body_text).group(1)
    client.post("/logout")
    joined = client.post(path, data={"name": "Pat", "password": "pat password 1", "confirm": "pat password 1"})
    assert joined.status_code == 302
    me = client.get("/api/v1/me").get_json()
    assert me["memberships"] == [
        {"network": "lake", "network_name": "Lake NIC", "school_id": school_id, "role": "principal"}
    ]
    schools = client.get("/api/v1/networks/lake/schools").get_json()
    assert [s["name"] for s in schools["items"]] == ["Shore High"]
