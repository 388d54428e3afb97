"""Reactions: a fixed set of emoji, toggled per person; counts for many messages in one
grouped query; broadcast after commit; bad input answered clearly with nothing written;
a message of a thread one may not read (or of another network) is a 404."""

import pytest
from sqlalchemy import event, func, select

from nic.extensions import db
from nic.models import Message, Reaction
from nic.realtime import publish
from nic.services import reactions
from nic.services.errors import Conflict, NotFound, ValidationFailed
from nic.tenancy import use_network
from tests.factories import make_message, make_thread, make_token

API = "/api/v1/networks/alpha/threads"


@pytest.fixture
def sent(monkeypatch):
    """The `reaction` events sent. Other thread events are left out: a `viewers` list from
    an earlier test's sockets can still go out (coalesced, a fraction of a second late)."""
    calls = []

    def record(thread_id, event, payload, skip_sids=None):
        if event == "reaction":
            calls.append((thread_id, event, payload))

    monkeypatch.setattr(publish, "emit_to_thread", record)
    return calls


def _auth(user):
    return {"Authorization": f"Bearer {make_token(user)[1]}"}


def _reactions(tenant):
    db.session.expire_all()
    with use_network(tenant.network):
        return sorted((r.message_id, r.user_id, r.emoji) for r in db.session.scalars(select(Reaction)))


def test_toggle_on_and_off_with_counts_and_broadcasts(tenants, sent):
    a = tenants.a
    with use_network(a.network):
        on = reactions.react(a.member, a.message.id, "👍")
        assert (on.count, on.reacted) == (1, True)
        other = reactions.react(a.principal, a.message.id, "👍")
        assert (other.count, other.reacted) == (2, True)
        off = reactions.react(a.member, a.message.id, "👍")
        assert (off.count, off.reacted) == (1, False)
    assert _reactions(a) == [(a.message.id, a.principal.user_id, "👍")]
    assert [payload for _, _, payload in sent] == [
        {
            "message_id": a.message.id,
            "thread_id": a.thread.id,
            "emoji": "👍",
            "count": 1,
            "user_id": a.member.user_id,
            "reacted": True,
        },
        {
            "message_id": a.message.id,
            "thread_id": a.thread.id,
            "emoji": "👍",
            "count": 2,
            "user_id": a.principal.user_id,
            "reacted": True,
        },
        {
            "message_id": a.message.id,
            "thread_id": a.thread.id,
            "emoji": "👍",
            "count": 1,
            "user_id": a.member.user_id,
            "reacted": False,
        },
    ]
    assert {(thread_id, event) for thread_id, event, _ in sent} == {(a.thread.id, "reaction")}


def test_setting_explicitly_is_idempotent_and_silent_when_nothing_changes(tenants, sent):
    a = tenants.a
    with use_network(a.network):
        assert reactions.react(a.member, a.message.id, "🎉", on=True).reacted is True
        again = reactions.react(a.member, a.message.id, "🎉", on=True)
        assert (again.count, again.reacted) == (1, True)
        assert reactions.react(a.member, a.message.id, "🎉", on=False).count == 0
        assert reactions.react(a.member, a.message.id, "🎉", on=False).count == 0
    assert len(sent) == 2  # one on, one off; the repeats changed nothing and said nothing


def test_summaries_group_many_messages_in_one_query(tenants, sent):
    a = tenants.a
    with use_network(a.network):
        second = make_message(a.thread, a.principal.user, "Second")
        gone = make_message(a.thread, a.principal.user, "Gone")
        reactions.react(a.member, a.message.id, "👍")
        reactions.react(a.principal, a.message.id, "👍")
        reactions.react(a.principal, a.message.id, "❤")  # the heart without its variation selector
        reactions.react(a.member, second.id, "💡")
        reactions.react(a.member, gone.id, "✅")
        gone = db.session.merge(gone)
        gone.deleted_at = gone.created_at
        db.session.commit()
        user_id, message_ids = a.member.user_id, [a.message.id, second.id, gone.id]  # read before counting
        statements = []
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            summary = reactions.summaries(user_id, message_ids)
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
    queries = [s for s in statements if not s.startswith("SAVEPOINT")]  # the test's own transaction
    assert len(queries) == 1 and "GROUP BY" in queries[0]
    assert summary == {
        a.message.id: {"👍": {"count": 2, "mine": True}, "❤️": {"count": 1, "mine": False}},
        second.id: {"💡": {"count": 1, "mine": True}},
    }  # the deleted message's reactions are not counted
    assert reactions.summary_list(summary[a.message.id]) == [
        {"emoji": "👍", "count": 2, "mine": True},
        {"emoji": "❤️", "count": 1, "mine": False},
    ]
    assert reactions.summaries(a.member.user_id, []) == {}


