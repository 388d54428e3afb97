"""The one mailer: outbox row first, delivery after commit, SMTP when configured, the
log otherwise, never twice."""

from __future__ import annotations

import logging
import time
from types import SimpleNamespace

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from nic.extensions import db
from nic.models import OutboxMessage
from nic.services.notifications import mail
from nic.transaction import commit
from tests.support import free_port


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope)
        return "250 OK"


@pytest.fixture
def smtp_server(app):
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    saved = {k: app.config[k] for k in ("SMTP_HOST", "SMTP_PORT", "SMTP_STARTTLS")}
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=port, SMTP_STARTTLS=False)
    try:
        yield inbox
    finally:
        app.config.update(saved)
        controller.stop()


def _reset_mail(to="ana@example.org"):
    user = SimpleNamespace(name="Ana")
    return mail.send_mail(
        to, "Reset your nic password", "password_reset", user=user, link="https://nic.test/reset/abc", minutes=60
    )


def test_nothing_is_sent_before_commit(db_session, smtp_server):
    message = _reset_mail()
    assert message.sent_at is None and smtp_server.messages == []
    db.session.rollback()
    assert smtp_server.messages == []  # rolled back: nobody hears of it


def test_smtp_delivery_after_commit(db_session, smtp_server):
    message = _reset_mail()
    commit()
    deadline = time.monotonic() + 5
    while not smtp_server.messages and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(smtp_server.messages) == 1
    envelope = smtp_server.messages[0]
    assert envelope.rcpt_tos == ["ana@example.org"]
    content = envelope.content.decode()
    assert "Subject: Reset your nic password" in content
    assert "https://nic.test/reset/abc" in content
    assert "text/html" in content and "text/plain" in content
    stored = db.session.scalar(select(OutboxMessage).where(OutboxMessage.id == message.id))
    assert stored.sent_at is not None and stored.transport == "smtp"


def test_delivery_is_idempotent(db_session, smtp_server):
    message = _reset_mail()
    commit()
    assert mail.deliver(message.id) == "already-sent"
    assert len(smtp_server.messages) == 1


def test_without_smtp_mail_goes_to_the_log(db_session, caplog):
    with caplog.at_level(logging.INFO, logger="nic.services.notifications.mail"):
        message = _reset_mail("log@example.org")
        commit()
    assert message.transport == "log"
    assert "to=log@example.org" in caplog.text and "https://nic.test/reset/abc" in caplog.text


def test_outbox_page_is_off_unless_enabled(client, tenants, login_as):
    assert client.get("/dev/outbox").status_code == 404


def test_outbox_page_lists_mail_when_enabled(app, client, db_session):
    _reset_mail("outbox@example.org")
    commit()
    app.config["NIC_DEV_OUTBOX"] = True
    try:
        page = client.get("/dev/outbox")
    finally:
        app.config["NIC_DEV_OUTBOX"] = False
    assert page.status_code == 200
    assert b"outbox@example.org" in page.data and b"https://nic.test/reset/abc" in page.data
