"""The roll-up benchmark's database, data and measuring tools (tests/bench/test_rollup_bench.py).

The database is the benchmark's own (NIC_BENCH_DATABASE_URL, default `nic_bench` on the
server of DATABASE_URL): created if missing, migrated to head, and seeded with the real
`nic bench seed` command in a subprocess. A database whose `bench` network already holds
exactly SCHOOLS schools, CYCLES cycles and POINTS points is reused as it is; one holding
anything else is emptied (schema dropped, migrated again) and seeded afresh, because the
seed only ever adds to a network.
"""

from __future__ import annotations

import logging
import os
import platform
import subprocess
import sys
import time
from contextlib import contextmanager

import sqlalchemy as sa
from flask import current_app, g
from flask_migrate import upgrade
from sqlalchemy import event, func, select, text

from nic import create_app
from nic.extensions import db
from nic.models import Cycle, MeasurePoint, Membership, Network, School
from nic.tenancy import UNSCOPED
from tests.support import ensure_database, reset_schema

SLUG = "bench"
SCHOOLS, CYCLES, POINTS = 500, 50_000, 1_000_000
SNAPSHOT_TABLES = (
    "rollup_schools",
    "rollup_school_periods",
    "rollup_network_periods",
    "rollup_change_idea_schools",
    "rollup_measure_schools",
    "rollup_measures",
    "rollup_measure_periods",
    "rollup_stalled_cycles",
)
SNAPSHOT_SKIP = {"id", "computed_at"}

# The baseline: one hand-written statement reading every table the roll-up leans on once
# (cycles, phase moves, edits, measure points), each aggregated per school with a single
# GROUP BY, joined to the schools. It computes what a naive "counts per school" report
# would: cycles, cycles done, phase moves, edits, points, their mean and latest period.
# No medians, periods, runs or snapshot writes: a floor for reading the same data.
BASELINE_SQL = """
    SELECT s.id, c.cycles, c.done, mv.moves, ch.edits, p.points, p.mean, p.latest
    FROM schools s
    LEFT JOIN (SELECT school_id, count(*) AS cycles, sum(CASE WHEN phase = 'done' THEN 1 ELSE 0 END) AS done
               FROM cycles WHERE network_id = :n AND deleted_at IS NULL GROUP BY school_id) c ON c.school_id = s.id
    LEFT JOIN (SELECT l.school_id, count(*) AS moves FROM cycle_phase_moves m JOIN cycles l ON l.id = m.cycle_id
               WHERE m.network_id = :n GROUP BY l.school_id) mv ON mv.school_id = s.id
    LEFT JOIN (SELECT l.school_id, count(*) AS edits FROM cycle_changes e JOIN cycles l ON l.id = e.cycle_id
               WHERE e.network_id = :n GROUP BY l.school_id) ch ON ch.school_id = s.id
    LEFT JOIN (SELECT school_id, count(*) AS points, avg(value) AS mean, max(period) AS latest
               FROM measure_points WHERE network_id = :n GROUP BY school_id) p ON p.school_id = s.id
    WHERE s.network_id = :n
"""


def database_url() -> str:
    explicit = os.environ.get("NIC_BENCH_DATABASE_URL")
    if explicit:
        return explicit
    base = os.environ.get("DATABASE_URL") or "postgresql+psycopg://postgres@127.0.0.1:5432/nic_test"
    return sa.make_url(base).set(database="nic_bench").render_as_string(hide_password=False)


def bench_app():
    from tests.conftest import app_config  # here: conftest imports tests.support, as this module does

    url = database_url()
    if not url.startswith("postgresql"):
        raise RuntimeError(f"the roll-up benchmark needs PostgreSQL, not {url}")
    ensure_database(url)
    # The data here is committed, as in production: the roll-up runs as the worker runs it
    # (a second connection for a full run, VACUUM ANALYZE after it).
    app = create_app(
        app_config(SQLALCHEMY_DATABASE_URI=url, RATELIMIT_ENABLED=False, ROLLUP_PARALLEL=True, ROLLUP_VACUUM=True)
    )

    @app.teardown_request
    def _forget_user(exc=None):
        g.pop("_login_user", None)  # the benchmark holds an app context: load the user every request

    return app


def _sizes() -> tuple[int, int, int] | None:
    network_id = db.session.scalar(select(Network.id).where(Network.slug == SLUG))
    if network_id is None:
        return None
    return tuple(
        db.session.scalar(
            select(func.count()).select_from(model).where(model.network_id == network_id).execution_options(**UNSCOPED)
        )
        for model in (School, Cycle, MeasurePoint)
    )


