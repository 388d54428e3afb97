"""on_commit callbacks run after nic's commit(); a plain session.commit() with callbacks
waiting is a mistake that fails loudly instead of dropping them."""
from __future__ import annotations

import logging

import pytest
from sqlalchemy import select

from nic.extensions import db
from nic.models import OutboxMessage
from nic.services.notifications import mail
from nic.transaction import BypassedCommit, commit, on_commit


def test_commit_runs_the_callbacks_after_the_commit(db_session):
    ran = []
    on_commit(lambda: ran.append("after"))
    assert ran == []
    commit()
    assert ran == ["after"]
    commit()  # each callback runs once
    assert ran == ["after"]


def test_a_plain_session_commit_with_callbacks_waiting_raises_in_tests(db_session):
    ran = []
    on_commit(lambda: ran.append("after"))
    with pytest.raises(BypassedCommit, match="commit through nic.transaction.commit"):
        db.session.commit()
    assert ran == []


def test_a_plain_session_commit_with_nothing_waiting_is_fine(db_session):
    db.session.commit()


def test_a_savepoint_released_with_callbacks_waiting_is_not_a_bypass(db_session):
    ran = []
    on_commit(lambda: ran.append("after"))
    with db.session.begin_nested():
        db.session.execute(select(1))
    assert ran == []
    commit()
    assert ran == ["after"]


def test_in_production_the_bypass_is_logged_and_the_callbacks_wait_for_the_next_commit(
        app, db_session, monkeypatch, caplog):
    monkeypatch.setitem(app.config, "TESTING", False)
    monkeypatch.setitem(app.config, "DEBUG", False)
    ran = []
    on_commit(lambda: ran.append("after"))
    with caplog.at_level(logging.ERROR, logger="nic.transaction"):
        db.session.commit()
    assert "on_commit callback(s) waiting" in caplog.text
    assert ran == []
    commit()
    assert ran == ["after"]


def test_a_rolled_back_transaction_forgets_its_callbacks(db_session):
    db.session.execute(select(1))  # a transaction under way, as in any service
    ran = []
    on_commit(lambda: ran.append("after"))
    db.session.rollback()
    db.session.commit()  # nothing waits any more: no error
    commit()
    assert ran == []


def test_delivering_mail_commits_through_commit(db_session):
    """mail.deliver used to call db.session.commit(): with work waiting from the same
    session (an eager task inside a request) that work was skipped."""
    message = mail.send_mail("a@example.org", "Hello", "password_reset", user=None, link="http://x/", minutes=60)
    ran = []
    on_commit(lambda: ran.append("after"))
    db.session.flush()
    assert mail.deliver(message.id) == "log"  # commits: the mail.send enqueue and the callback run
    assert ran == ["after"]
    assert db.session.scalar(select(OutboxMessage.sent_at).where(OutboxMessage.id == message.id)) is not None
