"""Notifications across real processes: a message posted to a real `nic serve` queues
`notifications.for_message` on the real broker; a real Celery worker makes the
notification and emits `notification` through the Redis message queue, and the
mentioned person's python-socketio client, connected to `nic serve`, receives it. (The
server never runs the task itself: with REDIS_URL set, Celery is not eager.) Then the
digest: beat's task, run by the worker, emails what is still unread over real SMTP."""
from __future__ import annotations

from dataclasses import dataclass

import pytest
import requests
import socketio
from sqlalchemy import select

from nic.extensions import db
from nic.models import Notification
from nic.tenancy import use_network
from tests import factories
from tests.live.helpers import wait_until

pytestmark = [pytest.mark.live, pytest.mark.usefixtures("clean_live_db")]


@dataclass
class Seeded:
    slug: str
    network_id: int
    thread_id: int
    private_thread_id: int
    pat_token: str
    mo_token: str
    olu_token: str
    mo_id: int


@pytest.fixture
def seeded(live_app) -> Seeded:
    with live_app.app_context():
        network = factories.make_network("riverside", "Riverside Learning Network")
        high = factories.make_school(network, "Riverside High")
        middle = factories.make_school(network, "Riverside Middle")
        pat = factories.make_member(network, "principal", high, factories.make_user("pat@r.org", "Pat Okafor"))
        mo = factories.make_member(network, "member", middle, factories.make_user("mo@r.org", "Mo Reyes"))
        olu = factories.make_member(network, "teacher_leader", high, factories.make_user("olu@r.org", "Olu Bello"))
        general = factories.make_channel(network, "general")
        thread = factories.make_thread(network, "channel", general.id, "general", pat.user)
        private = factories.make_cycle(high, pat.user, "High school only", visibility="school")
        private_thread = factories.make_thread(network, "cycle", private.id, "Private", pat.user)
        seeded = Seeded(network.slug, network.id, thread.id, private_thread.id, factories.make_token(pat.user)[1],
                        factories.make_token(mo.user)[1], factories.make_token(olu.user)[1], mo.user.id)
        db.session.commit()
    return seeded


@pytest.fixture
def listen():
    clients: list[socketio.Client] = []

    def make(url: str, token: str) -> socketio.Client:
        client = socketio.Client(reconnection=False)
        client.notifications = []
        client.on("notification", lambda data: client.notifications.append(data))
        clients.append(client)
        client.connect(url, transports=["websocket"], wait_timeout=5, auth={"token": token})
        return client

    yield make
    for client in clients:
        if client.connected:
            client.disconnect()


def _post(server, seeded, thread_id, token, body):
    response = requests.post(f"{server.url}/api/v1/networks/{seeded.slug}/threads/{thread_id}/messages",
                             json={"body": body}, headers={"Authorization": f"Bearer {token}"}, timeout=10)
    assert response.status_code == 201, response.text
    return response.json()["id"]


def test_a_worker_emits_the_notification_through_the_queue_to_the_server(serve, celery_worker, seeded, listen,
                                                                          live_app):
    server = serve()
    worker = celery_worker()
    mo = listen(server.url, seeded.mo_token)
    olu = listen(server.url, seeded.olu_token)

    message_id = _post(server, seeded, seeded.thread_id, seeded.pat_token, "@Mo Reyes can you share the agenda?")
    wait_until(lambda: mo.notifications, timeout=20, message="the notification on Mo's socket")
    [note] = mo.notifications
    assert note["kind"] == "mention" and note["network"] == seeded.slug and note["unread_count"] == 1
    assert note["text"] == "Pat Okafor mentioned you in “general”"
    assert note["url"] == f"/n/{seeded.slug}/threads/{seeded.thread_id}#message-{message_id}"
    assert note["excerpt"] == "@Mo Reyes can you share the agenda?"
    # The worker made and emitted it: the server, with REDIS_URL set, only queued the task.
    wait_until(lambda: "Task notifications.for_message[" in worker.log_tail(200), timeout=10,
               message="the task in the worker's log")
    assert "enqueued notifications.for_message" in server.log_tail(400)
    assert "Task notifications.for_message[" not in server.log_tail(400)

    # A mention in a thread Mo may not read (another school's private cycle) tells Mo
    # nothing; Olu, of that school, hears of it.
    _post(server, seeded, seeded.private_thread_id, seeded.pat_token, "@Mo Reyes and @Olu Bello, a private note")
    wait_until(lambda: olu.notifications, timeout=20, message="Olu's notification")
    assert olu.notifications[0]["kind"] == "mention"
    with live_app.app_context(), use_network(seeded.network_id):
        rows = db.session.scalars(select(Notification).order_by(Notification.id)).all()
        assert [(n.user_id, n.kind) for n in rows] == [(seeded.mo_id, "mention"), (rows[1].user_id, "mention")]
        assert rows[1].user_id != seeded.mo_id
        db.session.rollback()
    assert len(mo.notifications) == 1


def test_the_digest_is_sent_by_the_worker_over_smtp(celery_worker, smtp_server, seeded, live_app):
    celery_worker({
        "SMTP_HOST": smtp_server.host, "SMTP_PORT": smtp_server.port, "SMTP_STARTTLS": "0",
        "NIC_DIGEST_DELAY_MINUTES": "0", "NIC_BASE_URL": "https://nic.example",
    })
    with live_app.app_context():
        with use_network(seeded.network_id):
            thread = db.session.scalar(select(factories.Thread).where(factories.Thread.id == seeded.thread_id))
            message = factories.make_message(thread, None, "Could you bring the **huddle notes**?")
            mo = db.session.get(factories.User, seeded.mo_id)
            factories.make_notification(message, mo, text="Pat Okafor mentioned you in “general”")
            message_id = message.id
        db.session.commit()
        live_app.extensions["celery"].send_task("notifications.send_digests")

    wait_until(lambda: smtp_server.messages, timeout=30, message="the digest email")
    [email] = smtp_server.messages
    assert email["To"] == "mo@r.org"
    assert email["Subject"] == "1 notification waiting in Riverside Learning Network"
    text = email.get_body(preferencelist=("plain",)).get_content()
    html = email.get_body(preferencelist=("html",)).get_content()
    link = f"https://nic.example/n/{seeded.slug}/threads/{seeded.thread_id}#message-{message_id}"
    assert link in text and f'href="{link}"' in html
    assert "Could you bring the huddle notes?" in text
    with live_app.app_context(), use_network(seeded.network_id):
        assert db.session.scalar(select(Notification.emailed_at)) is not None
        db.session.rollback()
