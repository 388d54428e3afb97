"""Shared by the roll-up pipeline tests (imported by each test module, so that the lead's
tests/rollups files keep their own conftest free): a broker stand-in that records what
would be sent instead of running it eagerly, and snapshot readers for comparisons."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from nic.extensions import db
from nic.models import (
    RollupChangeIdeaSchool,
    RollupJob,
    RollupMeasure,
    RollupMeasurePeriod,
    RollupMeasureSchool,
    RollupNetworkPeriod,
    RollupSchool,
    RollupSchoolPeriod,
    RollupStalledCycle,
)
from nic.tenancy import use_network

SNAPSHOT_TABLES = (
    RollupSchool,
    RollupSchoolPeriod,
    RollupChangeIdeaSchool,
    RollupMeasureSchool,
    RollupStalledCycle,
    RollupNetworkPeriod,
    RollupMeasure,
    RollupMeasurePeriod,
)


class Broker:
    """What `celery.send_task` was asked to send, in order."""

    def __init__(self):
        self.sent: list[tuple[str, dict, int | None]] = []
        self.down = False

    def send_task(self, name, args=None, kwargs=None, countdown=None, **options):
        if self.down:
            from kombu.exceptions import OperationalError

            raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")
        self.sent.append((name, kwargs or {}, countdown))

    def runs(self) -> list[dict]:
        return [kwargs for name, kwargs, _ in self.sent if name == "rollups.run"]


@pytest.fixture
def broker(app, monkeypatch):
    """Roll-ups on change, and Celery as if a broker were there: tasks are recorded, not
    run (in eager mode every commit would run its roll-up at once, and nothing would
    ever wait to be coalesced)."""
    celery = app.extensions["celery"]
    recorder = Broker()
    monkeypatch.setitem(app.config, "ROLLUP_ON_CHANGE", True)
    monkeypatch.setitem(celery.conf, "task_always_eager", False)
    monkeypatch.setattr(celery, "send_task", recorder.send_task)
    return recorder


@pytest.fixture
def rollups_on(app, monkeypatch):
    """Roll-ups on change with eager Celery: each change runs its roll-up after commit."""
    monkeypatch.setitem(app.config, "ROLLUP_ON_CHANGE", True)


def task(app, name: str):
    """The task `name` of this app's Celery. Not the module's shared_task proxy: that one
    follows whichever Celery app was made last (every create_app makes one, and some
    tests make SQLite apps), so it may not be this app's."""
    celery = app.extensions["celery"]
    celery.loader.import_default_modules()
    return celery.tasks[name]


def jobs_of(network) -> list[RollupJob]:
    db.session.expire_all()
    with use_network(network):
        return list(db.session.scalars(select(RollupJob).order_by(RollupJob.id)))


def snapshot(network, with_computed_at: bool = False) -> dict[str, list[tuple]]:
    """Every snapshot row of the network as sorted tuples (without ids, and without
    computed_at unless asked), table by table."""
    db.session.expire_all()
    result = {}
    with use_network(network):
        for model in SNAPSHOT_TABLES:
            columns = [
                c.name
                for c in model.__table__.columns
                if c.name != "id" and (with_computed_at or c.name != "computed_at")
            ]
            rows = db.session.execute(
                select(*[model.__table__.c[name] for name in columns]).where(model.__table__.c.network_id == network.id)
            )
            result[model.__tablename__] = sorted((tuple(row) for row in rows), key=repr)
    return result
