"""Edit history of cycles, and what it makes possible: showing who changed what, and
rebuilding the version someone started editing from, so a late save can be merged onto
the latest version instead of overwriting it.

Every CycleChange stores, per changed field, the old and the new value in snapshot form
(nic.services.cycles.fields). Walking the entries after version N backwards and putting
each old value back therefore gives the cycle as it was at version N.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from nic.extensions import db
from nic.models import ChangeIdea, Cycle, CycleChange, Team, User
from nic.services.cycles.fields import FIELD_LABELS, SNAPSHOT_FIELDS


def diff(before: dict, after: dict) -> dict:
    """{field: {"old": ..., "new": ...}} for each field whose value differs."""
    return {
        name: {"old": before.get(name), "new": after[name]}
        for name in SNAPSHOT_FIELDS
        if name in after and before.get(name) != after[name]
    }


def record(cycle: Cycle, user_id: int | None, action: str, fields: dict) -> CycleChange:
    """Add the history entry for a change just flushed (so `cycle.version` is the new one)."""
    change = CycleChange(cycle_id=cycle.id, user_id=user_id, version=cycle.version, action=action, fields=fields)
    db.session.add(change)
    return change


# --- reading history ---------------------------------------------------------------------

def change_count(cycle_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(CycleChange).where(CycleChange.cycle_id == cycle_id))


def changes(cycle_id: int, page: int = 1, per_page: int = 25) -> list[CycleChange]:
    stmt = (
        select(CycleChange)
        .where(CycleChange.cycle_id == cycle_id)
        .options(selectinload(CycleChange.user))
        .order_by(CycleChange.version.desc(), CycleChange.id.desc())
        .limit(per_page)
        .offset((max(page, 1) - 1) * per_page)
    )
    return list(db.session.scalars(stmt))


def names_for(entries) -> dict[str, dict[int, str]]:
    """Readable names for the ids that appear in history entries or comparisons: one query
    per kind (teams, people, change ideas) for the whole page."""
    wanted: dict[str, set[int]] = {"team_id": set(), "people": set(), "change_idea_id": set()}
    for fields in entries:
        for name, delta in fields.items():
            for value in (delta.get("old"), delta.get("new")):
                if name in ("team_id", "change_idea_id") and isinstance(value, int):
                    wanted[name].add(value)
                elif name == "owner_id" and isinstance(value, int):
                    wanted["people"].add(value)
                elif name == "coauthor_ids" and isinstance(value, list):
                    wanted["people"].update(v for v in value if isinstance(v, int))
    names: dict[str, dict[int, str]] = {"team_id": {}, "people": {}, "change_idea_id": {}}
    if wanted["team_id"]:
        names["team_id"] = dict(db.session.execute(select(Team.id, Team.name).where(Team.id.in_(wanted["team_id"]))).all())
    if wanted["people"]:
        names["people"] = dict(db.session.execute(select(User.id, User.name).where(User.id.in_(wanted["people"]))).all())
    if wanted["change_idea_id"]:
        names["change_idea_id"] = dict(db.session.execute(
            select(ChangeIdea.id, ChangeIdea.title).where(ChangeIdea.id.in_(wanted["change_idea_id"]))).all())
    return names


def describe(name: str, value, names: dict) -> str:
    """One field value as text a person can read."""
    if value is None or value == "" or value == []:
        return "—"
    if name in ("team_id", "change_idea_id"):
        return names[name].get(value, f"#{value} (removed)")
    if name == "owner_id":
        return names["people"].get(value, f"person #{value}")
    if name == "coauthor_ids":
        return ", ".join(names["people"].get(v, f"person #{v}") for v in value)
    if name == "parent_id":
        return f"cycle #{value}"
    if name in ("do_as_planned", "deleted"):
        return "yes" if value else "no"
    if name == "questions":
        lines = []
        for index, q in enumerate(value, 1):
            line = f"{index}. {q['question']} — prediction: {q['prediction'] or '—'}"
            if q.get("result"):
                line += f" — result: {q['result']}"
            lines.append(line)
        return "\n".join(lines)
    return str(value)


def label(name: str) -> str:
    return FIELD_LABELS.get(name, name.replace("_", " ").capitalize())


# --- conflicts ---------------------------------------------------------------------------

def state_at(cycle: Cycle, version: int, current: dict) -> dict | None:
    """The cycle's snapshot as it stood at `version`, rebuilt from the history entries
    written after it; None when that version cannot be rebuilt (never existed)."""
    if version < 1 or version > cycle.version:
        return None
    later = db.session.scalars(
        select(CycleChange)
        .where(CycleChange.cycle_id == cycle.id, CycleChange.version > version)
        .order_by(CycleChange.version.desc(), CycleChange.id.desc())
    )
    state = dict(current)
    for change in later:
        for name, delta in (change.fields or {}).items():
            if name in state:
                state[name] = delta.get("old")
    return state


@dataclass(frozen=True)
class FieldComparison:
    field: str
    label: str
    yours: object
    theirs: object
    you_changed: bool
    they_changed: bool

    @property
    def clash(self) -> bool:
        """Both sides changed the field, differently: the person has to choose."""
        return self.you_changed and self.they_changed and self.yours != self.theirs


@dataclass(frozen=True)
class Merge:
    comparisons: list[FieldComparison]  # the fields where yours and theirs differ
    merged: dict  # the latest version with your changes put back on top
    base_known: bool


def merge(submitted: dict, theirs: dict, base: dict | None) -> Merge:
    """Your changes (fields where what you submitted differs from the version you loaded)
    applied onto the latest stored version. Without the base, every field you submitted
    that differs from the latest counts as your change."""
    merged = dict(theirs)
    comparisons = []
    for name in SNAPSHOT_FIELDS:
        if name not in submitted:
            continue
        yours = submitted[name]
        you_changed = base is None or yours != base.get(name)
        they_changed = base is not None and theirs.get(name) != base.get(name)
        if you_changed:
            merged[name] = yours
        if yours != theirs.get(name):
            comparisons.append(FieldComparison(name, label(name), yours, theirs.get(name), you_changed, they_changed))
    return Merge(comparisons, merged, base is not None)
