"""Typing and who is viewing, in one process (Socket.IO test clients, presence in
memory), and the Redis presence store on its own (distinct people, sequence numbers,
a crashed process's sockets swept away). Across two real server processes:
tests/live/test_presence.py."""

import json
import time

import pytest
import redis
from flask_socketio import SocketIOTestClient

from nic.extensions import socketio
from nic.realtime import handlers, presence
from nic.realtime.presence import MemoryPresence, RedisPresence
from tests.conftest import REDIS_URL
from tests.factories import make_thread, make_token


@pytest.fixture
def clients(app):
    made = []

    def connect(user):
        client = SocketIOTestClient(app, socketio, auth={"token": make_token(user)[1]})
        assert client.is_connected()
        made.append(client)
        return client

    yield connect
    for client in made:
        if client.is_connected():
            client.disconnect()


def events(client, name):
    return [event["args"][0] for event in client.get_received() if event["name"] == name]


def test_typing_reaches_the_room_but_not_the_typer_and_is_throttled(app, tenants, clients, monkeypatch):
    a = tenants.a
    teacher, teacher_tab, member = (
        clients(a.teacher_leader.user),
        clients(a.teacher_leader.user),
        clients(a.member.user),
    )
    for client in (teacher, teacher_tab, member):
        assert client.emit("join", {"thread_id": a.thread.id}, callback=True) == {"ok": True, "last_id": a.message.id}
        client.get_received()
    assert teacher.emit("typing", {"thread_id": a.thread.id}, callback=True) == {"ok": True}
    assert events(member, "typing") == [
        {"thread_id": a.thread.id, "user": {"id": a.teacher_leader.user_id, "name": "Alphaville Teacher"}}
    ]
    assert events(teacher, "typing") == [] and events(teacher_tab, "typing") == []  # not to the typer's own tabs
    # Again at once: ignored (at most one per socket every two seconds).
    assert teacher.emit("typing", {"thread_id": a.thread.id}, callback=True) == {"ok": True, "throttled": True}
    assert events(member, "typing") == []
    later = presence._now() + presence.TYPING_INTERVAL_SECONDS + 0.1
    monkeypatch.setattr(presence, "_now", lambda: later)
    assert teacher.emit("typing", {"thread_id": a.thread.id}, callback=True) == {"ok": True}
    assert len(events(member, "typing")) == 1


def test_typing_is_refused_unless_joined_and_readable_and_payloads_are_checked(app, tenants, clients):
    a, b = tenants.a, tenants.b
    member = clients(a.member.user)
    assert member.emit("typing", {"thread_id": a.thread.id}, callback=True)["error"] == "not_joined"
    hidden = make_thread(a.network, "cycle", a.private_cycle.id, "Private", a.teacher_leader.user)
    for payload in (
        {"thread_id": hidden.id},
        {"thread_id": b.thread.id},
        {"thread_id": 999_999},
        {"thread_id": "x"},
        {"thread_id": None},
        {},
        "not a dict",
        [a.thread.id],
        None,
        5,
    ):
        answer = member.emit("typing", payload, callback=True)
        assert answer["ok"] is False and answer["error"] == "not_found", payload
    assert member.is_connected()
    # Still answering after all that.
    assert member.emit("join", {"thread_id": a.thread.id}, callback=True)["ok"] is True
    assert member.emit("typing", {"thread_id": a.thread.id}, callback=True) == {"ok": True}


def settled_viewers(client):
    """`viewers` lists go out once the join/leave burst settles (handlers coalesce them)."""
    time.sleep(handlers.VIEWERS_COALESCE_SECONDS + 0.3)
    return events(client, "viewers")


def test_viewers_are_people_not_sockets_and_leave_and_disconnect_update_them(app, tenants, clients):
    a = tenants.a
    member = clients(a.member.user)
    principal, principal_tab = clients(a.principal.user), clients(a.principal.user)
    member.emit("join", {"thread_id": a.thread.id}, callback=True)
    assert settled_viewers(member)[-1]["users"] == [{"id": a.member.user_id, "name": "Alphaville Member"}]
    principal.emit("join", {"thread_id": a.thread.id}, callback=True)
    principal_tab.emit("join", {"thread_id": a.thread.id}, callback=True)
    latest = settled_viewers(member)[-1]
    assert latest["thread_id"] == a.thread.id
    assert latest["users"] == [
        {"id": a.member.user_id, "name": "Alphaville Member"},
        {"id": a.principal.user_id, "name": "Alphaville Principal"},
    ]
    principal.emit("leave", {"thread_id": a.thread.id}, callback=True)
    assert len(settled_viewers(member)[-1]["users"]) == 2  # the other tab is still open
    principal_tab.disconnect()
    after = settled_viewers(member)
    assert after[-1]["users"] == [{"id": a.member.user_id, "name": "Alphaville Member"}]
    assert after[-1]["seq"] > latest["seq"]


