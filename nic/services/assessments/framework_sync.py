"""Keeping a framework's rows in step with its document (used by nic.services.assessments.frameworks).

- FrameworkPractice rows are matched by practice key: a new key adds a row, a changed
  name or domain updates it, positions follow the document, a key no longer there loses
  its row (and, through the foreign keys, its links to drivers and change ideas).
- A practice or a level that ratings or a consensus already use may not be removed: those
  rows are a school's record of a round, and deleting them because a rubric was tidied
  would rewrite history. The edit is refused, naming each one.
- Ratings and consensus store the level's rank beside its key (so SQL can average and
  compare); when an edit reorders or inserts levels, the ranks are rewritten from the keys.
"""
from __future__ import annotations

from sqlalchemy import case, func, select, update

from nic.extensions import db
from nic.frameworks import Framework as Document
from nic.models import AssessmentConsensus, AssessmentRating, Framework, FrameworkPractice
from nic.services.errors import Conflict
from nic.words import plural


def sync_practices(framework: Framework, document: Document) -> None:
    rows = {row.key: row for row in framework.practices}
    wanted: list[FrameworkPractice] = []
    for domain in document.domains:
        for practice in domain.practices:
            row = rows.pop(practice.key, None) or FrameworkPractice(key=practice.key)
            row.name, row.domain, row.position = practice.name, domain.name, len(wanted)
            wanted.append(row)
    framework.practices = wanted  # delete-orphan removes the rows whose key is gone


def _in_use(n_ratings: int, n_agreed: int) -> str:
    parts = []
    if n_ratings:
        parts.append(plural(n_ratings, "individual rating", "individual ratings"))
    if n_agreed:
        parts.append(plural(n_agreed, "consensus level", "consensus levels"))
    return " and ".join(parts)


def _counts(model, group_column, condition) -> dict:
    stmt = select(group_column, func.count(model.id)).where(condition).group_by(group_column)
    return dict(db.session.execute(stmt).all())


def check_removals(framework: Framework, document: Document) -> None:
    """Conflict naming every practice and level the edit removes that is in use."""
    problems: dict[str, str] = {}
    kept_practices = {practice.key for practice in document.practices()}
    gone = [row for row in framework.practices if row.key not in kept_practices]
    if gone:
        ids = [row.id for row in gone]
        rated = _counts(AssessmentRating, AssessmentRating.practice_id, AssessmentRating.practice_id.in_(ids))
        agreed = _counts(AssessmentConsensus, AssessmentConsensus.practice_id,
                         AssessmentConsensus.practice_id.in_(ids))
        used = [f"“{row.name}” ({row.key}) has {_in_use(rated.get(row.id, 0), agreed.get(row.id, 0))}"
                for row in gone if rated.get(row.id) or agreed.get(row.id)]
        if used:
            problems["practices"] = "cannot remove practices that rounds have rated: " + "; ".join(used)
    kept_levels = set(document.level_keys)
    gone_levels = [level for level in framework.document["levels"] if level["key"] not in kept_levels]
    if gone_levels:
        keys = [level["key"] for level in gone_levels]
        practice_ids = select(FrameworkPractice.id).where(FrameworkPractice.framework_id == framework.id)
        rated = _counts(AssessmentRating, AssessmentRating.level_key,
                        AssessmentRating.practice_id.in_(practice_ids) & AssessmentRating.level_key.in_(keys))
        agreed = _counts(AssessmentConsensus, AssessmentConsensus.level_key,
                         AssessmentConsensus.practice_id.in_(practice_ids) & AssessmentConsensus.level_key.in_(keys))
        used = [f"“{level['name']}” ({level['key']}) has {_in_use(rated.get(level['key'], 0), agreed.get(level['key'], 0))}"
                for level in gone_levels if rated.get(level["key"]) or agreed.get(level["key"])]
        if used:
            problems["levels"] = "cannot remove levels that ratings use: " + "; ".join(used)
    if problems:
        raise Conflict("This edit would remove practices or levels that assessment rounds already use, so "
                       "nothing was saved. Keep them (you may rename them), or copy the framework and edit "
                       "the copy.", problems)


def rerank(framework: Framework, old_levels: list[str], new_levels: list[str]) -> None:
    """Rewrite the stored ranks of ratings and consensus whose level moved."""
    new_rank = {key: rank for rank, key in enumerate(new_levels)}
    moved = {key: new_rank[key] for rank, key in enumerate(old_levels) if key in new_rank and new_rank[key] != rank}
    if not moved:
        return
    practice_ids = select(FrameworkPractice.id).where(FrameworkPractice.framework_id == framework.id)
    for model in (AssessmentRating, AssessmentConsensus):
        db.session.execute(
            update(model).where(model.practice_id.in_(practice_ids), model.level_key.in_(list(moved)))
            .values(level_rank=case(moved, value=model.level_key))
            .execution_options(synchronize_session=False))
