"""Helpers for tests that are not fixtures: databases, schema, processes, and what each
pytest-xdist worker gets of its own (a database, a Redis database number, ports)."""
from __future__ import annotations

import atexit
import os
import random
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import sqlalchemy as sa
from flask_migrate import upgrade

# --- one of several pytest-xdist workers ------------------------------------------------
# `make test` runs the suite in parallel (pytest -n). Each worker is its own process with
# its own session fixtures, so everything a test can see from outside the process is made
# per worker: a PostgreSQL database, a Redis database number and a range of ports.

def worker_id() -> str | None:
    """"gw0", "gw1"... in a pytest-xdist worker; None in a plain (serial) run."""
    return os.environ.get("PYTEST_XDIST_WORKER") or None


def worker_index() -> int:
    worker = worker_id()
    return int(worker.removeprefix("gw")) if worker else 0


def worker_database_url(url: str) -> str:
    """The worker's own database: `nic_test` -> `nic_test_gw0` (the name as is in a serial
    run). Created and migrated by the worker at its session start (the `app` fixture)."""
    worker = worker_id()
    if worker is None:
        return url
    parsed = sa.make_url(url)
    if not parsed.drivername.startswith("postgresql"):
        return url
    return parsed.set(database=f"{parsed.database}_{worker}").render_as_string(hide_password=False)


def worker_redis_url(url: str) -> str:
    """The worker's own Redis database: the base URL's number plus the worker's index
    (`/1` -> gw0 `/1`, gw1 `/2`). Its unit tests and its live servers and Celery workers
    share it; the worker runs one test at a time, and live tests flush it before each.
    Redis has databases 0-15 only: a base too high for the number of workers fails the run."""
    parts = urlsplit(url)
    base = int(parts.path.strip("/") or "0")
    number = base + worker_index()
    if number > 15:
        raise RuntimeError(
            f"REDIS_URL {url}: pytest-xdist worker {worker_id()} would need Redis database {number}, and Redis "
            "has 0-15; use a lower number in REDIS_URL or fewer workers (TEST_WORKERS, pytest -n)")
    return urlunsplit((parts.scheme, parts.netloc, f"/{number}", parts.query, parts.fragment))


def ensure_database(url: str) -> None:
    """Create the PostgreSQL database named in `url` if it does not exist."""
    url = sa.make_url(url)
    if not url.drivername.startswith("postgresql"):
        return
    admin = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.scalar(sa.text("select 1 from pg_database where datname = :name"), {"name": url.database})
        if not exists:
            conn.execute(sa.text(f'create database "{url.database}"'))
    admin.dispose()


def reset_schema(app) -> None:
    """Drop everything, then build the schema the way production does: migrations."""
    from nic.extensions import db

    with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(sa.text("drop schema public cascade"))
            conn.execute(sa.text("create schema public"))
        else:
            db.metadata.drop_all(conn)
            conn.execute(sa.text("drop table if exists alembic_version"))
    upgrade(directory=os.path.join(os.path.dirname(app.root_path), "migrations"))


# Ports for the servers tests start (nic serve, Redis, SeaweedFS, SMTP): each worker picks
# from its own slice of 20000-27999, below Linux's ephemeral range (32768-60999), so
# neither another worker nor an outgoing connection (which takes an ephemeral port) can
# take a port between the moment it is chosen and the moment the server binds it, or
# while a test restarts a server on the same port. The pick within the slice is random,
# so two runs at once (two checkouts on one machine) seldom try the same one; a port
# found in use is skipped.
PORT_BASE = 20000
PORTS_PER_WORKER = 500
_handed_out: set[int] = set()


def free_port() -> int:
    first = PORT_BASE + (worker_index() % 16) * PORTS_PER_WORKER
    candidates = list(range(first, first + PORTS_PER_WORKER))
    random.SystemRandom().shuffle(candidates)
    if _handed_out.issuperset(candidates):
        _handed_out.difference_update(candidates)  # a long run has used them all: start over
    for port in candidates:
        if port in _handed_out:
            continue
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
        _handed_out.add(port)
        return port
    raise RuntimeError(f"no free port in {first}-{first + PORTS_PER_WORKER - 1}")


def wait_for_port(port: int, timeout: float = 30.0, process: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode} before listening on {port}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"nothing listening on {port} after {timeout}s")


def start_process(args: list[str], env: dict, log_path: str) -> subprocess.Popen:
    """A background server in its own process group, stopped by PID (never by name)."""
    log = open(log_path, "wb")
    return subprocess.Popen(args, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


def stop_process(process: subprocess.Popen, timeout: float = 10.0) -> None:
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=timeout)


def api_rules(app):
    return [rule for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/v1/")]


_sqlite_template: Path | None = None


def migrated_sqlite_template() -> Path:
    """A SQLite file migrated once per process (per xdist worker), the way production
    builds it; each SQLite app gets a copy, which costs a file copy instead of a run of
    every migration."""
    global _sqlite_template
    if _sqlite_template is None:
        from nic import create_app
        from nic.extensions import db
        from tests.conftest import app_config  # here, not at the top: conftest imports this module

        folder = tempfile.mkdtemp(prefix="nic-test-sqlite-")
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        path = Path(folder) / "migrated.db"
        app = create_app(app_config(SQLALCHEMY_DATABASE_URI=f"sqlite:///{path}"))
        with app.app_context():
            reset_schema(app)
            db.session.remove()
            db.engine.dispose()
        _sqlite_template = path
    return _sqlite_template


@contextmanager
def migrated_sqlite_app(folder):
    """An app on its own migrated SQLite file (the embedded default) in `folder`, blobs in
    `folder`/data, with its app context pushed. Tests take it as the `sqlite_app` fixture
    (tests/conftest.py)."""
    from nic import create_app
    from nic.extensions import db
    from tests.conftest import app_config

    folder = Path(folder)
    shutil.copyfile(migrated_sqlite_template(), folder / "nic.db")
    app = create_app(app_config(SQLALCHEMY_DATABASE_URI=f"sqlite:///{folder / 'nic.db'}",
                                NIC_DATA_DIR=str(folder / "data")))
    with app.app_context():
        try:
            yield app
        finally:
            db.session.remove()
            db.engine.dispose()
