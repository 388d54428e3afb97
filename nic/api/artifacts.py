"""Artifacts over the API (docs/INTERFACE.md): `GET|POST /networks/<slug>/artifacts`,
`GET /networks/<slug>/artifacts/<id>` and `GET .../artifacts/<id>/download`.

POST takes multipart/form-data with a `file` part or a `url` field, and `title` (a JSON
body is accepted too for links). The checks, storage and sniffing are
nic.services.artifacts.artifacts', so the API refuses exactly what the pages refuse: 413 past the
size limit, 415 for a type off the allow-list, 422 naming the field otherwise, and
nothing is stored when any of them answers.
"""
from __future__ import annotations

from datetime import datetime
from typing import Literal

from flask import abort, jsonify, request, url_for
from flask_login import current_user
from pydantic import BaseModel, ConfigDict, Field
from werkzeug.exceptions import RequestEntityTooLarge

from nic.api import bp
from nic.api.docs import documented
from nic.api.pagination import paginate
from nic.models import ARTIFACT_KINDS, Artifact
from nic.services.artifacts import library as artifact_library
from nic.services.artifacts import links as artifact_links
from nic.services.artifacts import artifacts
from nic.services.artifacts.artifacts import Upload, UploadTooLarge, max_upload_bytes
from nic.services.errors import NotFound
from nic.storage import BlobNotFound, get_storage
from nic.tenancy import current_membership
from nic.storage.downloads import send_download

Kind = Literal["protocol", "lesson_plan", "observation_tool", "data_tool", "meeting_agenda", "other"]
FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")


class VersionOut(BaseModel):
    id: int
    number: int = Field(description="1 for the first upload; the highest is the current version.")
    size: int = Field(description="Bytes.")
    content_type: str = Field(description="Sniffed from the file's bytes, not taken from the upload.")
    filename: str = Field(description="The sanitised name downloads are saved under.")
    note: str
    created_at: datetime


class UsedIn(BaseModel):
    cycles: int = Field(description="Cycles you can see that link this artifact.")
    schools: int = Field(description="Schools those cycles belong to.")


class ArtifactOut(BaseModel):
    id: int
    title: str
    description: str = Field(description="Markdown.")
    kind: Kind
    tags: list[str]
    grade_band: str
    subject: str
    school_id: int
    author_id: int | None
    visibility: Literal["school", "network"]
    url: str | None = Field(description="The link of a link artifact; null for files.")
    versions: list[VersionOut] = Field(description="Oldest first; empty for links.")
    change_idea_ids: list[int]
    cycle_ids: list[int] = Field(description="Cycles you can see that used this artifact.")
    used_in: UsedIn
    created_at: datetime
    updated_at: datetime


class ArtifactCreate(BaseModel):
    """The fields of the POST, as multipart form fields (with a `file` part) or, for a
    link, as this JSON object."""

    model_config = ConfigDict(extra="ignore")

    title: str = Field(description="At most 200 characters.")
    url: str | None = Field(None, description="http:// or https:// only; give this or a `file` part, not both.")
    description: str | None = Field(None, description="Markdown.")
    kind: Kind | None = Field(None, description="Default `other`.")
    tags: str | list[str] | None = Field(None, description="Comma-separated, or a list.")
    grade_band: str | None = None
    subject: str | None = None
    visibility: Literal["school", "network"] | None = Field(None, description="Default `network`.")
    school_id: int | None = Field(None, description="Only for people with no school (facilitators): the school "
                                  "whose practice it is. Everyone else shares as their own school.")
    note: str | None = Field(None, description="A note on the first version.")
    cycle_id: int | None = Field(None, description="Attach it to this cycle at once (you must be able to edit it).")
    change_idea_ids: list[int] | None = Field(None, description="Change ideas it supports (repeat the form field).")


def artifacts_out(items: list[Artifact]) -> list[dict]:
    """Serialise a page of artifacts: cycle ids and usage come from two grouped queries
    for the whole page, whatever its size."""
    membership = current_membership()
    ids = [artifact.id for artifact in items]
    usage = artifact_links.usage_counts(membership, ids)
    cycle_ids = artifact_links.cycle_ids_by_artifact(membership, ids)
    return [_out(artifact, cycle_ids.get(artifact.id, []), usage.get(artifact.id, (0, 0))) for artifact in items]


def _out(artifact: Artifact, cycle_ids: list[int], usage: tuple[int, int]) -> dict:
    return ArtifactOut(
        id=artifact.id, title=artifact.title, description=artifact.description or "", kind=artifact.kind,
        tags=artifacts.tag_list(artifact.tags), grade_band=artifact.grade_band or "", subject=artifact.subject or "",
        school_id=artifact.school_id, author_id=artifact.author_id, visibility=artifact.visibility, url=artifact.url,
        versions=[VersionOut(id=v.id, number=v.number, size=v.size, content_type=v.content_type, filename=v.filename,
                             note=v.note or "", created_at=v.created_at) for v in artifact.versions],
        change_idea_ids=[idea.id for idea in artifact.change_ideas], cycle_ids=cycle_ids,
        used_in=UsedIn(cycles=usage[0], schools=usage[1]),
        created_at=artifact.created_at, updated_at=artifact.updated_at,
    ).model_dump(mode="json")


