"""Enqueue Celery tasks by name, after commit. nic never imports worker/: tasks are
named (`mail.send`), and the Celery app built here finds them through `include`.

With no REDIS_URL, Celery runs eager: the task runs in this process right after the
commit, which keeps the embedded default (make demo) working without a broker.
"""
from __future__ import annotations

import logging

from celery import Celery, Task
from flask import Flask, current_app, has_app_context

from nic.extensions import db
from nic.tenancy import use_network
from nic.transaction import on_commit

logger = logging.getLogger(__name__)

TASK_MODULES = ["worker.tasks.mail", "worker.tasks.artifacts", "worker.tasks.rollups", "worker.tasks.notifications"]


def celery_config(app: Flask) -> dict:
    redis_url = app.config["REDIS_URL"]
    # A message not acknowledged within the visibility timeout is handed out again, so it
    # must exceed the longest task (see docs/DECISIONS.md and docs/TOOLCHAIN.md's Celery notes).
    transport = {"visibility_timeout": app.config["CELERY_VISIBILITY_TIMEOUT"]}
    transport.update(app.config["CELERY_TRANSPORT_EXTRA"])
    return {
        "broker_url": redis_url or "memory://",
        "result_backend": redis_url or "cache+memory://",
        "task_always_eager": redis_url is None,
        "task_eager_propagates": True,
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "worker_prefetch_multiplier": 1,
        "broker_transport_options": transport,
        "result_backend_transport_options": dict(transport),
        "broker_connection_retry_on_startup": True,
        "task_default_queue": app.config["CELERY_QUEUE"],
        "result_expires": 86400,
        "include": TASK_MODULES,
        "timezone": "UTC",
    }


def init_app(app: Flask) -> Celery:
    """Flask's own Celery pattern: every task runs inside an app context."""

    class FlaskTask(Task):
        def __call__(self, *args, **kwargs):
            if has_app_context() and current_app._get_current_object() is app:
                # Eager task inside a request or CLI command: reuse its context and session.
                return self._run_scoped(args, kwargs)
            with app.app_context():
                try:
                    return self._run_scoped(args, kwargs)
                finally:
                    db.session.remove()

        def _run_scoped(self, args, kwargs):
            network_id = kwargs.get("network_id")
            if network_id is None:
                return self.run(*args, **kwargs)
            with use_network(int(network_id)):
                return self.run(*args, **kwargs)

    celery = Celery(app.import_name, task_cls=FlaskTask)
    celery.config_from_object(celery_config(app))
    celery.set_default()
    app.extensions["celery"] = celery
    return celery


def enqueue(name: str, countdown: int = 0, **kwargs) -> None:
    """Run task `name` with these keyword arguments once the current transaction commits
    (no sooner than `countdown` seconds later; eager mode runs it at once)."""
    celery: Celery = current_app.extensions["celery"]

    def send():
        if celery.conf.task_always_eager:
            celery.loader.import_default_modules()
            celery.tasks[name].apply_async(kwargs=kwargs)
        else:
            try:
                # ignore_result: nobody waits on results (the rows are the record), and with
                # Redis away, subscribing to a result would block the request for ~20 s.
                celery.send_task(name, kwargs=kwargs, countdown=countdown or None, ignore_result=True)
            except Exception:  # the broker is away; the change itself has committed
                logger.warning("could not enqueue %s %s", name, kwargs, exc_info=True)
                return
        logger.info("enqueued %s %s", name, kwargs)

    on_commit(send)