def test_bad_input_is_refused_and_writes_nothing(tenants, sent):
    a, b = tenants.a, tenants.b
    with use_network(a.network):
        for bad in ("🙂", "", None, 7, "👍👍", "thumbs up"):
            with pytest.raises(ValidationFailed) as caught:
                reactions.react(a.member, a.message.id, bad)
            assert "emoji" in caught.value.fields
        with pytest.raises(ValidationFailed) as caught:
            reactions.react(a.member, a.message.id, "👍", on="yes")
        assert "on" in caught.value.fields
        hidden = make_thread(a.network, "cycle", a.private_cycle.id, "Private", a.teacher_leader.user)
        hidden_message = make_message(hidden, a.teacher_leader.user, "Private talk")
        for message_id in (hidden_message.id, b.message.id, 999_999, "x", -1):
            with pytest.raises(NotFound):
                reactions.react(a.member, message_id, "👍")  # a member of another school
        with pytest.raises(NotFound):  # a message that is not in the named thread
            reactions.react(a.member, a.message.id, "👍", thread_id=hidden.id)
        gone = make_message(a.thread, a.principal.user, "Soon gone")
        gone = db.session.merge(gone)
        gone.body, gone.deleted_at = "", gone.created_at
        db.session.commit()
        with pytest.raises(Conflict) as caught:
            reactions.react(a.member, gone.id, "👍")
        assert "deleted" in caught.value.message
    assert _reactions(a) == [] and sent == []


def test_api_toggles_lists_and_refuses(client, tenants, sent):
    a, b = tenants.a, tenants.b
    headers = _auth(a.member.user)
    url = f"{API}/{a.thread.id}/messages/{a.message.id}/reactions"
    first = client.post(url, json={"emoji": "👀"}, headers=headers)
    assert first.status_code == 200, first.get_json()
    assert first.get_json() == {
        "message_id": a.message.id,
        "thread_id": a.thread.id,
        "emoji": "👀",
        "count": 1,
        "reacted": True,
    }
    client.post(url, json={"emoji": "✅"}, headers=_auth(a.principal.user))
    listed = client.get(f"{API}/{a.thread.id}/reactions", headers=headers).get_json()
    assert listed == {
        "items": [
            {
                "message_id": a.message.id,
                "reactions": [{"emoji": "👀", "count": 1, "mine": True}, {"emoji": "✅", "count": 1, "mine": False}],
            }
        ],
        "next": None,
    }
    assert client.get(f"{API}/{a.thread.id}/reactions?after={a.message.id}", headers=headers).get_json()["items"] == []
    assert client.get(f"{API}/{a.thread.id}/reactions?after=x", headers=headers).status_code == 422
    off = client.post(url, json={"emoji": "👀"}, headers=headers).get_json()
    assert (off["count"], off["reacted"]) == (0, False)

    bad = client.post(url, json={"emoji": "🍕"}, headers=headers)
    assert bad.status_code == 422 and "emoji" in bad.get_json()["error"]["fields"]
    assert client.post(url, data="emoji", headers=headers).status_code == 415
    # Another network's message, or one under another thread's URL: 404.
    assert (
        client.post(
            f"{API}/{b.thread.id}/messages/{b.message.id}/reactions", json={"emoji": "👍"}, headers=headers
        ).status_code
        == 404
    )
    assert (
        client.post(
            f"/api/v1/networks/beta/threads/{b.thread.id}/messages/{b.message.id}/reactions",
            json={"emoji": "👍"},
            headers=headers,
        ).status_code
        == 404
    )
    with use_network(a.network):
        other = make_thread(a.network, "change_idea", a.change_idea.id, "Other", a.principal.user)
    assert (
        client.post(
            f"{API}/{other.id}/messages/{a.message.id}/reactions", json={"emoji": "👍"}, headers=headers
        ).status_code
        == 404
    )
    assert client.get(f"{API}/{b.thread.id}/reactions", headers=headers).status_code == 404
    assert _reactions(a) == [(a.message.id, a.principal.user_id, "✅")]


