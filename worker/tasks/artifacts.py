"""Text extraction and previews for uploaded artifact versions (see
nic.services.artifacts.processing). Idempotent: a version already processed is left alone,
so a redelivered message does no harm. Only storage or database outages are retried; a
file that cannot be read is recorded as failed, never retried."""
from celery import shared_task
from sqlalchemy.exc import InterfaceError, OperationalError

from nic.services.artifacts import processing

# Soft limit: SoftTimeLimitExceeded inside Python code, recorded as "took too long". Hard
# limit: the process is killed (code stuck in C); the claim makes the redelivery give up.
LIMITS = {"soft_time_limit": 120, "time_limit": 180}
RETRY = {"max_retries": 5, "retry_backoff": True, "retry_backoff_max": 300}


def _run(task, step, version_id: int, preview: bool) -> str:
    try:
        return step(version_id)
    except processing.TransientError as exc:
        # Eager (no broker: the embedded default) a retry would run inside the upload's
        # request and fail it; record the failure instead.
        if task.request.is_eager or task.request.retries >= task.max_retries:
            processing.give_up(version_id, preview=preview)
            return "failed"
        raise task.retry(exc=exc, countdown=min(300, 10 * 2 ** task.request.retries))


@shared_task(name="artifacts.extract_text", bind=True, autoretry_for=(OperationalError, InterfaceError),
             **LIMITS, **RETRY)
def extract_text(self, network_id: int, version_id: int) -> str:
    return _run(self, processing.extract_version, version_id, preview=False)


@shared_task(name="artifacts.make_preview", bind=True, autoretry_for=(OperationalError, InterfaceError),
             **LIMITS, **RETRY)
def make_preview(self, network_id: int, version_id: int) -> str:
    return _run(self, processing.preview_version, version_id, preview=True)
