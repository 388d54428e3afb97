"""`GET /networks/<slug>/members[?q=]`: the network's members, for @mention autocomplete
and scripts. Every member may list them (`members.view`); only ids, names, roles and
schools are shown, never email addresses."""
from __future__ import annotations

from flask import jsonify, request
from pydantic import BaseModel, Field

from nic.api import bp
from nic.api.docs import documented
from nic.api.pagination import paginate
from nic.models import Membership
from nic.permissions import requires
from nic.services.discussion import mentions


class MemberOut(BaseModel):
    id: int = Field(description="The person's user id (what a mention refers to).")
    name: str
    role: str
    school_id: int | None


def member_out(membership: Membership) -> dict:
    return MemberOut(id=membership.user_id, name=membership.user.name, role=membership.role,
                     school_id=membership.school_id).model_dump()


@bp.get("/networks/<slug>/members")
@documented(summary="The network's members", response=MemberOut, paginated=True, errors=(401, 404, 422),
            params=[{"name": "q", "in": "query", "required": False, "schema": {"type": "string"},
                     "description": "Only members whose name, or a word of it, starts with this (case-insensitive)."}])
@requires("members.view")
def list_members(slug):
    return jsonify(paginate(mentions.suggest(request.args.get("q", "")), Membership.id, member_out))
