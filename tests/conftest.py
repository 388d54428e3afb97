"""Test fixtures: the app on real PostgreSQL (DATABASE_URL, default the local nic_test
database) with one rolled-back transaction per test; real Redis (REDIS_URL) for rate
limits; factories for two networks so every test can try the other tenant's ids; the
embedded default (a migrated SQLite file) for the `test_sqlite` modules.

Under pytest-xdist (`make test` runs `pytest -n`) each worker has its own database
(`nic_test_gw0`, created and migrated by the worker) and its own Redis database number
(REDIS_URL's plus the worker's index): tests/support.py.

Nothing here skips: with PostgreSQL or Redis unreachable the suite fails, loudly.
"""
from __future__ import annotations

import os
import tempfile

import pytest
import redis
import sqlalchemy as sa
from flask import g
from sqlalchemy.orm import scoped_session, sessionmaker

from nic import create_app
from nic.extensions import db, limiter
from nic.web.dashboard import section_cache
from tests import factories
from tests.support import (
    ensure_database,
    migrated_sqlite_app,
    reset_schema,
    worker_database_url,
    worker_redis_url,
)

# The suite's clock (the `clock` fixture, `--today`, the `calendar` marker): tests/clock.py;
# what runs together on one pytest-xdist worker (and the `s3` marker): tests/xdist_groups.py.
pytest_plugins = ["tests.clock", "tests.xdist_groups"]

# This process's own: the names from the environment in a serial run, per worker under xdist.
DATABASE_URL = worker_database_url(
    os.environ.get("DATABASE_URL") or "postgresql+psycopg://postgres@127.0.0.1:5432/nic_test")
REDIS_URL = worker_redis_url(os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/1")

# Cheap argon2 parameters: the scheme is the same, the cost is not what is under test.
FAST_HASHING = {"ARGON2_TIME_COST": 1, "ARGON2_MEMORY_KIB": 1024}


_data_dir: str | None = None


def test_data_dir() -> str:
    """One temporary NIC_DATA_DIR (blob storage) for the whole run, never the instance folder."""
    global _data_dir
    if _data_dir is None:
        _data_dir = tempfile.mkdtemp(prefix="nic-test-data-")
    return _data_dir


def app_config(**overrides) -> dict:
    config = {
        "NIC_DATA_DIR": test_data_dir(),
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": DATABASE_URL,
        "REDIS_URL": None,  # Celery eager in-process; live tests use a real worker
        "RATELIMIT_STORAGE_URI": REDIS_URL,
        "RATELIMIT_KEY_PREFIX": "nic-test",
        "SIGNIN_RATE_LIMIT": "1000 per minute",
        "MESSAGE_RATE_LIMIT": "10000 per minute",
        "WTF_CSRF_ENABLED": False,
        "SERVER_NAME": "nic.test",
        "NIC_DEV_OUTBOX": False,
        # Edits do not queue roll-ups here (eager Celery would run one after every commit);
        # tests/rollups turns it on where that is what is tested.
        "ROLLUP_ON_CHANGE": False,
        # Each test runs inside one transaction that other connections cannot see, so a
        # roll-up's second connection would miss the test's rows (tests/live and the
        # benchmark run it on committed data).
        "ROLLUP_PARALLEL": False,
        # Likewise VACUUM after a full run: from another connection it would wait on the
        # test's open transaction; tests/live runs it.
        "ROLLUP_VACUUM": False,
        **FAST_HASHING,
    }
    config.update(overrides)
    return config


@pytest.fixture(scope="session")
def redis_client():
    client = redis.Redis.from_url(REDIS_URL)
    client.ping()  # fails the run if Redis is not there
    return client


@pytest.fixture(scope="session")
def app(redis_client):
    ensure_database(DATABASE_URL)
    app = create_app(app_config())
    with app.app_context():
        reset_schema(app)

    @app.teardown_request
    def _forget_user(exc=None):
        # Tests hold an app context open around the client, so requests share `g`;
        # in production each request has its own. Drop Flask-Login's cached user so
        # one request's sign-out or sign-in does not leak into the next.
        g.pop("_login_user", None)

    return app


@pytest.fixture
def db_session(app):
    """One transaction per test, rolled back at the end; commits inside the code under
    test become savepoints of it. Otherwise the session is production's: the same session
    class and options (so a commit expires what was loaded, and the next read goes back to
    the database), and one session per app context."""
    with app.app_context():
        connection = db.engine.connect()
        outer = connection.begin()
        original = db.session
        production = original.session_factory
        db.session = scoped_session(
            sessionmaker(**{**production.kw, "class_": _on_connection(production.class_),
                            "bind": connection, "join_transaction_mode": "create_savepoint"}),
            scopefunc=original.registry.scopefunc,
        )
        try:
            yield db.session
        finally:
            db.session.remove()
            db.session = original
            outer.rollback()
            connection.close()


def _on_connection(session_class):
    """Production's session class, kept on the test's connection: Flask-SQLAlchemy's
    `get_bind` picks an engine by the model's bind key and would ignore `bind=`."""

    class OnConnection(session_class):
        def get_bind(self, *args, **kwargs):
            return self.bind

    return OnConnection


@pytest.fixture
def sqlite_app(tmp_path):
    """The embedded default: an app on its own freshly migrated SQLite file (a copy of one
    migrated once per worker), blobs under tmp_path, app context pushed. The `test_sqlite`
    modules extend it with their own data under the same fixture name."""
    with migrated_sqlite_app(tmp_path) as app:
        yield app


@pytest.fixture
def client(app, db_session):
    limiter.reset()
    # Kept dashboard sections are keyed by network id and snapshot time; SQLite reuses
    # ids after a rollback, so no test may see another test's.
    section_cache.sections.clear()
    return app.test_client()


@pytest.fixture
def tenants(db_session):
    """Two networks, each with schools, people, an invitation and an API token.
    Committed (into the test's outer transaction, still rolled back at the end), so a
    request that ends its session does not take the fixture data with it."""
    built = factories.two_networks()
    db_session.commit()
    return built


@pytest.fixture
def login_as(client):
    def login(user):
        with client.session_transaction() as session:
            session["_user_id"] = str(user.id)
            session["_fresh"] = True
        return client

    return login


@pytest.fixture
def engine_url():
    return sa.make_url(DATABASE_URL)
