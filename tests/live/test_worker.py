"""Mail goes through the real broker to a real Celery worker, which delivers it to a
real SMTP server; a delivery that arrives twice still sends one email."""
from __future__ import annotations

from types import SimpleNamespace

import pytest
from sqlalchemy import select

from nic.extensions import db
from nic.models import OutboxMessage
from nic.services.notifications import mail
from nic.transaction import commit
from tests.live.helpers import wait_until

pytestmark = pytest.mark.live


@pytest.fixture
def smtp_worker(celery_worker, smtp_server):
    """A worker that sends by SMTP to the test's SMTP server, without STARTTLS."""
    return celery_worker({
        "SMTP_HOST": smtp_server.host,
        "SMTP_PORT": smtp_server.port,
        "SMTP_STARTTLS": "0",
        "MAIL_FROM": "nic live tests <nic@live.test>",
    })


def _outbox_row(live_app, message_id: int) -> OutboxMessage | None:
    with live_app.app_context():
        row = db.session.scalar(select(OutboxMessage).where(OutboxMessage.id == message_id))
        db.session.expunge_all()
        return row


def test_send_mail_is_delivered_by_a_worker_over_smtp(live_app, smtp_worker, smtp_server):
    celery = live_app.extensions["celery"]
    assert celery.conf.task_always_eager is False, "the test process must use the real broker"

    with live_app.app_context():
        message = mail.send_mail(
            "ada@example.org", "Reset your nic password", "password_reset",
            user=SimpleNamespace(name="Ada Lovelace"),
            link="http://nic.example/reset/tok-123", minutes=60,
        )
        # Nothing leaves before the commit: the task is enqueued after it.
        assert _outbox_row(live_app, message.id) is None
        commit()
        message_id = message.id

    wait_until(lambda: smtp_server.messages, message="the SMTP server to receive the email")
    [email] = smtp_server.messages
    assert email["To"] == "ada@example.org"
    assert email["Subject"] == "Reset your nic password"
    assert email["From"] == "nic live tests <nic@live.test>"
    text = email.get_body(preferencelist=("plain",)).get_content()
    assert "Hello Ada Lovelace," in text
    assert "http://nic.example/reset/tok-123" in text
    assert "expires in 60 minutes" in text
    assert email.get_body(preferencelist=("html",)) is not None, "the HTML alternative is sent too"
    assert smtp_server.envelopes[0].rcpt_tos == ["ada@example.org"]

    row = wait_until(
        lambda: (r := _outbox_row(live_app, message_id)) is not None and r.sent_at is not None and r,
        message="the outbox row to be marked sent",
    )
    assert row.transport == "smtp"
    assert row.sent_at >= row.created_at


def test_a_message_delivered_twice_is_sent_once(live_app, smtp_worker, smtp_server):
    celery = live_app.extensions["celery"]
    with live_app.app_context():
        # The row alone, as send_mail leaves it, without its own enqueue: the two
        # deliveries below are the only ones.
        row = OutboxMessage(to_address="grace@example.org", subject="Twice", body_text="Only once, please.")
        db.session.add(row)
        db.session.commit()
        message_id = row.id

    # Two deliveries of one message at once (a redelivery after acks_late, or a task
    # that outlived the visibility timeout); the worker has two processes, so they race.
    first = celery.send_task("mail.send", kwargs={"message_id": message_id})
    second = celery.send_task("mail.send", kwargs={"message_id": message_id})
    outcomes = sorted([first.get(timeout=20), second.get(timeout=20)])

    assert outcomes == ["already-sent", "smtp"]
    assert len(smtp_server.messages) == 1
    assert smtp_server.messages[0]["Subject"] == "Twice"
    row = _outbox_row(live_app, message_id)
    assert row.transport == "smtp" and row.sent_at is not None
