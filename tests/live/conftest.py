"""Fixtures for live tests: real `nic serve` processes and a real Celery worker, on their
own PostgreSQL database (`<name>_live`, e.g. `nic_test_gw0_live` for an xdist worker),
because the data a test seeds must be committed for real to be seen by another process.
They use the process's own Redis database (REDIS_URL's number, per xdist worker: see
tests/support.py) and a Socket.IO channel of their own (Redis pub/sub is server-wide).

The database is created and migrated once per run; every test starts from empty tables
and an empty Redis database (`clean_live_db`). Servers are started once per run for each
distinct environment and shared; workers are started per test, after the Redis flush
(which would otherwise wipe the queue bindings a running worker declared).

tests/e2e/conftest.py imports these fixtures. The expensive parts are cached in this
module, so the two conftests share one database set-up and one app even though pytest
registers the fixtures once for each folder.

Nothing here skips: with PostgreSQL, Redis or a server that will not start, tests fail.
"""
from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import redis
import sqlalchemy as sa

from tests.conftest import DATABASE_URL, FAST_HASHING, REDIS_URL
from tests.support import ensure_database, free_port, reset_schema, start_process, stop_process, wait_for_port

LIVE_SECRET_KEY = "live-test-secret"
REPO_ROOT = Path(__file__).resolve().parents[2]


def _live_database_url() -> str:
    url = sa.make_url(DATABASE_URL)
    return url.set(database=f"{url.database}_live").render_as_string(hide_password=False)


LIVE_DATABASE_URL = _live_database_url()
# The process's own Redis database (one per xdist worker), shared with its unit tests:
# they run one at a time, the unit tests keep nothing in Redis from one test to the next
# (rate limits are reset per test), and the live tests flush it before each test. One
# database per worker keeps a run within REDIS_URL's number .. number + workers - 1.
LIVE_REDIS_URL = REDIS_URL
# Redis pub/sub channels are not per database: this run's servers and workers talk on a
# channel of their own, not to another worker's (or another checkout's) test servers.
LIVE_SOCKETIO_CHANNEL = f"nic-test-{os.getpid()}"

_cache: dict[str, object] = {}


def _prepared_database() -> str:
    if "db" not in _cache:
        ensure_database(LIVE_DATABASE_URL)
        # The one live app of the run (cached) runs the migrations, as production does.
        app = _build_app()
        with app.app_context():
            reset_schema(app)
        _cache["db"] = LIVE_DATABASE_URL
    return _cache["db"]


def _build_app():
    from nic import create_app

    if "app" in _cache:
        return _cache["app"]
    app = create_app({
        "TESTING": True,
        "SECRET_KEY": LIVE_SECRET_KEY,
        "SQLALCHEMY_DATABASE_URI": LIVE_DATABASE_URL,
        # REDIS_URL stays unset *in this process* on purpose: Flask-SocketIO's
        # `socketio` object is one per process and keeps a message-queue client manager
        # from any earlier init_app (server_options is only ever updated), so a Redis
        # URL here would leak into the unit tests' app in the same run. Celery, the one
        # thing that needs the broker here, is pointed at live Redis right below.
        "REDIS_URL": None,
        # The limiter is one per process too: keep the unit tests' storage and prefix.
        "RATELIMIT_STORAGE_URI": REDIS_URL,
        "RATELIMIT_KEY_PREFIX": "nic-test",
        "SIGNIN_RATE_LIMIT": "1000 per minute",
        "MESSAGE_RATE_LIMIT": "10000 per minute",
        "NIC_DEV_OUTBOX": False,
        **FAST_HASHING,
    })
    # Not eager: `jobs.enqueue` publishes to the live broker, where only a real worker
    # (the `celery_worker` fixture) picks the task up.
    app.extensions["celery"].conf.update(
        broker_url=LIVE_REDIS_URL, result_backend=LIVE_REDIS_URL, task_always_eager=False,
    )
    _cache["app"] = app
    return app


@pytest.fixture(scope="session")
def live_redis_url() -> str:
    return LIVE_REDIS_URL


@pytest.fixture(scope="session")
def live_db() -> str:
    """The live database URL, created and migrated (once per run)."""
    return _prepared_database()


@pytest.fixture(scope="session")
def live_app(live_db):
    """The app bound to the live database, for seeding and checking from the test
    process. Anything written through it must be committed to be seen by the servers."""
    return _build_app()


@pytest.fixture(scope="session")
def live_redis(live_redis_url):
    client = redis.Redis.from_url(live_redis_url)
    client.ping()  # fails the run if Redis is not there
    yield client
    client.close()


@pytest.fixture
def clean_live_db(live_app, live_redis):
    """Empty tables (ids restart at 1) and an empty live Redis database."""
    from nic.extensions import db

    with live_app.app_context():
        with db.engine.begin() as conn:
            tables = conn.scalars(sa.text(
                "select quote_ident(tablename) from pg_tables "
                "where schemaname = 'public' and tablename <> 'alembic_version'"
            )).all()
            if tables:
                # A server holding a transaction open would block this forever: fail instead.
                conn.execute(sa.text("set local lock_timeout = '10s'"))
                conn.execute(sa.text(f"truncate {', '.join(tables)} restart identity cascade"))
    live_redis.flushdb()
    yield


# --- processes ---------------------------------------------------------------------------

@dataclass
class LiveProcess:
    name: str
    process: object
    log_path: Path
    url: str | None = None
    port: int | None = None
    env: dict = field(default_factory=dict)

    def log_tail(self, lines: int = 60) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError as exc:
            return f"(no log: {exc})"
        return "\n".join(text.splitlines()[-lines:])


