"""Ratings and consensus in a self-assessment round.

- My own rating of each practice (`record_ratings`): the school's leadership team only
  (nic.services.assessments.assessments.can_rate), while the round is open, all or nothing.
- The school's individual ratings (`school_ratings`, `team_view`): members of that school
  only; anyone else, facilitators included, gets NotFound.
- The team's consensus for a practice (`record_consensus`): level, notes and evidence,
  with an optimistic `version` (a stale one is a Conflict and changes nothing).
- The school saying its consensus is finished (`set_finished`).

Every write queues the school's roll-up inside its transaction, so the roll-up refreshes
after commit and open pages hear `rollup`.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Callable

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from nic.clock import utcnow
from nic.extensions import db
from nic.models import (
    AssessmentConsensus, AssessmentRating, AssessmentRound, AssessmentRoundSchool, ConsensusEvidence,
)
from nic.services.assessments import evidence as assessment_evidence
from nic.services.rollups import rollups
from nic.services.assessments.assessments import (
    can_rate, can_read_ratings, get_round, get_school, level_rank, require_open, round_practice,
)
from nic.services.errors import Conflict, Forbidden, NotFound, ValidationFailed
from nic.transaction import commit, rollback
from nic.services.validation import clean_id
from nic.words import noun

NOTE_MAX = 4000
NOT_ILT = ("Only the school's leadership team rates and records consensus: its principal and the members "
           "of its instructional leadership team.")


def _hidden_ratings() -> NotFound:
    # The same answer as for a school that does not exist: private ratings are not there.
    return NotFound("No such ratings.")


def _clean_note(value, limit: int = NOTE_MAX) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValueError("must be text")
    value = value.strip()
    if len(value) > limit:
        raise ValueError(f"must be at most {limit:,} characters")
    return value


# --- individual ratings --------------------------------------------------------------------

def _level_error(round_: AssessmentRound) -> str:
    keys = [level["key"] for level in round_.framework.document.get("levels") or []]
    return f"must be one of this framework's levels: {', '.join(keys)}"


def record_ratings(membership, round_id, school_id, items: list,
                   name: Callable[[int, str], str] = lambda index, field: f"ratings.{index}.{field}",
                   ) -> list[AssessmentRating]:
    """Record or change my own ratings, each {practice_id, level, note}: all or nothing,
    every bad item named (`name(index, field)`), nothing written if any is bad."""
    round_ = get_round(round_id)
    school = get_school(school_id)
    if not can_read_ratings(membership, school.id):
        raise _hidden_ratings()
    if not can_rate(membership, school.id):
        raise Forbidden(NOT_ILT)
    require_open(round_)
    if not isinstance(items, list) or not items:
        raise ValidationFailed({"ratings": "is required: a list of at least one rating"})
    practices = {p.id: p for p in round_.framework.practices}
    errors: dict[str, str] = {}
    cleaned: dict[int, tuple[str, int, str]] = {}
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            errors[name(index, "practice_id")] = "each rating must be an object {practice_id, level, note}"
            continue
        try:
            practice_id = clean_id(item.get("practice_id"))
        except ValueError as exc:
            errors[name(index, "practice_id")] = str(exc)
            continue
        if practice_id not in practices:
            errors[name(index, "practice_id")] = "is not a practice of this round's framework"
            continue
        if practice_id in cleaned:
            errors[name(index, "practice_id")] = "is rated twice in this request: send each practice once"
            continue
        rank = level_rank(round_.framework, item.get("level"))
        if rank is None:
            errors[name(index, "level")] = _level_error(round_)
        try:
            note = _clean_note(item.get("note"))
        except ValueError as exc:
            errors[name(index, "note")] = str(exc)
            continue
        if rank is not None:
            cleaned[practice_id] = (item["level"], rank, note)
    if errors:
        raise ValidationFailed(errors)
    existing = {r.practice_id: r for r in db.session.scalars(select(AssessmentRating).where(
        AssessmentRating.round_id == round_.id, AssessmentRating.user_id == membership.user_id))}
    saved = []
    for practice_id, (key, rank, note) in cleaned.items():
        rating = existing.get(practice_id)
        if rating is None:
            rating = AssessmentRating(round_id=round_.id, school_id=school.id, practice_id=practice_id,
                                      user_id=membership.user_id)
            db.session.add(rating)
        rating.level_key, rating.level_rank, rating.note = key, rank, note
        saved.append(rating)
    rollups.schedule_school(school.id)
    try:
        commit()
    except IntegrityError:
        rollback()  # the same person saving twice at once: the other request won
        raise Conflict("Your ratings were saved from another window at the same moment; reload and try again.")
    return saved


def readable_ratings(membership, round_id, school_id):
    """(round, school) if `membership` may read the school's individual ratings (members
    of that school only); NotFound otherwise."""
    round_ = get_round(round_id)
    school = get_school(school_id)
    if not can_read_ratings(membership, school.id):
        raise _hidden_ratings()
    return round_, school


def school_ratings(membership, round_id, school_id) -> tuple[AssessmentRound, list[AssessmentRating]]:
    """The school's individual ratings in the round, for members of that school only."""
    round_, school = readable_ratings(membership, round_id, school_id)
    stmt = (select(AssessmentRating)
            .where(AssessmentRating.round_id == round_.id, AssessmentRating.school_id == school.id)
            .options(selectinload(AssessmentRating.user)).order_by(AssessmentRating.practice_id, AssessmentRating.id))
    return round_, list(db.session.scalars(stmt))


