"""Ratings and consensus in a round over the API, under `/networks/<slug>/rounds/<round_id>/`:
`GET|PUT schools/<school_id>/ratings`, `GET consensus`,
`GET|PUT schools/<school_id>/consensus/<practice_id>` and `PUT schools/<school_id>/finished`.

Individual ratings are read by members of their school only (404 for everyone else,
facilitators included); the school's leadership team writes (403 for other members of
the school). The consensus is read by the whole network. The rules are in
nic.services.assessments.assessments and nic.services.assessments.ratings."""
from __future__ import annotations

from datetime import datetime
from typing import Literal

from flask import abort, jsonify, request
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from nic.api import bp
from nic.api.assessments import json_object
from nic.api.docs import documented
from nic.api.pagination import paginate
from nic.models import AssessmentConsensus, AssessmentRating
from nic.permissions import requires
from nic.services.assessments import evidence as assessment_evidence
from nic.services.assessments import ratings as assessment_ratings
from nic.services.assessments import assessments
from nic.services.errors import ValidationFailed
from nic.services.validation import clean_id
from nic.tenancy import current_membership

EvidenceKind = Literal["cycle", "artifact", "measure"]


class PersonOut(BaseModel):
    id: int
    name: str


class RatingOut(BaseModel):
    id: int
    practice_id: int
    user: PersonOut
    level: str
    level_rank: int
    note: str
    updated_at: datetime


class RatingIn(BaseModel):
    practice_id: int = Field(description="A practice of the round's framework.")
    level: str = Field(description="One of the framework's level keys.")
    note: str | None = Field(None, description="Why this level; at most 4,000 characters.")


class RatingsIn(BaseModel):
    ratings: list[RatingIn] = Field(description="Your own ratings; a bare JSON list of them is accepted too.")


class RatingsOut(BaseModel):
    items: list[RatingOut] = Field(description="All your ratings in this round after the change.")


class EvidenceIn(BaseModel):
    kind: EvidenceKind
    id: int


class EvidenceOut(EvidenceIn):
    title: str
    school_id: int | None


class ConsensusOut(BaseModel):
    round_id: int
    school_id: int
    practice_id: int
    level: str | None = Field(description="Null while the team has recorded none.")
    level_rank: int | None
    notes: str
    evidence: list[EvidenceOut] = Field(description="The evidence you may open yourself.")
    hidden_evidence: int = Field(description="Evidence items its school keeps private from you.")
    version: int = Field(description="Send it back with a change; 0 while none is recorded.")
    recorded_by: PersonOut | None
    updated_at: datetime | None


class ConsensusIn(BaseModel):
    level: str = Field(description="One of the framework's level keys.")
    notes: str | None = Field(None, description="At most 4,000 characters.")
    evidence: list[EvidenceIn] | None = Field(None, description="Replaces the evidence: cycles, artifacts and "
                                              "measures of this network you may see (at most 50).")
    version: int | None = Field(None, description="The version you read (0 or null when there was none); a stale "
                                "one answers 409 and changes nothing.")


class FinishedIn(BaseModel):
    finished: bool = Field(description="true: every practice has its consensus and the team is done; false: "
                           "take that back while the round is open.")


class FinishedOut(BaseModel):
    school_id: int
    submitted_at: datetime | None


def rating_out(rating: AssessmentRating) -> dict:
    return RatingOut(id=rating.id, practice_id=rating.practice_id, level=rating.level_key,
                     level_rank=rating.level_rank, note=rating.note or "", updated_at=rating.updated_at,
                     user=PersonOut(id=rating.user.id, name=rating.user.name)).model_dump(mode="json")


def consensus_out(round_id, school_id, practice_id, consensus, shown) -> dict:
    if consensus is None:
        return ConsensusOut(round_id=round_id, school_id=school_id, practice_id=practice_id, level=None,
                            level_rank=None, notes="", evidence=[], hidden_evidence=0, version=0, recorded_by=None,
                            updated_at=None).model_dump(mode="json")
    items, hidden = shown.get(consensus.id, ([], 0))
    person = consensus.recorded_by
    return ConsensusOut(
        round_id=round_id, school_id=school_id, practice_id=practice_id, level=consensus.level_key,
        level_rank=consensus.level_rank, notes=consensus.notes or "", hidden_evidence=hidden,
        evidence=[EvidenceOut(kind=i.kind, id=i.id, title=i.title, school_id=i.school_id) for i in items],
        version=consensus.version, updated_at=consensus.updated_at,
        recorded_by=PersonOut(id=person.id, name=person.name) if person else None).model_dump(mode="json")


@bp.get("/networks/<slug>/rounds/<round_id>/schools/<school_id>/ratings")
@documented(summary="A school's individual ratings (members of that school only)", response=RatingOut,
            paginated=True, errors=(401, 404, 422),
            description="Everyone's own ratings at this school in the round. Anyone who is not a member of the "
            "school, the network's facilitators included, gets 404: the ratings stay inside the school.")
@requires("assessments.view")
def school_ratings(slug, round_id, school_id):
    round_, school = assessment_ratings.readable_ratings(current_membership(), round_id, school_id)
    stmt = (select(AssessmentRating).where(AssessmentRating.round_id == round_.id,
                                           AssessmentRating.school_id == school.id)
            .options(selectinload(AssessmentRating.user)))
    return jsonify(paginate(stmt, AssessmentRating.id, rating_out))


