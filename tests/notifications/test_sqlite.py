"""Notifications on the embedded default (SQLite, no Redis: the task runs in-process
right after the commit): a mention is rendered and notified, the insert that ignores
duplicates works there too, and the API lists it."""
from nic.extensions import db
from nic.models import Channel, Membership, User
from nic.services.accounts import accounts, networks
from nic.services.discussion import discussion
from nic.services.notifications import notifications
from nic.tenancy import use_network
from nic.transaction import commit


def test_mentions_and_notifications_on_sqlite(sqlite_app):
    app = sqlite_app
    network = networks.create_network("lake", "Lake NIC")
    with use_network(network):
        shore = networks.create_school("Shore High")
        mo = accounts.new_user("mo@lake.org", "Mo Member", "lake password 1")
        ada = accounts.new_user("ada@lake.org", "Ada Lind", "lake password 2")
        networks.add_member(mo, "member", shore.id)
        networks.add_member(ada, "principal", shore.id)
        _, secret = accounts.create_api_token(ada, "sqlite test")
        db.session.add(Channel(name="general", roles=""))
        commit()
        channel_id = db.session.scalar(db.select(Channel.id))
        mo_membership = db.session.scalar(db.select(Membership).where(Membership.user_id == mo.id))
        thread = discussion.create_thread(mo_membership, "channel", channel_id, "General")
        message = discussion.post_message(mo_membership, thread.id, "@ada lind could you look?")
        assert notifications.unread_count(ada.id) == 1
        assert notifications.notify_for_message(message.id) == []  # a second run adds nothing
        ada_id = db.session.scalar(db.select(User.id).where(User.email == "ada@lake.org"))

    client = app.test_client()
    page = client.get("/api/v1/networks/lake/notifications",
                      headers={"Authorization": f"Bearer {secret}"}).get_json()
    [item] = page["items"]
    assert item["kind"] == "mention" and item["text"] == "Mo Member mentioned you in “General”"
    messages = client.get(f"/api/v1/networks/lake/threads/{thread.id}/messages",
                          headers={"Authorization": f"Bearer {secret}"}).get_json()["items"]
    assert f'<span class="mention" data-user-id="{ada_id}">@ada lind</span>' in messages[0]["body_html"]
