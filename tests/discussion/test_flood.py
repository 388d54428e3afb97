"""A flood of messages from one person is refused with a clear error (HTTP 429, or an
error ack over Socket.IO) and nothing is stored; the connection stays up, a resend of a
stored message is not counted, and another person is not slowed down."""

import pytest
from flask_socketio import SocketIOTestClient
from sqlalchemy import func, select

from nic.events import publish
from nic.extensions import db, limiter, socketio
from nic.models import Message
from nic.tenancy import use_network
from tests.factories import make_token

API = "/api/v1/networks/alpha/threads"


@pytest.fixture
def three_a_minute(app, monkeypatch):
    monkeypatch.setitem(app.config, "MESSAGE_RATE_LIMIT", "3 per minute")
    monkeypatch.setattr(publish, "emit_message", lambda payload, event="message": None)
    limiter.reset()
    yield
    limiter.reset()


def _auth(user):
    return {"Authorization": f"Bearer {make_token(user)[1]}"}


def _stored(thread):
    with use_network(thread.network_id):
        return db.session.scalar(select(func.count(Message.id)).where(Message.thread_id == thread.id))


def test_the_fourth_message_in_a_minute_is_refused_over_http(client, tenants, three_a_minute):
    a = tenants.a
    headers = _auth(a.member.user)
    before = _stored(a.thread)
    statuses = [
        client.post(f"{API}/{a.thread.id}/messages", json={"body": f"m{i}"}, headers=headers).status_code
        for i in range(4)
    ]
    assert statuses == [201, 201, 201, 429]
    refused = client.post(f"{API}/{a.thread.id}/messages", json={"body": "again"}, headers=headers)
    assert refused.get_json()["error"]["code"] == "rate_limited"
    assert "too fast" in refused.get_json()["error"]["message"]
    assert _stored(a.thread) == before + 3
    # Someone else in the same thread is not held back by the first person's flood.
    other = client.post(f"{API}/{a.thread.id}/messages", json={"body": "hi"}, headers=_auth(a.principal.user))
    assert other.status_code == 201


def test_a_resend_of_a_stored_message_is_not_counted(client, tenants, three_a_minute):
    a = tenants.a
    headers = _auth(a.member.user)
    first = client.post(f"{API}/{a.thread.id}/messages", json={"body": "once", "client_id": "c-1"}, headers=headers)
    for _ in range(5):  # a client retrying after a reconnect
        again = client.post(f"{API}/{a.thread.id}/messages", json={"body": "once", "client_id": "c-1"}, headers=headers)
        assert again.status_code == 201 and again.get_json()["id"] == first.get_json()["id"]
    assert client.post(f"{API}/{a.thread.id}/messages", json={"body": "two"}, headers=headers).status_code == 201


def test_a_socket_flood_gets_an_error_ack_and_the_connection_stays_up(app, tenants, three_a_minute):
    a = tenants.a
    sio = SocketIOTestClient(app, socketio, auth={"token": make_token(a.member.user)[1]})
    try:
        assert sio.is_connected()
        assert sio.emit("join", {"thread_id": a.thread.id}, callback=True)["ok"] is True
        acks = [sio.emit("send", {"thread_id": a.thread.id, "body": f"s{i}"}, callback=True) for i in range(4)]
        assert [ack["ok"] for ack in acks] == [True, True, True, False]
        assert acks[3]["error"] == "rate_limited" and "too fast" in acks[3]["message"]
        assert sio.is_connected()
        # Still connected and still answering: a join after the refusal works.
        assert sio.emit("join", {"thread_id": a.thread.id}, callback=True)["ok"] is True
    finally:
        sio.disconnect()