def _ratings_body() -> list:
    if not request.is_json:
        abort(415, description="Send a JSON body with Content-Type: application/json.")
    data = request.get_json(silent=True)
    if isinstance(data, list):
        return data
    if isinstance(data, dict):
        unknown = sorted(set(data) - {"ratings"})
        if unknown:
            raise ValidationFailed({name: "is not a field of this request (send ratings)" for name in unknown})
        return data.get("ratings")
    raise ValidationFailed({"ratings": "is required: a list of {practice_id, level, note}"})


@bp.put("/networks/<slug>/rounds/<round_id>/schools/<school_id>/ratings")
@documented(summary="Record my own ratings", response=RatingsOut, request=RatingsIn,
            errors=(400, 401, 403, 404, 409, 415, 422),
            description="Your own ratings of some or all practices, each `{practice_id, level, note}`. All or "
            "nothing: a bad item answers 422 naming it (`ratings.2.level`) and nothing is written. Only the "
            "school's leadership team rates (its principal and members of its instructional leadership team: "
            "403 for other members of the school; 404 for anyone not at the school). A closed round answers 409.")
def put_ratings(slug, round_id, school_id):
    membership = current_membership()
    assessment_ratings.readable_ratings(membership, round_id, school_id)  # 404 before looking at the body
    items = _ratings_body()
    assessment_ratings.record_ratings(membership, round_id, school_id, items)
    round_ = assessments.get_round(round_id)
    mine = sorted(assessment_ratings.my_ratings(round_, membership.user_id).values(), key=lambda r: r.practice_id)
    return jsonify({"items": [rating_out(r) for r in mine]})


@bp.get("/networks/<slug>/rounds/<round_id>/consensus")
@documented(summary="Every school's consensus in a round (shared with the network)", response=ConsensusOut,
            paginated=True, errors=(401, 404, 422),
            params=[{"name": "school_id", "in": "query", "required": False, "schema": {"type": "integer"},
                     "description": "Only this school's."}],
            description="The agreed level, notes and evidence of every practice each school has agreed. "
            "Evidence a school keeps private is counted in `hidden_evidence`, not shown.")
@requires("assessments.view")
def round_consensus(slug, round_id):
    membership = current_membership()
    round_ = assessments.get_round(round_id)
    stmt = (select(AssessmentConsensus).where(AssessmentConsensus.round_id == round_.id)
            .options(selectinload(AssessmentConsensus.evidence), selectinload(AssessmentConsensus.recorded_by)))
    raw_school = request.args.get("school_id")
    if raw_school not in (None, ""):
        try:
            stmt = stmt.where(AssessmentConsensus.school_id == clean_id(raw_school))
        except ValueError as exc:
            raise ValidationFailed({"school_id": str(exc)}) from None
    page = paginate(stmt, AssessmentConsensus.id, lambda c: c)
    shown = assessment_evidence.visible_evidence(membership, page["items"])
    page["items"] = [consensus_out(round_.id, c.school_id, c.practice_id, c, shown) for c in page["items"]]
    return jsonify(page)


@bp.get("/networks/<slug>/rounds/<round_id>/schools/<school_id>/consensus/<practice_id>")
@documented(summary="A school's consensus on one practice", response=ConsensusOut, errors=(401, 404),
            description="Level null and version 0 while the team has recorded none.")
@requires("assessments.view")
def get_consensus(slug, round_id, school_id, practice_id):
    round_, school, practice, consensus = assessment_ratings.get_consensus(round_id, school_id, practice_id)
    shown = assessment_evidence.visible_evidence(current_membership(), [consensus] if consensus else [])
    return jsonify(consensus_out(round_.id, school.id, practice.id, consensus, shown))


@bp.put("/networks/<slug>/rounds/<round_id>/schools/<school_id>/consensus/<practice_id>")
@documented(summary="Record the team's consensus on one practice", response=ConsensusOut, request=ConsensusIn,
            errors=(400, 401, 403, 404, 409, 415, 422),
            description="The school's leadership team only (403 otherwise). `level` outside the framework answers "
            "422 naming `level`; an evidence item that is not a cycle, artifact or measure of this network you may "
            "see answers 422 naming `evidence`; a stale `version` 409, changing nothing; a closed round 409.")
def put_consensus(slug, round_id, school_id, practice_id):
    membership = current_membership()
    assessment_ratings.get_consensus(round_id, school_id, practice_id)  # 404 before looking at the body
    body = json_object()
    unknown = sorted(set(body) - {"level", "notes", "evidence", "version"})
    if unknown:
        raise ValidationFailed({name: "is not a field of this request" for name in unknown})
    consensus = assessment_ratings.record_consensus(
        membership, round_id, school_id, practice_id, body.get("level"), body.get("notes"),
        body.get("evidence"), body.get("version"))
    shown = assessment_evidence.visible_evidence(membership, [consensus])
    return jsonify(consensus_out(consensus.round_id, consensus.school_id, consensus.practice_id, consensus, shown))


@bp.put("/networks/<slug>/rounds/<round_id>/schools/<school_id>/finished")
@documented(summary="Mark a school's consensus finished", response=FinishedOut, request=FinishedIn,
            errors=(400, 401, 403, 404, 409, 415, 422),
            description="The school's leadership team only. Finishing needs a consensus on every practice (422 "
            "naming `consensus` otherwise); a closed round answers 409.")
def put_finished(slug, round_id, school_id):
    assessments.get_round(round_id), assessments.get_school(school_id)  # 404 before looking at the body
    body = json_object()
    finished = body.get("finished")
    if not isinstance(finished, bool):
        raise ValidationFailed({"finished": "must be true or false"})
    row = assessment_ratings.set_finished(current_membership(), round_id, school_id, finished)
    return jsonify(FinishedOut(school_id=row.school_id, submitted_at=row.submitted_at).model_dump(mode="json"))