def my_ratings(round_: AssessmentRound, user_id: int) -> dict[int, AssessmentRating]:
    stmt = select(AssessmentRating).where(AssessmentRating.round_id == round_.id, AssessmentRating.user_id == user_id)
    return {r.practice_id: r for r in db.session.scalars(stmt)}


@dataclass
class PracticeSpread:
    """Everyone's ratings of one practice side by side, and how far apart they are."""

    ratings: list[AssessmentRating] = field(default_factory=list)
    counts: dict[int, int] = field(default_factory=dict)  # level rank -> people

    @property
    def low(self) -> int | None:
        return min(self.counts) if self.counts else None

    @property
    def high(self) -> int | None:
        return max(self.counts) if self.counts else None

    @property
    def spread(self) -> int:
        """Levels between the lowest and highest rating: 0 when everyone agrees."""
        return (self.high - self.low) if self.counts else 0


def team_view(ratings: list[AssessmentRating]) -> dict[int, PracticeSpread]:
    view: dict[int, PracticeSpread] = defaultdict(PracticeSpread)
    for rating in ratings:
        spread = view[rating.practice_id]
        spread.ratings.append(rating)
        spread.counts[rating.level_rank] = spread.counts.get(rating.level_rank, 0) + 1
    return dict(view)


# --- consensus -----------------------------------------------------------------------------

_CONSENSUS_OPTIONS = (selectinload(AssessmentConsensus.evidence), selectinload(AssessmentConsensus.recorded_by))


def round_consensus(round_: AssessmentRound, school_id: int | None = None) -> list[AssessmentConsensus]:
    """The round's consensus rows (shared with the network), of one school or all."""
    stmt = select(AssessmentConsensus).where(AssessmentConsensus.round_id == round_.id).options(*_CONSENSUS_OPTIONS)
    if school_id is not None:
        stmt = stmt.where(AssessmentConsensus.school_id == school_id)
    return list(db.session.scalars(stmt.order_by(AssessmentConsensus.school_id, AssessmentConsensus.practice_id)))


def get_consensus(round_id, school_id, practice_id):
    """(round, school, practice, the consensus or None): readable by the whole network."""
    round_ = get_round(round_id)
    school = get_school(school_id)
    practice = round_practice(round_, practice_id)
    consensus = db.session.scalar(select(AssessmentConsensus).where(
        AssessmentConsensus.round_id == round_.id, AssessmentConsensus.school_id == school.id,
        AssessmentConsensus.practice_id == practice.id).options(*_CONSENSUS_OPTIONS))
    return round_, school, practice, consensus


def _clean_version(value) -> int | None:
    if value in (None, ""):
        return None
    if isinstance(value, bool):
        raise ValueError("must be a whole number")
    try:
        version = int(value)
    except (TypeError, ValueError):
        raise ValueError("must be a whole number (the version you read)") from None
    if version < 0:
        raise ValueError("must be 0 or more")
    return version


