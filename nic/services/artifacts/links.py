"""Artifacts and the work they served: links to PDSA cycles (a cycle's Do step lists the
materials it used) and to change ideas, made from either side, and the counts the library
shows ("used in N cycles at M schools").

Rules: a cycle link is made by someone who may edit that cycle (it records what the
cycle used) and removed by them or by someone who may edit the artifact; change-idea
links belong to the artifact's metadata, so its editors make them. Every count and list
only ever includes cycles the reader may see (permissions.visible_cycles_clause) and
artifacts the reader may see (permissions.visible_artifacts_clause).
"""
from __future__ import annotations

from sqlalchemy import distinct, exists, func, or_, select
from sqlalchemy.orm import selectinload

from nic.extensions import db
from nic.models import Artifact, ArtifactCycleLink, ChangeIdea, Cycle
from nic.models.artifact import artifact_change_ideas
from nic.models.cycle import cycle_coauthors
from nic.permissions import (
    allowed, can_edit_artifact, can_edit_cycle, can_see_cycle, visible_artifacts_clause, visible_cycles_clause,
)
from nic.services.artifacts.artifacts import current_version, editable_artifact, visible_artifact
from nic.services.errors import Forbidden, NotFound, ValidationFailed
from nic.transaction import commit
from nic.tenancy import get_scoped

CHOICES_LIMIT = 200  # cycles offered in the "link a cycle" select, newest first


# --- cycles ----------------------------------------------------------------------------------

def visible_cycle(membership, cycle_id) -> Cycle:
    cycle = get_scoped(Cycle, cycle_id)
    if not can_see_cycle(membership, cycle):
        raise NotFound("No such cycle.")
    return cycle


def link_cycle(membership, user, artifact_id, cycle_id) -> ArtifactCycleLink:
    """Record that a cycle used this artifact (its current version). Linking again keeps
    the first link."""
    artifact = visible_artifact(membership, artifact_id)
    cycle = visible_cycle(membership, cycle_id)
    if not can_edit_cycle(membership, cycle):
        raise Forbidden("Only the people who work on this cycle attach materials to it.")
    link = db.session.scalar(select(ArtifactCycleLink).where(
        ArtifactCycleLink.artifact_id == artifact.id, ArtifactCycleLink.cycle_id == cycle.id))
    if link is None:
        version = current_version(artifact)
        link = ArtifactCycleLink(artifact_id=artifact.id, cycle_id=cycle.id, created_by_id=user.id,
                                 version_id=version.id if version else None)
        db.session.add(link)
        commit()
    return link


def unlink_cycle(membership, artifact_id, cycle_id) -> None:
    artifact = visible_artifact(membership, artifact_id)
    cycle = visible_cycle(membership, cycle_id)
    if not (can_edit_cycle(membership, cycle) or can_edit_artifact(membership, artifact)):
        raise Forbidden("Only the cycle's people or the artifact's editors remove this link.")
    link = db.session.scalar(select(ArtifactCycleLink).where(
        ArtifactCycleLink.artifact_id == artifact.id, ArtifactCycleLink.cycle_id == cycle.id))
    if link is None:
        raise NotFound("This cycle does not link the artifact.")
    db.session.delete(link)
    commit()


def editable_cycles_clause(membership):
    """SQL twin of permissions.can_edit_cycle: visible, and owned or co-authored by the
    member, or in their school when their role edits the school's cycles."""
    conditions = [Cycle.owner_id == membership.user_id, exists().where(
        cycle_coauthors.c.cycle_id == Cycle.id, cycle_coauthors.c.user_id == membership.user_id)]
    if membership.school_id and allowed(membership.role, "cycles.edit"):
        conditions.append(Cycle.school_id == membership.school_id)
    return visible_cycles_clause(membership) & or_(*conditions)


def linkable_cycles(membership, artifact: Artifact) -> list[Cycle]:
    """Cycles this member may attach the artifact to and that do not link it yet."""
    already = select(ArtifactCycleLink.cycle_id).where(ArtifactCycleLink.artifact_id == artifact.id)
    return list(db.session.scalars(
        select(Cycle).where(editable_cycles_clause(membership), Cycle.id.not_in(already))
        .options(selectinload(Cycle.school)).order_by(Cycle.updated_at.desc(), Cycle.id.desc()).limit(CHOICES_LIMIT)
    ))


def linked_cycles(membership, artifact: Artifact) -> list[ArtifactCycleLink]:
    """The links to cycles this member may see, with cycle, school and version loaded."""
    return list(db.session.scalars(
        select(ArtifactCycleLink).join(Cycle, Cycle.id == ArtifactCycleLink.cycle_id)
        .where(ArtifactCycleLink.artifact_id == artifact.id, visible_cycles_clause(membership))
        .options(selectinload(ArtifactCycleLink.cycle).selectinload(Cycle.school),
                 selectinload(ArtifactCycleLink.cycle).selectinload(Cycle.coauthors),
                 selectinload(ArtifactCycleLink.version))
        .order_by(Cycle.updated_at.desc(), Cycle.id.desc())
    ))


