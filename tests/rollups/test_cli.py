"""`nic rollup run --network SLUG`: the full roll-up in this process, the elapsed seconds
on the last line; an unknown slug is one line on stderr and a non-zero exit. Run as the
real console script on SQLite (the embedded default) and in-process on PostgreSQL."""

import subprocess
import sys
from pathlib import Path

from sqlalchemy import func, select

from nic.cli import cli
from nic.extensions import db
from nic.models import RollupSchool, RollupState
from nic.tenancy import use_network

NIC = str(Path(sys.executable).with_name("nic"))


def test_rollup_run_in_process_on_postgresql(app, tenants):
    result = app.test_cli_runner().invoke(cli, ["rollup", "run", "--network", "alpha"])
    assert result.exit_code == 0, result.output
    last = result.output.strip().splitlines()[-1]
    assert float(last) >= 0  # the elapsed seconds, alone on the last line
    with use_network(tenants.a.network):
        assert db.session.scalar(select(func.count()).select_from(RollupSchool)) == len(tenants.a.schools)
        assert db.session.scalar(select(RollupState)).full_computed_at is not None
    with use_network(tenants.b.network):
        assert db.session.scalar(select(func.count()).select_from(RollupSchool)) == 0  # only alpha's


def test_rollup_run_as_a_console_script_on_sqlite(tmp_path):
    import os

    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}} | {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'nic.db'}",
        "SECRET_KEY": "cli-test",
        "NIC_ARGON2_TIME_COST": "1",
        "NIC_ARGON2_MEMORY_KIB": "1024",
    }

    def nic(*args):
        return subprocess.run([NIC, *args], env=env, capture_output=True, text=True, timeout=120)

    assert nic("db", "upgrade").returncode == 0
    assert nic("network", "create", "--slug", "north", "--name", "North NIC").returncode == 0
    assert nic("school", "create", "--network", "north", "--name", "Hill High").returncode == 0
    ran = nic("rollup", "run", "--network", "north")
    assert ran.returncode == 0, ran.stderr
    assert float(ran.stdout.strip().splitlines()[-1]) >= 0

    missing = nic("rollup", "run", "--network", "nowhere")
    assert missing.returncode != 0
    lines = [line for line in missing.stderr.splitlines() if line.strip()]
    assert lines == ["nic: no network with slug 'nowhere'"]
    assert missing.stdout == ""
