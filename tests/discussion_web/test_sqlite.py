"""The discussion pages on the embedded default (SQLite): a channel thread page, posting
without JavaScript, the channel list with unread counts, and the panel on a cycle."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from nic.extensions import db
from nic.models import Channel, Message, Thread
from nic.services.accounts import accounts, networks
from nic.tenancy import use_network
from nic.transaction import commit


@pytest.fixture
def sqlite_app(sqlite_app):
    network = networks.create_network("lake", "Lake NIC")
    with use_network(network):
        networks.create_school("Shore High")
        fac = accounts.new_user("fac@lake.org", "Fac Ilitator", "lake password 1")
        networks.add_member(fac, "facilitator")
        general = Channel(name="general", roles="")
        leads = Channel(name="leads", roles="facilitator, principal")
        db.session.add_all([general, leads])
        db.session.flush()
        thread = Thread(subject="channel", subject_id=general.id, title="general", created_by_id=fac.id)
        db.session.add(thread)
        db.session.flush()
        other = accounts.new_user("pat@lake.org", "Pat Member", "pat password 1")
        networks.add_member(other, "member", networks.schools()[0].id)
        db.session.add(Message(thread_id=thread.id, author_id=other.id, body="Hello from *Pat*"))
        commit()
        thread_id = thread.id
    return sqlite_app, network.id, thread_id


def test_discussion_pages_on_sqlite(sqlite_app):
    app, network_id, thread_id = sqlite_app
    client = app.test_client()
    assert client.post("/login", data={"email": "fac@lake.org", "password": "lake password 1"}).status_code == 302
    channels = client.get("/n/lake/channels").get_data(as_text=True)
    assert "# general" in channels and "1 unread" in channels and "leads" in channels
    page = client.get(f"/n/lake/threads/{thread_id}").get_data(as_text=True)
    assert "Hello from <em>Pat</em>" in page
    assert "1 unread" not in client.get("/n/lake/channels").get_data(as_text=True)  # read now
    assert client.post(f"/n/lake/threads/{thread_id}/messages", data={"body": "Welcome!"}).status_code == 302
    with use_network(network_id):
        bodies = list(db.session.scalars(select(Message.body).where(Message.thread_id == thread_id).order_by(Message.id)))
    assert bodies == ["Hello from *Pat*", "Welcome!"]

    client.post("/logout")
    client.post("/login", data={"email": "pat@lake.org", "password": "pat password 1"})
    member_channels = client.get("/n/lake/channels").get_data(as_text=True)
    assert "# general" in member_channels and "leads" not in member_channels