_RUNNING: list[LiveProcess] = []


def attach_logs(report) -> None:
    """Append the log tail of every live process to a failed test's report."""
    for proc in list(_RUNNING):
        report.sections.append((f"{proc.name} log (tail)", proc.log_tail()))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.failed:
        attach_logs(report)
    return report


# Variables from the developer's shell that would change what the processes do.
_SCRUBBED_PREFIXES = ("SMTP_", "NIC_", "FLASK_", "CELERY_")
_SCRUBBED = {"MAIL_FROM", "DATABASE_URL", "REDIS_URL", "SECRET_KEY"}


def live_env(extra: dict | None = None) -> dict:
    env = {k: v for k, v in os.environ.items()
           if k not in _SCRUBBED and not k.startswith(_SCRUBBED_PREFIXES)}
    env.update({
        "DATABASE_URL": LIVE_DATABASE_URL,
        "REDIS_URL": LIVE_REDIS_URL,
        "NIC_SOCKETIO_CHANNEL": LIVE_SOCKETIO_CHANNEL,
        "SECRET_KEY": LIVE_SECRET_KEY,
        "NIC_ARGON2_TIME_COST": "1",
        "NIC_ARGON2_MEMORY_KIB": "1024",
        "NIC_DEV_OUTBOX": "1",
        "PYTHONUNBUFFERED": "1",
        # Both processes import nic and worker from the checkout, whatever the cwd.
        "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO_ROOT), os.environ.get("PYTHONPATH")])),
    })
    env.update({k: str(v) for k, v in (extra or {}).items()})
    return env


def _start(name: str, args: list[str], env: dict, log_path: Path, **attrs) -> LiveProcess:
    proc = LiveProcess(name, start_process(args, env, str(log_path)), log_path, env=env, **attrs)
    _RUNNING.append(proc)
    return proc


def _stop(proc: LiveProcess) -> None:
    try:
        stop_process(proc.process)
    finally:
        if proc in _RUNNING:
            _RUNNING.remove(proc)


_servers: dict[tuple, LiveProcess] = {}


@pytest.fixture(scope="session")
def serve(live_db, tmp_path_factory):
    """`serve(extra_env=None)` -> a running `nic serve` (`.url`, `.port`, `.log_tail()`).
    One process per distinct extra_env for the whole run, shared by tests/live and
    tests/e2e: starting gunicorn and the app costs a second or two, and clean_live_db
    empties what the server reads between tests."""

    def start(extra_env: dict | None = None) -> LiveProcess:
        key = tuple(sorted((extra_env or {}).items()))
        running = _servers.get(key)
        if running is not None and running.process.poll() is None:
            return running
        port = free_port()
        log_path = tmp_path_factory.mktemp("serve") / f"nic-serve-{port}.log"
        args = [sys.executable, "-m", "nic.cli", "serve", "--port", str(port), "--graceful-timeout", "2"]
        proc = _start(f"nic serve :{port}", args, live_env(extra_env), log_path,
                      url=f"http://127.0.0.1:{port}", port=port)
        try:
            wait_for_port(port, timeout=30, process=proc.process)
        except Exception as exc:
            _stop(proc)
            pytest.fail(f"nic serve did not start: {exc}\n--- log tail ---\n{proc.log_tail()}")
        _servers[key] = proc
        return proc

    yield start
    while _servers:
        _stop(_servers.popitem()[1])


@pytest.fixture
def celery_worker(clean_live_db, tmp_path):
    """`celery_worker(extra_env=None)` -> a running worker on the live broker (queue
    `nic`, prefork with two children so duplicate deliveries really race). Started after
    clean_live_db's flush; stopped (warm shutdown) at the end of the test."""
    started: list[LiveProcess] = []

    def start(extra_env: dict | None = None, timeout: float = 30.0) -> LiveProcess:
        log_path = tmp_path / f"celery-worker-{len(started) + 1}.log"
        args = [
            sys.executable, "-m", "celery", "-A", "worker.celery_app", "worker",
            "--pool", "prefork", "--concurrency", "2", "-Q", "nic", "--loglevel", "info",
            "--hostname", f"live-{os.getpid()}-{len(started) + 1}@%h",
            "--without-gossip", "--without-mingle", "--without-heartbeat",
        ]
        proc = _start("celery worker", args, live_env(extra_env), log_path)
        started.append(proc)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if proc.process.poll() is not None:
                pytest.fail(f"celery worker exited with {proc.process.returncode}\n{proc.log_tail()}")
            if " ready." in proc.log_tail(200):
                return proc
            time.sleep(0.1)
        pytest.fail(f"celery worker not ready after {timeout}s\n--- log tail ---\n{proc.log_tail()}")

    yield start
    for proc in started:
        _stop(proc)


@pytest.fixture
def smtp_server():
    """A real SMTP server in this process (aiosmtpd) that keeps what it receives:
    `.host`, `.port`, `.messages` (email.message.EmailMessage, in arrival order)."""
    from email import message_from_bytes, policy

    from aiosmtpd.controller import Controller

    class Collector:
        def __init__(self):
            self.messages = []
            self.envelopes = []

        async def handle_DATA(self, server, session, envelope):
            self.envelopes.append(envelope)
            self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
            return "250 Message accepted for delivery"

    handler = Collector()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    handler.host, handler.port = controller.hostname, controller.port
    yield handler
    controller.stop()

