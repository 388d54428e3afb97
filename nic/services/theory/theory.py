"""The network's theory of improvement: aims and their driver diagrams, and the revisions
that let anyone see the diagram as it stood on a given day.

Every change to an aim, a driver or a change idea attached to an aim ends in
`record_revision()`, in the same transaction as the change, so a revision exists for
exactly the edits that were committed. Change ideas themselves are in
nic.services.theory.ideas.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from nic.extensions import db
from nic.models import DRIVER_KINDS, Aim, ChangeIdea, DiagramRevision, Driver, User
from nic.models.theory import driver_parents
from nic.services.errors import Conflict, NotFound
from nic.transaction import commit
from nic.services.validation import FieldErrors, clean_name
from nic.tenancy import get_scoped

MAX_TEXT = 20_000  # Markdown fields: generous, but a field error rather than a 500 past it
SUMMARY_LENGTH = 300


# --- small cleaners (ValueError -> a field error through FieldErrors) -------------------

def clean_text(value, max_length: int = MAX_TEXT) -> str:
    value = (value or "").strip()
    if len(value) > max_length:
        raise ValueError(f"must be at most {max_length} characters")
    return value


def clean_short(value, max_length: int) -> str:
    value = " ".join((value or "").split())
    if len(value) > max_length:
        raise ValueError(f"must be at most {max_length} characters")
    return value


def clean_number(value) -> float | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueError("must be a number")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError("must be a number") from None
    if number != number or number in (float("inf"), float("-inf")):
        raise ValueError("must be a number")
    return number


def clean_date(value) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ValueError("must be a date, YYYY-MM-DD") from None


def clean_ids(value) -> list[int]:
    """A list of ids, order kept, duplicates dropped."""
    if value is None:
        return []
    if isinstance(value, (str, int)) or not hasattr(value, "__iter__"):
        raise ValueError("must be a list of ids")
    ids: list[int] = []
    for item in value:
        if isinstance(item, bool):
            raise ValueError("must be a list of ids")
        try:
            number = int(item)
        except (TypeError, ValueError):
            raise ValueError("must be a list of ids") from None
        if number not in ids:
            ids.append(number)
    return ids


def quote_title(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return f"“{text if len(text) <= limit else text[: limit - 1] + '…'}”"


# --- aims ------------------------------------------------------------------------------

AIM_FIELDS = ("statement", "population", "measure_label", "baseline", "target", "unit", "due_date")


def aims() -> list[Aim]:
    return list(db.session.scalars(select(Aim).order_by(Aim.created_at, Aim.id)))


def get_aim(aim_id) -> Aim:
    aim = get_scoped(Aim, aim_id)
    if aim is None:
        raise NotFound("No such aim in this network.")
    return aim


def _clean_aim(data: dict) -> dict:
    errors = FieldErrors()
    values = {
        "statement": errors.check("statement", clean_name, data.get("statement"), 2000),
        "population": errors.check("population", clean_short, data.get("population"), 300),
        "measure_label": errors.check("measure_label", clean_short, data.get("measure_label"), 200),
        "baseline": errors.check("baseline", clean_number, data.get("baseline")),
        "target": errors.check("target", clean_number, data.get("target")),
        "unit": errors.check("unit", clean_short, data.get("unit"), 40),
        "due_date": errors.check("due_date", clean_date, data.get("due_date")),
    }
    errors.raise_if_any()
    return values


def create_aim(data: dict, actor: User | None) -> Aim:
    aim = Aim(**_clean_aim(data))
    db.session.add(aim)
    db.session.flush()
    record_revision(aim, actor, f"Set the aim {quote_title(aim.statement)}")
    commit()
    return aim


def update_aim(aim_id, data: dict, actor: User | None) -> Aim:
    aim = get_aim(aim_id)
    values = _clean_aim(data)
    changed = [name for name in AIM_FIELDS if getattr(aim, name) != values[name]]
    if changed:
        for name in changed:
            setattr(aim, name, values[name])
        record_revision(aim, actor, "Edited the aim: " + ", ".join(name.replace("_", " ") for name in changed))
        commit()
    return aim


# --- drivers ---------------------------------------------------------------------------

def get_driver(driver_id) -> Driver:
    driver = get_scoped(Driver, driver_id)
    if driver is None:
        raise NotFound("No such driver in this network.")
    return driver


def drivers_of(aim_id: int) -> list[Driver]:
    stmt = (
        select(Driver).where(Driver.aim_id == aim_id)
        .options(selectinload(Driver.parents)).order_by(Driver.position, Driver.id)
    )
    return list(db.session.scalars(stmt))


def load_drivers(errors: FieldErrors, field: str, ids, aim_id: int | None = None) -> list[Driver]:
    """The drivers with these ids in the current network (and aim, when given), or a
    field error naming the ones that are not: another network's ids read as unknown."""
    ids = errors.check(field, clean_ids, ids)
    if not ids:
        return []
    found = {d.id: d for d in db.session.scalars(select(Driver).where(Driver.id.in_(ids)))}
    unknown = [str(i) for i in ids if i not in found]
    if unknown:
        errors.add(field, f"unknown driver ids: {', '.join(unknown)}")
        return []
    if aim_id is not None:
        elsewhere = [str(i) for i in ids if found[i].aim_id != aim_id]
        if elsewhere:
            errors.add(field, f"drivers {', '.join(elsewhere)} belong to another aim")
            return []
    return [found[i] for i in ids]


