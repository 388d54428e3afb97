"""Settings from the environment, with the embedded default when nothing is set.

The embedded default is what `make demo` runs: SQLite in the instance folder, no Redis
(Celery eager, Socket.IO in-process, rate limits in memory), mail into the dev outbox.

Every setting has its default here and only here: the rest of nic reads
`current_app.config[KEY]`, never `.get(KEY, default)`, and README's configuration table
lists each one (tests/test_config.py checks both).
"""
from __future__ import annotations

import os
import secrets
from pathlib import Path

# A cycle not done and unchanged this many days counts as stalled, until a network sets
# its own (RollupState.stalled_days).
DEFAULT_STALLED_DAYS = 21


def _flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def normalise_database_url(url: str) -> str:
    """Accept the `postgres://` and `postgresql://` forms hosting platforms hand out and
    use psycopg 3, the only PostgreSQL driver we install."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _secret_key(instance_path: Path) -> str:
    """SECRET_KEY from the environment, else one generated once and kept in the instance
    folder so sessions survive restarts of the demo."""
    from_env = os.environ.get("SECRET_KEY")
    if from_env:
        return from_env
    key_file = instance_path / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    key = secrets.token_hex(32)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


def load_config(instance_path: str) -> dict:
    instance = Path(instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    redis_url = os.environ.get("REDIS_URL") or None
    database_url = normalise_database_url(
        os.environ.get("DATABASE_URL") or f"sqlite:///{instance / 'nic.db'}"
    )
    smtp_host = os.environ.get("SMTP_HOST") or None
    max_upload_mb = int(os.environ.get("NIC_MAX_UPLOAD_MB") or 25)
    return {
        "SECRET_KEY": _secret_key(instance),
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "REDIS_URL": redis_url,
        # Redis pub/sub channels are server-wide, not per database number: two deployments
        # (or two test runs) on one Redis server need their own channel or they hear each
        # other's broadcasts.
        "SOCKETIO_CHANNEL": os.environ.get("NIC_SOCKETIO_CHANNEL") or "flask-socketio",
        "NIC_DATA_DIR": os.environ.get("NIC_DATA_DIR") or str(instance / "data"),
        # Links in emails; when unset the link is built from the request's host.
        "NIC_BASE_URL": os.environ.get("NIC_BASE_URL") or None,
        # Cookies: HttpOnly and SameSite=Lax always; Secure when served over HTTPS.
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": _flag("NIC_SECURE_COOKIES"),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": _flag("NIC_SECURE_COOKIES"),
        "WTF_CSRF_TIME_LIMIT": None,  # the token lives as long as the session
        # Mail: SMTP when SMTP_HOST is set; otherwise the log, plus the dev outbox page
        # when NIC_DEV_OUTBOX is on (never by default: it shows reset links to anyone).
        "SMTP_HOST": smtp_host,
        "SMTP_PORT": int(os.environ.get("SMTP_PORT") or 587),
        "SMTP_USERNAME": os.environ.get("SMTP_USERNAME") or None,
        "SMTP_PASSWORD": os.environ.get("SMTP_PASSWORD") or None,
        "SMTP_STARTTLS": _flag("SMTP_STARTTLS", default=True),
        "MAIL_FROM": os.environ.get("MAIL_FROM") or "nic <no-reply@nic.localhost>",
        "NIC_DEV_OUTBOX": _flag("NIC_DEV_OUTBOX"),
        "INVITE_TTL_HOURS": int(os.environ.get("NIC_INVITE_TTL_HOURS") or 72),
        "RESET_TTL_MINUTES": int(os.environ.get("NIC_RESET_TTL_MINUTES") or 60),
        # Sign-in attempts per client address; Redis-backed when REDIS_URL is set so
        # every server process counts against the same limit.
        "SIGNIN_RATE_LIMIT": os.environ.get("NIC_SIGNIN_RATE_LIMIT") or "10 per minute",
        "RATELIMIT_STORAGE_URI": redis_url or "memory://",
        # Roll-ups: a change to a school's cycles, points, artifacts or messages queues an
        # incremental roll-up of that school (coalesced); a cycle unchanged this many days
        # counts as stalled (a network can set its own).
        "ROLLUP_ON_CHANGE": _flag("NIC_ROLLUP_ON_CHANGE", default=True),
        "ROLLUP_STALLED_DAYS": int(os.environ.get("NIC_ROLLUP_STALLED_DAYS") or DEFAULT_STALLED_DAYS),
        # A full roll-up on PostgreSQL computes the measure statistics on a second
        # connection at the same time as the rest (nic.services.rollups.rollups.compute).
        "ROLLUP_PARALLEL": _flag("NIC_ROLLUP_PARALLEL", default=True),
        # After a full roll-up on PostgreSQL, VACUUM ANALYZE the snapshot tables it rewrote.
        "ROLLUP_VACUUM": _flag("NIC_ROLLUP_VACUUM", default=True),
        # A roll-up job still queued this long after it was asked for has lost its message
        # (or never had one sent): beat's sweep sends it again. Longer than the incremental
        # delay plus a busy queue's wait.
        "ROLLUP_REQUEUE_QUEUED_SECONDS": int(os.environ.get("NIC_ROLLUP_REQUEUE_QUEUED_SECONDS") or 120),
        # A job `running` this long outlived the task's hard time limit (worker/tasks/rollups.py,
        # 900 s): its worker is gone. Sending it again is harmless (run_job is idempotent).
        "ROLLUP_REQUEUE_RUNNING_SECONDS": int(os.environ.get("NIC_ROLLUP_REQUEUE_RUNNING_SECONDS") or 1200),
        # Messages one person may post (socket or HTTP), counted in the same store.
        "MESSAGE_RATE_LIMIT": os.environ.get("NIC_MESSAGE_RATE_LIMIT") or "30 per minute",
        # Notification digests: beat looks every NIC_DIGEST_EVERY_MINUTES for notifications
        # still unread (and not emailed) NIC_DIGEST_DELAY_MINUTES after they were made.
        "NIC_DIGEST_DELAY_MINUTES": float(os.environ.get("NIC_DIGEST_DELAY_MINUTES") or 30),
        "NIC_DIGEST_EVERY_MINUTES": float(os.environ.get("NIC_DIGEST_EVERY_MINUTES") or 15),
        "RATELIMIT_HEADERS_ENABLED": True,
        # Celery (nic.jobs): the queue nic's tasks go to, and the broker's visibility
        # timeout. A message not acknowledged within it is handed out again, so it must
        # exceed the longest task (docs/DECISIONS.md; tests/rollups/test_worker_settings.py).
        "CELERY_QUEUE": os.environ.get("NIC_CELERY_QUEUE") or "nic",
        "CELERY_VISIBILITY_TIMEOUT": int(os.environ.get("NIC_CELERY_VISIBILITY_TIMEOUT") or 3600),
        # More broker transport options (a dict: tests shorten the unacked-restore interval).
        "CELERY_TRANSPORT_EXTRA": {},
        # The level of nic's own loggers (DEBUG, INFO, WARNING, ERROR).
        "LOG_LEVEL": (os.environ.get("NIC_LOG_LEVEL") or "INFO").upper(),
        # argon2id cost; tests lower it (the hash is the slowest thing in a sign-in).
        "ARGON2_TIME_COST": int(os.environ.get("NIC_ARGON2_TIME_COST") or 3),
        "ARGON2_MEMORY_KIB": int(os.environ.get("NIC_ARGON2_MEMORY_KIB") or 65536),
        # API pages: items per page when `limit` is not given, and the most `limit` may ask.
        "PAGE_SIZE": 50,
        "MAX_PAGE_SIZE": 200,
        # Uploads and blob storage (nic.storage). The per-file limit is enforced while the
        # file streams to storage; MAX_CONTENT_LENGTH (the limit plus 1 MB for the rest of
        # the form) makes Werkzeug answer 413 from Content-Length, before reading the body.
        "NIC_MAX_UPLOAD_MB": max_upload_mb,
        "MAX_CONTENT_LENGTH": (max_upload_mb + 1) * 1024 * 1024,
        "NIC_STORAGE": (os.environ.get("NIC_STORAGE") or "local").lower(),  # local | s3
        "NIC_S3_ENDPOINT": os.environ.get("NIC_S3_ENDPOINT") or None,  # None: AWS itself
        "NIC_S3_BUCKET": os.environ.get("NIC_S3_BUCKET") or None,
        "NIC_S3_ACCESS_KEY": os.environ.get("NIC_S3_ACCESS_KEY") or None,  # None: boto3's usual chain
        "NIC_S3_SECRET_KEY": os.environ.get("NIC_S3_SECRET_KEY") or None,
        "NIC_S3_REGION": os.environ.get("NIC_S3_REGION") or "us-east-1",
    }
