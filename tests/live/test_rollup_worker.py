"""Roll-ups with a real Celery worker and real Redis, as issue 7 asks:

(a) the worker is SIGKILLed (its whole process group) in the middle of a roll-up; a new
    worker gets the message back (acks_late, visibility timeout) and finishes the job; the
    snapshot equals an in-process compute, has no duplicate rows, and no reader ever saw a
    partial snapshot (a poller reads it all along: always the old set or the new set);
(b) Redis is restarted in the middle of a roll-up: pages and the API keep answering with
    the last snapshot, a change made while Redis is away is saved, and once Redis is back
    the roll-ups catch up (the running job finishes; the one whose message could not be
    sent is sent again by the sweep).

The worker is `tests/live/rollup_worker_app.py` (test-only settings: a short visibility
timeout, and a `pg_sleep` inside each roll-up's transaction so "the middle of a roll-up"
lasts long enough to act in; see that module). Test (b) runs its own redis-server on a
free port, so restarting it disturbs no other test using the machine's Redis.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta

import pytest
import requests
import sqlalchemy as sa

from nic.clock import utcnow
from nic.extensions import db
from nic.models import Network, RollupJob
from nic.services.rollups import rollups
from nic.tenancy import use_network
from tests import factories
from tests.live.conftest import LIVE_DATABASE_URL, _start, _stop, live_env
from tests.live.helpers import sign_in, wait_until
from tests.rollups.pipeline_support import snapshot
from tests.support import free_port, wait_for_port

pytestmark = [pytest.mark.live, pytest.mark.usefixtures("clean_live_db")]

SLEEP = 4  # seconds of pg_sleep inside each roll-up's transaction (the worker's only)
EXTRA_SCHOOLS = 6


# --- processes -------------------------------------------------------------------------------

@pytest.fixture
def processes(tmp_path):
    """`start(kind, env)` -> a LiveProcess: a roll-up `worker` or `beat` of the test-only
    app, with the live environment plus `env`. Stopped at the end (if still running)."""
    started = []

    def start(kind: str, env: dict | None = None):
        n = len(started) + 1
        log_path = tmp_path / f"celery-{kind}-{n}.log"
        args = [sys.executable, "-m", "celery", "-A", "tests.live.rollup_worker_app"]
        if kind == "worker":
            args += ["worker", "--pool", "prefork", "--concurrency", "2", "-Q", "nic", "--loglevel", "info",
                     "--hostname", f"rollup-{os.getpid()}-{n}@%h", "--without-gossip", "--without-mingle",
                     "--without-heartbeat"]
        else:
            args += ["beat", "--loglevel", "info", "--schedule", str(tmp_path / f"beat-{n}")]
        proc = _start(f"celery {kind} {n}", args, live_env({"NIC_TEST_ROLLUP_SLEEP": SLEEP, **(env or {})}), log_path)
        started.append(proc)
        if kind == "worker":
            wait_until(lambda: proc.process.poll() is not None or " ready." in proc.log_tail(200), timeout=30,
                       message="the worker to be ready")
            assert proc.process.poll() is None, proc.log_tail()
        return proc

    yield start
    for proc in started:
        _stop(proc)


def kill_group(proc) -> None:
    """SIGKILL the worker's whole process group: the main process and its children die
    mid-task, with no chance to hand anything back."""
    os.killpg(proc.process.pid, signal.SIGKILL)
    proc.process.wait(timeout=10)


@pytest.fixture
def own_redis(tmp_path):
    """A redis-server of this test's own (no persistence, like the machine's): `.url`,
    `.stop()`, `.start()` on the same port."""

    class Server:
        port = free_port()
        url = f"redis://127.0.0.1:{port}/0"
        process = None

        def start(self):
            args = ["redis-server", "--bind", "127.0.0.1", "--port", str(self.port), "--save", "", "--appendonly",
                    "no", "--dir", str(tmp_path)]
            log = open(tmp_path / "redis.log", "ab")
            self.process = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
            wait_for_port(self.port, timeout=10, process=self.process)

        def stop(self):
            if self.process is not None and self.process.poll() is None:
                os.killpg(self.process.pid, signal.SIGTERM)
                self.process.wait(timeout=10)

    server = Server()
    server.start()
    yield server
    server.stop()


# --- data and the database, seen from outside the worker ---------------------------------------

def seed(live_app):
    """Two networks (tests/factories) and, in alpha, more schools with cycles in every
    phase, decisions, stalled ones, and measure points; then alpha's first snapshot."""
    with live_app.app_context():
        tenants = factories.two_networks()
        a = tenants.a
        run = factories.make_measure(a.network, "Attendance", chart="run")
        now = utcnow()
        monday = now.date() - timedelta(days=now.weekday())
        for i in range(EXTRA_SCHOOLS):
            school = factories.make_school(a.network, f"Extra School {i}")
            for j in range(12):
                phase = ("plan", "do", "study", "act", "done")[j % 5]
                factories.make_cycle(
                    school, a.teacher_leader.user, f"Cycle {i}.{j}", phase=phase, change_idea=a.change_idea,
                    act_decision=("adopt", "adapt", "abandon")[j % 3] if phase == "done" else None,
                    start_date=(now - timedelta(days=7 * j)).date(), created_at=now - timedelta(days=7 * j),
                    phase_changed_at=now - timedelta(days=3 * j),
                    updated_at=now - timedelta(days=40 if j % 4 == 0 else 1))
            factories.make_points(run, school, [(monday - timedelta(weeks=20 - w), float((w * (i + 1)) % 7))
                                                for w in range(20)])
        teacher_token = factories.make_token(a.teacher_leader.user)[1]
        db.session.commit()
        with use_network(a.network):
            old_at = rollups.compute()
            db.session.commit()
        ids = {"network_id": a.network.id, "cycle_id": a.cycle.id, "school_id": a.schools[0].id,
               "schools": len(a.schools) + EXTRA_SCHOOLS, "facilitator_token": a.api_secret,
               "teacher_token": teacher_token, "facilitator_email": a.facilitator.user.email}
        # What the next roll-up must pick up: a new done cycle at one school.
        factories.make_cycle(a.schools[1], a.member.user, "Finished late", phase="done", act_decision="adopt",
                             change_idea=a.change_idea)
        db.session.commit()
        db.session.expunge_all()
    return ids, old_at