def test_a_join_storm_sends_one_list_not_one_per_join(app, tenants, clients):
    """Ten sockets joining at once: each hears the settled list once or twice, not once
    per join (which would be n x n events for the room)."""
    a = tenants.a
    crowd = [clients(a.member.user if i % 2 else a.principal.user) for i in range(10)]
    for client in crowd:
        assert client.emit("join", {"thread_id": a.thread.id}, callback=True)["ok"] is True
    heard = settled_viewers(crowd[0])
    assert 1 <= len(heard) <= 2
    assert [u["name"] for u in heard[-1]["users"]] == ["Alphaville Member", "Alphaville Principal"]


def test_memory_presence_on_its_own():
    store = MemoryPresence()
    assert store.join(1, "s1", 7, "Zoe")["users"] == [{"id": 7, "name": "Zoe"}]
    store.join(1, "s2", 7, "Zoe")
    second = store.join(1, "s3", 8, "amir")
    assert second["users"] == [{"id": 8, "name": "amir"}, {"id": 7, "name": "Zoe"}]  # by name, any case
    assert sorted(store.sids_of(1, 7)) == ["s1", "s2"] and store.is_viewing(1, "s1")
    assert store.disconnect("s1") == {1: {"users": second["users"], "seq": second["seq"] + 1}}
    assert not store.is_viewing(1, "s1")
    assert store.leave(1, "s2")["users"] == [{"id": 8, "name": "amir"}]
    assert store.typing_allowed(1, "s3", now=100.0) and not store.typing_allowed(1, "s3", now=101.0)
    assert store.typing_allowed(1, "s3", now=102.5) and store.typing_allowed(2, "s3", now=102.5)


@pytest.fixture
def redis_presence():
    """Two processes' stores on the test Redis, on their own thread ids; cleaned up."""
    client = redis.Redis.from_url(REDIS_URL, decode_responses=True)
    one = RedisPresence(REDIS_URL, process_id="test-one", heartbeat=False)
    two = RedisPresence(REDIS_URL, process_id="test-two", heartbeat=False)
    yield one, two, client
    client.delete(*client.keys("nic:presence:*") or ["-"])


THREAD = 2_000_000_001  # far from any real thread id in the test database


def test_redis_presence_is_shared_by_processes_and_forgets_a_crashed_one(redis_presence):
    one, two, client = redis_presence
    first = one.join(THREAD, "a1", 1, "Ana")
    both = two.join(THREAD, "b1", 2, "Ben")
    two.join(THREAD, "b2", 1, "Ana")  # Ana in a second tab, on the other process
    assert both["seq"] > first["seq"]
    assert one.viewers(THREAD) == [{"id": 1, "name": "Ana"}, {"id": 2, "name": "Ben"}]
    assert sorted(one.sids_of(THREAD, 1)) == ["a1", "b2"]
    assert client.ttl(RedisPresence.thread_key(THREAD)) > 0  # never a key without expiry
    assert 0 < client.ttl(RedisPresence.process_key("test-two")) <= presence.PROCESS_TTL_SECONDS

    # Process two dies without a word: its heartbeat runs out; its sockets go on the next read.
    client.delete(RedisPresence.process_key("test-two"))
    assert one.viewers(THREAD) == [{"id": 1, "name": "Ana"}]
    assert set(client.hkeys(RedisPresence.thread_key(THREAD))) == {"a1", "seq"}

    # A disconnect removes its sid, and the snapshot says so.
    assert one.disconnect("a1") == {
        THREAD: {"users": [], "seq": int(client.hget(RedisPresence.thread_key(THREAD), "seq"))}
    }
    assert one.viewers(THREAD) == []


def test_redis_presence_ignores_unreadable_entries(redis_presence):
    one, _, client = redis_presence
    one.join(THREAD + 1, "ok", 3, "Cy")
    client.hset(RedisPresence.thread_key(THREAD + 1), "junk", "not json")
    client.hset(RedisPresence.thread_key(THREAD + 1), "old", json.dumps([4, "Di", "gone-process"]))
    assert one.viewers(THREAD + 1) == [{"id": 3, "name": "Cy"}]
    assert set(client.hkeys(RedisPresence.thread_key(THREAD + 1))) == {"ok", "seq"}
