"""After an upload: the text inside a version's file (searched through its artifact) and
a PNG preview, each run by a Celery task (`artifacts.extract_text`,
`artifacts.make_preview`) so uploads stay fast.

Both are idempotent: a version is processed only while its status is `pending`, and a
run first *claims* it with a conditional UPDATE, committed, so a second delivery of the
same task finds nothing to do. A file that cannot be read ends as `failed` with a short
message; the artifact stays downloadable. A worker that dies inside a C library (a
hostile PDF can crash a renderer) or past the hard time limit gets its message handed out
again; the claim left behind tells the next run to give up on that file instead of dying
in a loop.
"""
from __future__ import annotations

import io
import logging
import shutil
import tempfile
from contextlib import contextmanager

from sqlalchemy import func, select, update
from sqlalchemy.exc import DataError, DBAPIError

from nic import jobs
from nic.extensions import db
from nic.models import Artifact, ArtifactVersion
from nic.services.artifacts import extraction
from nic.transaction import commit, rollback
from nic.storage import BlobNotFound, get_storage
from nic.tenancy import current_network_id, get_scoped

logger = logging.getLogger(__name__)

# extraction_error while a run is under way. Seen by a later run, it means that run died.
STARTED = "(extraction started)"
PREVIEW_MAX_BYTES = 4 * 1024 * 1024  # a 480 px PNG is far smaller; a bound all the same


class TransientError(Exception):
    """Storage could not be reached; the task retries."""


def enqueue_processing(version: ArtifactVersion) -> None:
    """Queue text extraction and the preview for a version, after the commit (call it from
    the service that added the version, before its commit)."""
    network_id = version.network_id or current_network_id()
    jobs.enqueue("artifacts.extract_text", network_id=network_id, version_id=version.id)
    jobs.enqueue("artifacts.make_preview", network_id=network_id, version_id=version.id)


def process_now(version: ArtifactVersion) -> None:
    """Both steps in this process (the demo seeder: its search must work at once)."""
    extract_version(version.id)
    preview_version(version.id)


# --- text ---------------------------------------------------------------------------------

def extract_version(version_id: int) -> str:
    """Extract and store a version's text. Returns what happened: done, failed, none,
    skipped (not pending any more) or missing."""
    version = get_scoped(ArtifactVersion, version_id)
    if version is None:
        return "missing"
    if version.extraction_status != "pending":
        return "skipped"
    if not extraction.extracts(version.content_type):
        _finish_extraction(version, "none", "", "")
        return "none"
    if not _claim(ArtifactVersion.extraction_status == "pending", ArtifactVersion.extraction_error != STARTED,
                  version_id=version.id, values={"extraction_error": STARTED}):
        db.session.refresh(version)
        if version.extraction_status == "pending" and version.extraction_error == STARTED:
            _finish_extraction(version, "failed", "", "Reading the file stopped before it finished.")
            return "failed"
        return "skipped"
    db.session.refresh(version)  # the claim was written behind the session's back
    try:
        with blob_path(version.sha256) as path:
            text = extraction.extract_text(path, version.content_type)
    except TransientError:
        _release(version.id)
        raise
    except extraction.ExtractionFailed as exc:
        return _failed(version, str(exc))
    except BlobNotFound:
        return _failed(version, "The stored file is missing.")
    except Exception as exc:  # noqa: BLE001 - any library error on a hostile file
        if _is_time_limit(exc):
            return _failed(version, "Reading the file took too long.")
        logger.exception("text extraction of version %s failed", version.id)
        return _failed(version, "The file could not be read.")
    try:
        _finish_extraction(version, "done", text, "")
    except DBAPIError as exc:
        if not _too_large_to_index(exc):
            raise
        # PostgreSQL refused the text (a tsvector past 1 MB): keep the file, lose the text.
        rollback()
        version = get_scoped(ArtifactVersion, version_id)
        return _failed(version, "The file's text is too large to search.")
    return "done"


def _failed(version: ArtifactVersion, message: str) -> str:
    _finish_extraction(version, "failed", "", message[:300])
    return "failed"


def _finish_extraction(version: ArtifactVersion, status: str, text: str, error: str) -> None:
    version.extraction_status = status
    version.extraction_error = error
    version.extracted_text = text
    latest = db.session.scalar(
        select(func.max(ArtifactVersion.number)).where(ArtifactVersion.artifact_id == version.artifact_id)
    )
    if version.number == latest:
        # The artifact is searched by the text of its current version only: one with no
        # text (an image, a failed file) clears the words of the version before it.
        # updated_at is kept: a background step is not an edit anybody made.
        db.session.execute(
            update(Artifact)
            .where(Artifact.id == version.artifact_id)
            .values(extracted_text=text, updated_at=Artifact.updated_at)
            .execution_options(synchronize_session="fetch")
        )
    commit()


