"""Mail delivery. Idempotent: a message already sent is not sent again, so a redelivered
task (acks_late after a worker died) does no harm."""
import smtplib

from celery import shared_task

from nic.services.notifications import mail


@shared_task(
    name="mail.send",
    autoretry_for=(smtplib.SMTPException, ConnectionError, TimeoutError, OSError),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=8,
)
def send(message_id: int) -> str:
    return mail.deliver(message_id)
