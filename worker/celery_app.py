"""Builds the Flask app and the Celery app bound to it (`celery -A worker.celery_app`)."""
from celery.signals import worker_process_init

from nic import create_app
from nic.extensions import db
from worker.schedule import beat_schedule_for

flask_app = create_app()
celery = flask_app.extensions["celery"]
celery.conf.beat_schedule = beat_schedule_for(flask_app.config)
app = celery  # what `celery -A worker.celery_app` looks for


@worker_process_init.connect
def _dispose_engine_after_fork(**_):
    # A forked child must not share the parent's database connections.
    with flask_app.app_context():
        db.engine.dispose(close=False)
