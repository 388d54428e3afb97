"""Typing and who is viewing across two real `nic serve` processes on one Redis: a
viewer on server one sees a typer on server two (and the typer's own sockets, on either
process, do not hear themselves); viewers are people, kept in Redis, and a disconnect
removes one everywhere; malformed payloads and threads one may not read are answered
with an error ack while the connection stays up."""
from __future__ import annotations

import time
from dataclasses import dataclass

import pytest
import socketio

from nic.extensions import db
from nic.tenancy import use_network
from tests import factories
from tests.live.helpers import wait_until

pytestmark = [pytest.mark.live, pytest.mark.usefixtures("clean_live_db")]

# The same environments as test_discussion_sockets: the two processes are shared.
ONE = {"NIC_CHAT_TEST_SERVER": "one"}
TWO = {"NIC_CHAT_TEST_SERVER": "two"}


@dataclass
class Seeded:
    thread_id: int
    private_thread_id: int
    other_thread_id: int
    pat_token: str
    mo_token: str
    pat_id: int
    mo_id: int


@pytest.fixture
def seeded(live_app) -> Seeded:
    with live_app.app_context():
        network = factories.make_network("riverside", "Riverside Learning Network")
        first = factories.make_school(network, "Riverside High")
        second = factories.make_school(network, "Riverside Middle")
        pat = factories.make_member(network, "principal", first, factories.make_user("pat@r.org", "Pat"))
        mo = factories.make_member(network, "member", second, factories.make_user("mo@r.org", "Mo"))
        shared = factories.make_cycle(first, pat.user, "Shared cycle")
        private = factories.make_cycle(first, pat.user, "Private cycle", visibility="school")
        thread = factories.make_thread(network, "cycle", shared.id, "Shared", pat.user)
        private_thread = factories.make_thread(network, "cycle", private.id, "Private", pat.user)
        other = factories.make_network("hilltop", "Hilltop Network")
        other_school = factories.make_school(other, "Hilltop High")
        outsider = factories.make_member(other, "principal", other_school, factories.make_user("o@h.org", "Olu"))
        with use_network(other):
            other_cycle = factories.make_cycle(other_school, outsider.user, "Theirs")
        other_thread = factories.make_thread(other, "cycle", other_cycle.id, "Theirs", outsider.user)
        seeded = Seeded(thread.id, private_thread.id, other_thread.id, factories.make_token(pat.user)[1],
                        factories.make_token(mo.user)[1], pat.user.id, mo.user.id)
        db.session.commit()
    return seeded


@pytest.fixture
def sio():
    clients: list[socketio.Client] = []

    def make(url: str, token: str):
        client = socketio.Client(reconnection=False)
        client.typing, client.viewers = [], []
        client.on("typing", lambda data: client.typing.append(data))
        client.on("viewers", lambda data: client.viewers.append(data))
        clients.append(client)
        client.connect(url, transports=["websocket"], wait_timeout=5, auth={"token": token})
        return client

    yield make
    for client in clients:
        if client.connected:
            client.disconnect()


def names(client) -> list[str] | None:
    return [user["name"] for user in client.viewers[-1]["users"]] if client.viewers else None


def latest_names(client) -> list[str] | None:
    """The list with the highest sequence number, as the page keeps it."""
    if not client.viewers:
        return None
    return [user["name"] for user in max(client.viewers, key=lambda v: v["seq"])["users"]]


