"""A TEST-ONLY Celery app for tests/live/test_rollup_worker.py:
`celery -A tests.live.rollup_worker_app worker|beat`.

It is worker/celery_app.py (the Flask app from the environment, the engine disposed after
fork) with settings a kill-and-restart test needs to finish in seconds, none of which
production code reads differently:

- a 10 s broker visibility timeout and kombu's unacked-message sweep every 2 s (docs/TOOLCHAIN.md:
  the defaults, 3600 s and about 100 s, are right for production and far too long here);
- `NIC_TEST_ROLLUP_SLEEP` seconds of `pg_sleep` inside every roll-up's transaction, just
  before the network's measure rows are written: the school rows of the new snapshot are
  deleted and rewritten but not committed, which is the moment a reader must still see the
  old snapshot whole and the moment the test kills the worker. It is a SQLAlchemy cursor
  event installed by this module only, so the roll-up code under test is the real one;
- a beat schedule with the sweep only (`rollups.sweep` every 2 s, sending again jobs queued
  more than 8 s ago), for the Redis-restart test.
"""
import os

from celery.signals import worker_process_init
from sqlalchemy import event
from sqlalchemy.engine import Engine

from nic import create_app
from nic.extensions import db

SLEEP_SECONDS = float(os.environ.get("NIC_TEST_ROLLUP_SLEEP") or 0)
SLOW_STATEMENT = "INSERT INTO rollup_measures ("

flask_app = create_app({
    "CELERY_VISIBILITY_TIMEOUT": 10,
    "CELERY_TRANSPORT_EXTRA": {"unacked_restore_interval": 2, "unacked_restore_throttle": 1},
    "ROLLUP_REQUEUE_QUEUED_SECONDS": 8,
})
celery = flask_app.extensions["celery"]
celery.conf.beat_schedule = {"rollups.sweep": {"task": "rollups.sweep", "schedule": 2.0}}
app = celery


@event.listens_for(Engine, "before_cursor_execute")
def _slow_roll_up(conn, cursor, statement, parameters, context, executemany):
    if SLEEP_SECONDS and SLOW_STATEMENT in statement:
        cursor.execute("SELECT pg_sleep(%s)", (SLEEP_SECONDS,))


@worker_process_init.connect
def _dispose_engine_after_fork(**_):
    with flask_app.app_context():
        db.engine.dispose(close=False)
