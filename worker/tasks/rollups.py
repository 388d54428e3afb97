"""Roll-up tasks. `rollups.run` takes a job id and is idempotent: a done job is left
alone, and an interrupted one (the worker died; acks_late hands the message out again)
is computed again from scratch, since a snapshot is written whole in one transaction.
Transient database or Redis errors are retried with exponential backoff; anything else
marks the job failed and the dashboard keeps showing the last good snapshot (with its age).

Beat (worker/schedule.py): `rollups.nightly` asks for a full roll-up of every network,
`rollups.sweep` sends again jobs whose message was lost (Redis restarted without
persistence, or down when the job was asked for), `rollups.weekly_digest` emails each
network's facilitators and principals on Mondays.
"""
import logging
from datetime import date

from celery import shared_task
from kombu.exceptions import OperationalError as BrokerError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from sqlalchemy import select
from sqlalchemy.exc import InterfaceError, OperationalError

from nic import jobs
from nic.extensions import db
from nic.models import Network
from nic.services.rollups import digest as rollup_digest
from nic.services.rollups import rollups
from nic.transaction import commit
from nic.tenancy import use_network

logger = logging.getLogger(__name__)

# A database restarting or failing over, a dropped connection, Redis away: worth another try.
TRANSIENT = (OperationalError, InterfaceError, ConnectionError, TimeoutError, RedisConnectionError,
             RedisTimeoutError, BrokerError)


def backoff(retries: int) -> int:
    """5, 10, 20, 40 ... seconds, at most 300: under the broker's visibility timeout
    (nic.jobs), which a countdown must not outlast."""
    return min(300, 5 * 2 ** retries)


@shared_task(name="rollups.run", bind=True, max_retries=6, soft_time_limit=600, time_limit=900)
def run(self, network_id: int, job_id: int) -> str:
    try:
        return rollups.run_job(job_id)
    except TRANSIENT as exc:
        db.session.rollback()
        if self.request.is_eager or self.request.retries >= self.max_retries:
            rollups.fail_job(job_id, f"gave up after {self.request.retries} retries: {exc}")
            return "failed"
        logger.warning("roll-up job %s: %s; retrying", job_id, exc)
        raise self.retry(exc=exc, countdown=backoff(self.request.retries))
    except Exception as exc:
        logger.exception("roll-up job %s failed", job_id)
        rollups.fail_job(job_id, repr(exc))
        return "failed"


def _network_ids() -> list[int]:
    # Networks are not tenant data; this only lists their ids to visit each in turn.
    return list(db.session.scalars(select(Network.id).order_by(Network.id)))


@shared_task(name="rollups.nightly", autoretry_for=TRANSIENT, retry_backoff=5, retry_backoff_max=300,
             max_retries=6)
def nightly() -> int:
    """Beat: a full roll-up of every network (each coalesces with one already waiting)."""
    network_ids = _network_ids()
    for network_id in network_ids:
        with use_network(network_id):
            rollups.request_full()
    return len(network_ids)


@shared_task(name="rollups.sweep", autoretry_for=TRANSIENT, retry_backoff=5, retry_backoff_max=300,
             max_retries=3)
def sweep() -> int:
    """Beat: send again the roll-up jobs whose message was lost."""
    return rollups.requeue_stale()


@shared_task(name="rollups.weekly_digest", autoretry_for=TRANSIENT, retry_backoff=5, retry_backoff_max=300,
             max_retries=6, soft_time_limit=600, time_limit=900)
def weekly_digest(network_id: int | None = None, week: str | None = None) -> int:
    """Beat (no arguments): one `rollups.weekly_digest` per network for the last complete
    week, fixed now so a retry or a late run covers the same week. With `network_id`:
    that network's digests (idempotent per network, person and week)."""
    week_start = date.fromisoformat(week) if week else rollup_digest.last_week()
    if network_id is None:
        network_ids = _network_ids()
        for each in network_ids:
            jobs.enqueue("rollups.weekly_digest", network_id=each, week=week_start.isoformat())
        commit()  # nothing written; the enqueues run after it
        return len(network_ids)
    return rollup_digest.send_weekly(week_start)