def record_consensus(membership, round_id, school_id, practice_id, level, notes="", evidence=(), version=None
                     ) -> AssessmentConsensus:
    """Record or change the team's agreed level for one practice, with notes and evidence
    (a list of {kind, id}, each a cycle, artifact or measure the recorder may see).
    `version` is the one read (null or 0 when there was none yet); a stale one is a
    Conflict and nothing changes."""
    round_ = get_round(round_id)
    school = get_school(school_id)
    practice = round_practice(round_, practice_id)
    if not can_rate(membership, school.id):
        raise Forbidden(NOT_ILT)
    require_open(round_)
    errors: dict[str, str] = {}
    rank = level_rank(round_.framework, level)
    if rank is None:
        errors["level"] = _level_error(round_)
    try:
        notes = _clean_note(notes)
    except ValueError as exc:
        errors["notes"] = str(exc)
    try:
        version = _clean_version(version)
    except ValueError as exc:
        errors["version"] = str(exc)
    try:
        targets = assessment_evidence.clean_evidence(membership, evidence)
    except ValueError as exc:
        errors["evidence"] = str(exc)
    if errors:
        raise ValidationFailed(errors)
    consensus = db.session.scalar(select(AssessmentConsensus).where(
        AssessmentConsensus.round_id == round_.id, AssessmentConsensus.school_id == school.id,
        AssessmentConsensus.practice_id == practice.id).with_for_update().execution_options(populate_existing=True))
    if consensus is None:
        if version:
            raise Conflict("This consensus changed since you read it; reload it to see the latest.")
        consensus = AssessmentConsensus(round_id=round_.id, school_id=school.id, practice_id=practice.id, version=1)
    else:
        if version is None:
            raise ValidationFailed({"version": "is required to change a recorded consensus: send the version you read"})
        if version != consensus.version:
            raise Conflict(f"Someone changed this consensus after you read it (you read version {version}, it is "
                           f"now {consensus.version}); nothing was changed. Reload it and apply your change again.")
        consensus.version = consensus.version + 1
    consensus.level_key, consensus.level_rank, consensus.notes = level, rank, notes
    consensus.recorded_by_id = membership.user_id
    consensus.updated_at = utcnow()
    kept = {(item.kind, item.target_id): item for item in consensus.evidence}
    consensus.evidence = [kept.get(target) or _evidence(target, membership.user_id) for target in targets]
    rollups.schedule_school(school.id)
    try:
        with db.session.begin_nested():
            db.session.add(consensus)
            db.session.flush()
    except IntegrityError:
        rollback()
        raise Conflict("Someone recorded this consensus at the same moment; reload it to see theirs.") from None
    commit()
    return consensus


def _evidence(target: tuple[str, int], user_id: int) -> ConsensusEvidence:
    kind, target_id = target
    return ConsensusEvidence(added_by_id=user_id, **{f"{kind}_id": target_id})


def set_finished(membership, round_id, school_id, finished: bool = True) -> AssessmentRoundSchool:
    """The team says its consensus is finished (every practice agreed), or takes that back
    while the round is open."""
    round_ = get_round(round_id)
    school = get_school(school_id)
    if not can_rate(membership, school.id):
        raise Forbidden(NOT_ILT)
    require_open(round_)
    if finished:
        agreed = {c.practice_id for c in round_consensus(round_, school.id)}
        missing = [p.name for p in round_.framework.practices if p.id not in agreed]
        if missing:
            raise ValidationFailed({"consensus": f"{len(missing)} {noun(len(missing), 'practice has', 'practices have')} "
                                    f"no consensus yet ({', '.join(missing[:3])}{' ...' if len(missing) > 3 else ''})"})
    row = db.session.scalar(select(AssessmentRoundSchool).where(
        AssessmentRoundSchool.round_id == round_.id, AssessmentRoundSchool.school_id == school.id))
    if row is None:
        row = AssessmentRoundSchool(round_id=round_.id, school_id=school.id)
        db.session.add(row)
    row.submitted_at = utcnow() if finished else None
    row.submitted_by_id = membership.user_id if finished else None
    rollups.schedule_school(school.id)
    commit()
    return row
