"""The `nic` command line, as a real console script on an embedded SQLite database (the
make-demo path) and in-process on PostgreSQL."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from nic.cli import cli
from nic.extensions import db
from nic.models import Membership, School, User
from nic.services.accounts import accounts
from nic.tenancy import UNSCOPED

NIC = str(Path(sys.executable).with_name("nic"))


@pytest.fixture(scope="module")
def sqlite_env(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cli")
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}} | {
        "DATABASE_URL": f"sqlite:///{folder / 'nic.db'}",
        "SECRET_KEY": "cli-test",
        "NIC_ARGON2_TIME_COST": "1",
        "NIC_ARGON2_MEMORY_KIB": "1024",
    }
    result = subprocess.run([NIC, "db", "upgrade"], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return env


def nic(env, *args):
    return subprocess.run([NIC, *args], env=env, capture_output=True, text=True, timeout=60)


def one_line_error(result) -> str:
    assert result.returncode != 0
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("nic: ")
    return lines[0]


def test_create_network_school_user_and_token(sqlite_env):
    assert nic(sqlite_env, "network", "create", "--slug", "north", "--name", "North NIC").returncode == 0
    school = nic(sqlite_env, "school", "create", "--network", "north", "--name", "Hill High")
    assert school.returncode == 0 and school.stdout.strip().isdigit()  # the id, alone
    user = nic(
        sqlite_env,
        "user",
        "create",
        "--email",
        "Ana@Example.org",
        "--name",
        "Ana",
        "--password",
        "long enough pw",
        "--network",
        "north",
        "--role",
        "principal",
        "--school",
        "Hill High",
    )
    assert user.returncode == 0, user.stderr
    token = nic(sqlite_env, "token", "create", "--email", "ana@example.org")
    assert token.returncode == 0
    assert token.stdout.count("\n") == 1 and token.stdout.startswith("nic_") and len(token.stdout.strip()) > 40


def test_bad_input_is_one_line_and_non_zero(sqlite_env):
    nic(sqlite_env, "network", "create", "--slug", "south", "--name", "South NIC")
    assert "'south' is already taken" in one_line_error(
        nic(sqlite_env, "network", "create", "--slug", "south", "--name", "Again")
    )
    assert "--slug" in one_line_error(nic(sqlite_env, "network", "create", "--slug", "Bad Slug!", "--name", "X"))
    assert "no network with slug 'nowhere'" in one_line_error(
        nic(sqlite_env, "school", "create", "--network", "nowhere", "--name", "X")
    )
    missing = one_line_error(nic(sqlite_env, "user", "create", "--email", "x@example.org"))
    assert "Missing option" in missing
    role = one_line_error(
        nic(
            sqlite_env,
            "user",
            "create",
            "--email",
            "x@example.org",
            "--name",
            "X",
            "--password",
            "long enough pw",
            "--network",
            "south",
            "--role",
            "superuser",
        )
    )
    assert "'superuser' is not one of" in role
    email = one_line_error(
        nic(
            sqlite_env,
            "user",
            "create",
            "--email",
            "not-an-email",
            "--name",
            "X",
            "--password",
            "long enough pw",
            "--network",
            "south",
            "--role",
            "member",
        )
    )
    assert "--email is not a valid email address" in email
    assert "no user" in one_line_error(nic(sqlite_env, "token", "create", "--email", "ghost@example.org"))


def test_principal_without_school_creates_nobody(sqlite_env):
    nic(sqlite_env, "network", "create", "--slug", "west", "--name", "West NIC")
    error = one_line_error(
        nic(
            sqlite_env,
            "user",
            "create",
            "--email",
            "p@example.org",
            "--name",
            "P",
            "--password",
            "long enough pw",
            "--network",
            "west",
            "--role",
            "principal",
        )
    )
    assert "--school is required for a principal" in error
    # Nothing half-way: the user row was not kept either.
    assert "no user" in one_line_error(nic(sqlite_env, "token", "create", "--email", "p@example.org"))


def test_demo_is_idempotent_and_prints_logins(sqlite_env):
    first = nic(sqlite_env, "demo")
    assert first.returncode == 0, first.stderr
    assert "facilitator" in first.stdout and "nic-demo-2026" in first.stdout
    second = nic(sqlite_env, "demo")
    assert second.returncode == 0 and second.stdout == first.stdout


# --- in-process, on PostgreSQL ---------------------------------------------------------


def invoke(app, *args):
    return app.test_cli_runner().invoke(cli, list(args))


def test_existing_user_gains_a_membership(app, tenants):
    result = invoke(
        app,
        "user",
        "create",
        "--email",
        "principal@alpha.org",
        "--name",
        "Ignored",
        "--password",
        "whatever-long",
        "--network",
        "beta",
        "--role",
        "member",
    )
    assert result.exit_code == 0, result.output
    user = accounts.find_user_by_email("principal@alpha.org")
    networks = db.session.scalars(
        select(Membership.network_id).where(Membership.user_id == user.id).execution_options(**UNSCOPED)
    ).all()
    assert sorted(networks) == sorted([tenants.a.network.id, tenants.b.network.id])
    assert db.session.scalar(select(func.count()).select_from(User).where(User.email == "principal@alpha.org")) == 1


def test_school_of_another_network_is_not_found(app, tenants):
    result = invoke(
        app,
        "user",
        "create",
        "--email",
        "new@example.org",
        "--name",
        "New",
        "--password",
        "whatever-long",
        "--network",
        "beta",
        "--role",
        "principal",
        "--school",
        "Alphaville High School",
    )
    assert result.exit_code != 0
    assert "no school named 'Alphaville High School' in beta" in result.output


def test_school_create_prints_the_id(app, tenants):
    result = invoke(app, "school", "create", "--network", "alpha", "--name", "Brand New School")
    assert result.exit_code == 0
    school_id = int(result.output.strip())
    created = db.session.scalar(select(School).where(School.id == school_id).execution_options(**UNSCOPED))
    assert created.network_id == tenants.a.network.id
