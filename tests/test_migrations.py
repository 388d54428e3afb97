"""Migrations build the schema from empty on PostgreSQL and SQLite, match the models
(an autogenerate diff is empty) and go back down cleanly."""

from __future__ import annotations

import os

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from nic import create_app
from nic.extensions import db
from nic.models.base import include_in_schema_comparison
from tests.conftest import DATABASE_URL, app_config
from tests.support import ensure_database


def _migrations_dir(app):
    return os.path.join(os.path.dirname(app.root_path), "migrations")


def _fresh_app(url):
    return create_app(app_config(SQLALCHEMY_DATABASE_URI=url))


def _empty(app):
    with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(sa.text("drop schema public cascade"))
            conn.execute(sa.text("create schema public"))


def _diff(app):
    with db.engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "include_object": include_in_schema_comparison}
        )
        return compare_metadata(context, db.metadata)


@pytest.fixture(params=["postgresql", "sqlite"])
def empty_database(request, tmp_path):
    if request.param == "postgresql":
        url = sa.make_url(DATABASE_URL).set(database=sa.make_url(DATABASE_URL).database + "_migrations")
        url = url.render_as_string(hide_password=False)
        ensure_database(url)
    else:
        url = f"sqlite:///{tmp_path / 'nic.db'}"
    app = _fresh_app(url)
    with app.app_context():
        _empty(app)
        yield app
        db.engine.dispose()


def test_upgrade_from_empty_matches_the_models(empty_database):
    app = empty_database
    upgrade(directory=_migrations_dir(app))
    tables = set(sa.inspect(db.engine).get_table_names())
    assert {"networks", "schools", "users", "memberships", "invitations", "api_tokens", "cycles", "aims"} <= tables
    if db.engine.dialect.name == "postgresql":
        indexes = {ix["name"] for ix in sa.inspect(db.engine).get_indexes("cycles")}
        assert "ix_cycles_search" in indexes
    assert _diff(app) == []


def test_downgrade_to_empty_and_up_again(empty_database):
    app = empty_database
    upgrade(directory=_migrations_dir(app))
    downgrade(directory=_migrations_dir(app), revision="base")
    assert set(sa.inspect(db.engine).get_table_names()) <= {"alembic_version"}
    upgrade(directory=_migrations_dir(app))
    assert _diff(app) == []
