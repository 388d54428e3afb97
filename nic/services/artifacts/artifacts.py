"""Practice artifacts: share a file or a link, edit what it says about itself, add and
delete versions, delete it (softly). Links to cycles and change ideas are in
nic.services.artifacts.links; the library's search and filters in
nic.services.artifacts.library.

An upload is all or nothing. The metadata is checked before a byte is stored; the file
then streams into content-addressed storage (nic.storage), its type is sniffed from the
bytes, and only then is a version row written. A file refused after it was stored (a
type not on the allow-list) is deleted again unless some version already points at the
same bytes, and so is one whose row could not be committed. Text extraction and the
preview run in tasks queued after the commit (nic.services.artifacts.processing).

Who may do what: nic.permissions (visible_artifacts_clause, can_see_artifact,
can_edit_artifact). An artifact the member may not see is NotFound, like one that does
not exist; a visible one their role may not change is Forbidden.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import BinaryIO

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from nic.clock import utcnow
from nic.extensions import db
from nic.models import Artifact, ArtifactCycleLink, ArtifactVersion, Cycle, School
from nic.permissions import can, can_edit_artifact, can_edit_cycle, can_see_artifact, can_see_cycle
from nic.services.rollups import rollups
from nic.services.artifacts.processing import enqueue_processing
from nic.services.errors import Conflict, Forbidden, NotFound, ServiceError, ValidationFailed
from nic.transaction import commit, on_commit, rollback
from nic.services.artifacts.fields import (  # noqa: F401  (tag_list: re-exported for the views)
    NOTE_MAX, change_ideas, clean_metadata, clean_text, clean_url, tag_list,
)
from nic.services.validation import FieldErrors
from nic.storage import EmptyFile, TooLarge, get_storage, max_upload_bytes
from nic.storage.sniff import UnsupportedType, safe_filename, sniff
from nic.tenancy import UNSCOPED, get_scoped

logger = logging.getLogger(__name__)



class UploadTooLarge(ServiceError):
    status = 413
    code = "too_large"


class UnsupportedUpload(ServiceError):
    status = 415
    code = "unsupported_media_type"


class NeedsConfirmation(Conflict):
    """Deleting this version would take it away from cycles that link it: ask first."""

    def __init__(self, links: list[ArtifactCycleLink]):
        super().__init__(
            f"{len(links)} cycle(s) link this version. Confirm to delete it anyway; the cycles keep a link "
            "to the artifact.", {"confirm": "must be yes: cycles still link this version"},
        )
        self.links = links


@dataclass(frozen=True)
class Upload:
    """A file as it arrives: a readable stream (never read whole) and the name the
    browser or client gave it (a hint for the download name, never a storage key)."""

    stream: BinaryIO
    filename: str = ""


# --- reading ---------------------------------------------------------------------------------

_PAGE_OPTIONS = (
    selectinload(Artifact.versions).selectinload(ArtifactVersion.uploaded_by),
    selectinload(Artifact.change_ideas), selectinload(Artifact.school), selectinload(Artifact.author),
)


def visible_artifact(membership, artifact_id) -> Artifact:
    """The artifact if this member may see it; NotFound otherwise (hidden, deleted,
    another network's and missing all look alike)."""
    artifact = _load(artifact_id)
    if not can_see_artifact(membership, artifact):
        raise NotFound("No such artifact.")
    return artifact


def editable_artifact(membership, artifact_id) -> Artifact:
    artifact = visible_artifact(membership, artifact_id)
    if not can_edit_artifact(membership, artifact):
        raise Forbidden("Only its author and the leads of its school change this artifact.")
    return artifact


def version_of(artifact: Artifact, version_id) -> ArtifactVersion:
    for version in artifact.versions:
        if str(version.id) == str(version_id):
            return version
    raise NotFound("No such version of this artifact.")


def current_version(artifact: Artifact) -> ArtifactVersion | None:
    return artifact.versions[-1] if artifact.versions else None


def _load(artifact_id) -> Artifact | None:
    try:
        artifact_id = int(artifact_id)
    except (TypeError, ValueError):
        return None
    return db.session.scalar(select(Artifact).where(Artifact.id == artifact_id).options(*_PAGE_OPTIONS))


def shareable_schools(membership) -> list[School]:
    """The schools a member may share as: their own, or any (people with no school)."""
    if membership.school_id:
        return [membership.school]
    return list(db.session.scalars(select(School).order_by(School.name)))


# --- creating --------------------------------------------------------------------------------

def create_artifact(membership, user, data: dict, upload: Upload | None = None) -> Artifact:
    """Share a file (`upload`) or a link (`data["url"]`). `data` may also carry
    `cycle_id` (attach it to that cycle's Do step at once) and `change_idea_ids`."""
    if not can("artifacts.share", membership):
        raise Forbidden("Your role may not share artifacts.")
    errors = FieldErrors()
    values = clean_metadata(errors, membership, data, creating=True)
    url = (data.get("url") or "").strip()
    if upload is not None and url:
        errors.add("url", "give a file or a link, not both")
    elif upload is None and not url:
        errors.add("file", "choose a file to upload, or give a link instead")
    elif url:
        values["url"] = errors.check("url", clean_url, url)
    note = errors.check("note", clean_text, data.get("note"), NOTE_MAX)
    ideas = change_ideas(errors, data.get("change_idea_ids"))
    cycle = _cycle_to_attach(membership, data.get("cycle_id"))  # 404 / 403 before anything is stored
    errors.raise_if_any()

    artifact = Artifact(author_id=user.id, **values)
    artifact.change_ideas = ideas
    if upload is None:
        db.session.add(artifact)
        db.session.flush()
        _attach(artifact, cycle, None, user)
        rollups.schedule_school(artifact.school_id)
        commit()
        return artifact
    stored = _store(upload)
    try:
        version = _new_version(artifact, 1, stored, note, user)
        db.session.add(artifact)
        db.session.flush()
        _attach(artifact, cycle, version, user)
        enqueue_processing(version)
        rollups.schedule_school(artifact.school_id)
        commit()
    except BaseException:
        rollback()
        discard_unreferenced([stored.sha256])
        raise
    return artifact


def _attach(artifact: Artifact, cycle: Cycle | None, version: ArtifactVersion | None, user) -> None:
    if cycle is not None:
        db.session.add(ArtifactCycleLink(artifact_id=artifact.id, cycle_id=cycle.id,
                                         version_id=version.id if version else None, created_by_id=user.id))
        db.session.flush()


def _cycle_to_attach(membership, cycle_id) -> Cycle | None:
    if cycle_id in (None, ""):
        return None
    cycle = get_scoped(Cycle, cycle_id)
    if not can_see_cycle(membership, cycle):
        raise NotFound("No such cycle.")
    if not can_edit_cycle(membership, cycle):
        raise Forbidden("Only the people who work on this cycle attach materials to it.")
    return cycle


# --- storing a file --------------------------------------------------------------------------

@dataclass(frozen=True)
class _Stored:
    sha256: str
    size: int
    content_type: str
    filename: str


def _store(upload: Upload) -> _Stored:
    """Stream the upload into storage and sniff it. Raises UploadTooLarge (413),
    ValidationFailed naming `file` (422, empty) or UnsupportedUpload (415); in each case
    nothing of this upload is left in storage."""
    storage = get_storage()
    limit = max_upload_bytes()
    try:
        blob = storage.put_stream(upload.stream, limit)
    except TooLarge:
        message = f"is larger than the {limit // (1024 * 1024)} MB limit"
        raise UploadTooLarge(f"The file {message}.", {"file": message}) from None
    except EmptyFile:
        raise ValidationFailed({"file": "is empty: choose a file with something in it"}) from None
    try:
        sniffed = sniff(blob.head, lambda: storage.open(blob.sha256), upload.filename or "")
    except UnsupportedType as exc:
        discard_unreferenced([blob.sha256])
        message = str(exc) or "is not a type the library accepts"
        raise UnsupportedUpload(message, {"file": message}) from None
    except BaseException:
        discard_unreferenced([blob.sha256])
        raise
    filename = safe_filename(upload.filename or "", "file", sniffed.extension)
    return _Stored(blob.sha256, blob.size, sniffed.content_type, filename)


def _new_version(artifact: Artifact, number: int, stored: _Stored, note: str, user) -> ArtifactVersion:
    version = ArtifactVersion(number=number, sha256=stored.sha256, size=stored.size,
                              content_type=stored.content_type, filename=stored.filename, note=note or "",
                              uploaded_by_id=user.id, extraction_status="pending", preview_status="pending")
    artifact.versions.append(version)
    return version


def discard_unreferenced(hashes) -> None:
    """Delete blobs no version of any network points at (as its file or its preview).
    Storage is shared by every network, so this one check looks across them (UNSCOPED).
    A blob that another upload of the same bytes stored a moment ago but has not yet
    committed could be caught here; the window is the length of one commit, and such an
    upload's download would then answer 404 rather than another network's bytes."""
    hashes = {h for h in hashes if h}
    if not hashes:
        return
    referenced = set(db.session.scalars(
        select(ArtifactVersion.sha256).where(ArtifactVersion.sha256.in_(hashes)).execution_options(**UNSCOPED)
    )) | set(db.session.scalars(
        select(ArtifactVersion.preview_sha256).where(ArtifactVersion.preview_sha256.in_(hashes))
        .execution_options(**UNSCOPED)
    ))
    storage = get_storage()
    for sha256 in hashes - referenced:
        try:
            storage.delete(sha256)
        except Exception:  # noqa: BLE001 - an orphan blob wastes space; it must not fail the request
            logger.exception("could not delete unreferenced blob %s", sha256)


# --- editing ---------------------------------------------------------------------------------

def update_artifact(membership, artifact_id, data: dict) -> Artifact:
    """Change the fields present in `data` (title, description, kind, tags, grade_band,
    subject, visibility; url for a link)."""
    artifact = editable_artifact(membership, artifact_id)
    errors = FieldErrors()
    values = clean_metadata(errors, membership, data, creating=False, artifact=artifact)
    if "url" in data:
        if artifact.url is None:
            if (data.get("url") or "").strip():
                errors.add("url", "a file artifact has no link; upload a new version instead")
        else:
            values["url"] = errors.check("url", clean_url, data.get("url"))
    errors.raise_if_any()
    for name, value in values.items():
        setattr(artifact, name, value)
    artifact.updated_at = utcnow()
    commit()
    return artifact


def delete_artifact(membership, artifact_id) -> None:
    """Softly: it leaves the library, pages and the API; the rows and files stay."""
    artifact = editable_artifact(membership, artifact_id)
    artifact.deleted_at = utcnow()
    rollups.schedule_school(artifact.school_id, artifact.created_at.date())
    commit()


# --- versions --------------------------------------------------------------------------------

def add_version(membership, user, artifact_id, upload: Upload | None, note: str | None) -> ArtifactVersion:
    artifact = editable_artifact(membership, artifact_id)
    errors = FieldErrors()
    if artifact.url is not None:
        errors.add("file", "a link has no file versions; edit its address instead")
    elif upload is None:
        errors.add("file", "choose the new version's file")
    note = errors.check("note", clean_text, note, NOTE_MAX)
    errors.raise_if_any()
    stored = _store(upload)
    try:
        # Lock the artifact so two uploads at once get numbers one after the other
        # (PostgreSQL; SQLite writes one at a time anyway).
        db.session.execute(select(Artifact.id).where(Artifact.id == artifact.id).with_for_update())
        latest = db.session.scalar(
            select(func.max(ArtifactVersion.number)).where(ArtifactVersion.artifact_id == artifact.id)
        ) or 0
        version = _new_version(artifact, latest + 1, stored, note, user)
        # artifact.extracted_text keeps the previous version's words until the
        # extraction task replaces them with this version's (or clears them for a file
        # with no text): search never goes blank while the task runs.
        artifact.updated_at = utcnow()
        db.session.flush()
        enqueue_processing(version)
        rollups.schedule_school(artifact.school_id)
        commit()
    except BaseException:
        rollback()
        discard_unreferenced([stored.sha256])
        raise
    return version


def version_links(version: ArtifactVersion) -> list[ArtifactCycleLink]:
    """Every cycle link that names this version, whoever may see the cycle."""
    return list(db.session.scalars(
        select(ArtifactCycleLink).where(ArtifactCycleLink.version_id == version.id)
        .options(selectinload(ArtifactCycleLink.cycle).selectinload(Cycle.school))
        .order_by(ArtifactCycleLink.id)
    ))


def delete_version(membership, artifact_id, version_id, confirmed: bool = False) -> Artifact:
    """Delete one version (never the last: delete the artifact instead). When cycles
    link this very version, NeedsConfirmation is raised unless `confirmed`; their links
    then stay on the artifact without a version. The artifact's searched text follows
    its new current version."""
    artifact = editable_artifact(membership, artifact_id)
    version = version_of(artifact, version_id)
    if len(artifact.versions) == 1:
        raise Conflict("This is the only version. Delete the artifact instead.",
                       {"version_id": "is the artifact's only version"})
    links = version_links(version)
    if links and not confirmed:
        raise NeedsConfirmation(links)
    was_current = version is current_version(artifact)
    hashes = [version.sha256, version.preview_sha256]
    for link in links:
        link.version_id = None
    artifact.versions.remove(version)  # delete-orphan: the row goes
    if was_current:
        artifact.extracted_text = artifact.versions[-1].extracted_text or ""
    artifact.updated_at = utcnow()
    on_commit(lambda: discard_unreferenced(hashes))
    commit()
    return artifact