def job_row(engine, job_id) -> dict | None:
    with engine.connect() as conn:
        row = conn.execute(sa.text("SELECT state, attempts, finished_at FROM rollup_jobs WHERE id = :id"),
                           {"id": job_id}).mappings().first()
        return dict(row) if row else None


def sleeping_in_roll_up(engine) -> bool:
    """True while some backend sits in the test-only pg_sleep inside a roll-up."""
    with engine.connect() as conn:
        return bool(conn.scalar(sa.text(
            "SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'SELECT pg_sleep(%' AND state = 'active' "
            "AND datname = current_database()")))  # not another xdist worker's roll-up


class SnapshotPoller(threading.Thread):
    """Reads the network's snapshot over and over, each time in ONE statement (so one
    consistent view), and records what it saw: per table, (computed_at, rows)."""

    QUERY = sa.text("""
        SELECT 'schools' AS t, computed_at, count(*) AS n FROM rollup_schools WHERE network_id = :n GROUP BY computed_at
        UNION ALL SELECT 'matrix', computed_at, count(*) FROM rollup_change_idea_schools WHERE network_id = :n
                  GROUP BY computed_at
        UNION ALL SELECT 'measure_schools', computed_at, count(*) FROM rollup_measure_schools WHERE network_id = :n
                  GROUP BY computed_at
        UNION ALL SELECT 'measures', computed_at, count(*) FROM rollup_measures WHERE network_id = :n
                  GROUP BY computed_at
        UNION ALL SELECT 'network_weeks', computed_at, count(*) FROM rollup_network_periods WHERE network_id = :n
                  GROUP BY computed_at
        UNION ALL SELECT 'state', computed_at, 1 FROM rollup_states WHERE network_id = :n
    """)

    def __init__(self, engine, network_id):
        super().__init__(daemon=True)
        self.engine, self.network_id = engine, network_id
        self.views: list[dict] = []
        self.stop_event = threading.Event()
        self.error = None

    def run(self):
        try:
            with self.engine.connect() as conn:
                while not self.stop_event.is_set():
                    rows = conn.execute(self.QUERY, {"n": self.network_id}).all()
                    conn.rollback()
                    view: dict = {}
                    for table, computed_at, n in rows:
                        view.setdefault(table, []).append((computed_at, n))
                    self.views.append(view)
                    time.sleep(0.05)
        except Exception as exc:  # reported by check()
            self.error = exc

    def stop(self):
        self.stop_event.set()
        self.join(timeout=10)

    def check(self, schools: int) -> set:
        """Every view was one whole snapshot: a single computed_at across every table,
        and every school's row there. Answers the computed_at values seen."""
        assert self.error is None, self.error
        assert len(self.views) > 20, "the poller hardly ran"
        seen = set()
        for view in self.views:
            stamps = {at for pairs in view.values() for at, _ in pairs}
            assert len(stamps) == 1, f"a mixed snapshot was visible: {view}"
            assert view["schools"][0][1] == schools, f"a partial snapshot was visible: {view}"
            seen |= stamps
        return seen


