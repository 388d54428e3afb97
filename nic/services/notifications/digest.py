"""The email digest, for people who were away.

Every few minutes (Celery beat: `notifications.send_digests`) we look for people with
notifications that are unread, not yet emailed, and older than NIC_DIGEST_DELAY_MINUTES:
someone who read them in the app in time gets no email. Each such person gets one email
per network (`notifications.digest`, run inside that network), listing them with links.

Each notification is emailed at most once: `emailed_at` is set in the same transaction
that writes the outbox row (nic.services.notifications.mail sends it after the commit), and the rows
are locked while the digest is built, so a task that runs twice, or two at once, sends
one email. `emailed_at` means "dealt with by the digest": a notification whose message
was deleted since, or that its person may no longer read, is marked too but not listed.
"""
from __future__ import annotations

import logging
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from nic import jobs, links
from nic.clock import utcnow
from nic.extensions import db
from nic.models import Membership, Network, Notification, OutboxMessage, Thread, User
from nic.services.discussion.discussion import subject_readable
from nic.services.notifications import mail
from nic.services.notifications.notifications import target_path, view_rows
from nic.transaction import commit
from nic.tenancy import UNSCOPED, current_network_id
from nic.words import plural

logger = logging.getLogger(__name__)

def delay() -> timedelta:
    return timedelta(minutes=float(current_app.config["NIC_DIGEST_DELAY_MINUTES"]))


def _due(cutoff: datetime):
    return (Notification.read_at.is_(None), Notification.emailed_at.is_(None), Notification.created_at <= cutoff)


def due_people(now: datetime | None = None) -> list[tuple[int, int]]:
    """(network_id, user_id) of everyone with something due, across networks. UNSCOPED
    on purpose: this only learns whom to visit; each visit runs inside its network."""
    cutoff = (now or utcnow()) - delay()
    stmt = (select(Notification.network_id, Notification.user_id).where(*_due(cutoff)).distinct()
            .order_by(Notification.network_id, Notification.user_id).execution_options(**UNSCOPED))
    return [(network_id, user_id) for network_id, user_id in db.session.execute(stmt)]


def schedule_digests(now: datetime | None = None) -> int:
    """Enqueue one `notifications.digest` per person and network with something due."""
    people = due_people(now)
    for network_id, user_id in people:
        jobs.enqueue("notifications.digest", network_id=network_id, user_id=user_id)
    commit()  # nothing written; the enqueues run after it
    return len(people)


def _still_readable(user_id: int, rows: list[Notification]) -> list[Notification]:
    membership = db.session.scalar(select(Membership).where(Membership.user_id == user_id))
    if membership is None:
        return []
    thread_ids = {n.thread_id for n in rows if n.thread_id}
    threads = {t.id: t for t in db.session.scalars(select(Thread).where(Thread.id.in_(thread_ids)))} \
        if thread_ids else {}
    verdicts: dict[int, bool] = {}
    kept = []
    for n in rows:
        if n.thread_id is None:
            kept.append(n)  # a phase move of the person's own cycle
            continue
        thread = threads.get(n.thread_id)
        if thread is not None and n.thread_id not in verdicts:
            verdicts[n.thread_id] = subject_readable(membership, thread.subject, thread.subject_id)
        if verdicts.get(n.thread_id):
            kept.append(n)
    return kept


def send_digest(user_id: int, now: datetime | None = None) -> OutboxMessage | None:
    """One email to one person listing their due notifications in the current network;
    None when nothing is due (read in time, or emailed already)."""
    now = now or utcnow()
    stmt = (select(Notification).options(selectinload(Notification.actor))
            .where(Notification.user_id == user_id, *_due(now - delay())).order_by(Notification.id))
    if db.session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(of=Notification, skip_locked=True)  # a second run waits for nothing, finds nothing
    rows = list(db.session.scalars(stmt))
    if not rows:
        commit()
        return None
    user = db.session.scalar(select(User).where(User.id == user_id))
    views = [view for view in view_rows(_still_readable(user_id, rows)) if not view.message_deleted]
    for n in rows:
        n.emailed_at = now
    message = None
    if user is not None and views:
        network = db.session.scalar(select(Network).where(Network.id == current_network_id()))
        base = links.base_url()
        for view in views:
            view.url = base + target_path(view.notification, network.slug)
        count = len(views)
        subject = f"{plural(count, 'notification')} waiting in {network.name}"
        message = mail.send_mail(
            user.email, subject, "digest", user=user, network=network, items=views,
            all_link=base + links.path("notifications.index", slug=network.slug), minutes=int(delay().total_seconds() // 60),
        )
    commit()
    return message

