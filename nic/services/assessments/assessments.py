"""Self-assessment rounds: who may rate, opening and closing rounds, and how far each
school has got.

The rules, written once for the pages, the API and anyone else:
- A school's leadership team rates and records consensus (`can_rate`): members of that
  school who are its principal or on one of its teams of kind `ilt`.
- Individual ratings stay inside their school (`can_read_ratings`): every member of the
  school reads them; other schools and the network's facilitators get NotFound, so a
  private rating looks exactly like a missing one.
- The consensus is shared with the whole network.
- A closed round changes no more: every write answers Conflict ("round is closed").

Ratings and consensus live in nic.services.assessments.ratings; evidence (what a team
may point to, and what to suggest) in nic.services.assessments.evidence.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import and_, exists, func, select
from sqlalchemy.orm import selectinload

from nic.clock import utcnow
from nic.extensions import db
from nic.models import (
    AssessmentConsensus, AssessmentRating, AssessmentRound, AssessmentRoundSchool, Framework, FrameworkPractice,
    School, Team,
)
from nic.models.team import team_members
from nic.permissions import allowed
from nic.services.errors import Conflict, Forbidden, NotFound
from nic.transaction import commit
from nic.services.validation import FieldErrors, clean_id, clean_name

NAME_MAX = 200
ROUND_CLOSED = "round is closed"


# --- who may do what ---------------------------------------------------------------------

def can_rate(membership, school_id) -> bool:
    """The school's leadership team ("the ILT"): a member of that school who is its
    principal or is on one of its teams of kind `ilt`. Facilitators, who belong to no
    school, never rate: the ratings are the school's own view of itself."""
    if membership is None or school_id is None or membership.school_id is None:
        return False
    if membership.school_id != int(school_id):
        return False
    if membership.role == "principal":
        return True
    on_ilt = select(team_members.c.user_id).join(Team, Team.id == team_members.c.team_id).where(
        team_members.c.user_id == membership.user_id, Team.school_id == membership.school_id, Team.kind == "ilt")
    return bool(db.session.scalar(select(exists(on_ilt))))


def can_read_ratings(membership, school_id) -> bool:
    """Individual ratings are read inside their school only (any role there)."""
    return (membership is not None and membership.school_id is not None and school_id is not None
            and membership.school_id == int(school_id))


def can_manage(membership) -> bool:
    return membership is not None and allowed(membership.role, "assessments.manage")


def _require_manage(membership) -> None:
    if not can_manage(membership):
        raise Forbidden("Only the network's facilitators open and close rounds.")


# --- finding things (another network's id, or a bad one, is NotFound) -----------------------

def id_or_404(raw, what: str) -> int:
    try:
        return clean_id(raw)
    except ValueError:
        raise NotFound(f"No such {what}.") from None


def get_round(round_id) -> AssessmentRound:
    round_id = id_or_404(round_id, "round")
    stmt = select(AssessmentRound).where(AssessmentRound.id == round_id).options(
        selectinload(AssessmentRound.framework).selectinload(Framework.practices))
    found = db.session.scalar(stmt)
    if found is None:
        raise NotFound("No such round.")
    return found


def get_school(school_id) -> School:
    school_id = id_or_404(school_id, "school")
    school = db.session.scalar(select(School).where(School.id == school_id))
    if school is None:
        raise NotFound("No such school.")
    return school


def round_practice(round_: AssessmentRound, practice_id) -> FrameworkPractice:
    """A practice of the round's framework (one of another framework is NotFound too)."""
    practice_id = id_or_404(practice_id, "practice")
    practice = next((p for p in round_.framework.practices if p.id == practice_id), None)
    if practice is None:
        raise NotFound("No such practice in this round's framework.")
    return practice


def require_open(round_: AssessmentRound) -> None:
    if not round_.is_open:
        raise Conflict(f"The {ROUND_CLOSED}: its ratings and consensus can no longer change.")


# --- the framework's levels --------------------------------------------------------------

def levels(framework: Framework) -> list[dict]:
    """The framework's levels, lowest first: [{key, name, descriptor}] (rank = index)."""
    return list(framework.document.get("levels") or [])


def level_rank(framework: Framework, key) -> int | None:
    return next((i for i, level in enumerate(levels(framework)) if level.get("key") == key), None)


def level_name(framework: Framework, key) -> str:
    return next((level.get("name") or key for level in levels(framework) if level.get("key") == key), key or "")


def practice_texts(framework: Framework) -> dict[str, dict]:
    """Practice key -> its description, descriptor per level and guiding questions, from
    the framework's document (the one source of its text)."""
    return {practice["key"]: practice for domain in framework.document.get("domains") or []
            for practice in domain.get("practices") or []}


# --- rounds --------------------------------------------------------------------------------

def list_rounds(page: int = 1, per_page: int = 20) -> tuple[list[AssessmentRound], list[AssessmentRound], int]:
    """Open rounds (newest first), then a page of the past ones and how many there are."""
    base = select(AssessmentRound).options(selectinload(AssessmentRound.framework))
    open_rounds = list(db.session.scalars(base.where(AssessmentRound.closed_at.is_(None))
                                          .order_by(AssessmentRound.opened_at.desc(), AssessmentRound.id.desc())))
    past = base.where(AssessmentRound.closed_at.is_not(None))
    total = db.session.scalar(select(func.count()).select_from(past.subquery())) or 0
    closed = list(db.session.scalars(past.order_by(AssessmentRound.closed_at.desc(), AssessmentRound.id.desc())
                                     .limit(per_page).offset((max(page, 1) - 1) * per_page)))
    return open_rounds, closed, total