def in_process_snapshot(live_app, network_id):
    """The snapshot a roll-up computed right here would write (rolled back after)."""
    with live_app.app_context():
        network = db.session.get(Network, network_id)
        with use_network(network_id):
            rollups.compute()
            computed = snapshot(network)
        db.session.rollback()
    return computed


def stored_snapshot(live_app, network_id):
    with live_app.app_context():
        network = db.session.get(Network, network_id)
        stored = snapshot(network)
        db.session.rollback()
    return stored


# --- (a) a worker killed in the middle of a roll-up -------------------------------------------

def test_a_worker_killed_mid_roll_up_is_replaced_and_the_roll_up_completes_whole(live_app, processes):
    ids, old_at = seed(live_app)
    engine = sa.create_engine(LIVE_DATABASE_URL, poolclass=sa.pool.NullPool)
    poller = SnapshotPoller(engine, ids["network_id"])
    try:
        first = processes("worker")
        poller.start()
        with live_app.app_context():
            with use_network(ids["network_id"]):
                job_id = rollups.request_full().id  # committed, then sent to the live broker

        wait_until(lambda: (job_row(engine, job_id) or {}).get("state") == "running" and sleeping_in_roll_up(engine),
                   timeout=30, message="the roll-up to be half-way (running, inside its transaction)")
        time.sleep(0.5)
        kill_group(first)
        assert job_row(engine, job_id)["state"] == "running"  # the dead worker finished nothing

        processes("worker")  # a new worker; kombu hands the unacknowledged message back
        done = wait_until(lambda: (row := job_row(engine, job_id)) and row["state"] == "done" and row,
                          timeout=90, message="the redelivered roll-up to finish")
        assert done["attempts"] == 2, done  # started by the killed worker, finished by the new one
        time.sleep(0.5)  # a few views of the new snapshot
    finally:
        poller.stop()

    seen = poller.check(ids["schools"])
    assert old_at in seen and len(seen) == 2, seen  # the old snapshot, then the new one: nothing between
    stored = stored_snapshot(live_app, ids["network_id"])
    assert stored == in_process_snapshot(live_app, ids["network_id"])
    assert len(stored["rollup_schools"]) == ids["schools"]
    with engine.connect() as conn:  # no duplicates: one row per school, cell, measure and period
        for table, key in (("rollup_schools", "school_id"), ("rollup_change_idea_schools", "change_idea_id, school_id"),
                           ("rollup_measure_schools", "measure_id, school_id"),
                           ("rollup_network_periods", "period_kind, period_start"),
                           ("rollup_school_periods", "school_id, period_kind, period_start")):
            assert conn.scalar(sa.text(f"SELECT count(*) FROM (SELECT {key} FROM {table} GROUP BY {key} "
                                       "HAVING count(*) > 1) d")) == 0, table
    with live_app.app_context():
        with use_network(ids["network_id"]):
            assert [j.state for j in db.session.scalars(sa.select(RollupJob))] == ["done"]
        db.session.rollback()
    engine.dispose()


# --- (b) Redis restarted in the middle of a roll-up ---------------------------------------------

