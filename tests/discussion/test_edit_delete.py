"""Editing and deleting one's own message, over the API and in the thread page without
JavaScript: someone else's message is a 403, a message one may not read (or of another
network, or under another thread's URL) a 404; a deletion leaves a visible trace; a bad
edit changes nothing; each change is broadcast as `message_changed` after commit. The
page shows reactions, and Edit/Delete only on one's own messages."""

import re

import pytest
from sqlalchemy import select

from nic.events import publish
from nic.extensions import db
from nic.models import Message, Reaction
from nic.tenancy import use_network
from tests.factories import make_message, make_thread, make_token

API = "/api/v1/networks/alpha/threads"


@pytest.fixture
def sent(monkeypatch):
    calls = []
    monkeypatch.setattr(publish, "emit_message", lambda payload, event="message": calls.append((event, payload)))
    # `viewers` lists of an earlier test's sockets can still go out (coalesced, a moment late).
    monkeypatch.setattr(
        publish,
        "emit_to_thread",
        lambda thread_id, event, payload, skip_sids=None: (
            None if event == "viewers" else calls.append((event, payload))
        ),
    )
    return calls


@pytest.fixture
def a(tenants):
    return tenants.a


@pytest.fixture
def mine(a):
    """A message of the member's own in the shared thread."""
    with use_network(a.network):
        return make_message(a.thread, a.member.user, "First *draft*")


def _auth(user):
    return {"Authorization": f"Bearer {make_token(user)[1]}"}


def stored(tenant, message_id) -> Message:
    db.session.expire_all()
    with use_network(tenant.network):
        return db.session.scalar(select(Message).where(Message.id == message_id))


# --- the API ---------------------------------------------------------------------------


def test_the_author_edits_and_everyone_hears_of_it(client, a, mine, sent):
    response = client.patch(
        f"{API}/{a.thread.id}/messages/{mine.id}", json={"body": "Final **text**"}, headers=_auth(a.member.user)
    )
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["body_html"] == "<p>Final <strong>text</strong></p>\n"
    assert body["edited_at"] and body["deleted_at"] is None and body["id"] == mine.id
    assert stored(a, mine.id).body == "Final **text**"
    assert sent == [("message_changed", body)]


def test_the_author_deletes_and_a_trace_stays(client, a, mine, sent):
    headers = _auth(a.member.user)
    response = client.delete(f"{API}/{a.thread.id}/messages/{mine.id}", headers=headers)
    assert response.status_code == 200
    body = response.get_json()
    assert body["deleted_at"] and body["body_html"] == ""
    row = stored(a, mine.id)
    assert row is not None and row.body == "" and row.deleted_at is not None
    assert sent == [("message_changed", body)]
    # The trace is listed like any message; a second delete or an edit finds nothing to change.
    listed = client.get(f"{API}/{a.thread.id}/messages", headers=headers).get_json()["items"]
    assert [m["body_html"] for m in listed if m["id"] == mine.id] == [""]
    assert client.delete(f"{API}/{a.thread.id}/messages/{mine.id}", headers=headers).status_code == 404
    assert (
        client.patch(f"{API}/{a.thread.id}/messages/{mine.id}", json={"body": "back"}, headers=headers).status_code
        == 404
    )


def test_someone_elses_message_is_403_and_unchanged(client, a, mine, sent):
    for method in ("patch", "delete"):
        response = getattr(client, method)(
            f"{API}/{a.thread.id}/messages/{mine.id}", json={"body": "hijack"}, headers=_auth(a.principal.user)
        )
        assert response.status_code == 403, method
        assert response.get_json()["error"]["code"] == "forbidden"
    # Even with a body that would be refused: the 403 comes first.
    assert (
        client.patch(
            f"{API}/{a.thread.id}/messages/{mine.id}", json={"body": ""}, headers=_auth(a.facilitator.user)
        ).status_code
        == 403
    )
    row = stored(a, mine.id)
    assert row.body == "First *draft*" and row.edited_at is None and row.deleted_at is None
    assert sent == []


def test_hidden_other_network_and_wrong_thread_are_404(client, tenants, a, mine, sent):
    b = tenants.b
    with use_network(a.network):
        private = make_thread(a.network, "cycle", a.private_cycle.id, "Private", a.teacher_leader.user)
        secret = make_message(private, a.member.user, "Posted before moving school")
    headers = _auth(a.member.user)
    urls = [
        f"{API}/{private.id}/messages/{secret.id}",  # a thread the member may not read
        f"{API}/{b.thread.id}/messages/{b.message.id}",  # another network's, via alpha
        f"/api/v1/networks/beta/threads/{b.thread.id}/messages/{b.message.id}",  # not a member of beta
        f"{API}/{private.id}/messages/{mine.id}",  # own message, another thread's URL
        f"{API}/{a.thread.id}/messages/999999",
        f"{API}/{a.thread.id}/messages/x",
    ]
    for url in urls:
        for method in ("patch", "delete"):
            response = getattr(client, method)(url, json={"body": "x"}, headers=headers)
            assert response.status_code == 404, (method, url)
    assert stored(a, secret.id).body == "Posted before moving school"
    assert stored(b, b.message.id).deleted_at is None
    assert stored(a, mine.id).edited_at is None
    assert sent == []


