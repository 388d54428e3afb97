"""Notification tasks. Each takes ids, runs inside its network (the task base class makes
`network_id` current) and is idempotent: a notification or a digest already made is not
made again (unique constraint; `emailed_at` set with the outbox row)."""
from celery import shared_task
from sqlalchemy.exc import InterfaceError, OperationalError

from nic.services.notifications import digest as notification_digest
from nic.services.notifications import notifications

TRANSIENT = (OperationalError, InterfaceError, ConnectionError)


@shared_task(name="notifications.for_message", autoretry_for=TRANSIENT, retry_backoff=True, max_retries=5)
def for_message(network_id: int, message_id: int, mentions_only: bool = False) -> int:
    """Mentions, replies and cycle activity for one stored message; pushed live."""
    return len(notifications.notify_for_message(message_id, mentions_only=mentions_only))


@shared_task(name="notifications.send_digests")
def send_digests() -> int:
    """Run by beat: one `notifications.digest` per person and network with something due."""
    return notification_digest.schedule_digests()


@shared_task(name="notifications.digest", autoretry_for=TRANSIENT, retry_backoff=True, max_retries=5)
def digest(network_id: int, user_id: int) -> str:
    message = notification_digest.send_digest(user_id)
    return f"outbox {message.id}" if message is not None else "nothing due"