def _param(name: str, kind: str, description: str, **schema) -> dict:
    return {"name": name, "in": "query", "required": False, "schema": {"type": kind, **schema},
            "description": description}


API_FILTERS = ("q", "kind", "school_id", "tag", "grade_band", "subject", "change_idea_id")
FILTER_PARAMS = [
    _param("q", "string", "Full-text search of the title, description, tags, grade band, subject and the text "
           "inside the current version's file (PDF, Word, PowerPoint, Excel, text).", maxLength=artifact_library.Q_MAX),
    _param("kind", "string", "Only artifacts of this type.", enum=list(ARTIFACT_KINDS)),
    _param("school_id", "integer", "Only this school's artifacts."),
    _param("tag", "string", "Only artifacts with this tag."),
    _param("grade_band", "string", "Only this grade band (case-insensitive)."),
    _param("subject", "string", "Only this subject (case-insensitive)."),
    _param("change_idea_id", "integer", "Only artifacts linked to this change idea."),
]


@bp.get("/networks/<slug>/artifacts")
@documented(summary="Artifacts you may see, searched and filtered", response=ArtifactOut, paginated=True,
            params=FILTER_PARAMS, errors=(401, 404, 422),
            description="Shared with the network, plus your own school's; never deleted ones. Ordered by id. A bad "
            "filter value answers 422 naming the parameter.")
def list_artifacts(slug):
    membership = current_membership()
    filters = artifact_library.parse_filters(request.args, API_FILTERS)
    page = paginate(artifact_library.artifacts_query(membership, filters), Artifact.id, lambda artifact: artifact)
    page["items"] = artifacts_out(page["items"])
    return jsonify(page)


@bp.post("/networks/<slug>/artifacts")
@documented(
    summary="Share a file or a link", response=ArtifactOut, status=201, request=ArtifactCreate,
    errors=(400, 401, 403, 404, 413, 415, 422),
    description="multipart/form-data with a `file` part (or a `url` field) and `title`, plus the optional fields "
    "of ArtifactCreate; a link may also be sent as that JSON object. The file's type is sniffed from its bytes: "
    "anything off the allow-list (PDF, Word, PowerPoint, Excel, CSV, PNG, JPEG, GIF, WebP, plain text, Markdown) "
    "answers 415, a file past the size limit 413, an empty one 422 naming `file`, a link that is not http(s) 422 "
    "naming `url`; nothing is stored in any of these cases. Text extraction and the preview run afterwards.",
)
def create_artifact(slug):
    data, upload = _read_body()
    artifact = artifacts.create_artifact(current_membership(), current_user._get_current_object(), data, upload)
    artifact = artifacts.visible_artifact(current_membership(), artifact.id)
    response = jsonify(artifacts_out([artifact])[0])
    response.status_code = 201
    response.headers["Location"] = url_for("api.get_artifact", slug=slug, artifact_id=artifact.id)
    return response


def _read_body() -> tuple[dict, Upload | None]:
    if request.is_json:
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            abort(400, description="The body must be a JSON object.")
        data = ArtifactCreate.model_validate(body).model_dump(exclude_none=True)
        return data, None
    if request.mimetype not in FORM_TYPES:
        abort(415, description="Send multipart/form-data (a `file` part, or a `url` field) with a `title`.")
    try:
        form, files = request.form, request.files
    except RequestEntityTooLarge:
        message = f"is larger than the {max_upload_bytes() // (1024 * 1024)} MB limit"
        raise UploadTooLarge(f"The file {message}.", {"file": message}) from None
    data = {key: form.get(key) for key in form if key != "change_idea_ids"}
    if "change_idea_ids" in form:
        data["change_idea_ids"] = [item for value in form.getlist("change_idea_ids") for item in value.split(",")]
    part = files.get("file")
    upload = Upload(part.stream, part.filename or "") if part is not None else None
    return data, upload


@bp.get("/networks/<slug>/artifacts/<int:artifact_id>")
@documented(summary="One artifact", response=ArtifactOut, errors=(401, 404),
            description="An artifact you may not see (another school's, not shared; deleted; another network's) "
            "is 404.")
def get_artifact(slug, artifact_id):
    return jsonify(artifacts_out([artifacts.visible_artifact(current_membership(), artifact_id)])[0])


@bp.get("/networks/<slug>/artifacts/<int:artifact_id>/download")
@documented(summary="Download the current version's file", response=None, errors=(401, 404),
            description="The bytes of the current version as an attachment (Content-Disposition: attachment with the "
            "sanitised file name, X-Content-Type-Options: nosniff, a restrictive Content-Security-Policy). A link "
            "artifact has no file: 404.")
def download_artifact(slug, artifact_id):
    artifact = artifacts.visible_artifact(current_membership(), artifact_id)
    version = artifacts.current_version(artifact)
    if version is None:
        raise NotFound("This artifact is a link: it has no file to download. Follow its `url`.")
    try:
        return send_download(get_storage(), version)
    except BlobNotFound:
        raise NotFound("The file of this version is missing from storage.") from None
