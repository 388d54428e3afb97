"""The worker's reliability settings (issue 7, docs/TOOLCHAIN.md's Celery notes): late acks, a
message handed back when its worker dies, one message at a time, a visibility timeout
longer than any task and any countdown; transient errors retried with backoff and the
job failed (not lost) after the last try; beat's roll-up entries beside the others."""

from datetime import timedelta

import pytest
from celery.exceptions import Retry
from celery.schedules import crontab
from kombu.exceptions import OperationalError as BrokerError
from sqlalchemy.exc import OperationalError

from nic.jobs import celery_config
from nic.services.rollups import rollups
from nic.tenancy import use_network
from tests.rollups.pipeline_support import broker, jobs_of, task  # noqa: F401  (fixture)
from worker.schedule import beat_schedule_for
from worker.tasks import rollups as tasks


def test_acks_late_reject_on_worker_lost_and_a_visibility_timeout_that_fits(app):
    config = celery_config(app)
    assert config["task_acks_late"] is True and config["task_reject_on_worker_lost"] is True
    assert config["worker_prefetch_multiplier"] == 1
    visibility = config["broker_transport_options"]["visibility_timeout"]
    assert config["result_backend_transport_options"]["visibility_timeout"] == visibility
    celery = app.extensions["celery"]
    celery.loader.import_default_modules()
    ours = [task for name, task in celery.tasks.items() if not name.startswith("celery.")]
    assert {"rollups.run", "rollups.nightly", "rollups.sweep", "rollups.weekly_digest"} <= {t.name for t in ours}
    # A task must finish, and a retry's or an incremental run's countdown must end, well
    # within the timeout, or the message is handed to a second worker meanwhile.
    longest = max(filter(None, [getattr(t, "time_limit", None) for t in ours] + [celery.conf.task_time_limit]))
    longest_wait = max(
        [tasks.backoff(n) for n in range(10)]
        + [rollups.INCREMENTAL_DELAY_SECONDS]
        + [getattr(t, "retry_backoff_max", 0) or 0 for t in ours]
    )
    assert visibility > longest + longest_wait


def test_beat_schedules_the_nightly_roll_up_the_weekly_digest_and_the_sweep(app):
    schedule = beat_schedule_for(app.config)
    assert schedule["rollups.nightly"]["schedule"] == crontab(hour=2, minute=30)
    assert schedule["rollups.weekly_digest"]["schedule"] == crontab(hour=6, minute=0, day_of_week=1)
    assert schedule["rollups.sweep"]["schedule"] == timedelta(minutes=5)
    assert "notifications.send_digests" in schedule  # the other digest keeps its place
    assert all(entry["task"] == name for name, entry in schedule.items())


def test_nightly_asks_for_a_full_roll_up_of_every_network(app, tenants, broker):
    nightly = task(app, "rollups.nightly")
    assert nightly.apply().get() >= 2
    for tenant in (tenants.a, tenants.b):
        [job] = jobs_of(tenant.network)
        assert job.scope == "network" and job.state == "queued"
    assert nightly.apply().get() >= 2  # again: each joins the job already waiting
    assert len(jobs_of(tenants.a.network)) == 1 and len(broker.runs()) == 2


@pytest.mark.parametrize(
    "error",
    [OperationalError("SELECT 1", {}, Exception("server closed the connection")), BrokerError("Connection refused")],
)
def test_a_transient_error_is_retried_with_backoff_then_the_job_fails(app, tenants, broker, monkeypatch, error):
    a = tenants.a
    run = task(app, "rollups.run")
    with use_network(a.network):
        job = rollups.request_full()

    def flaky(job_id):
        raise error

    monkeypatch.setattr(rollups, "run_job", flaky)
    kwargs = {"network_id": a.network.id, "job_id": job.id}
    with use_network(a.network):
        run.push_request(
            retries=2, is_eager=False, called_directly=False, id="t-1", kwargs=kwargs, args=[], delivery_info={}
        )
        try:
            with pytest.raises(Retry):
                run.run(**kwargs)
        finally:
            run.pop_request()
    [retry] = [(k, countdown) for name, k, countdown in broker.sent if name == "rollups.run"][1:]
    assert retry == (kwargs, 20)  # 5 * 2 ** 2 seconds
    assert jobs_of(a.network)[0].state == "queued"  # not failed: it will run again

    with use_network(a.network):
        run.push_request(
            retries=run.max_retries,
            is_eager=False,
            called_directly=False,
            id="t-2",
            kwargs=kwargs,
            args=[],
            delivery_info={},
        )
        try:
            assert run.run(**kwargs) == "failed"
        finally:
            run.pop_request()
    [done] = jobs_of(a.network)
    assert done.state == "failed" and "gave up after 6 retries" in done.error


def test_backoff_grows_and_is_capped():
    assert [tasks.backoff(n) for n in range(8)] == [5, 10, 20, 40, 80, 160, 300, 300]
