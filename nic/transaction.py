"""Commit, then tell the world: work registered with `on_commit` runs only after the
transaction it belongs to has committed, and is dropped if it rolls back (the pattern
Zulip calls send_event_on_commit). Services finish with `commit()` from here.

A plain `db.session.commit()` would commit the rows and leave their callbacks waiting
(the enqueue, the broadcast) until some later commit(), or for ever; the before_commit
guard below turns that into an error (raised under TESTING or DEBUG, logged otherwise)."""
from __future__ import annotations

import logging
from typing import Callable

from flask import current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session

from nic.extensions import db

logger = logging.getLogger(__name__)

_PENDING = "nic_on_commit"
_COMMITTING = "nic_committing"


class BypassedCommit(RuntimeError):
    """A session with on_commit callbacks waiting was committed without nic's commit()."""


def on_commit(callback: Callable[[], None]) -> None:
    db.session().info.setdefault(_PENDING, []).append(callback)


def commit() -> None:
    session = db.session()
    session.info[_COMMITTING] = True
    try:
        session.commit()
    finally:
        session.info.pop(_COMMITTING, None)
    # SQLAlchemy forbids SQL inside its after_commit event, and eager Celery tasks run
    # SQL, so the callbacks run here, once the commit has returned.
    callbacks = session.info.pop(_PENDING, [])
    for callback in callbacks:
        callback()


def rollback() -> None:
    db.session().rollback()


@event.listens_for(Session, "before_commit")
def _refuse_bypassed_commit(session: Session) -> None:
    pending = session.info.get(_PENDING)
    if not pending or session.info.get(_COMMITTING) or session.in_nested_transaction():
        return  # (a SAVEPOINT released inside the transaction is not its commit)
    names = ", ".join(getattr(callback, "__qualname__", repr(callback)) for callback in pending)
    problem = (f"session.commit() with {len(pending)} on_commit callback(s) waiting ({names}): "
               "commit through nic.transaction.commit() so they run")
    if has_app_context() and (current_app.testing or current_app.debug):
        raise BypassedCommit(problem)
    # In production the rows still commit (refusing would lose the person's change); the
    # callbacks stay queued for the session's next commit() and the error is in the log.
    logger.error(problem, stack_info=True)


@event.listens_for(Session, "after_soft_rollback")
def _forget_pending(session: Session, previous_transaction) -> None:
    # Only when the transaction itself rolls back. A SAVEPOINT rolled back inside it (a
    # caught IntegrityError, say) leaves the rest of the work, and its callbacks, to commit.
    if previous_transaction.parent is None:  # the outermost one: nothing of it will commit
        session.info.pop(_PENDING, None)
