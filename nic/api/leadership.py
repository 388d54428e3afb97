"""The leadership view over the API (docs/API.md, "Leadership view"):
`GET /networks/<slug>/leadership` (the heatmap of schools x practices by agreed level, the
change since the previous round, the spread per practice), `GET .../leadership/schools/<id>`
(a school's weakest practices, linked change ideas and peers to learn from) and
`POST .../leadership/schools/<id>/discussions` (start a discussion with a peer).

Everyone in the network reads them: they carry only the teams' agreed levels (shared with
the network), never an individual rating. The logic is in nic.services.assessments.leadership and
nic.services.assessments.leadership_school."""
from __future__ import annotations

from datetime import datetime
from typing import Literal

from flask import abort, jsonify, request, url_for
from pydantic import BaseModel, ConfigDict, Field

from nic.api import bp
from nic.api.docs import documented
from nic.api.pagination import _decode, _encode, page_size
from nic.permissions import requires
from nic.services.assessments import leadership
from nic.services.assessments import leadership_school
from nic.tenancy import current_membership

ROUND_PARAM = {"name": "round_id", "in": "query", "required": False, "schema": {"type": "integer"},
               "description": "The round to show; by default the latest round in which any school agreed a level. "
                              "Another network's round: 404."}


class RoundOut(BaseModel):
    id: int
    name: str
    framework_id: int
    framework_name: str
    is_open: bool
    opened_at: datetime
    closed_at: datetime | None


class RoundChoiceOut(BaseModel):
    id: int
    name: str
    has_consensus: bool = Field(description="Whether any school agreed a level in it.")


class LevelOut(BaseModel):
    rank: int = Field(description="0 = the framework's lowest level.")
    key: str
    name: str


class PracticeOut(BaseModel):
    id: int
    key: str
    name: str
    domain: str


class CellOut(BaseModel):
    practice_id: int
    level_key: str
    level_rank: int
    level_name: str
    change: Literal["up", "down", "same", "new"] | None = Field(
        description="Against the previous round on the same framework: up, down, the same, or new (no level "
                    "agreed then); null when there is no previous round.")
    previous_level_key: str | None


class RowOut(BaseModel):
    school_id: int
    name: str
    group: str
    cells: list[CellOut] = Field(description="The practices with an agreed level (others are left out).")


class DistributionOut(BaseModel):
    practice_id: int
    counts: list[int] = Field(description="Schools per level, lowest level first (index = level rank).")


class LeadershipOut(BaseModel):
    round: RoundOut | None = Field(description="Null when no round has an agreed level yet (all lists empty).")
    previous_round: RoundOut | None
    rounds: list[RoundChoiceOut] = Field(description="Every round of the network, newest first.")
    levels: list[LevelOut]
    practices: list[PracticeOut]
    rows: list[RowOut] = Field(description="One page of schools (by id), filtered by `group`.")
    next: str | None = Field(description="Pass as ?cursor= for the next page of schools.")
    distribution: list[DistributionOut] = Field(description="Every school of the network, from the roll-up.")
    computed_at: datetime | None = Field(description="When the roll-up behind `distribution` ran; null before.")


class IdeaOut(BaseModel):
    id: int
    title: str
    status: str


class PersonOut(BaseModel):
    id: int
    name: str


class PeerOut(BaseModel):
    school_id: int
    name: str
    level_key: str
    level_rank: int
    level_name: str
    round_id: int = Field(description="The peer's most recent round (up to the one shown) with a level on it.")
    round_name: str
    principals: list[PersonOut]


class WeakOut(BaseModel):
    practice_id: int
    name: str
    domain: str
    level_key: str
    level_rank: int
    level_name: str
    network_mean_rank: float | None = Field(description="The mean agreed rank of all schools in the round.")
    change_ideas: list[IdeaOut] = Field(description="Linked to the practice directly or through its drivers; "
                                        "declined ideas are left out.")
    peers: list[PeerOut] = Field(description="Other schools agreed higher on it: highest level, then most recent.")


class SchoolPanelOut(BaseModel):
    school_id: int
    name: str
    round: RoundOut | None
    weakest: list[WeakOut] = Field(description=f"Up to {leadership_school.WEAKEST} practices the school agreed "
                                   "lowest (below the top level); among equals, the one where the rest of the "
                                   "network stands highest first.")


class DiscussionIn(BaseModel):
    model_config = ConfigDict(extra="ignore")

    peer_id: int = Field(description="The school to learn from.")
    practice_id: int


class DiscussionOut(BaseModel):
    thread_id: int
    started: bool = Field(description="False when this school, peer and practice already had a thread.")


def round_out(round_) -> dict | None:
    if round_ is None:
        return None
    return RoundOut(id=round_.id, name=round_.name, framework_id=round_.framework_id,
                    framework_name=round_.framework.name, is_open=round_.is_open, opened_at=round_.opened_at,
                    closed_at=round_.closed_at).model_dump(mode="json")


