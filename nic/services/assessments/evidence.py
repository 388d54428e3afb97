"""Evidence for a consensus: which cycles, artifacts and measures a team may point to,
what to suggest for each practice, and how to show the evidence to each reader.

"A school's cycles show up as evidence on its assessment": for each practice, the
school's cycles whose change idea is linked to the practice, directly
(practice_change_ideas) or through one of its drivers (practice_drivers and
change_idea_drivers), newest first, and the school's artifacts tied to those change ideas
or used by those cycles. The team may still pick any cycle, artifact or measure it can
see; the suggestions only put the likely ones first.

A consensus is shared with the network, but a cycle or artifact its school keeps
private stays private: readers see only the evidence they may open themselves.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import select

from nic.extensions import db
from nic.models import EVIDENCE_KINDS, Artifact, ArtifactCycleLink, AssessmentRound, Cycle, Measure
from nic.models.artifact import artifact_change_ideas
from nic.permissions import visible_artifacts_clause, visible_cycles_clause
from nic.services.assessments.framework_links import practice_idea_links
from nic.services.validation import clean_id

MAX_EVIDENCE = 50
SUGGESTED_PER_PRACTICE = 8
RECENT = 30


# --- checking what a team sends ------------------------------------------------------------

def _pairs(items) -> list[tuple[int, str, object]]:
    if items is None:
        return []
    if not isinstance(items, (list, tuple)):
        raise ValueError("must be a list of {kind, id}")
    if len(items) > MAX_EVIDENCE:
        raise ValueError(f"must be at most {MAX_EVIDENCE} items")
    pairs = []
    for index, item in enumerate(items):
        if isinstance(item, dict):
            kind, raw = item.get("kind"), item.get("id")
        elif isinstance(item, (list, tuple)) and len(item) == 2:
            kind, raw = item
        else:
            raise ValueError(f"item {index} must be {{kind, id}}")
        pairs.append((index, kind, raw))
    return pairs


def clean_evidence(membership, items) -> list[tuple[str, int]]:
    """[(kind, id)] in the order sent, once each; raises ValueError naming the first bad
    item: a kind other than cycle, artifact or measure, or an id that is not one the
    recorder may see in this network (another network's looks the same as a made-up one)."""
    wanted: list[tuple[int, str, int]] = []
    for index, kind, raw in _pairs(items):
        if kind not in EVIDENCE_KINDS:
            raise ValueError(f"item {index}: kind must be one of {', '.join(EVIDENCE_KINDS)}")
        if isinstance(raw, bool):
            raise ValueError(f"item {index}: id must be a whole number")
        try:
            wanted.append((index, kind, clean_id(raw)))
        except ValueError as exc:
            raise ValueError(f"item {index}: id {exc}") from None
    found = {kind: _visible_ids(membership, kind, {i for _, k, i in wanted if k == kind}) for kind in EVIDENCE_KINDS}
    targets: list[tuple[str, int]] = []
    for index, kind, target_id in wanted:
        if target_id not in found[kind]:
            raise ValueError(f"item {index}: there is no {kind} {target_id} you can see in this network")
        if (kind, target_id) not in targets:
            targets.append((kind, target_id))
    return targets


def _visible_ids(membership, kind: str, ids: set[int]) -> set[int]:
    if not ids:
        return set()
    if kind == "cycle":
        stmt = select(Cycle.id).where(Cycle.id.in_(ids), visible_cycles_clause(membership))
    elif kind == "artifact":
        stmt = select(Artifact.id).where(Artifact.id.in_(ids), visible_artifacts_clause(membership))
    else:
        stmt = select(Measure.id).where(Measure.id.in_(ids))
    return set(db.session.scalars(stmt))


# --- showing evidence ------------------------------------------------------------------------

@dataclass(frozen=True)
class EvidenceItem:
    kind: str
    id: int
    title: str
    school_id: int | None = None
    detail: str = ""  # phase of a cycle, kind of an artifact or measure


def describe(membership, targets) -> dict[tuple[str, int], EvidenceItem]:
    """(kind, id) -> what to show, for the targets this reader may see (one query per
    kind); the ones they may not see are simply absent."""
    by_kind: dict[str, set[int]] = defaultdict(set)
    for kind, target_id in targets:
        by_kind[kind].add(target_id)
    out: dict[tuple[str, int], EvidenceItem] = {}
    if by_kind["cycle"]:
        for c in db.session.execute(select(Cycle.id, Cycle.title, Cycle.school_id, Cycle.phase).where(
                Cycle.id.in_(by_kind["cycle"]), visible_cycles_clause(membership))):
            out[("cycle", c.id)] = EvidenceItem("cycle", c.id, c.title, c.school_id, c.phase)
    if by_kind["artifact"]:
        for a in db.session.execute(select(Artifact.id, Artifact.title, Artifact.school_id, Artifact.kind).where(
                Artifact.id.in_(by_kind["artifact"]), visible_artifacts_clause(membership))):
            out[("artifact", a.id)] = EvidenceItem("artifact", a.id, a.title, a.school_id, a.kind)
    if by_kind["measure"]:
        for m in db.session.execute(select(Measure.id, Measure.name, Measure.kind).where(
                Measure.id.in_(by_kind["measure"]))):
            out[("measure", m.id)] = EvidenceItem("measure", m.id, m.name, None, m.kind)
    return out


def visible_evidence(membership, consensus_rows) -> dict[int, tuple[list[EvidenceItem], int]]:
    """consensus id -> (the evidence this reader may see, how many items are hidden)."""
    targets = [(e.kind, e.target_id) for c in consensus_rows for e in c.evidence]
    shown = describe(membership, targets)
    out = {}
    for consensus in consensus_rows:
        items = [shown[(e.kind, e.target_id)] for e in consensus.evidence if (e.kind, e.target_id) in shown]
        out[consensus.id] = (items, len(consensus.evidence) - len(items))
    return out


# --- suggesting evidence ---------------------------------------------------------------------

@dataclass
class Suggestions:
    cycles: list[EvidenceItem] = field(default_factory=list)
    artifacts: list[EvidenceItem] = field(default_factory=list)


@dataclass
class EvidenceChoices:
    """What the consensus form offers: per practice the suggested items first, then the
    school's recent cycles and artifacts and the network's measures."""

    suggested: dict[int, Suggestions]
    recent_cycles: list[EvidenceItem]
    artifacts: list[EvidenceItem]
    measures: list[EvidenceItem]


def suggestions(membership, round_: AssessmentRound, school_id: int) -> dict[int, Suggestions]:
    practice_ids = [p.id for p in round_.framework.practices]
    out: dict[int, Suggestions] = {pid: Suggestions() for pid in practice_ids}
    if not practice_ids:
        return out
    links = practice_idea_links(practice_ids)
    cycles = db.session.execute(
        select(links.c.practice_id, Cycle.id, Cycle.title, Cycle.phase, Cycle.change_idea_id)
        .join(Cycle, Cycle.change_idea_id == links.c.change_idea_id)
        .where(Cycle.school_id == school_id, visible_cycles_clause(membership))
        .order_by(links.c.practice_id, Cycle.created_at.desc(), Cycle.id.desc()))
    cycle_practices: dict[int, set[int]] = defaultdict(set)
    for practice_id, cycle_id, title, phase, _idea in cycles:
        cycle_practices[cycle_id].add(practice_id)
        if len(out[practice_id].cycles) < SUGGESTED_PER_PRACTICE:
            out[practice_id].cycles.append(EvidenceItem("cycle", cycle_id, title, school_id, phase))
    by_idea = (select(links.c.practice_id, Artifact.id, Artifact.title, Artifact.kind, Artifact.created_at)
               .join(artifact_change_ideas, artifact_change_ideas.c.change_idea_id == links.c.change_idea_id)
               .join(Artifact, Artifact.id == artifact_change_ideas.c.artifact_id)
               .where(Artifact.school_id == school_id, visible_artifacts_clause(membership)))
    rows = list(db.session.execute(by_idea))
    if cycle_practices:
        used = db.session.execute(
            select(ArtifactCycleLink.cycle_id, Artifact.id, Artifact.title, Artifact.kind, Artifact.created_at)
            .join(Artifact, Artifact.id == ArtifactCycleLink.artifact_id)
            .where(ArtifactCycleLink.cycle_id.in_(list(cycle_practices)), Artifact.school_id == school_id,
                   visible_artifacts_clause(membership)))
        rows += [(pid, *rest) for cycle_id, *rest in used for pid in cycle_practices[cycle_id]]
    for practice_id, artifact_id, title, kind, _created in sorted(rows, key=lambda r: (r[4], r[1]), reverse=True):
        items = out[practice_id].artifacts
        if len(items) < SUGGESTED_PER_PRACTICE and all(i.id != artifact_id for i in items):
            items.append(EvidenceItem("artifact", artifact_id, title, school_id, kind))
    return out


def choices(membership, round_: AssessmentRound, school_id: int) -> EvidenceChoices:
    recent = db.session.execute(
        select(Cycle.id, Cycle.title, Cycle.phase).where(Cycle.school_id == school_id, visible_cycles_clause(membership))
        .order_by(Cycle.updated_at.desc(), Cycle.id.desc()).limit(RECENT))
    artifacts = db.session.execute(
        select(Artifact.id, Artifact.title, Artifact.kind)
        .where(Artifact.school_id == school_id, visible_artifacts_clause(membership))
        .order_by(Artifact.updated_at.desc(), Artifact.id.desc()).limit(RECENT))
    measures = db.session.execute(select(Measure.id, Measure.name, Measure.kind).order_by(Measure.name).limit(100))
    return EvidenceChoices(
        suggested=suggestions(membership, round_, school_id),
        recent_cycles=[EvidenceItem("cycle", i, t, school_id, p) for i, t, p in recent],
        artifacts=[EvidenceItem("artifact", i, t, school_id, k) for i, t, k in artifacts],
        measures=[EvidenceItem("measure", i, n, None, k) for i, n, k in measures],
    )
