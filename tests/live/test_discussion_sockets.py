"""Discussion across real processes: two `nic serve` processes on one Redis message
queue. A message sent on one reaches a client of the other (and one POSTed over HTTP
reaches both); threads the user may not read refuse to join; after a server restart a
client catches up over HTTP from its last id with nothing lost or twice."""
from __future__ import annotations

from dataclasses import dataclass

import pytest
import requests
import socketio

from nic.extensions import db
from nic.tenancy import use_network
from tests import factories
from tests.live.conftest import _stop
from tests.live.helpers import wait_until

pytestmark = [pytest.mark.live, pytest.mark.usefixtures("clean_live_db")]

# Distinct (harmless) environments, so the `serve` fixture starts two processes instead
# of sharing one, and restarting them here never disturbs the other live tests' server.
ONE = {"NIC_CHAT_TEST_SERVER": "one"}
TWO = {"NIC_CHAT_TEST_SERVER": "two"}


@dataclass
class Seeded:
    slug: str
    thread_id: int
    private_thread_id: int
    other_thread_id: int
    principal_token: str
    member_token: str
    principal_id: int


@pytest.fixture
def seeded(live_app) -> Seeded:
    with live_app.app_context():
        network = factories.make_network("riverside", "Riverside Learning Network")
        first = factories.make_school(network, "Riverside High")
        second = factories.make_school(network, "Riverside Middle")
        principal = factories.make_member(network, "principal", first, factories.make_user("pat@r.org", "Pat"))
        member = factories.make_member(network, "member", second, factories.make_user("mo@r.org", "Mo"))
        shared = factories.make_cycle(first, principal.user, "Shared cycle")
        private = factories.make_cycle(first, principal.user, "Private cycle", visibility="school")
        thread = factories.make_thread(network, "cycle", shared.id, "Shared", principal.user)
        private_thread = factories.make_thread(network, "cycle", private.id, "Private", principal.user)
        other = factories.make_network("hilltop", "Hilltop Network")
        other_school = factories.make_school(other, "Hilltop High")
        outsider = factories.make_member(other, "principal", other_school, factories.make_user("o@h.org", "Olu"))
        with use_network(other):
            other_cycle = factories.make_cycle(other_school, outsider.user, "Theirs")
        other_thread = factories.make_thread(other, "cycle", other_cycle.id, "Theirs", outsider.user)
        seeded = Seeded(network.slug, thread.id, private_thread.id, other_thread.id,
                        factories.make_token(principal.user)[1], factories.make_token(member.user)[1],
                        principal.user.id)
        db.session.commit()
    return seeded


@pytest.fixture
def sio():
    clients: list[socketio.Client] = []

    def make(url: str, token: str | None):
        client = socketio.Client(reconnection=False)
        client.received = []
        client.on("message", lambda data: client.received.append(data))
        clients.append(client)
        client.connect(url, transports=["websocket"], wait_timeout=5,
                       auth={"token": token} if token else None)
        return client

    yield make
    for client in clients:
        if client.connected:
            client.disconnect()


def _ids(client) -> list[int]:
    return [m["id"] for m in client.received]


def test_messages_cross_processes_and_http_posts_reach_everyone(serve, seeded, sio):
    one, two = serve(ONE), serve(TWO)
    assert one.port != two.port
    pat = sio(one.url, seeded.principal_token)
    mo = sio(two.url, seeded.member_token)
    assert pat.call("join", {"thread_id": seeded.thread_id}, timeout=5) == {"ok": True, "last_id": 0}
    assert mo.call("join", {"thread_id": seeded.thread_id}, timeout=5) == {"ok": True, "last_id": 0}

    ack = pat.call("send", {"thread_id": seeded.thread_id, "body": "**Hello** from one", "client_id": "a1"},
                   timeout=5)
    assert ack["ok"] is True
    wait_until(lambda: ack["id"] in _ids(mo), timeout=10, message="the message on server two")
    got = mo.received[0]
    assert got == {"id": ack["id"], "thread_id": seeded.thread_id, "author": {"id": seeded.principal_id, "name": "Pat"},
                   "body_html": "<p><strong>Hello</strong> from one</p>\n", "created_at": got["created_at"]}
    # A resend with the same client id stores nothing new.
    assert pat.call("send", {"thread_id": seeded.thread_id, "body": "**Hello** from one", "client_id": "a1"},
                    timeout=5) == {"ok": True, "id": ack["id"]}

    posted = requests.post(f"{one.url}/api/v1/networks/{seeded.slug}/threads/{seeded.thread_id}/messages",
                           json={"body": "over HTTP"}, headers={"Authorization": f"Bearer {seeded.member_token}"},
                           timeout=10)
    assert posted.status_code == 201, posted.text
    http_id = posted.json()["id"]
    wait_until(lambda: http_id in _ids(mo) and http_id in _ids(pat), timeout=10, message="the HTTP post on both")
    assert _ids(mo) == [ack["id"], http_id]  # each once


def test_threads_the_user_may_not_read_refuse_to_join(serve, seeded, sio):
    mo = sio(serve(TWO).url, seeded.member_token)
    for thread_id in (seeded.private_thread_id, seeded.other_thread_id, 999_999, "x"):
        answer = mo.call("join", {"thread_id": thread_id}, timeout=5)
        assert answer["ok"] is False and answer["error"], thread_id
        answer = mo.call("send", {"thread_id": thread_id, "body": "sneaky"}, timeout=5)
        assert answer["ok"] is False, thread_id
    assert mo.call("join", "not a dict", timeout=5)["ok"] is False


def test_unauthenticated_connect_is_refused(serve, seeded):
    client = socketio.Client(reconnection=False)
    with pytest.raises(socketio.exceptions.ConnectionError):
        client.connect(serve(ONE).url, transports=["websocket"], wait_timeout=5)
    assert not client.connected


def test_after_a_restart_a_client_catches_up_by_last_id(serve, seeded, sio):
    one = serve(ONE)
    pat = sio(one.url, seeded.principal_token)
    mo = sio(serve(TWO).url, seeded.member_token)
    for client in (pat, mo):
        assert client.call("join", {"thread_id": seeded.thread_id}, timeout=5)["ok"]
    first = pat.call("send", {"thread_id": seeded.thread_id, "body": "before"}, timeout=5)["id"]
    wait_until(lambda: first in _ids(mo), timeout=10, message="the first message")
    last_seen = _ids(mo)[-1]

    mo.disconnect()
    _stop(serve(TWO))  # the process goes away; messages keep coming on server one
    missed = [pat.call("send", {"thread_id": seeded.thread_id, "body": f"while down {i}"}, timeout=5)["id"]
              for i in range(3)]

    two = serve(TWO)  # started again (a new process)
    again = sio(two.url, seeded.member_token)
    assert again.call("join", {"thread_id": seeded.thread_id}, timeout=5) == {"ok": True, "last_id": missed[-1]}
    page = requests.get(f"{two.url}/api/v1/networks/{seeded.slug}/threads/{seeded.thread_id}/messages",
                        params={"after": last_seen}, headers={"Authorization": f"Bearer {seeded.member_token}"},
                        timeout=10).json()
    assert [m["id"] for m in page["items"]] == missed and page["next"] is None
    # And live delivery works on the new process.
    after = pat.call("send", {"thread_id": seeded.thread_id, "body": "back"}, timeout=5)["id"]
    wait_until(lambda: after in _ids(again), timeout=10, message="a message after the restart")
    assert _ids(again) == [after]