def test_api_reacting_to_a_deleted_message_is_a_clear_409(client, tenants, sent):
    a = tenants.a
    with use_network(a.network):
        gone = make_message(a.thread, a.member.user, "Soon gone")
    headers = _auth(a.member.user)
    assert client.delete(f"{API}/{a.thread.id}/messages/{gone.id}", headers=headers).status_code == 200
    answer = client.post(f"{API}/{a.thread.id}/messages/{gone.id}/reactions", json={"emoji": "👍"}, headers=headers)
    assert answer.status_code == 409
    assert answer.get_json()["error"]["code"] == "conflict" and "deleted" in answer.get_json()["error"]["message"]
    with use_network(a.network):
        assert db.session.scalar(select(func.count(Reaction.id)).where(Reaction.message_id == gone.id)) == 0


def test_a_deleted_messages_reactions_no_longer_count(tenants, sent):
    """The message row of a deleted message stays (the trace); its reactions no longer
    count anywhere, and the API lists it no more."""
    a = tenants.a
    with use_network(a.network):
        reactions.react(a.member, a.message.id, "👍")
        message = db.session.scalar(select(Message).where(Message.id == a.message.id))
        message.deleted_at = message.created_at
        db.session.commit()
        assert reactions.summaries(a.member.user_id, [a.message.id]) == {}
        assert list(db.session.scalars(reactions.reacted_messages_stmt(a.thread.id))) == []


def test_reactions_edit_and_delete_on_sqlite(sqlite_app):
    """The embedded default (SQLite, no Redis): the grouped summary and the API."""
    from nic.models import Channel, Membership
    from nic.services import accounts, discussion, networks
    from nic.services.transaction import commit

    app = sqlite_app
    network = networks.create_network("lake", "Lake NIC")
    with use_network(network):
        shore = networks.create_school("Shore High")
        member = accounts.new_user("mo@lake.org", "Mo Member", "lake password 1")
        networks.add_member(member, "member", shore.id)
        _, secret = accounts.create_api_token(member, "sqlite test")
        db.session.add(Channel(name="general", roles=""))
        commit()
        membership = db.session.scalar(select(Membership))
        channel_id = db.session.scalar(select(Channel.id))
        thread = discussion.create_thread(membership, "channel", channel_id, "General")
    client = app.test_client()
    token = {"Authorization": f"Bearer {secret}"}
    base = f"/api/v1/networks/lake/threads/{thread.id}"
    message_id = client.post(f"{base}/messages", json={"body": "hello"}, headers=token).get_json()["id"]
    reacted = client.post(f"{base}/messages/{message_id}/reactions", json={"emoji": "💡"}, headers=token)
    assert reacted.get_json()["count"] == 1
    assert client.get(f"{base}/reactions", headers=token).get_json()["items"] == [
        {"message_id": message_id, "reactions": [{"emoji": "💡", "count": 1, "mine": True}]}
    ]
    edited = client.patch(f"{base}/messages/{message_id}", json={"body": "hello *again*"}, headers=token)
    assert edited.status_code == 200 and edited.get_json()["edited_at"]
    assert client.delete(f"{base}/messages/{message_id}", headers=token).get_json()["deleted_at"]
    assert client.get(f"{base}/reactions", headers=token).get_json()["items"] == []