def _cell_out(cell) -> dict:
    return {"practice_id": cell.practice_id, "level_key": cell.level.key, "level_rank": cell.level.rank,
            "level_name": cell.level.name, "change": cell.change,
            "previous_level_key": cell.previous.key if cell.previous else None}


@bp.get("/networks/<slug>/leadership")
@documented(summary="The network's leadership view of a round", response=LeadershipOut, errors=(401, 404, 422),
            params=[ROUND_PARAM,
                    {"name": "group", "in": "query", "required": False, "schema": {"type": "string"},
                     "description": "Only the schools of this group (School group on the Schools page)."},
                    {"name": "limit", "in": "query", "required": False, "schema": {"type": "integer"},
                     "description": "Schools per page (default 50, at most 200)."},
                    {"name": "cursor", "in": "query", "required": False, "schema": {"type": "string"},
                     "description": "The `next` value of the previous page."}],
            description="Every member of the network. Agreed levels only, never an individual rating.")
@requires("assessments.view")
def leadership_view(slug):
    round_ = leadership.pick_round(request.args.get("round_id"))
    rounds = [{"id": c.round.id, "name": c.round.name, "has_consensus": c.has_consensus}
              for c in leadership.round_choices()]
    body = {"round": None, "previous_round": None, "rounds": rounds, "levels": [], "practices": [], "rows": [],
            "next": None, "distribution": [], "computed_at": None}
    if round_ is None:
        return jsonify(body)
    limit = page_size()
    cursor = request.args.get("cursor")
    schools = leadership.schools_after(request.args.get("group", ""), _decode(cursor) if cursor else None, limit)
    more = len(schools) > limit
    schools = schools[:limit]
    view = leadership.heatmap(round_, schools)
    body.update(
        round=round_out(round_), previous_round=round_out(view.previous_round),
        levels=[{"rank": lv.rank, "key": lv.key, "name": lv.name} for lv in view.levels],
        practices=[{"id": p.id, "key": p.key, "name": p.name, "domain": p.domain} for p in view.practices],
        rows=[{"school_id": row.school.id, "name": row.school.name, "group": row.school.group_name or "",
               "cells": [_cell_out(c) for c in row.cells if c is not None]} for row in view.rows],
        next=_encode(schools[-1].id) if more and schools else None,
        distribution=[{"practice_id": d.practice.id, "counts": d.counts} for d in view.distribution],
        computed_at=view.computed_at.isoformat() if view.computed_at else None,
    )
    return jsonify(body)


def _level(level) -> dict:
    return {"level_key": level.key, "level_rank": level.rank, "level_name": level.name}


@bp.get("/networks/<slug>/leadership/schools/<int:school_id>")
@documented(summary="A school's weakest practices, linked change ideas and peers", response=SchoolPanelOut,
            errors=(401, 404), params=[ROUND_PARAM],
            description="Every member of the network. Another network's school or round: 404.")
@requires("assessments.view")
def leadership_school_panel(slug, school_id):
    school = leadership_school.get_school(school_id)
    round_ = leadership.pick_round(request.args.get("round_id"))
    weak = leadership_school.weakest(round_, school.id) if round_ is not None else []
    return jsonify({
        "school_id": school.id, "name": school.name, "round": round_out(round_),
        "weakest": [{
            "practice_id": w.practice.id, "name": w.practice.name, "domain": w.practice.domain, **_level(w.level),
            "network_mean_rank": w.network_mean,
            "change_ideas": [{"id": i.id, "title": i.title, "status": i.status} for i in w.change_ideas],
            "peers": [{"school_id": p.school.id, "name": p.school.name, **_level(p.level), "round_id": p.round.id,
                       "round_name": p.round.name,
                       "principals": [{"id": u.id, "name": u.name} for u in p.principals]} for p in w.peers],
        } for w in weak],
    })


@bp.post("/networks/<slug>/leadership/schools/<int:school_id>/discussions")
@documented(summary="Start a discussion with a peer school about a practice", request=DiscussionIn,
            response=DiscussionOut, status=201, errors=(400, 401, 404, 415, 422, 429),
            description="A thread in the network's open channel (`general` when there is one), titled "
            "“<school> ↔ <peer>: <practice>”, opened by a message that mentions the peer's principals (who are "
            "notified). Asking again for the same school, peer and practice answers 200 with that thread.")
@requires("assessments.view")
def leadership_discussion(slug, school_id):
    school = leadership_school.get_school(school_id)  # another network's school: 404 before the body
    if not request.is_json:
        abort(415, description="Send a JSON body with Content-Type: application/json.")
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        abort(400, description="The body must be a JSON object.")
    payload = DiscussionIn.model_validate(data)
    thread, started = leadership_school.start_discussion(current_membership(), school.id, payload.peer_id,
                                                         payload.practice_id)
    response = jsonify({"thread_id": thread.id, "started": started})
    response.status_code = 201 if started else 200
    response.headers["Location"] = url_for("api.list_messages", slug=slug, thread_id=thread.id)
    return response
