"""Leadership frameworks over the API (docs/API.md, "Frameworks"):
`GET|POST /networks/<slug>/frameworks`, `GET|PATCH|DELETE .../frameworks/<id>`,
`GET .../frameworks/<id>/export?format=yaml|json`, `GET .../frameworks/<id>/coverage`,
`PUT .../frameworks/<id>/practices/<practice_id>/links` and `GET .../frameworks/builtin`.

Everyone in the network reads; facilitators adopt, copy, import, edit, archive and link
(403 for anyone else). The rules are in nic.services.assessments.frameworks and framework_links."""
from __future__ import annotations

from datetime import datetime
from typing import Literal

from flask import Response, abort, jsonify, request, url_for
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from nic.api import bp
from nic.api.docs import documented
from nic.api.pagination import paginate
from nic.extensions import db
from nic.frameworks import list_builtin, to_dict
from nic.frameworks.schema import MAX_FILE_BYTES
from nic.models import Framework
from nic.permissions import require
from nic.services.assessments import framework_links
from nic.services.assessments import frameworks
from nic.services.errors import NotFound, ValidationFailed
from nic.tenancy import current_membership

_YAML_TYPES = ("application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml")


class SourceOut(BaseModel):
    organisation: str = Field(description="Whose work the framework is based on: credit it wherever it is shown.")
    title: str = ""
    note: str = ""


class LevelOut(BaseModel):
    key: str
    name: str
    descriptor: str = ""


class PracticeOut(BaseModel):
    id: int = Field(description="The practice's id: what rounds, ratings and links refer to.")
    key: str
    name: str
    description: str = ""
    descriptors: dict[str, str] = Field(description="Level key -> what the practice looks like at that level.")
    guiding_questions: list[str] = []
    driver_ids: list[int] = Field(description="Drivers of the network's theory of improvement linked to it.")
    change_idea_ids: list[int] = Field(description="Change ideas linked to it.")


class DomainOut(BaseModel):
    name: str
    description: str = ""
    practices: list[PracticeOut]


class FrameworkOut(BaseModel):
    id: int
    key: str = Field(description="Unique in the network; lowercase letters and digits joined by - or _.")
    name: str
    description: str = ""
    origin: Literal["builtin", "copy", "import", "custom"]
    based_on: str = Field(description="The built-in or network framework key it started from; \"\" if none.")
    version: int = Field(description="Send it back with a PATCH; a stale one answers 409.")
    source: SourceOut | None
    levels: list[LevelOut] = Field(description="Lowest first.")
    domains: list[DomainOut]
    archived: bool = Field(description="Archived frameworks keep their rounds but take no new ones.")
    archived_at: datetime | None
    created_at: datetime
    updated_at: datetime


class BuiltinOut(BaseModel):
    key: str
    name: str
    description: str = ""
    source: SourceOut | None
    levels: list[LevelOut]
    practices: int = Field(description="How many practices it has.")
    adopted_id: int | None = Field(description="The network's framework adopted from it, if any.")


class BuiltinsOut(BaseModel):
    items: list[BuiltinOut]


class FrameworkCreate(BaseModel):
    """One of three shapes (or a file, see the route's description)."""

    model_config = ConfigDict(extra="allow")

    builtin: str | None = Field(None, description="Adopt this built-in framework (`GET frameworks/builtin`).")
    copy_of: int | None = Field(None, description="Copy this network framework under `key` (and `name`).")
    key: str | None = Field(None, description="With `copy_of`: the copy's key. In a document: the framework's.")
    name: str | None = Field(None, description="With `copy_of`: the copy's name (default: \"<name> (copy)\").")
    description: str | None = None
    source: dict | None = Field(None, description="A document's `{\"organisation\", \"title\", \"note\"}`.")
    levels: list[dict] | None = Field(None, description="A document's levels, lowest first: `{\"key\", \"name\", "
                                      "\"descriptor\"}`.")
    domains: list[dict] | None = Field(None, description="A document's domains: `{\"name\", \"description\", "
                                       "\"practices\": [{\"key\", \"name\", \"description\", \"descriptors\", "
                                       "\"guiding_questions\"}]}`.")