def _descendants(driver: Driver, aim_drivers: list[Driver]) -> set[int]:
    """Ids of every driver under `driver` (children, their children, ...)."""
    children: dict[int, list[int]] = {}
    for d in aim_drivers:
        for parent in d.parents:
            children.setdefault(parent.id, []).append(d.id)
    seen: set[int] = set()
    stack = [driver.id]
    while stack:
        for child in children.get(stack.pop(), []):
            if child not in seen:
                seen.add(child)
                stack.append(child)
    return seen


def _clean_driver(errors: FieldErrors, aim: Aim, data: dict, driver: Driver | None = None) -> dict:
    kind = data.get("kind") or (driver.kind if driver else None)
    if kind not in DRIVER_KINDS:
        errors.add("kind", "must be primary or secondary")
    title = errors.check("title", clean_name, data.get("title"), 200)
    description = errors.check("description", clean_text, data.get("description"))
    parents = load_drivers(errors, "parent_ids", data.get("parent_ids"), aim.id)
    if kind == "primary" and parents:
        errors.add("parent_ids", "must be empty for a primary driver, which hangs from the aim")
    if kind == "secondary" and not parents and "parent_ids" not in errors.errors:
        errors.add("parent_ids", "choose at least one driver this one sits under")
    if driver is not None and parents:
        below = _descendants(driver, drivers_of(aim.id))
        loops = [p.title for p in parents if p.id == driver.id or p.id in below]
        if loops:
            errors.add("parent_ids", f"would make a loop: {', '.join(loops)} already sits under this driver")
    return {"kind": kind, "title": title, "description": description or "", "parents": parents}


def create_driver(aim_id, data: dict, actor: User | None) -> Driver:
    aim = get_aim(aim_id)
    errors = FieldErrors()
    values = _clean_driver(errors, aim, data)
    errors.raise_if_any()
    last = db.session.scalar(select(func.max(Driver.position)).where(Driver.aim_id == aim.id))
    driver = Driver(aim_id=aim.id, position=(last or 0) + 1, **values)
    db.session.add(driver)
    db.session.flush()
    record_revision(aim, actor, f"Added {driver.kind} driver {quote_title(driver.title)}")
    commit()
    return driver


def update_driver(driver_id, data: dict, actor: User | None) -> Driver:
    driver = get_driver(driver_id)
    aim = driver.aim
    errors = FieldErrors()
    values = _clean_driver(errors, aim, data, driver)
    errors.raise_if_any()
    changed = [name for name in ("kind", "title", "description") if getattr(driver, name) != values[name]]
    if [p.id for p in driver.parents] != [p.id for p in values["parents"]]:
        changed.append("parents")
    if changed:
        for name in ("kind", "title", "description", "parents"):
            setattr(driver, name, values[name])
        db.session.flush()
        record_revision(aim, actor, f"Edited driver {quote_title(driver.title)}: {', '.join(changed)}")
        commit()
    return driver