# --- preview ------------------------------------------------------------------------------

def preview_version(version_id: int) -> str:
    """Make and store a version's preview PNG. Returns done, failed, none, skipped or
    missing."""
    version = get_scoped(ArtifactVersion, version_id)
    if version is None:
        return "missing"
    if version.preview_status != "pending":
        return "skipped"
    if not extraction.previews(version.content_type):
        version.preview_status = "none"
        commit()
        return "none"
    # The claim marks it failed up front (there is no error column for previews): if the
    # renderer takes the worker down, the redelivered task finds nothing pending.
    if not _claim(ArtifactVersion.preview_status == "pending", version_id=version.id,
                  values={"preview_status": "failed"}):
        return "skipped"
    try:
        with blob_path(version.sha256) as path:
            png = extraction.make_preview(path, version.content_type)
        stored = get_storage().put_stream(_bytes_stream(png), PREVIEW_MAX_BYTES) if png else None
    except TransientError:
        _release(version.id, preview=True)
        raise
    except (extraction.ExtractionFailed, BlobNotFound) as exc:
        logger.info("no preview for version %s: %s", version.id, exc)
        return "failed"
    except Exception as exc:  # noqa: BLE001 - any library error on a hostile file
        if not _is_time_limit(exc):
            logger.exception("preview of version %s failed", version.id)
        return "failed"
    db.session.refresh(version)
    version.preview_status = "done" if stored else "none"
    version.preview_sha256 = stored.sha256 if stored else None
    commit()
    return version.preview_status


# --- helpers ------------------------------------------------------------------------------

def _claim(*conditions, version_id: int, values: dict) -> bool:
    result = db.session.execute(
        update(ArtifactVersion)
        .where(ArtifactVersion.id == version_id, *conditions)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    commit()
    return result.rowcount == 1


def _release(version_id: int, preview: bool = False) -> None:
    """Undo a claim so that the retry of a transient failure may run."""
    rollback()
    values = {"preview_status": "pending"} if preview else {"extraction_error": ""}
    db.session.execute(
        update(ArtifactVersion).where(ArtifactVersion.id == version_id).values(**values)
        .execution_options(synchronize_session=False)
    )
    commit()


def give_up(version_id: int, preview: bool = False) -> None:
    """After the last retry: record the failure instead of leaving the version pending."""
    version = get_scoped(ArtifactVersion, version_id)
    if version is None:
        return
    if preview:
        if version.preview_status == "pending":
            version.preview_status = "failed"
            commit()
    elif version.extraction_status == "pending":
        _failed(version, "The stored file could not be reached.")


def _too_large_to_index(exc: DBAPIError) -> bool:
    # SQLSTATE class 54, "program limit exceeded", which psycopg files under
    # OperationalError (a retryable class) although retrying cannot help.
    sqlstate = getattr(exc.orig, "sqlstate", None) or ""
    return isinstance(exc, DataError) or sqlstate.startswith("54")


def _is_time_limit(exc: Exception) -> bool:
    from celery.exceptions import SoftTimeLimitExceeded

    return isinstance(exc, SoftTimeLimitExceeded)


@contextmanager
def blob_path(sha256: str):
    """A path to the blob's bytes: the file itself on local storage, else a temporary
    copy (PDF and ZIP readers need to seek). BlobNotFound when it is not stored;
    TransientError when storage cannot be reached."""
    storage = get_storage()
    local = _reaching_storage(storage.local_path, sha256)
    if local is not None:
        if not _reaching_storage(storage.exists, sha256):
            raise BlobNotFound(sha256)
        yield local
        return
    with tempfile.NamedTemporaryFile(prefix="nic-blob-", suffix=".bin") as copy:
        _reaching_storage(_copy_blob, storage, sha256, copy)
        yield copy.name


def _copy_blob(storage, sha256: str, target) -> None:
    with storage.open(sha256) as stream:
        shutil.copyfileobj(stream, target, 1024 * 1024)
    target.flush()


def _reaching_storage(call, *args):
    try:
        return call(*args)
    except BlobNotFound:
        raise
    except (ConnectionError, TimeoutError) as exc:
        raise TransientError(str(exc)) from exc
    except Exception as exc:
        if _is_network_error(exc):
            raise TransientError(str(exc)) from exc
        raise


def _is_network_error(exc: Exception) -> bool:
    # botocore's connection errors are not OSErrors; requests' and urllib3's often are.
    return type(exc).__module__.split(".")[0] in {"botocore", "urllib3", "requests"}


def _bytes_stream(data: bytes):
    return io.BytesIO(data)
