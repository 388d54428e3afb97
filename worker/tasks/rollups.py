"""Roll-up tasks. `rollups.run` takes a job id and is idempotent: a done job is left
alone, and an interrupted one (the worker died; acks_late hands the message out again)
is computed again from scratch, since a snapshot is written whole in one transaction.
Transient database errors are retried with backoff; anything else marks the job failed
and the dashboard keeps showing the last good snapshot."""
import logging

from celery import shared_task
from sqlalchemy import select
from sqlalchemy.exc import InterfaceError, OperationalError

from nic.extensions import db
from nic.models import Network
from nic.services import rollups
from nic.tenancy import UNSCOPED, use_network

logger = logging.getLogger(__name__)

TRANSIENT = (OperationalError, InterfaceError, ConnectionError)


@shared_task(name="rollups.run", bind=True, max_retries=6, soft_time_limit=600, time_limit=900)
def run(self, network_id: int, job_id: int) -> str:
    try:
        return rollups.run_job(job_id)
    except TRANSIENT as exc:
        db.session.rollback()
        if self.request.is_eager or self.request.retries >= self.max_retries:
            rollups.fail_job(job_id, f"gave up after {self.request.retries} retries: {exc}")
            return "failed"
        raise self.retry(exc=exc, countdown=min(300, 5 * 2 ** self.request.retries))
    except Exception as exc:
        logger.exception("roll-up job %s failed", job_id)
        rollups.fail_job(job_id, repr(exc))
        return "failed"


@shared_task(name="rollups.nightly")
def nightly() -> int:
    """Beat: a full roll-up of every network (each coalesces with one already waiting)."""
    # Networks are not tenant data; this only lists their ids to visit each in turn.
    network_ids = list(db.session.scalars(select(Network.id).execution_options(**UNSCOPED)))
    for network_id in network_ids:
        with use_network(network_id):
            rollups.request_full()
    return len(network_ids)
