"""Commit, then tell the world: work registered with `on_commit` runs only after the
transaction it belongs to has committed, and is dropped if it rolls back (the pattern
Zulip calls send_event_on_commit). Services finish with `commit()` from here."""
from __future__ import annotations

from typing import Callable

from sqlalchemy import event
from sqlalchemy.orm import Session

from nic.extensions import db

_PENDING = "nic_on_commit"


def on_commit(callback: Callable[[], None]) -> None:
    db.session().info.setdefault(_PENDING, []).append(callback)


def commit() -> None:
    session = db.session()
    session.commit()
    # SQLAlchemy forbids SQL inside its after_commit event, and eager Celery tasks run
    # SQL, so the callbacks run here, once the commit has returned.
    callbacks = session.info.pop(_PENDING, [])
    for callback in callbacks:
        callback()


def rollback() -> None:
    db.session().rollback()


@event.listens_for(Session, "after_soft_rollback")
def _forget_pending(session: Session, previous_transaction) -> None:
    # Only when the transaction itself rolls back. A SAVEPOINT rolled back inside it (a
    # caught IntegrityError, say) leaves the rest of the work, and its callbacks, to commit.
    if previous_transaction.parent is None:  # the outermost one: nothing of it will commit
        session.info.pop(_PENDING, None)