def test_redis_restarted_mid_roll_up_pages_keep_serving_and_roll_ups_catch_up(live_app, own_redis, processes,
                                                                              serve):
    ids, old_at = seed(live_app)
    env = {"REDIS_URL": own_redis.url}
    server = serve({"REDIS_URL": own_redis.url, "NIC_ROLLUP_TEST_SERVER": "redis-restart"})
    worker = [processes("worker", env)]
    processes("beat", env)
    engine = sa.create_engine(LIVE_DATABASE_URL, poolclass=sa.pool.NullPool)
    api = f"{server.url}/api/v1/networks/alpha"
    facilitator = {"Authorization": f"Bearer {ids['facilitator_token']}"}
    teacher = {"Authorization": f"Bearer {ids['teacher_token']}"}
    browser = requests.Session()
    assert sign_in(browser, server.url, ids["facilitator_email"], factories.PASSWORD).status_code == 302
    pages = [f"{server.url}/n/alpha/"]
    if any(rule.endpoint.startswith("dashboard.") for rule in live_app.url_map.iter_rules()):
        pages.append(f"{server.url}/n/alpha/dashboard")
    try:
        asked = requests.post(f"{api}/rollups", headers=facilitator, timeout=10)
        assert asked.status_code == 202, asked.text
        job_id = asked.json()["job"]
        wait_until(lambda: (job_row(engine, job_id) or {}).get("state") == "running" and sleeping_in_roll_up(engine),
                   timeout=30, message="the roll-up to be half-way")

        own_redis.stop()
        # Redis is away: everything that reads the snapshot still answers, with the old one.
        latest = requests.get(f"{api}/rollups/latest", headers=facilitator, timeout=10)
        assert latest.status_code == 200 and latest.json()["computed_at"] == old_at.isoformat()
        assert len(latest.json()["schools"]) == ids["schools"]
        for page in pages:
            assert browser.get(page, timeout=10).status_code == 200, page
        # A second request for a roll-up is coalesced with the running one.
        again = requests.post(f"{api}/rollups", headers=facilitator, timeout=10)
        assert again.status_code == 202 and again.json() == {"job": job_id}
        # A change is saved although its roll-up cannot be sent now.
        cycle = requests.get(f"{api}/cycles/{ids['cycle_id']}", headers=teacher, timeout=10).json()
        started = time.monotonic()
        edited = requests.patch(f"{api}/cycles/{ids['cycle_id']}", headers=teacher, timeout=30,
                                json={"version": cycle["version"], "title": "Renamed while Redis was away"})
        assert edited.status_code == 200, edited.text
        assert time.monotonic() - started < 10
        with engine.connect() as conn:
            school_job = conn.scalar(sa.text("SELECT id FROM rollup_jobs WHERE scope = 'school' AND state = 'queued'"))
        assert school_job is not None

        own_redis.start()
        # The running roll-up finishes (its worker process keeps the task to the end)...
        wait_until(lambda: (job_row(engine, job_id) or {}).get("state") == "done", timeout=60,
                   message="the roll-up that was running to finish")
        # ...and the school's, whose message was never sent, is sent again by the sweep and
        # runs. The worker of Celery 5.7 / kombu 5.7 does not outlive a Redis restart: on the
        # lost connection it tries to hand its unacknowledged message back over that very
        # connection, fails ("Unrecoverable error: AttributeError ... 'hostname'", kombu's
        # restore_unacked on channel close) and exits once its running task is done.
        # Production runs it under a supervisor that starts it again (docker-compose.yml:
        # restart: unless-stopped); so does this test, whenever it finds the worker gone.
        def school_job_done():
            if worker[0].process.poll() is not None:
                worker[0] = processes("worker", env)
            return (job_row(engine, school_job) or {}).get("state") == "done"

        wait_until(school_job_done, timeout=90, message="the school roll-up whose message was never sent to catch up")
        latest = requests.get(f"{api}/rollups/latest", headers=facilitator, timeout=10).json()
        assert latest["computed_at"] != old_at.isoformat() and latest["stale"] is False
        for page in pages:
            assert browser.get(page, timeout=10).status_code == 200, page
    finally:
        engine.dispose()

    assert stored_snapshot(live_app, ids["network_id"]) == in_process_snapshot(live_app, ids["network_id"])