def open_frameworks() -> list[Framework]:
    """Frameworks a round can be opened on: the network's, not archived."""
    return list(db.session.scalars(select(Framework).where(Framework.archived_at.is_(None)).order_by(Framework.name)))


def _clean_due(value) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ValueError("must be a date (YYYY-MM-DD)") from None


def open_round(membership, framework_id, name, due_on=None) -> AssessmentRound:
    """A new round on one of the network's frameworks (not archived). A framework may
    have any number of rounds over time, even at once (say, two cohorts)."""
    _require_manage(membership)
    errors = FieldErrors()
    name = errors.check("name", clean_name, name, NAME_MAX)
    due_on = errors.check("due_on", _clean_due, due_on)
    framework = None
    try:
        framework = db.session.scalar(select(Framework).where(Framework.id == clean_id(framework_id)))
    except ValueError:
        pass
    if framework is None:
        errors.add("framework_id", "is not a framework of this network")
    elif framework.archived_at is not None:
        errors.add("framework_id", "is archived: restore it or pick another framework")
    elif not framework.practices:
        errors.add("framework_id", "has no practices to rate")
    errors.raise_if_any()
    round_ = AssessmentRound(framework_id=framework.id, name=name, due_on=due_on, opened_by_id=membership.user_id,
                             opened_at=utcnow())
    db.session.add(round_)
    commit()
    return round_


def close_round(membership, round_id) -> AssessmentRound:
    """Close the round: nothing in it changes afterwards. Every school's standing is kept
    on AssessmentRoundSchool: complete (every practice agreed), partial (it had started:
    some consensus or some individual ratings) or not_started, with the counts. Ratings
    and consensus are kept as they are."""
    round_ = get_round(round_id)  # another network's round is NotFound before any role check
    _require_manage(membership)
    # Lock the round so two facilitators closing at once cannot both write the standings.
    db.session.scalar(select(AssessmentRound.id).where(AssessmentRound.id == round_.id).with_for_update())
    db.session.refresh(round_)
    require_open(round_)
    now = utcnow()
    rows = {row.school_id: row for row in db.session.scalars(
        select(AssessmentRoundSchool).where(AssessmentRoundSchool.round_id == round_.id))}
    for standing in progress(round_):
        row = rows.get(standing.school_id)
        if row is None:
            row = AssessmentRoundSchool(round_id=round_.id, school_id=standing.school_id)
            db.session.add(row)
        row.close_state = standing.close_state_if_closed
        row.agreed_practices = standing.agreed
        row.total_practices = standing.total
    round_.closed_at = now
    round_.closed_by_id = membership.user_id
    round_.version = (round_.version or 1) + 1
    commit()
    return round_


# --- progress ------------------------------------------------------------------------------

@dataclass(frozen=True)
class SchoolProgress:
    school_id: int
    school_name: str
    raters: int  # people who rated at least one practice
    ratings: int  # individual ratings recorded
    agreed: int  # practices with a consensus
    total: int  # practices in the framework
    submitted_at: datetime | None
    close_state: str | None  # set once the round has closed

    @property
    def percent(self) -> int:
        return round(100 * self.agreed / self.total) if self.total else 0

    @property
    def close_state_if_closed(self) -> str:
        if self.total and self.agreed >= self.total:
            return "complete"
        return "partial" if (self.agreed or self.ratings) else "not_started"

    @property
    def state(self) -> str:
        """In words for the pages: the close state once closed, else where it is now."""
        if self.close_state:
            return self.close_state
        if self.submitted_at:
            return "finished"
        return "started" if (self.agreed or self.ratings) else "not_started"


def progress(round_: AssessmentRound) -> list[SchoolProgress]:
    """Every school of the network in one grouped query: raters and ratings so far,
    practices agreed out of the framework's, finished and closing standing."""
    total = len(round_.framework.practices)
    ratings = (select(AssessmentRating.school_id.label("school_id"),
                      func.count(func.distinct(AssessmentRating.user_id)).label("raters"),
                      func.count().label("ratings"))
               .where(AssessmentRating.round_id == round_.id).group_by(AssessmentRating.school_id).subquery())
    agreed = (select(AssessmentConsensus.school_id.label("school_id"), func.count().label("agreed"))
              .where(AssessmentConsensus.round_id == round_.id).group_by(AssessmentConsensus.school_id).subquery())
    stmt = (
        select(School.id, School.name, func.coalesce(ratings.c.raters, 0), func.coalesce(ratings.c.ratings, 0),
               func.coalesce(agreed.c.agreed, 0), AssessmentRoundSchool.submitted_at, AssessmentRoundSchool.close_state)
        .outerjoin(ratings, ratings.c.school_id == School.id)
        .outerjoin(agreed, agreed.c.school_id == School.id)
        .outerjoin(AssessmentRoundSchool, and_(AssessmentRoundSchool.school_id == School.id,
                                               AssessmentRoundSchool.round_id == round_.id))
        .order_by(School.name, School.id)
    )
    return [SchoolProgress(school_id, name, raters, count, agreed_n, total, submitted_at, close_state)
            for school_id, name, raters, count, agreed_n, submitted_at, close_state in db.session.execute(stmt)]


def school_progress(round_: AssessmentRound, school_id: int) -> SchoolProgress | None:
    return next((row for row in progress(round_) if row.school_id == school_id), None)


def round_summary(rows: list[SchoolProgress]) -> dict:
    return {
        "schools": len(rows),
        "complete": sum(1 for r in rows if r.total and r.agreed >= r.total),
        "started": sum(1 for r in rows if r.agreed or r.ratings),
        "finished": sum(1 for r in rows if r.submitted_at),
    }

