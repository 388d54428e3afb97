"""Helpers for tests that are not fixtures: databases, schema, processes."""
from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path
import shutil
import signal
import socket
import subprocess
import tempfile
import time

import sqlalchemy as sa
from flask_migrate import upgrade


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


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


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

        path = Path(tempfile.mkdtemp(prefix="nic-test-sqlite-")) / "migrated.db"
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
