"""The network's view of leadership practice: where each school's team agreed it stands on
each practice of a round (the heatmap), how that changed since the previous round on the
same framework, and how the schools spread over the levels per practice.

Only the consensus (the team's agreed level, shared with the network) is read here, never
an individual rating: those stay inside their school (nic.services.assessments.assessments). The
heatmap reads the consensus rows themselves, so a level agreed a second ago shows at
once; the distribution per practice is the roll-up's (RollupAssessmentPractice), shown
with its `computed_at`. The school panel (weakest practices, change ideas, peers) is in
nic.services.assessments.leadership_school.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import exists, func, or_, and_, select

from nic.extensions import db
from nic.models import (
    AssessmentConsensus, AssessmentRound, Framework, FrameworkPractice, RollupAssessmentPractice, School,
)
from nic.services.assessments import evidence as assessment_evidence
from nic.services.assessments.evidence import EvidenceItem
from nic.services.errors import NotFound
from nic.services.validation import clean_id

SCHOOLS_PER_PAGE = 50
# Cells are coloured in five steps from the lowest level to the highest, whatever the
# number of levels (2 to 10), so the palette and its contrast are fixed in CSS.
TONES = 5
CHANGES = ("up", "down", "same", "new")


@dataclass(frozen=True)
class Level:
    rank: int
    key: str
    name: str
    tone: int


@dataclass(frozen=True)
class Cell:
    school_id: int
    practice_id: int
    level: Level
    change: str | None  # up, down, same, new (no consensus last round); None: no previous round
    previous: Level | None


@dataclass
class SchoolRow:
    school: School
    cells: list[Cell | None]  # one per practice, in the framework's order

    @property
    def agreed(self) -> int:
        return sum(1 for cell in self.cells if cell is not None)


@dataclass
class Distribution:
    practice: FrameworkPractice
    counts: list[int]  # schools per level, lowest level first

    @property
    def total(self) -> int:
        return sum(self.counts)


@dataclass
class RoundChoice:
    round: AssessmentRound
    has_consensus: bool


@dataclass
class Heatmap:
    round: AssessmentRound
    previous_round: AssessmentRound | None
    framework: Framework
    levels: list[Level]
    practices: list[FrameworkPractice]
    rows: list[SchoolRow]
    distribution: list[Distribution]
    computed_at: datetime | None  # of the distribution (the roll-up); None before one ran
    mean_ranks: dict[int, float] = field(default_factory=dict)  # practice id -> network mean (all schools)


# --- levels ----------------------------------------------------------------------------------

def tone(rank: int, count: int) -> int:
    if count <= 1:
        return TONES // 2
    return round(rank * (TONES - 1) / (count - 1))


def levels_of(framework: Framework) -> list[Level]:
    raw = list((framework.document or {}).get("levels") or [])
    return [Level(rank, level.get("key", ""), level.get("name") or level.get("key", ""), tone(rank, len(raw)))
            for rank, level in enumerate(raw)]


def level_at(levels: list[Level], rank: int | None, key: str = "") -> Level | None:
    if rank is None:
        return None
    if 0 <= rank < len(levels):
        return levels[rank]
    # A framework edited after the consensus was recorded: keep the stored key visible.
    return Level(rank, key, key, tone(min(rank, len(levels) - 1), len(levels)) if levels else 0)


def change_between(rank: int, previous: int | None, had_previous_round: bool) -> str | None:
    if not had_previous_round:
        return None
    if previous is None:
        return "new"
    return "up" if rank > previous else "down" if rank < previous else "same"


# --- rounds ----------------------------------------------------------------------------------

def _newest_first(stmt):
    return stmt.order_by(AssessmentRound.opened_at.desc(), AssessmentRound.id.desc())


def round_choices() -> list[RoundChoice]:
    """Every round of the network, newest first, with whether any school agreed anything."""
    agreed = exists().where(AssessmentConsensus.round_id == AssessmentRound.id)
    stmt = _newest_first(select(AssessmentRound, agreed.label("agreed")))
    return [RoundChoice(round_, bool(has)) for round_, has in db.session.execute(stmt)]


def pick_round(round_id=None) -> AssessmentRound | None:
    """The round asked for (another network's or a bad id: NotFound), or by default the
    latest round any school has agreed a level in; None when there is none."""
    if round_id not in (None, ""):
        try:
            round_id = clean_id(round_id)
        except ValueError:
            raise NotFound("No such round.") from None
        round_ = db.session.scalar(select(AssessmentRound).where(AssessmentRound.id == round_id))
        if round_ is None:
            raise NotFound("No such round.")
        return round_
    agreed = exists().where(AssessmentConsensus.round_id == AssessmentRound.id)
    return db.session.scalar(_newest_first(select(AssessmentRound).where(agreed)).limit(1))


def previous_round(round_: AssessmentRound) -> AssessmentRound | None:
    """The round on the same framework opened just before this one."""
    earlier = or_(AssessmentRound.opened_at < round_.opened_at,
                  and_(AssessmentRound.opened_at == round_.opened_at, AssessmentRound.id < round_.id))
    stmt = select(AssessmentRound).where(AssessmentRound.framework_id == round_.framework_id, earlier)
    return db.session.scalar(_newest_first(stmt).limit(1))


# --- schools ---------------------------------------------------------------------------------

def groups() -> list[str]:
    stmt = select(School.group_name).where(School.group_name != "").distinct().order_by(School.group_name)
    return list(db.session.scalars(stmt))


def _schools_stmt(group: str = ""):
    stmt = select(School)
    if group:
        stmt = stmt.where(School.group_name == group)
    return stmt


def school_page(group: str = "", page: int = 1, per_page: int = SCHOOLS_PER_PAGE) -> tuple[list[School], int]:
    """One page of the schools (by name) in the group, and how many there are."""
    total = db.session.scalar(select(func.count()).select_from(_schools_stmt(group).subquery()))
    stmt = _schools_stmt(group).order_by(School.name, School.id).offset((page - 1) * per_page).limit(per_page)
    return list(db.session.scalars(stmt)), total


def schools_after(group: str, after_id: int | None, limit: int) -> list[School]:
    """Schools by id after `after_id` (the API's keyset pages), limit + 1 to tell if more."""
    stmt = _schools_stmt(group)
    if after_id is not None:
        stmt = stmt.where(School.id > after_id)
    return list(db.session.scalars(stmt.order_by(School.id).limit(limit + 1)))


# --- the heatmap -----------------------------------------------------------------------------

def _ranks(round_id: int, school_ids: list[int]) -> dict[tuple[int, int], tuple[int, str]]:
    if not school_ids:
        return {}
    C = AssessmentConsensus
    stmt = select(C.school_id, C.practice_id, C.level_rank, C.level_key).where(
        C.round_id == round_id, C.school_id.in_(school_ids))
    return {(s, p): (rank, key) for s, p, rank, key in db.session.execute(stmt)}


def network_means(round_id: int) -> dict[int, float]:
    """practice id -> the mean agreed rank over every school of the network in the round."""
    C = AssessmentConsensus
    stmt = select(C.practice_id, func.avg(C.level_rank)).where(C.round_id == round_id).group_by(C.practice_id)
    return {practice_id: float(mean) for practice_id, mean in db.session.execute(stmt)}


def distribution(round_: AssessmentRound, practices: list[FrameworkPractice],
                 levels: list[Level]) -> tuple[list[Distribution], datetime | None]:
    R = RollupAssessmentPractice
    rows = db.session.execute(select(R.practice_id, R.level_rank, R.schools, R.computed_at)
                              .where(R.round_id == round_.id)).all()
    counts = {p.id: [0] * len(levels) for p in practices}
    computed_at = None
    for practice_id, rank, schools, at in rows:
        if practice_id in counts and 0 <= rank < len(levels):
            counts[practice_id][rank] += schools
        computed_at = max(computed_at, at) if computed_at else at
    return [Distribution(p, counts[p.id]) for p in practices], computed_at


def heatmap(round_: AssessmentRound, schools: list[School]) -> Heatmap:
    """The round's heatmap for these schools (a page of them), with the change since the
    previous round and the network's distribution per practice: a fixed number of queries."""
    framework = round_.framework
    levels = levels_of(framework)
    practices = list(framework.practices)
    previous = previous_round(round_)
    school_ids = [s.id for s in schools]
    now = _ranks(round_.id, school_ids)
    before = _ranks(previous.id, school_ids) if previous is not None else {}
    rows = []
    for school in schools:
        cells: list[Cell | None] = []
        for practice in practices:
            agreed = now.get((school.id, practice.id))
            if agreed is None:
                cells.append(None)
                continue
            earlier = before.get((school.id, practice.id))
            cells.append(Cell(school.id, practice.id, level_at(levels, agreed[0], agreed[1]),
                              change_between(agreed[0], earlier[0] if earlier else None, previous is not None),
                              level_at(levels, earlier[0], earlier[1]) if earlier else None))
        rows.append(SchoolRow(school, cells))
    spread, computed_at = distribution(round_, practices, levels)
    return Heatmap(round_, previous, framework, levels, practices, rows, spread, computed_at,
                   network_means(round_.id))


# --- one school's consensus on one practice ------------------------------------------------------

@dataclass
class ConsensusDetail:
    round: AssessmentRound
    school: School
    practice: FrameworkPractice
    consensus: AssessmentConsensus
    level: Level
    previous: Level | None
    previous_round: AssessmentRound | None
    evidence: list[EvidenceItem]
    hidden_evidence: int  # cycles or artifacts the school keeps to itself


def consensus_detail(membership, round_id, school_id, practice_id) -> ConsensusDetail:
    """One cell of the heatmap: NotFound for another network's ids, a practice outside the
    round's framework, or a cell with no agreed level."""
    round_ = pick_round(round_id)
    ids = []
    for raw, what in ((school_id, "school"), (practice_id, "practice")):
        try:
            ids.append(clean_id(raw))
        except ValueError:
            raise NotFound(f"No such {what}.") from None
    C = AssessmentConsensus
    consensus = db.session.scalar(select(C).where(C.round_id == round_.id, C.school_id == ids[0],
                                                   C.practice_id == ids[1]))
    if consensus is None:
        raise NotFound("No level agreed for this practice.")
    levels = levels_of(round_.framework)
    previous = previous_round(round_)
    earlier = None
    if previous is not None:
        earlier = db.session.scalar(select(C).where(C.round_id == previous.id, C.school_id == ids[0],
                                                     C.practice_id == ids[1]))
    # The same rule as the school's own pages: a cycle or artifact the school keeps to
    # itself is counted, not named.
    evidence, hidden = assessment_evidence.visible_evidence(membership, [consensus])[consensus.id]
    return ConsensusDetail(round_, consensus.school, consensus.practice, consensus,
                           level_at(levels, consensus.level_rank, consensus.level_key),
                           level_at(levels, earlier.level_rank, earlier.level_key) if earlier else None,
                           previous, evidence, hidden)
