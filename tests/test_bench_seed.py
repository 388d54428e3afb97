"""`nic bench seed`: the bulk loader behind the roll-up benchmark. Small sizes here, on
PostgreSQL (COPY) and on SQLite (executemany): the counts asked for, every phase with a
history that fits it, points on the weekly grid, network_id right on every row although
the tenancy hooks never saw them, reruns that add schools, and one-line errors."""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, text

from nic.cli import cli
from nic.clock import utcnow
from nic.extensions import db
from nic.models import PHASES, Cycle, CyclePhaseMove, Measure, MeasurePoint, Network, School
from nic.tenancy import UNSCOPED

NIC = str(Path(sys.executable).with_name("nic"))
SMALL = ["--schools", "3", "--cycles", "60", "--points", "600"]

# Every tenant row the seed writes, joined to the row it hangs on: the network must agree.
SAME_NETWORK = {
    "schools": "SELECT count(*) FROM schools x JOIN networks n ON n.id = x.network_id WHERE n.slug = :slug",
    "memberships": "JOIN schools s ON s.id = x.school_id WHERE x.network_id <> s.network_id",
    "teams": "JOIN schools s ON s.id = x.school_id WHERE x.network_id <> s.network_id",
    "cycles": "JOIN schools s ON s.id = x.school_id WHERE x.network_id <> s.network_id",
    "cycles ": "JOIN change_ideas i ON i.id = x.change_idea_id WHERE x.network_id <> i.network_id",
    "cycles  ": "JOIN teams t ON t.id = x.team_id WHERE x.network_id <> t.network_id",
    "cycles   ": "JOIN measures m ON m.id = x.measure_id WHERE x.network_id <> m.network_id",
    "cycles    ": "JOIN cycles p ON p.id = x.parent_id WHERE x.network_id <> p.network_id",
    "cycle_questions": "JOIN cycles c ON c.id = x.cycle_id WHERE x.network_id <> c.network_id",
    "cycle_phase_moves": "JOIN cycles c ON c.id = x.cycle_id WHERE x.network_id <> c.network_id",
    "cycle_changes": "JOIN cycles c ON c.id = x.cycle_id WHERE x.network_id <> c.network_id",
    "measure_points": "JOIN schools s ON s.id = x.school_id WHERE x.network_id <> s.network_id",
    "measure_points ": "JOIN measures m ON m.id = x.measure_id WHERE x.network_id <> m.network_id",
    "drivers": "JOIN aims a ON a.id = x.aim_id WHERE x.network_id <> a.network_id",
    "change_ideas": "JOIN aims a ON a.id = x.aim_id WHERE x.network_id <> a.network_id",
    "measures": "JOIN aims a ON a.id = x.aim_id WHERE x.network_id <> a.network_id",
    "diagram_revisions": "JOIN aims a ON a.id = x.aim_id WHERE x.network_id <> a.network_id",
    "threads": "JOIN networks n ON n.id = x.network_id WHERE x.subject = 'cycle' AND x.subject_id NOT IN "
    "(SELECT id FROM cycles WHERE network_id = x.network_id)",
    "messages": "JOIN threads t ON t.id = x.thread_id WHERE x.network_id <> t.network_id",
    "artifacts": "JOIN schools s ON s.id = x.school_id WHERE x.network_id <> s.network_id",
}


def invoke(app, *args):
    return app.test_cli_runner().invoke(cli, ["bench", "seed", *args])


def scalar(sql: str, **params):
    return db.session.execute(text(sql), params).scalar()


def network_of(slug: str) -> Network:
    return db.session.scalar(select(Network).where(Network.slug == slug))