def ensure_seeded() -> str:
    """Migrate, then reuse or seed; answers what was done, for the printout."""
    logging.disable(logging.INFO)  # no alembic INFO lines in the printout
    try:
        upgrade(directory=os.path.join(os.path.dirname(current_app.root_path), "migrations"))
    finally:
        logging.disable(logging.NOTSET)
    sizes = _sizes()
    db.session.commit()
    if sizes == (SCHOOLS, CYCLES, POINTS):
        return "reused (already seeded)"
    if sizes is not None:
        db.session.remove()
        reset_schema(current_app)
    started = time.perf_counter()
    env = {key: value for key, value in os.environ.items() if key != "REDIS_URL"}
    env["DATABASE_URL"] = database_url()
    seeded = subprocess.run(
        [
            sys.executable,
            "-m",
            "nic.cli",
            "bench",
            "seed",
            "--network",
            SLUG,
            "--schools",
            str(SCHOOLS),
            "--cycles",
            str(CYCLES),
            "--points",
            str(POINTS),
        ],
        env=env,
        capture_output=True,
        text=True,
    )
    if seeded.returncode != 0:
        raise RuntimeError(
            f"nic bench seed failed ({seeded.returncode}):\n{seeded.stdout[-2000:]}{seeded.stderr[-4000:]}"
        )
    assert _sizes() == (SCHOOLS, CYCLES, POINTS)
    db.session.commit()
    return f"seeded with `nic bench seed` in {time.perf_counter() - started:.1f} s"


def machine() -> str:
    model = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            model = next(line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return f"{os.cpu_count()} cores, {model}, Python {platform.python_version()}"


def server_settings() -> str:
    version = db.session.scalar(text("SHOW server_version"))
    values = {name: db.session.scalar(text(f"SHOW {name}")) for name in ("work_mem", "jit", "shared_buffers")}
    db.session.commit()
    return f"PostgreSQL {version}, " + ", ".join(f"{name} {value}" for name, value in values.items())


def snapshot(network_id: int) -> dict[str, list]:
    """Every snapshot row of the network, without ids and computed_at, in a stable order."""
    tables = {}
    for table in SNAPSHOT_TABLES:
        rows = db.session.execute(text(f"SELECT * FROM {table} WHERE network_id = :n"), {"n": network_id}).mappings()
        kept = (tuple((k, v) for k, v in sorted(row.items()) if k not in SNAPSHOT_SKIP) for row in rows)
        tables[table] = sorted(kept, key=repr)
    db.session.commit()
    return tables


def run_baseline(network_id: int) -> float:
    """BASELINE_SQL's time, rows fetched, on one backend (no parallel workers), as the
    roll-up's INSERT ... SELECT statements run."""
    db.session.execute(text("SET LOCAL max_parallel_workers_per_gather = 0"))
    started = time.perf_counter()
    rows = db.session.execute(text(BASELINE_SQL), {"n": network_id}).all()
    seconds = time.perf_counter() - started
    db.session.rollback()
    assert len(rows) == SCHOOLS
    return seconds


def middle_school(network_id: int) -> int:
    ids = db.session.scalars(select(School.id).where(School.network_id == network_id).order_by(School.id)).all()
    return ids[len(ids) // 2]


def facilitator_id(network_id: int) -> int:
    user_id = db.session.scalar(
        select(Membership.user_id)
        .where(Membership.network_id == network_id, Membership.role == "facilitator")
        .order_by(Membership.id)
        .limit(1)
        .execution_options(**UNSCOPED)
    )
    db.session.commit()
    return user_id


class _Statements:
    def __init__(self):
        self.times: list[tuple[str, float]] = []

    def slowest(self, count: int) -> list[tuple[str, float]]:
        return sorted(self.times, key=lambda item: -item[1])[:count]


def _label(statement: str) -> str:
    """`INSERT INTO rollup_x` / `SELECT ... measure_points` / the first words, for the printout."""
    words = " ".join(statement.split())
    upper = words.upper()
    if "INSERT INTO " in upper:
        start = upper.index("INSERT INTO ")
        return words[start : start + 12 + len(words[start + 12 :].split(" ", 1)[0])]
    if "FROM measure_points" in words and "array_agg" in words:
        return "SELECT every series' points (rollup_series, second connection)"
    return words[:70]


@contextmanager
def statement_timer():
    """Each SQL statement's wall time while the block runs (SQLAlchemy cursor events)."""
    timer = _Statements()
    engine = db.engine

    def before(conn, cursor, statement, parameters, context, executemany):
        conn.info["bench_started"] = time.perf_counter()

    def after(conn, cursor, statement, parameters, context, executemany):
        timer.times.append((_label(statement), time.perf_counter() - conn.info.pop("bench_started")))

    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    try:
        yield timer
    finally:
        event.remove(engine, "before_cursor_execute", before)
        event.remove(engine, "after_cursor_execute", after)