def test_bad_edits_change_nothing(client, a, mine, sent):
    headers = _auth(a.member.user)
    url = f"{API}/{a.thread.id}/messages/{mine.id}"
    for body, status in (
        ({"body": ""}, 422),
        ({"body": "   "}, 422),
        ({"body": "x" * 10_001}, 422),
        ({}, 422),
        ({"body": 5}, 422),
    ):
        response = client.patch(url, json=body, headers=headers)
        assert response.status_code == status, body
        assert "body" in response.get_json()["error"]["fields"]
    assert client.patch(url, data="body=x", headers=headers).status_code == 415
    assert client.patch(url, data="[1]", headers={**headers, "Content-Type": "application/json"}).status_code == 400
    row = stored(a, mine.id)
    assert row.body == "First *draft*" and row.edited_at is None
    assert sent == []


def test_script_in_an_edit_is_sanitised(client, a, mine, sent):
    response = client.patch(
        f"{API}/{a.thread.id}/messages/{mine.id}",
        json={"body": "<script>alert(1)</script>**ok**"},
        headers=_auth(a.member.user),
    )
    assert response.status_code == 200
    assert (
        "<script" not in response.get_json()["body_html"] and "<strong>ok</strong>" in response.get_json()["body_html"]
    )


# --- the page, without JavaScript ----------------------------------------------------------


def page(client, tenant):
    return client.get(f"/n/alpha/threads/{tenant.thread.id}").get_data(as_text=True)


def test_own_messages_have_edit_and_delete_links_and_every_message_has_reactions(a, mine, login_as):
    html = page(login_as(a.member.user), a)
    own = f"/n/alpha/threads/{a.thread.id}/messages/{mine.id}"
    theirs = f"/n/alpha/threads/{a.thread.id}/messages/{a.message.id}"
    assert f'href="{own}/edit"' in html and f'href="{own}/delete"' in html
    assert f'href="{theirs}/edit"' not in html and f'href="{theirs}/delete"' not in html
    assert f'action="{own}/reactions"' in html and f'action="{theirs}/reactions"' in html
    assert html.count('name="emoji" value="👍"') == 2
    assert 'data-body="First *draft*"' in html  # the Markdown for the inline editor


def test_editing_without_javascript(a, mine, login_as, sent):
    client = login_as(a.member.user)
    url = f"/n/alpha/threads/{a.thread.id}/messages/{mine.id}/edit"
    form = client.get(url)
    assert form.status_code == 200 and "First *draft*" in form.get_data(as_text=True)
    refused = client.post(url, data={"body": "  "})
    assert refused.status_code == 422 and "Write a message, or delete it instead." in refused.get_data(as_text=True)
    assert stored(a, mine.id).body == "First *draft*"
    saved = client.post(url, data={"body": "Better *words*"})
    assert saved.status_code == 302
    assert saved.headers["Location"].endswith(f"/n/alpha/threads/{a.thread.id}#message-{mine.id}")
    html = page(client, a)
    assert "Better <em>words</em>" in html and "(edited)" in html
    assert [event for event, _ in sent] == ["message_changed"]


def test_deleting_without_javascript_asks_first(a, mine, login_as, sent):
    client = login_as(a.member.user)
    url = f"/n/alpha/threads/{a.thread.id}/messages/{mine.id}/delete"
    confirm = client.get(url)
    assert confirm.status_code == 200
    assert "Delete your message?" in confirm.get_data(as_text=True)
    assert stored(a, mine.id).deleted_at is None  # asking changes nothing
    done = client.post(url)
    assert done.status_code == 302 and done.headers["Location"].endswith(f"#message-{mine.id}")
    html = page(client, a)
    assert "This message was deleted" in html and "First <em>draft</em>" not in html
    assert client.get(url).status_code == 404  # nothing left to delete


def test_pages_for_someone_elses_or_hidden_messages(tenants, a, mine, login_as):
    b = tenants.b
    other = login_as(a.principal.user)
    for action in ("edit", "delete"):
        url = f"/n/alpha/threads/{a.thread.id}/messages/{mine.id}/{action}"
        assert other.get(url).status_code == 403
        assert other.post(url, data={"body": "hijack"}).status_code == 403
        assert (
            other.post(
                f"/n/alpha/threads/{b.thread.id}/messages/{b.message.id}/{action}", data={"body": "x"}
            ).status_code
            == 404
        )
    row = stored(a, mine.id)
    assert row.body == "First *draft*" and row.deleted_at is None


def test_reacting_without_javascript(a, mine, login_as, sent):
    client = login_as(a.principal.user)
    url = f"/n/alpha/threads/{a.thread.id}/messages/{mine.id}/reactions"
    response = client.post(url, data={"emoji": "🎉"})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"#message-{mine.id}")
    html = page(client, a)
    button = re.search(
        r'<button type="submit" name="emoji" value="🎉"[^>]*>', html[html.index(f'id="message-{mine.id}"') :]
    )
    assert 'aria-pressed="true"' in button.group(0) and 'aria-label="celebrate: 1"' in button.group(0)
    # An emoji outside the set: a clear message, nothing stored.
    bad = client.post(url, data={"emoji": "🍕"}, follow_redirects=True)
    assert "emoji: must be one of" in bad.get_data(as_text=True)
    with use_network(a.network):
        assert [r.emoji for r in db.session.scalars(select(Reaction))] == ["🎉"]
    # Toggling again takes it back.
    client.post(url, data={"emoji": "🎉"})
    with use_network(a.network):
        assert db.session.scalars(select(Reaction)).all() == []
