"""The one mailer. `send_mail` records the message and queues its delivery after commit;
`deliver` (run by the `mail.send` task) sends it by SMTP when SMTP_HOST is set, else
writes it to the log (and the dev outbox page shows it when NIC_DEV_OUTBOX is on)."""
from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage

from flask import current_app, render_template
from sqlalchemy import select

from nic import jobs
from nic.clock import utcnow
from nic.extensions import db
from nic.models import OutboxMessage
from nic.transaction import commit

logger = logging.getLogger(__name__)


def send_mail(to: str, subject: str, template: str, **context) -> OutboxMessage:
    """Queue an email rendered from `templates/email/<template>.txt` (and `.html`).
    The caller commits; delivery starts after that commit."""
    text = render_template(f"email/{template}.txt", **context)
    html = render_template(f"email/{template}.html", **context)
    message = OutboxMessage(to_address=to, subject=subject, body_text=text, body_html=html)
    db.session.add(message)
    db.session.flush()
    jobs.enqueue("mail.send", message_id=message.id)
    return message


def deliver(message_id: int) -> str:
    """Send one queued message; a message already sent is left alone (idempotent)."""
    stmt = select(OutboxMessage).where(OutboxMessage.id == message_id)
    if db.engine.dialect.name == "postgresql":
        stmt = stmt.with_for_update()  # two deliveries of one task must not both send
    message = db.session.scalar(stmt)
    if message is None:
        logger.warning("mail %s no longer exists", message_id)
        return "missing"
    if message.sent_at is not None:
        return "already-sent"
    config = current_app.config
    if config.get("SMTP_HOST"):
        _send_smtp(message, config)
        message.transport = "smtp"
    else:
        logger.info(
            "mail (no SMTP configured) to=%s subject=%s\n%s",
            message.to_address, message.subject, message.body_text,
        )
        message.transport = "log"
    message.sent_at = utcnow()
    commit()
    return message.transport


def _send_smtp(message: OutboxMessage, config) -> None:
    email = EmailMessage()
    email["From"] = config["MAIL_FROM"]
    email["To"] = message.to_address
    email["Subject"] = message.subject
    email.set_content(message.body_text)
    if message.body_html:
        email.add_alternative(message.body_html, subtype="html")
    with smtplib.SMTP(config["SMTP_HOST"], config["SMTP_PORT"], timeout=30) as smtp:
        if config.get("SMTP_STARTTLS") and smtp.has_extn("starttls"):
            smtp.starttls()
        if config.get("SMTP_USERNAME"):
            smtp.login(config["SMTP_USERNAME"], config["SMTP_PASSWORD"] or "")
        smtp.send_message(email)


def recent_outbox(limit: int = 50) -> list[OutboxMessage]:
    stmt = select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(limit)
    return list(db.session.scalars(stmt))