class FrameworkPatch(BaseModel):
    model_config = ConfigDict(extra="allow")

    version: int = Field(description="The version you read; a stale one answers 409 and changes nothing.")
    name: str | None = None
    description: str | None = None
    document: dict | None = Field(None, description="A whole new document (the shape `export?format=json` "
                                  "gives). Sending `levels` or `domains` at the top level does the same.")
    archived: bool | None = Field(None, description="true archives (refused with 409 while a round on it is "
                                  "open), false restores.")


class LinksIn(BaseModel):
    model_config = ConfigDict(extra="ignore")

    driver_ids: list[int] | None = Field(None, description="Replaces the practice's drivers; left out: kept.")
    change_idea_ids: list[int] | None = Field(None, description="Replaces its change ideas; left out: kept.")


class LinksOut(BaseModel):
    practice_id: int
    driver_ids: list[int]
    change_idea_ids: list[int]


class LinkedRef(BaseModel):
    id: int
    title: str


class CoveragePractice(BaseModel):
    id: int
    key: str
    name: str
    domain: str
    drivers: list[LinkedRef]
    change_ideas: list[LinkedRef]


class CoverageOut(BaseModel):
    framework_id: int
    practices: list[CoveragePractice]
    unlinked_drivers: list[LinkedRef] = Field(description="Drivers linked to no practice of this framework.")
    unlinked_change_ideas: list[LinkedRef] = Field(description="Change ideas (not declined or retired) linked to "
                                                   "no practice of this framework.")


# --- answers ---------------------------------------------------------------------------------

def _source(data: dict | None) -> dict | None:
    return SourceOut(**data).model_dump() if data else None


def framework_out(framework: Framework, links: dict | None = None) -> dict:
    document = framework.document
    rows = {practice.key: practice.id for practice in framework.practices}
    if links is None:
        links = framework_links.links_of(rows.values())
    domains = []
    for domain in document["domains"]:
        practices = []
        for practice in domain["practices"]:
            pid = rows[practice["key"]]
            driver_ids, idea_ids = links.get(pid, ([], []))
            practices.append({**practice, "id": pid, "guiding_questions": practice.get("guiding_questions", []),
                              "driver_ids": driver_ids, "change_idea_ids": idea_ids})
        domains.append({"name": domain["name"], "description": domain.get("description", ""),
                        "practices": practices})
    return FrameworkOut(
        id=framework.id, key=framework.key, name=framework.name, description=document.get("description", ""),
        origin=framework.origin, based_on=framework.based_on or "", version=framework.version,
        source=_source(document.get("source")), levels=document["levels"], domains=domains,
        archived=framework.archived_at is not None, archived_at=framework.archived_at,
        created_at=framework.created_at, updated_at=framework.updated_at,
    ).model_dump(mode="json")


def _one(framework: Framework, status: int = 200, slug: str | None = None):
    response = jsonify(framework_out(framework))
    response.status_code = status
    if status == 201:
        response.headers["Location"] = url_for("api.get_framework", slug=slug, framework_id=framework.id)
    return response


def _json_object() -> dict:
    if not request.is_json:
        abort(415, description="Send a JSON body with Content-Type: application/json.")
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        abort(400, description="The body must be a JSON object.")
    return data


# --- routes ----------------------------------------------------------------------------------

@bp.get("/networks/<slug>/frameworks")
@documented(summary="The network's frameworks", response=FrameworkOut, paginated=True, errors=(401, 404, 422),
            description="Ordered by id, archived ones included (see `archived`).")
def list_frameworks(slug):
    require("assessments.view")
    stmt = select(Framework).options(selectinload(Framework.practices))
    page = paginate(stmt, Framework.id, lambda f: f)
    practice_ids = [p.id for f in page["items"] for p in f.practices]
    links = framework_links.links_of(practice_ids)
    page["items"] = [framework_out(f, links) for f in page["items"]]
    return jsonify(page)