def check_network(slug: str, schools: int, cycles: int, points: int) -> None:
    """What every seeded network must look like, on either database."""
    network = network_of(slug)
    nid = network.id
    for table, join in SAME_NETWORK.items():
        if table == "schools":
            assert scalar(join, slug=slug) == schools
            continue
        assert scalar(f"SELECT count(*) FROM {table.strip()} x {join}") == 0, table
        assert scalar(f"SELECT count(*) FROM {table.strip()} WHERE network_id = :n", n=nid) > 0, table

    unscoped = dict(UNSCOPED)
    assert scalar("SELECT count(*) FROM cycles WHERE network_id = :n", n=nid) == cycles
    assert scalar("SELECT count(*) FROM measure_points WHERE network_id = :n", n=nid) == points
    roles = Counter(
        dict(
            db.session.execute(
                text("SELECT role, count(*) FROM memberships WHERE network_id = :n GROUP BY role"), {"n": nid}
            ).all()
        )
    )
    assert roles["facilitator"] == 2 and roles["principal"] == schools
    assert 2 * schools <= roles["teacher_leader"] <= 3 * schools and 3 * schools <= roles["member"] <= 5 * schools

    # every phase, each with the phase moves that lead to it, in time order
    found = db.session.scalars(select(Cycle).where(Cycle.network_id == nid).execution_options(**unscoped)).all()
    assert {c.phase for c in found} == set(PHASES)
    moves: dict[int, list] = {}
    for move in db.session.scalars(
        select(CyclePhaseMove)
        .where(CyclePhaseMove.network_id == nid)
        .order_by(CyclePhaseMove.created_at)
        .execution_options(**unscoped)
    ):
        moves.setdefault(move.cycle_id, []).append(move)
    now = utcnow()  # the suite's clock, which the seed read too
    for cycle in found:
        history = moves.get(cycle.id, [])
        assert [(m.from_phase, m.to_phase) for m in history] == list(zip(PHASES, PHASES[1:]))[
            : PHASES.index(cycle.phase)
        ]
        times = [cycle.created_at] + [m.created_at for m in history]
        assert times == sorted(times) and cycle.phase_changed_at == times[-1] <= now
        assert (cycle.act_decision is not None) == (cycle.phase == "done")
    stalled = [c for c in found if c.phase != "done" and c.updated_at < now - timedelta(days=21)]
    assert stalled and len(stalled) < len(found) / 2
    assert (
        scalar("SELECT count(DISTINCT cycle_id) FROM cycle_questions WHERE prediction <> '' AND network_id = :n", n=nid)
        > cycles / 3
    )
    assert 0 < scalar("SELECT count(*) FROM cycles WHERE measure_id IS NOT NULL AND network_id = :n", n=nid) < cycles
    assert scalar("SELECT count(*) FROM cycles WHERE parent_id IS NOT NULL AND network_id = :n", n=nid) > 0

    # points: Mondays, none in the future, ratios where the chart wants them
    charts = dict(
        db.session.execute(
            select(Measure.id, Measure.chart).where(Measure.network_id == nid).execution_options(**unscoped)
        ).all()
    )
    assert sorted(charts.values()) == ["i", "p", "run", "u"]
    rows = db.session.execute(
        select(
            MeasurePoint.measure_id,
            MeasurePoint.period,
            MeasurePoint.value,
            MeasurePoint.numerator,
            MeasurePoint.denominator,
        )
        .where(MeasurePoint.network_id == nid)
        .execution_options(**unscoped)
    ).all()
    this_monday = now.date() - timedelta(days=now.date().weekday())
    for measure_id, period, value, numerator, denominator in rows:
        assert period.weekday() == 0 and period <= this_monday
        if charts[measure_id] in ("p", "u"):
            assert value is None and 0 <= numerator <= denominator and denominator > 0
        else:
            assert value is not None and value >= 0 and numerator is None and denominator is None


# --- PostgreSQL, in the test's rolled-back transaction -----------------------------------


def test_seed_on_postgres_then_rerun_adds_schools(app, db_session):
    first = invoke(app, "--network", "seed-pg", *SMALL)
    assert first.exit_code == 0, first.output
    lines = first.output.strip().splitlines()
    assert lines[-1].startswith("elapsed ") and "cycles 60 (" in first.output and "points 600 " in first.output
    check_network("seed-pg", 3, 60, 600)

    again = invoke(app, "--network", "seed-pg", "--schools", "2", "--cycles", "10", "--points", "80")
    assert again.exit_code == 0, again.output
    check_network("seed-pg", 5, 70, 680)
    names = db.session.scalars(
        select(School.name).where(School.network_id == network_of("seed-pg").id).execution_options(**UNSCOPED)
    ).all()
    assert len(names) == len(set(names)) == 5
    # the network was made once: one aim, four measures, two facilitators, whatever the reruns
    nid = network_of("seed-pg").id
    assert scalar("SELECT count(*) FROM aims WHERE network_id = :n", n=nid) == 1
    assert scalar("SELECT count(*) FROM measures WHERE network_id = :n", n=nid) == 4
    # foreign keys set aside for the load are all back
    assert (
        scalar("SELECT count(*) FROM pg_constraint WHERE contype = 'f' AND conrelid = 'measure_points'::regclass") == 4
    )


def test_same_seed_same_shapes(app, db_session):
    for slug in ("shape-a", "shape-b"):
        assert invoke(app, "--network", slug, *SMALL, "--seed", "7").exit_code == 0
    shapes = [
        db.session.execute(
            text(
                "SELECT (SELECT string_agg(phase || coalesce(act_decision, ''), ',' ORDER BY id) FROM cycles c "
                "        WHERE c.network_id = n.id), "
                "       (SELECT sum(coalesce(value, 0) + coalesce(numerator, 0)) FROM measure_points p "
                "        WHERE p.network_id = n.id) FROM networks n WHERE slug = :s"
            ),
            {"s": slug},
        ).one()
        for slug in ("shape-a", "shape-b")
    ]
    assert shapes[0] == shapes[1]
    other = invoke(app, "--network", "shape-c", *SMALL, "--seed", "8")
    assert other.exit_code == 0 and other.output != ""


