"""The threads API: shapes per docs/INTERFACE.md, catching up with ?after=, broadcasting a
POSTed message, and another network's or a hidden subject answering 404."""

import pytest

from nic.events import publish
from nic.tenancy import use_network
from tests.factories import make_message, make_thread, make_token

API = "/api/v1/networks/alpha/threads"
MESSAGE_KEYS = {"id", "thread_id", "author", "body_html", "created_at"}


@pytest.fixture
def sent(monkeypatch):
    calls = []
    monkeypatch.setattr(publish, "emit_message", lambda payload, event="message": calls.append((event, payload)))
    return calls


def _auth(user):
    return {"Authorization": f"Bearer {make_token(user)[1]}"}


def test_post_a_message_answers_and_broadcasts_it(client, tenants, sent):
    a = tenants.a
    response = client.post(f"{API}/{a.thread.id}/messages", json={"body": "_Hi_"}, headers=_auth(a.member.user))
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert set(body) == MESSAGE_KEYS and body["body_html"] == "<p><em>Hi</em></p>\n"
    assert body["author"] == {"id": a.member.user.id, "name": a.member.user.name}
    assert sent == [("message", body)]
    bad = client.post(f"{API}/{a.thread.id}/messages", json={"body": ""}, headers=_auth(a.member.user))
    assert bad.status_code == 422 and "body" in bad.get_json()["error"]["fields"]


def test_messages_after_an_id_in_ascending_pages(client, tenants):
    a = tenants.a
    with use_network(a.network):
        ids = [a.message.id] + [make_message(a.thread, a.principal.user, f"m{i}").id for i in range(4)]
    headers = _auth(a.member.user)
    page = client.get(f"{API}/{a.thread.id}/messages?after={ids[0]}&limit=2", headers=headers).get_json()
    assert [m["id"] for m in page["items"]] == ids[1:3] and page["next"]
    rest = client.get(
        f"{API}/{a.thread.id}/messages?after={ids[0]}&limit=2&cursor={page['next']}", headers=headers
    ).get_json()
    assert [m["id"] for m in rest["items"]] == ids[3:] and rest["next"] is None
    assert client.get(f"{API}/{a.thread.id}/messages?after=x", headers=headers).status_code == 422


def test_threads_list_and_create(client, tenants):
    a = tenants.a
    headers = _auth(a.member.user)
    with use_network(a.network):
        hidden = make_thread(a.network, "cycle", a.private_cycle.id, "Private", a.teacher_leader.user)
    listed = client.get(API, headers=headers).get_json()
    assert [t["id"] for t in listed["items"]] == [a.thread.id]
    assert set(listed["items"][0]) == {"id", "subject", "subject_id", "title", "last_message_id", "created_at"}
    created = client.post(
        API, json={"subject": "change_idea", "subject_id": a.change_idea.id, "title": "Ask"}, headers=headers
    )
    assert created.status_code == 201 and created.get_json()["subject"] == "change_idea"
    only = client.get(f"{API}?subject=change_idea", headers=headers).get_json()
    assert [t["id"] for t in only["items"]] == [created.get_json()["id"]]
    bad = client.post(API, json={"subject": "rumour", "subject_id": 1, "title": ""}, headers=headers)
    assert bad.status_code == 422 and {"subject", "title"} <= set(bad.get_json()["error"]["fields"])
    assert client.get(f"{API}/{hidden.id}/messages", headers=headers).status_code == 404


def test_another_networks_ids_answer_404_and_write_nothing(client, tenants, sent):
    a, b = tenants.a, tenants.b
    headers = _auth(a.member.user)
    assert client.get(f"{API}/{b.thread.id}/messages", headers=headers).status_code == 404
    assert client.post(f"{API}/{b.thread.id}/messages", json={"body": "x"}, headers=headers).status_code == 404
    for subject, subject_id in (
        ("cycle", b.cycle.id),
        ("change_idea", b.change_idea.id),
        ("channel", b.channel.id),
        ("artifact", b.artifact.id),
    ):
        response = client.post(API, json={"subject": subject, "subject_id": subject_id, "title": "t"}, headers=headers)
        assert response.status_code == 404, subject
    assert sent == []
    with use_network(a.network):
        assert client.get(API, headers=headers).get_json()["items"][0]["id"] == a.thread.id