def delete_driver(driver_id, actor: User | None) -> Aim:
    """Refused while a secondary driver has this one as its only parent (it would be left
    hanging from nothing). Links to change ideas go with the driver."""
    driver = get_driver(driver_id)
    aim = driver.aim
    stranded = [d.title for d in drivers_of(aim.id) if [p.id for p in d.parents] == [driver.id]]
    if stranded:
        raise Conflict(
            f"{quote_title(driver.title)} is the only parent of {', '.join(quote_title(t) for t in stranded)}: "
            "move or remove those first."
        )
    # Association rows are removed through the ORM: SQLite does not enforce the
    # ON DELETE CASCADE of the foreign keys.
    children = select(Driver).join(driver_parents, driver_parents.c.child_id == Driver.id).where(
        driver_parents.c.parent_id == driver.id
    )
    for child in db.session.scalars(children):
        child.parents.remove(driver)
    for idea in db.session.scalars(select(ChangeIdea).where(ChangeIdea.drivers.any(Driver.id == driver.id))):
        idea.drivers.remove(driver)
    title = driver.title
    db.session.delete(driver)
    db.session.flush()
    record_revision(aim, actor, f"Removed driver {quote_title(title)}")
    commit()
    return aim


# --- snapshots and revisions -----------------------------------------------------------

def snapshot(aim: Aim) -> dict:
    """The whole diagram of `aim` as plain JSON (what DiagramRevision stores and the
    renderer draws): the aim, drivers with parent ids, change ideas with driver ids."""
    db.session.flush()
    ideas = db.session.scalars(
        select(ChangeIdea).where(ChangeIdea.aim_id == aim.id)
        .options(selectinload(ChangeIdea.drivers)).order_by(ChangeIdea.id)
    )
    return {
        "aim": {
            "id": aim.id, "statement": aim.statement, "population": aim.population,
            "measure_label": aim.measure_label, "baseline": aim.baseline, "target": aim.target,
            "unit": aim.unit, "due_date": aim.due_date.isoformat() if aim.due_date else None,
        },
        "drivers": [
            {"id": d.id, "kind": d.kind, "title": d.title, "position": d.position,
             "parent_ids": [p.id for p in d.parents]}
            for d in drivers_of(aim.id)
        ],
        "change_ideas": [
            {"id": i.id, "title": i.title, "status": i.status, "driver_ids": [d.id for d in i.drivers]}
            for i in ideas
        ],
    }


def record_revision(aim: Aim, actor: User | None, summary: str) -> DiagramRevision:
    """Store the diagram as it now stands (no commit: the caller's change and its
    revision commit together)."""
    if len(summary) > SUMMARY_LENGTH:
        summary = summary[: SUMMARY_LENGTH - 1] + "…"
    revision = DiagramRevision(aim_id=aim.id, author_id=actor.id if actor else None, summary=summary,
                               snapshot=snapshot(aim))
    db.session.add(revision)
    db.session.flush()
    return revision


def revisions(aim_id: int, page: int = 1, per_page: int = 25) -> tuple[list[DiagramRevision], int]:
    """One page of an aim's revisions, newest first, and how many there are."""
    base = select(DiagramRevision).where(DiagramRevision.aim_id == aim_id)
    total = db.session.scalar(select(func.count()).select_from(base.subquery()))
    stmt = (
        base.options(selectinload(DiagramRevision.author))
        .order_by(DiagramRevision.created_at.desc(), DiagramRevision.id.desc())
        .limit(per_page).offset((max(page, 1) - 1) * per_page)
    )
    return list(db.session.scalars(stmt)), total


def get_revision(aim_id: int, revision_id) -> DiagramRevision:
    revision = get_scoped(DiagramRevision, revision_id)
    if revision is None or revision.aim_id != aim_id:
        raise NotFound("No such revision of this aim.")
    return revision


def revision_as_of(aim_id: int, day: date) -> DiagramRevision | None:
    """The latest revision saved on or before `day` (whole days, UTC), or None."""
    end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=timezone.utc)
    stmt = (
        select(DiagramRevision)
        .where(DiagramRevision.aim_id == aim_id, DiagramRevision.created_at < end)
        .options(selectinload(DiagramRevision.author))
        .order_by(DiagramRevision.created_at.desc(), DiagramRevision.id.desc())
        .limit(1)
    )
    return db.session.scalar(stmt)


def existing_ids(snap: dict) -> tuple[set[int], set[int]]:
    """Which drivers and change ideas of an old snapshot still exist (to link only those)."""
    driver_ids = [d["id"] for d in snap.get("drivers") or [] if d.get("id") is not None]
    idea_ids = [i["id"] for i in snap.get("change_ideas") or [] if i.get("id") is not None]
    drivers = set(db.session.scalars(select(Driver.id).where(Driver.id.in_(driver_ids)))) if driver_ids else set()
    ideas = set(db.session.scalars(select(ChangeIdea.id).where(ChangeIdea.id.in_(idea_ids)))) if idea_ids else set()
    return drivers, ideas