def test_too_many_points_for_the_schools_write_nothing(app, db_session):
    result = invoke(app, "--network", "too-many", "--schools", "1", "--cycles", "5", "--points", "100000")
    assert result.exit_code != 0
    assert "1,040 weeks each" in result.exception.fields["points"]
    assert network_of("too-many") is None  # the network made before the check was rolled back


# --- SQLite, the embedded default --------------------------------------------------------


def test_seed_on_sqlite_and_the_pages_read_it(sqlite_app):
    app = sqlite_app
    result = invoke(app, "--network", "seed-lite", *SMALL)
    assert result.exit_code == 0, result.output
    check_network("seed-lite", 3, 60, 600)
    assert invoke(app, "--network", "seed-lite", "--schools", "1", "--cycles", "5", "--points", "8").exit_code == 0
    check_network("seed-lite", 4, 65, 608)

    principal = db.session.execute(
        text(
            "SELECT u.email, m.school_id FROM users u JOIN memberships m ON m.user_id = u.id "
            "WHERE m.role = 'principal' ORDER BY u.id LIMIT 1"
        )
    ).one()
    cycle_id = scalar("SELECT id FROM cycles WHERE school_id = :s AND phase = 'done' LIMIT 1", s=principal[1])
    measure_id = scalar("SELECT id FROM measures WHERE chart = 'p'")
    client = app.test_client()
    signed_in = client.post("/login", data={"email": principal[0], "password": "nic-bench-2026"})
    assert signed_in.status_code == 302
    for url in (
        "/n/seed-lite/",
        f"/n/seed-lite/cycles/{cycle_id}",
        f"/n/seed-lite/measures/{measure_id}",
        "/api/v1/networks/seed-lite/cycles?limit=5",
        f"/api/v1/networks/seed-lite/measures/{measure_id}/chart?school_id={principal[1]}",
        f"/api/v1/networks/seed-lite/measures/{measure_id}/chart",
    ):
        assert client.get(url).status_code == 200, url
    chart = client.get(f"/api/v1/networks/seed-lite/measures/{measure_id}/chart?school_id={principal[1]}").get_json()
    assert len(chart["points"]) == 50  # 600 points over 3 schools x 4 measures


# --- the console script: one line on bad input --------------------------------------------


@pytest.fixture(scope="module")
def sqlite_env(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bench-seed")
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}} | {
        "DATABASE_URL": f"sqlite:///{folder / 'nic.db'}",
        "SECRET_KEY": "bench-seed-test",
        "NIC_ARGON2_TIME_COST": "1",
        "NIC_ARGON2_MEMORY_KIB": "1024",
    }
    assert subprocess.run([NIC, "db", "upgrade"], env=env, capture_output=True, timeout=60).returncode == 0
    return env


@pytest.mark.parametrize(
    "args, field, says",
    [
        (["--network", "Bad Slug!", *SMALL], "network", "must be 1 to 64 lower-case"),
        (
            ["--network", "ok", "--schools", "0", "--cycles", "60", "--points", "600"],
            "schools",
            "must be between 1 and",
        ),
        (["--network", "ok", "--schools", "3", "--cycles", "-5", "--points", "600"], "cycles", "must be between 1 and"),
        (
            ["--network", "ok", "--schools", "3", "--cycles", "60", "--points", "999999999999"],
            "points",
            "must be between",
        ),
        (
            ["--network", "ok", "--schools", "1", "--cycles", "9000", "--points", "6"],
            "cycles",
            "must be at most 2,000 per",
        ),
        (["--network", "ok", "--schools", "1", "--cycles", "5", "--points", "5000"], "points", "must be at most 4,160"),
    ],
)
def test_bad_sizes_are_refused(app, db_session, args, field, says):
    result = invoke(app, *args)
    assert result.exit_code != 0 and says in result.exception.fields[field]
    assert network_of("ok") is None


def test_bad_input_is_one_line(sqlite_env):
    """The console script renders those errors, and click's own, as one line on stderr."""
    for args, says in [
        (
            ["--network", "ok", "--schools", "0", "--cycles", "60", "--points", "600"],
            "nic: --schools must be between 1 and",
        ),
        (["--network", "ok", "--schools", "three", "--cycles", "5", "--points", "5"], "'three' is not a valid integer"),
    ]:
        result = subprocess.run(
            [NIC, "bench", "seed", *args], env=sqlite_env, capture_output=True, text=True, timeout=60
        )
        assert result.returncode != 0
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        assert len(lines) == 1 and lines[0].startswith("nic: ") and says in lines[0], result.stderr
        assert result.stdout == ""
