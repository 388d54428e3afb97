"""The channels API: list only what the caller's role may read; facilitators create
(with the channel's thread) and edit; 403 for anyone else; validation names the field;
a duplicate name is a 409 on `name` with nothing written."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from nic.extensions import db
from nic.models import Channel, Thread
from nic.services.discussion import channels
from nic.services.errors import Conflict
from nic.tenancy import use_network
from tests.factories import make_token

API = "/api/v1/networks/alpha/channels"
KEYS = {"id", "name", "description", "roles", "thread_id", "created_at"}


def _auth(user):
    return {"Authorization": f"Bearer {make_token(user)[1]}"}


def counts(tenant):
    db.session.expire_all()
    with use_network(tenant.network):
        return (db.session.scalar(select(func.count(Channel.id))), db.session.scalar(select(func.count(Thread.id))))


def test_facilitator_creates_and_everyone_lists_what_they_may_read(client, tenants):
    a = tenants.a
    created = client.post(
        API,
        json={"name": "principals-circle", "description": "Thursdays", "roles": ["principal"]},
        headers=_auth(a.facilitator.user),
    )
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert set(body) == KEYS and body["roles"] == ["facilitator", "principal"] and body["thread_id"]
    assert created.headers["Location"].endswith(f"{API}/{body['id']}")
    with use_network(a.network):
        thread = db.session.get(Thread, body["thread_id"])
        assert (thread.subject, thread.subject_id, thread.title) == ("channel", body["id"], "principals-circle")

    principal = client.get(API, headers=_auth(a.principal.user)).get_json()
    assert {c["name"] for c in principal["items"]} == {"general", "principals-circle"}
    assert all(set(c) == KEYS for c in principal["items"])
    teacher = _auth(a.teacher_leader.user)
    assert [c["name"] for c in client.get(API, headers=teacher).get_json()["items"]] == ["general"]
    assert client.get(f"{API}/{body['id']}", headers=teacher).status_code == 404
    assert (
        client.get(f"/api/v1/networks/alpha/threads/{body['thread_id']}/messages", headers=teacher).status_code == 404
    )
    assert client.get(f"{API}/{body['id']}", headers=_auth(a.principal.user)).get_json() == body


def test_only_facilitators_create_and_edit(client, tenants):
    a = tenants.a
    before = counts(a)
    for member in (a.principal, a.teacher_leader, a.member):
        headers = _auth(member.user)
        response = client.post(API, json={"name": "ours"}, headers=headers)
        assert response.status_code == 403 and response.get_json()["error"]["code"] == "forbidden"
        assert client.patch(f"{API}/{a.channel.id}", json={"name": "ours"}, headers=headers).status_code == 403
    assert counts(a) == before


@pytest.mark.parametrize(
    "payload, field, status",
    [
        ({"name": "General"}, "name", 409),
        ({}, "name", 422),
        ({"name": "   "}, "name", 422),
        ({"name": 7}, "name", 422),
        ({"name": "ok", "roles": ["principal", "wizard"]}, "roles", 422),
        ({"name": "ok", "roles": "principal"}, "roles", 422),
        ({"name": "ok", "description": "x" * 5001}, "description", 422),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(client, tenants, payload, field, status):
    a = tenants.a
    before = counts(a)
    response = client.post(API, json=payload, headers=_auth(a.facilitator.user))
    assert response.status_code == status, response.get_json()
    assert field in response.get_json()["error"]["fields"]
    assert counts(a) == before


def test_patch_changes_only_what_is_sent(client, tenants):
    a = tenants.a
    headers = _auth(a.facilitator.user)
    response = client.patch(f"{API}/{a.channel.id}", json={"roles": ["member"]}, headers=headers)
    assert response.status_code == 200
    assert response.get_json()["name"] == "general" and response.get_json()["roles"] == ["facilitator", "member"]
    everyone = client.patch(f"{API}/{a.channel.id}", json={"roles": []}, headers=headers).get_json()
    assert everyone["roles"] == []
    assert client.patch(f"{API}/{tenants.b.channel.id}", json={"name": "x"}, headers=headers).status_code == 404
    assert client.patch(f"{API}/abc", json={"name": "x"}, headers=headers).status_code == 404


def test_losing_a_race_for_the_name_writes_nothing(tenants, monkeypatch):
    """The database's unique constraint backs the check: if another request took the
    name in between, the savepoint is undone and the answer is the same 409."""
    a = tenants.a
    monkeypatch.setattr(channels, "_check_name_free", lambda name, channel_id=None: None)
    before = counts(a)
    with use_network(a.network), pytest.raises(Conflict) as refused:
        channels.create_channel(a.facilitator, "general")
    assert set(refused.value.fields) == {"name"}
    assert counts(a) == before
    with use_network(a.network):
        db.session.add(Channel(name="staff"))
        thread = Thread(subject="channel", subject_id=a.channel.id, title="general")
        db.session.add(thread)
        db.session.commit()
        with pytest.raises(Conflict):
            channels.update_channel(a.facilitator, a.channel.id, {"name": "staff", "description": "new"})
        db.session.expire_all()
        assert (a.channel.name, a.channel.description, thread.title) == ("general", "", "general")


def test_the_routes_are_documented(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert set(paths["/api/v1/networks/{slug}/channels"]) == {"get", "post"}
    assert set(paths["/api/v1/networks/{slug}/channels/{channel_id}"]) == {"get", "patch"}


def test_clean_roles():
    assert channels.clean_roles(None) == "" and channels.clean_roles([]) == ""
    assert channels.clean_roles(["member", " principal"]) == "facilitator,principal,member"
    assert channels.clean_roles("teacher_leader") == "facilitator,teacher_leader"
    assert channels.clean_roles(["principal", "teacher_leader", "member"]) == ""  # every role: everyone
    with pytest.raises(ValueError, match="unknown role"):
        channels.clean_roles(["principal", "admin"])