@bp.get("/networks/<slug>/frameworks/builtin")
@documented(summary="The built-in frameworks nic ships", response=BuiltinsOut, errors=(401, 404),
            description="Adopt one with `POST frameworks {\"builtin\": KEY}`; `adopted_id` is set once adopted.")
def list_builtin_frameworks(slug):
    require("assessments.view")
    adopted = dict(db.session.execute(
        select(Framework.based_on, Framework.id).where(Framework.origin == "builtin")).all())
    out = []
    for builtin in list_builtin():
        data = to_dict(builtin)
        out.append(BuiltinOut(key=builtin.key, name=builtin.name, description=builtin.description,
                              source=_source(data.get("source")), levels=data["levels"],
                              practices=len(builtin.practices()), adopted_id=adopted.get(builtin.key)).model_dump())
    return jsonify({"items": out})


@bp.post("/networks/<slug>/frameworks")
@documented(summary="Adopt, copy, write or import a framework (facilitators)", response=FrameworkOut, status=201,
            request=FrameworkCreate, errors=(400, 401, 403, 404, 413, 415, 422),
            description="JSON `{\"builtin\": KEY}` adopts a built-in; `{\"copy_of\": ID, \"key\", \"name\"}` copies "
            "a network framework; any other JSON object is a whole framework document. A YAML or JSON file is "
            "imported from a multipart upload (field `file`) or a body with Content-Type `application/yaml`. "
            "A document or file with problems answers 422 with every problem in `fields`, keyed by its place "
            "(`levels`, `domains[0].practices[1]`, `line 3, column 5`), and writes nothing; a key already used "
            "in the network answers 422 naming `key`.")
def create_framework(slug):
    require("frameworks.manage")
    membership = current_membership()
    mimetype = (request.mimetype or "").lower()
    if mimetype == "multipart/form-data":
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            raise ValidationFailed({"file": "is required: upload a YAML or JSON file"})
        content = upload.stream.read(MAX_FILE_BYTES + 1)
        framework = frameworks.import_file(membership, content, filename=upload.filename, mimetype=upload.mimetype)
    elif mimetype in _YAML_TYPES:
        framework = frameworks.import_file(membership, request.get_data(), "yaml")
    else:
        data = _json_object()
        if data.get("builtin") is not None:
            framework = frameworks.adopt(membership, data["builtin"])
        elif data.get("copy_of") is not None:
            try:
                framework = frameworks.copy_framework(membership, data["copy_of"], data.get("key"), data.get("name"))
            except NotFound:
                raise ValidationFailed({"copy_of": "is not a framework of this network"}) from None
        else:
            framework = frameworks.create_from_document(membership, data)
    return _one(framework, 201, slug)


@bp.get("/networks/<slug>/frameworks/<int:framework_id>")
@documented(summary="A framework", response=FrameworkOut, errors=(401, 404))
def get_framework(slug, framework_id):
    require("assessments.view")
    return _one(frameworks.get_framework(framework_id))


_DOCUMENT_FIELDS = ("key", "source", "levels", "domains")


@bp.patch("/networks/<slug>/frameworks/<int:framework_id>")
@documented(summary="Edit, archive or restore a framework (facilitators)", response=FrameworkOut,
            request=FrameworkPatch, errors=(400, 401, 403, 404, 409, 415, 422),
            description="Carries the `version` read (stale: 409, nothing changed). `document` (or top-level "
            "`levels`/`domains`) replaces the whole document; otherwise `name` and `description` change alone. "
            "Practices are matched by key: a practice or level that ratings or a consensus use cannot be "
            "removed (409 naming `practices` or `levels`). `archived` true/false archives or restores.")
