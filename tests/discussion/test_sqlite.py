"""Discussion on the embedded default (SQLite, no Redis): channel role rules in SQL,
posting and catching up over the API, unread counts."""
import pytest

from nic.extensions import db
from nic.models import Channel, Membership
from nic.services.accounts import accounts, networks
from nic.services.discussion import discussion
from nic.services.errors import NotFound
from nic.tenancy import use_network
from nic.transaction import commit


@pytest.fixture
def sqlite_app(sqlite_app):
    network = networks.create_network("lake", "Lake NIC")
    with use_network(network):
        shore = networks.create_school("Shore High")
        member = accounts.new_user("mo@lake.org", "Mo Member", "lake password 1")
        networks.add_member(member, "member", shore.id)
        _, secret = accounts.create_api_token(member, "sqlite test")
        db.session.add_all([Channel(name="general", roles=""), Channel(name="leads", roles="facilitator, principal"),
                            Channel(name="staff", roles="member,teacher_leader")])
        commit()
    return sqlite_app, network, secret


def test_discussion_works_on_sqlite(sqlite_app):
    app, network, secret = sqlite_app
    with use_network(network):
        membership = db.session.scalar(db.select(Membership))
        channels = {c.name: c.id for c in db.session.scalars(db.select(Channel))}
        for name in ("general", "staff"):
            discussion.create_thread(membership, "channel", channels[name], name.title())
        with pytest.raises(NotFound):
            discussion.create_thread(membership, "channel", channels["leads"], "Leads")
        threads = list(db.session.scalars(discussion.threads_stmt(membership)))
        assert sorted(t.title for t in threads) == ["General", "Staff"]
        thread_id = threads[0].id

    client = app.test_client()
    token = {"Authorization": f"Bearer {secret}"}
    url = f"/api/v1/networks/lake/threads/{thread_id}/messages"
    ids = [client.post(url, json={"body": f"note {i}"}, headers=token).get_json()["id"] for i in range(3)]
    assert [m["id"] for m in client.get(f"{url}?after={ids[0]}", headers=token).get_json()["items"]] == ids[1:]
    with use_network(network):
        assert discussion.unread_counts(membership, [thread_id]) == {thread_id: 0}  # own messages
