"""The network activity feed over the API: `GET /networks/<slug>/activity`, newest first,
keyset-paginated on (at, kind, id) with the usual `limit` and opaque `cursor`. What the
caller may see, and the query itself, are in nic.services.discussion.activity."""
from __future__ import annotations

from datetime import datetime
from typing import Literal

from flask import jsonify, request
from pydantic import BaseModel, Field

from nic.api import bp
from nic.api.docs import documented
from nic.api.pagination import page_size
from nic.services.discussion import activity
from nic.tenancy import current_membership

Kind = Literal["cycle_created", "phase_changed", "artifact_created", "artifact_version", "thread_started",
               "message_posted"]


class ActorOut(BaseModel):
    id: int
    name: str


class SubjectOut(BaseModel):
    type: Literal["cycle", "artifact", "thread"] = Field(description="What the item is about: a phase change "
                                                         "and a new cycle are about the cycle, a new version about "
                                                         "the artifact, a message about its thread.")
    id: int


class ActivityItemOut(BaseModel):
    at: datetime
    kind: Kind
    id: int = Field(description="The id of the row of its kind: the cycle, phase move, artifact, version, "
                    "thread or message.")
    actor: ActorOut | None = Field(description="Who did it; null if that account is gone.")
    school_id: int | None = Field(description="The cycle's or artifact's school; for discussion, the author's "
                                  "school (null for facilitators).")
    subject: SubjectOut
    summary: str = Field(description="One plain-text sentence, e.g. “Ana moved “Huddle” from Plan to Do”.")
    url: str = Field(description="The page to open: the cycle, the artifact, or the thread at the message.")


def item_out(slug: str, item: activity.Item) -> dict:
    actor = {"id": item.actor_id, "name": item.actor_name} if item.actor_id is not None else None
    return ActivityItemOut(at=item.at, kind=item.kind, id=item.id, actor=actor, school_id=item.school_id,
                           subject={"type": item.subject_type, "id": item.subject_id}, summary=item.summary,
                           url=activity.item_url(slug, item)).model_dump(mode="json")


KIND_VALUES = list(activity.KIND_GROUPS) + list(activity.KINDS)
PARAMS = [
    {"name": "kind", "in": "query", "required": False, "schema": {"type": "string"},
     "description": "Only these kinds: one or several (comma-separated) of " + ", ".join(KIND_VALUES)
     + ". `cycles`, `artifacts` and `discussion` stand for their two kinds."},
    {"name": "school_id", "in": "query", "required": False, "schema": {"type": "integer"},
     "description": "Only items of this school (see `school_id` on the items)."},
]


@bp.get("/networks/<slug>/activity")
@documented(summary="The network's activity feed, newest first", response=ActivityItemOut, paginated=True,
            params=PARAMS, errors=(401, 404, 422),
            description="New cycles, phase changes, new artifacts and versions, new threads and messages the "
            "caller may see. Deleted cycles, artifacts and messages, and whatever belongs to a cycle or "
            "artifact the caller may not see, never appear.")
def activity_feed(slug):
    kinds = activity.parse_kinds(request.args.get("kind"))
    school_id = activity.parse_school(request.args.get("school_id"))
    cursor = request.args.get("cursor")
    before = activity.Cursor.decode(cursor) if cursor else None
    page = activity.feed(current_membership(), kinds, school_id, before, page_size())
    return jsonify({"items": [item_out(slug, item) for item in page.items],
                    "next": page.next.encode() if page.next else None})