def update_framework(slug, framework_id):
    require("frameworks.manage")
    membership = current_membership()
    data = _json_object()
    framework = frameworks.get_framework(framework_id)
    version = data.get("version")
    if isinstance(data.get("document"), dict) or any(field in data for field in _DOCUMENT_FIELDS):
        document = data["document"] if isinstance(data.get("document"), dict) else {
            k: v for k, v in data.items() if k not in ("version", "archived", "document")}
        framework = frameworks.update_document(membership, framework.id, version, document)
    elif "name" in data or "description" in data:
        changes = {k: data[k] for k in ("name", "description") if k in data}
        framework = frameworks.update_details(membership, framework.id, version, changes)
    else:
        frameworks.check_version(framework, version)
    if data.get("archived") is True:
        framework = frameworks.archive(membership, framework.id)
    elif data.get("archived") is False:
        framework = frameworks.restore(membership, framework.id)
    elif "archived" in data and data["archived"] is not None:
        raise ValidationFailed({"archived": "must be true or false"})
    return _one(framework)


@bp.delete("/networks/<slug>/frameworks/<int:framework_id>")
@documented(summary="Delete a framework no round used (facilitators)", response=None, status=204,
            errors=(401, 403, 404, 409),
            description="A framework with assessment rounds is kept (409): archive it instead.")
def delete_framework(slug, framework_id):
    require("frameworks.manage")
    frameworks.delete(current_membership(), framework_id)
    return Response(status=204)


@bp.get("/networks/<slug>/frameworks/<int:framework_id>/export")
@documented(summary="Download a framework as YAML or JSON", response=None, errors=(401, 404, 422),
            params=[{"name": "format", "in": "query", "required": False,
                     "schema": {"type": "string", "enum": ["yaml", "json"], "default": "yaml"}}],
            description="A file `POST frameworks` (or the import page) reads back.")
def export_framework(slug, framework_id):
    require("assessments.view")
    framework = frameworks.get_framework(framework_id)
    filename, text, mimetype = frameworks.export(framework, request.args.get("format", "yaml"))
    return Response(text, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@bp.get("/networks/<slug>/frameworks/<int:framework_id>/coverage")
@documented(summary="Which drivers and change ideas address which practices", response=CoverageOut,
            errors=(401, 404))
def framework_coverage(slug, framework_id):
    require("assessments.view")
    cover = framework_links.coverage(framework_id)
    practices = [CoveragePractice(id=p.id, key=p.key, name=p.name, domain=p.domain,
                                  drivers=[LinkedRef(id=d.id, title=d.title) for d in p.drivers],
                                  change_ideas=[LinkedRef(id=c.id, title=c.title) for c in p.change_ideas])
                 for _, ps in cover.domains for p in ps]
    return jsonify(CoverageOut(
        framework_id=cover.framework.id, practices=practices,
        unlinked_drivers=[LinkedRef(id=d.id, title=d.title) for d in cover.unlinked_drivers],
        unlinked_change_ideas=[LinkedRef(id=c.id, title=c.title) for c in cover.unlinked_ideas],
    ).model_dump())


@bp.put("/networks/<slug>/frameworks/<int:framework_id>/practices/<int:practice_id>/links")
@documented(summary="Link a practice to drivers and change ideas (facilitators)", response=LinksOut,
            request=LinksIn, errors=(400, 401, 403, 404, 415, 422),
            description="Each list sent replaces that kind of link; a list left out is kept. Ids that are not "
            "the network's drivers or change ideas answer 422 naming `driver_ids` or `change_idea_ids`.")
def set_practice_links(slug, framework_id, practice_id):
    require("frameworks.manage")
    data = _json_object()
    for field in ("driver_ids", "change_idea_ids"):
        if data.get(field) is not None and not isinstance(data[field], list):
            raise ValidationFailed({field: "must be a list of ids"})
    practice = framework_links.set_links(current_membership(), framework_id, practice_id,
                                         data.get("driver_ids"), data.get("change_idea_ids"))
    driver_ids, idea_ids = framework_links.links_of([practice.id])[practice.id]
    return jsonify(LinksOut(practice_id=practice.id, driver_ids=driver_ids, change_idea_ids=idea_ids).model_dump())
