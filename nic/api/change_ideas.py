"""Change ideas over the API: `GET|POST /networks/<slug>/change-ideas` and
`GET|PATCH /networks/<slug>/change-ideas/<id>`, answering
`{"id", "title", "description", "driver_ids", "status"}`.

Anyone in the network may propose (POST, status `proposed`); facilitators may also set
`status` when they create one, and only they may PATCH. The rules themselves (and the
diagram revision every change writes) are in nic.services.theory.ideas.
"""
from __future__ import annotations

from typing import Literal

from flask import abort, jsonify, request, url_for
from flask_login import current_user
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from nic.api import bp
from nic.api.docs import documented
from nic.api.pagination import paginate
from nic.models import CHANGE_IDEA_STATUSES, ChangeIdea
from nic.permissions import can, require
from nic.services.theory import ideas as theory_ideas
from nic.services.errors import ValidationFailed
from nic.services.artifacts.search import change_ideas_matching
from nic.tenancy import get_or_404

Status = Literal["proposed", "accepted", "declined", "testing", "spreading", "retired"]
Q_MAX = 200


class ChangeIdeaOut(BaseModel):
    id: int
    title: str
    description: str = Field(description="Markdown.")
    driver_ids: list[int]
    status: Status


class ChangeIdeaCreate(BaseModel):
    model_config = ConfigDict(extra="ignore")

    title: str = Field(description="At most 200 characters.")
    description: str | None = Field(None, description="Markdown.")
    driver_ids: list[int] | None = Field(None, description="Drivers of one aim in this network.")
    status: str | None = Field(None, description="Facilitators only; everyone else proposes (`proposed`).",
                               json_schema_extra={"enum": list(CHANGE_IDEA_STATUSES)})
    aim_id: int | None = Field(None, description="The aim whose diagram the idea joins. Default: the aim of its "
                               "drivers, else the network's only aim if it has exactly one.")


class ChangeIdeaPatch(BaseModel):
    model_config = ConfigDict(extra="ignore")

    title: str | None = None
    description: str | None = Field(None, description="Markdown.")
    driver_ids: list[int] | None = Field(None, description="Replaces the linked drivers; [] unlinks them all.")
    status: str | None = Field(None, json_schema_extra={"enum": list(CHANGE_IDEA_STATUSES)})
    decision_note: str | None = Field(None, description="Why it was accepted or declined (Markdown).")


def change_idea_out(idea: ChangeIdea) -> dict:
    return ChangeIdeaOut(id=idea.id, title=idea.title, description=idea.description or "",
                         driver_ids=[d.id for d in idea.drivers], status=idea.status).model_dump(mode="json")


def _json_body(model: type[BaseModel]) -> BaseModel:
    """The request's JSON object, validated by `model` (a pydantic error answers 422
    naming the fields, see nic.api.errors)."""
    if not request.is_json:
        abort(415, description="Send a JSON body with Content-Type: application/json.")
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        abort(400, description="The body must be a JSON object.")
    return model.model_validate(data)


LIST_PARAMS = [
    {"name": "q", "in": "query", "required": False, "schema": {"type": "string", "maxLength": Q_MAX},
     "description": "Full-text search of the title and description."},
    {"name": "status", "in": "query", "required": False,
     "schema": {"type": "string", "enum": list(CHANGE_IDEA_STATUSES)}, "description": "Only ideas with this status."},
]


@bp.get("/networks/<slug>/change-ideas")
@documented(summary="The network's change ideas", response=ChangeIdeaOut, paginated=True, params=LIST_PARAMS,
            errors=(401, 404, 422), description="Ordered by id. An unknown `status` answers 422 naming it.")
def list_change_ideas(slug):
    stmt = select(ChangeIdea).options(selectinload(ChangeIdea.drivers))
    status = request.args.get("status")
    if status:
        if status not in CHANGE_IDEA_STATUSES:
            raise ValidationFailed({"status": f"must be one of {', '.join(CHANGE_IDEA_STATUSES)}"})
        stmt = stmt.where(ChangeIdea.status == status)
    q = request.args.get("q") or ""
    if len(q) > Q_MAX:
        raise ValidationFailed({"q": f"must be at most {Q_MAX} characters"})
    condition = change_ideas_matching(q)
    if condition is not None:
        stmt = stmt.where(condition)
    return jsonify(paginate(stmt, ChangeIdea.id, change_idea_out))


@bp.post("/networks/<slug>/change-ideas")
@documented(summary="Propose a change idea", response=ChangeIdeaOut, status=201, request=ChangeIdeaCreate,
            errors=(400, 401, 403, 404, 415, 422),
            description="Anyone in the network may propose one. Only facilitators may give a `status` other than "
            "`proposed` (403 otherwise). Unknown driver ids, or another network's, answer 422 naming `driver_ids`.")
def create_change_idea(slug):
    require("change_ideas.propose")
    body = _json_body(ChangeIdeaCreate)
    if body.status not in (None, "proposed") and not can("theory.edit"):
        abort(403, description="Only facilitators may set the status of a change idea.")
    idea = theory_ideas.propose(body.model_dump(), current_user._get_current_object())
    response = jsonify(change_idea_out(idea))
    response.status_code = 201
    response.headers["Location"] = url_for("api.get_change_idea", slug=slug, change_idea_id=idea.id)
    return response


@bp.get("/networks/<slug>/change-ideas/<int:change_idea_id>")
@documented(summary="One change idea", response=ChangeIdeaOut, errors=(401, 404))
def get_change_idea(slug, change_idea_id):
    return jsonify(change_idea_out(get_or_404(ChangeIdea, change_idea_id)))


@bp.patch("/networks/<slug>/change-ideas/<int:change_idea_id>")
@documented(summary="Edit a change idea, accept or decline it, or move its status", response=ChangeIdeaOut,
            request=ChangeIdeaPatch, errors=(400, 401, 403, 404, 415, 422),
            description="Facilitators only (403 otherwise). Only the fields sent change. Accepting or declining "
            "records who decided and when. A bad `status` answers 422 naming it; unknown driver ids, or another "
            "network's, 422 naming `driver_ids`.")
def patch_change_idea(slug, change_idea_id):
    idea = get_or_404(ChangeIdea, change_idea_id)  # 404 before 403: hidden looks like missing
    require("theory.edit")
    body = _json_body(ChangeIdeaPatch)
    changes = {name: getattr(body, name) for name in body.model_fields_set}
    idea = theory_ideas.update(idea.id, changes, current_user._get_current_object())
    return jsonify(change_idea_out(idea))
