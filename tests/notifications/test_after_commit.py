"""Work registered with on_commit survives a SAVEPOINT rolled back inside the transaction
(a service catching an IntegrityError, like the roll-up queue's coalescing insert in the
same request as a message post), and is dropped when the transaction rolls back."""

import pytest
from sqlalchemy.exc import IntegrityError

from nic.extensions import db
from nic.models import User
from nic.transaction import commit, on_commit, rollback
from tests.factories import make_user


def _duplicate_user_in_a_savepoint(email: str) -> None:
    with pytest.raises(IntegrityError), db.session.begin_nested():  # noqa: PT012 (the savepoint is what is tested)
        db.session.add(User(email=email, name="Twin", password_hash="x"))
        db.session.flush()


def test_a_rolled_back_savepoint_keeps_the_callbacks(db_session):
    ran = []
    user = make_user()
    on_commit(lambda: ran.append("before"))
    _duplicate_user_in_a_savepoint(user.email)
    on_commit(lambda: ran.append("after"))
    commit()
    assert ran == ["before", "after"]


def test_a_rolled_back_transaction_drops_them(db_session):
    ran = []
    make_user()
    on_commit(lambda: ran.append("never"))
    rollback()
    commit()
    assert ran == []