def cycle_materials(membership, cycle_id: int) -> list[ArtifactCycleLink]:
    """What a cycle's Do step shows: the artifacts it used that this member may see."""
    return list(db.session.scalars(
        select(ArtifactCycleLink).join(Artifact, Artifact.id == ArtifactCycleLink.artifact_id)
        .where(ArtifactCycleLink.cycle_id == cycle_id, visible_artifacts_clause(membership))
        .options(selectinload(ArtifactCycleLink.artifact).selectinload(Artifact.versions),
                 selectinload(ArtifactCycleLink.version))
        .order_by(Artifact.title, Artifact.id)
    ))


# --- change ideas ----------------------------------------------------------------------------

def link_change_idea(membership, artifact_id, change_idea_id) -> None:
    artifact = editable_artifact(membership, artifact_id)
    idea = get_scoped(ChangeIdea, change_idea_id)
    if idea is None:
        raise ValidationFailed({"change_idea_id": "is not a change idea of this network"})
    if idea not in artifact.change_ideas:
        artifact.change_ideas.append(idea)
        commit()


def linkable_change_ideas(artifact: Artifact) -> list[ChangeIdea]:
    linked = [idea.id for idea in artifact.change_ideas]
    return list(db.session.scalars(
        select(ChangeIdea).where(ChangeIdea.id.not_in(linked)).order_by(ChangeIdea.title, ChangeIdea.id)))


def unlink_change_idea(membership, artifact_id, change_idea_id) -> None:
    artifact = editable_artifact(membership, artifact_id)
    idea = next((i for i in artifact.change_ideas if str(i.id) == str(change_idea_id)), None)
    if idea is None:
        raise NotFound("This change idea is not linked to the artifact.")
    artifact.change_ideas.remove(idea)
    commit()


def change_idea_artifacts(membership, change_idea_id: int) -> list[Artifact]:
    """The artifacts linked to a change idea that this member may see."""
    return list(db.session.scalars(
        select(Artifact).join(artifact_change_ideas, artifact_change_ideas.c.artifact_id == Artifact.id)
        .where(artifact_change_ideas.c.change_idea_id == change_idea_id, visible_artifacts_clause(membership))
        .options(selectinload(Artifact.school), selectinload(Artifact.versions))
        .order_by(Artifact.title, Artifact.id)
    ))


# --- counts ----------------------------------------------------------------------------------

def usage_counts(membership, artifact_ids) -> dict[int, tuple[int, int]]:
    """artifact id -> (cycles, schools) that used it, among cycles this member may see:
    one grouped query for a whole page of artifacts."""
    ids = list(artifact_ids)
    if not ids:
        return {}
    rows = db.session.execute(
        select(ArtifactCycleLink.artifact_id, func.count(distinct(Cycle.id)), func.count(distinct(Cycle.school_id)))
        .join(Cycle, Cycle.id == ArtifactCycleLink.cycle_id)
        .where(ArtifactCycleLink.artifact_id.in_(ids), visible_cycles_clause(membership))
        .group_by(ArtifactCycleLink.artifact_id)
    )
    return {artifact_id: (cycles, schools) for artifact_id, cycles, schools in rows}


def usage_count_expression(membership):
    """A correlated count of the visible cycles linking Artifact, for ordering by use."""
    return (
        select(func.count(ArtifactCycleLink.id))
        .join(Cycle, Cycle.id == ArtifactCycleLink.cycle_id)
        .where(ArtifactCycleLink.artifact_id == Artifact.id, visible_cycles_clause(membership))
        .correlate(Artifact)
        .scalar_subquery()
    )


def cycle_ids_by_artifact(membership, artifact_ids) -> dict[int, list[int]]:
    """artifact id -> ids of the visible cycles linking it (one query for a page)."""
    ids = list(artifact_ids)
    result: dict[int, list[int]] = {artifact_id: [] for artifact_id in ids}
    if not ids:
        return result
    rows = db.session.execute(
        select(ArtifactCycleLink.artifact_id, ArtifactCycleLink.cycle_id)
        .join(Cycle, Cycle.id == ArtifactCycleLink.cycle_id)
        .where(ArtifactCycleLink.artifact_id.in_(ids), visible_cycles_clause(membership))
        .order_by(ArtifactCycleLink.cycle_id)
    )
    for artifact_id, cycle_id in rows:
        result[artifact_id].append(cycle_id)
    return result