def test_a_viewer_on_one_server_sees_a_typer_on_the_other(serve, seeded, sio):
    one, two = serve(ONE), serve(TWO)
    pat = sio(one.url, seeded.pat_token)
    pat_tab = sio(two.url, seeded.pat_token)  # Pat's second tab, on the other process
    mo = sio(two.url, seeded.mo_token)
    for client in (pat, pat_tab, mo):
        assert client.call("join", {"thread_id": seeded.thread_id}, timeout=5)["ok"] is True
    # Three sockets, two people, whichever process each is on.
    wait_until(lambda: latest_names(pat) == ["Mo", "Pat"], timeout=10, message="both viewers on server one")
    wait_until(lambda: latest_names(mo) == ["Mo", "Pat"], timeout=10, message="both viewers on server two")

    assert mo.call("typing", {"thread_id": seeded.thread_id}, timeout=5) == {"ok": True}
    expected = {"thread_id": seeded.thread_id, "user": {"id": seeded.mo_id, "name": "Mo"}}
    wait_until(lambda: expected in pat.typing, timeout=10, message="Mo typing, seen on server one")
    wait_until(lambda: expected in pat_tab.typing, timeout=10, message="Mo typing, seen in Pat's other tab")
    assert mo.typing == []
    # Again within two seconds: ignored by the server.
    assert mo.call("typing", {"thread_id": seeded.thread_id}, timeout=5) == {"ok": True, "throttled": True}

    # Pat types on server one: Mo hears it; Pat's tab on server two does not.
    assert pat.call("typing", {"thread_id": seeded.thread_id}, timeout=5) == {"ok": True}
    wait_until(lambda: any(t["user"]["id"] == seeded.pat_id for t in mo.typing), timeout=10,
               message="Pat typing, seen on server two")
    time.sleep(0.5)  # the same publish reached Mo's process; give Pat's tab the same chance
    assert [t["user"]["id"] for t in pat_tab.typing] == [seeded.mo_id]
    assert [t["user"]["id"] for t in pat.typing] == [seeded.mo_id]
    assert len(pat.typing) == 1  # the throttled repeat was never sent


def test_leaving_and_disconnecting_remove_viewers_across_processes(serve, seeded, sio):
    one, two = serve(ONE), serve(TWO)
    pat = sio(one.url, seeded.pat_token)
    mo = sio(two.url, seeded.mo_token)
    mo_tab = sio(one.url, seeded.mo_token)
    for client in (pat, mo, mo_tab):
        assert client.call("join", {"thread_id": seeded.thread_id}, timeout=5)["ok"] is True
    wait_until(lambda: latest_names(pat) == ["Mo", "Pat"], timeout=10, message="both viewers")

    assert mo_tab.call("leave", {"thread_id": seeded.thread_id}, timeout=5) == {"ok": True}
    time.sleep(0.3)
    assert latest_names(pat) == ["Mo", "Pat"]  # Mo is still there in the other tab
    mo.disconnect()  # closes the socket on server two: that process removes it from Redis
    wait_until(lambda: latest_names(pat) == ["Pat"], timeout=10, message="Mo gone from the viewers")
    # A late joiner reads the same state from Redis, on the other process.
    late = sio(two.url, seeded.mo_token)
    assert late.call("join", {"thread_id": seeded.thread_id}, timeout=5)["ok"] is True
    wait_until(lambda: latest_names(late) == ["Mo", "Pat"], timeout=10, message="the late joiner's list")


def test_malformed_and_unreadable_typing_is_refused_and_the_connection_stays(serve, seeded, sio):
    mo = sio(serve(TWO).url, seeded.mo_token)
    assert mo.call("typing", {"thread_id": seeded.thread_id}, timeout=5)["error"] == "not_joined"
    for payload in ({"thread_id": seeded.private_thread_id}, {"thread_id": seeded.other_thread_id},
                    {"thread_id": 999_999}, {"thread_id": "x"}, {"thread_id": [1]}, {}, "typing", [1, 2], 42):
        answer = mo.call("typing", payload, timeout=5)
        assert answer["ok"] is False and answer["error"] == "not_found", payload
        assert mo.connected
    for payload in ("x", None, {"thread_id": {"nested": 1}}):
        assert mo.call("join", payload, timeout=5)["ok"] is False
        assert mo.call("leave", payload, timeout=5)["ok"] is False
    # After all that, the same connection still works.
    assert mo.call("join", {"thread_id": seeded.thread_id}, timeout=5)["ok"] is True
    assert mo.call("typing", {"thread_id": seeded.thread_id}, timeout=5) == {"ok": True}
    wait_until(lambda: latest_names(mo) == ["Mo"], timeout=10, message="the viewers list")
