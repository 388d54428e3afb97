"""Change ideas: anyone proposes one; facilitators accept or decline it, edit it, link
it to drivers and move it through testing, spreading and retirement. Who may do what is
decided by the caller (nic.permissions); this module keeps the rules of the data.

A change idea attached to an aim is part of that aim's driver diagram, so each change to
it writes a diagram revision (nic.services.theory.theory.record_revision).
"""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager, selectinload

from nic.clock import utcnow
from nic.extensions import db
from nic.models import CHANGE_IDEA_STATUSES, Aim, ChangeIdea, Cycle, DiagramRevision, Driver, School, User
from nic.permissions import visible_cycles_clause
from nic.services.errors import NotFound, ValidationFailed
from nic.services.artifacts.search import change_ideas_matching
from nic.services.theory.theory import quote_title, clean_text, load_drivers, record_revision
from nic.transaction import commit
from nic.services.validation import FieldErrors, clean_name
from nic.tenancy import get_scoped

DECIDED = frozenset({"accepted", "declined"})
STATUS_LABELS = {
    "proposed": "Proposed", "accepted": "Accepted", "declined": "Declined",
    "testing": "Testing", "spreading": "Spreading", "retired": "Retired",
}
_STATUS_VERBS = {"accepted": "Accepted", "declined": "Declined"}


def clean_status(value) -> str:
    if value not in CHANGE_IDEA_STATUSES:
        raise ValueError(f"must be one of {', '.join(CHANGE_IDEA_STATUSES)}")
    return value


def get_change_idea(change_idea_id) -> ChangeIdea:
    idea = get_scoped(ChangeIdea, change_idea_id)
    if idea is None:
        raise NotFound("No such change idea in this network.")
    return idea


def _resolve_aim(errors: FieldErrors, aim_id, drivers, current: Aim | None = None) -> Aim | None:
    """The aim the idea belongs to: the one named, else its current one, else the one its
    drivers sit in. Drivers must all sit in that one aim."""
    aim = current
    if aim_id not in (None, ""):
        aim = get_scoped(Aim, aim_id)
        if aim is None:
            errors.add("aim_id", "is not an aim of this network")
            return None
    driver_aims = {d.aim_id for d in drivers}
    if len(driver_aims) > 1:
        errors.add("driver_ids", "must all belong to one aim")
    elif driver_aims:
        (driver_aim_id,) = driver_aims
        if aim is None:
            aim = get_scoped(Aim, driver_aim_id)
        elif aim.id != driver_aim_id:
            errors.add("driver_ids", "must belong to the change idea's aim")
    return aim


def _only_aim() -> Aim | None:
    found = list(db.session.scalars(select(Aim).order_by(Aim.id).limit(2)))
    return found[0] if len(found) == 1 else None


def _stamp_decision(idea: ChangeIdea, actor: User | None) -> None:
    idea.decided_by_id = actor.id if actor else None
    idea.decided_at = utcnow()


def propose(data: dict, actor: User | None) -> ChangeIdea:
    """A new change idea, `proposed` unless the caller lets a facilitator pass `status`.
    With no aim named and no drivers, a network with a single aim attaches it there."""
    errors = FieldErrors()
    title = errors.check("title", clean_name, data.get("title"), 200)
    description = errors.check("description", clean_text, data.get("description"))
    status = errors.check("status", clean_status, data.get("status") or "proposed")
    drivers = load_drivers(errors, "driver_ids", data.get("driver_ids"))
    aim = _resolve_aim(errors, data.get("aim_id"), drivers)
    errors.raise_if_any()
    if aim is None and data.get("aim_id") in (None, "") and not drivers:
        aim = _only_aim()
    idea = ChangeIdea(title=title, description=description or "", status=status, drivers=drivers,
                      aim_id=aim.id if aim else None, proposed_by_id=actor.id if actor else None)
    if status in DECIDED:
        _stamp_decision(idea, actor)
    db.session.add(idea)
    db.session.flush()
    if aim is not None:
        verb = "Proposed" if status == "proposed" else "Added"
        record_revision(aim, actor, f"{verb} change idea {quote_title(title)}")
    commit()
    return idea


def update(change_idea_id, data: dict, actor: User | None) -> ChangeIdea:
    """Change the fields present in `data` (title, description, driver_ids, status,
    decision_note); absent fields stay as they are. All or nothing."""
    idea = get_change_idea(change_idea_id)
    errors = FieldErrors()
    values: dict = {}
    if "title" in data:
        values["title"] = errors.check("title", clean_name, data["title"], 200)
    if "description" in data:
        values["description"] = errors.check("description", clean_text, data["description"]) or ""
    if "status" in data:
        values["status"] = errors.check("status", clean_status, data["status"])
    if "decision_note" in data:
        values["decision_note"] = errors.check("decision_note", clean_text, data["decision_note"], 5000) or ""
    aim = idea.aim_id and get_scoped(Aim, idea.aim_id)
    if "driver_ids" in data:
        drivers = load_drivers(errors, "driver_ids", data["driver_ids"])
        aim = _resolve_aim(errors, None, drivers, current=aim or None)
        values["drivers"] = drivers
    errors.raise_if_any()

    changes: list[str] = []  # besides the status, which leads the summary
    edited = [name for name in ("title", "description") if name in values and getattr(idea, name) != values[name]]
    if edited:
        changes.append(f"edited {' and '.join(edited)}")
    old_status = idea.status
    status_changed = "status" in values and values["status"] != old_status
    if status_changed and values["status"] in DECIDED:
        _stamp_decision(idea, actor)
    if "decision_note" in values and values["decision_note"] != idea.decision_note:
        changes.append("updated the decision note")
    if "drivers" in values and [d.id for d in idea.drivers] != [d.id for d in values["drivers"]]:
        names = ", ".join(quote_title(d.title, 40) for d in values["drivers"])
        changes.append(f"linked drivers {names}" if names else "unlinked its drivers")
    for name, value in values.items():
        setattr(idea, name, value)
    if aim and idea.aim_id is None:
        idea.aim_id = aim.id
    if aim and (status_changed or changes):
        record_revision(aim, actor, _summary(idea, old_status, changes))
    commit()
    return idea


def _summary(idea: ChangeIdea, old_status: str, changes: list[str]) -> str:
    """"Accepted change idea “X”", "Change idea “X”: edited title; linked drivers …"."""
    if idea.status != old_status:
        verb = _STATUS_VERBS.get(idea.status)
        lead = (f"{verb} change idea {quote_title(idea.title)}" if verb
                else f"Moved change idea {quote_title(idea.title)} to {idea.status}")
        return "; ".join([lead] + changes)
    return f"Change idea {quote_title(idea.title)}: " + "; ".join(changes)


def decide(change_idea_id, decision: str, note: str, actor: User | None) -> ChangeIdea:
    """A facilitator's answer to a proposal: `accepted` or `declined`, with a note."""
    if decision not in DECIDED:
        raise ValidationFailed({"decision": "must be accepted or declined"})
    return update(change_idea_id, {"status": decision, "decision_note": note}, actor)


# --- reads -----------------------------------------------------------------------------

def listing(status: str | None = None, q: str | None = None, page: int = 1, per_page: int = 25):
    """One page of change ideas (newest first) and the total, filtered by status and text."""
    stmt = select(ChangeIdea)
    if status:
        stmt = stmt.where(ChangeIdea.status == status)
    condition = change_ideas_matching(q)
    if condition is not None:
        stmt = stmt.where(condition)
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery()))
    items = db.session.scalars(
        stmt.options(selectinload(ChangeIdea.drivers), selectinload(ChangeIdea.proposed_by))
        .order_by(ChangeIdea.created_at.desc(), ChangeIdea.id.desc())
        .limit(per_page).offset((max(page, 1) - 1) * per_page)
    )
    return list(items), total


def cycle_counts(idea_ids: list[int], membership) -> dict[int, int]:
    """How many cycles the viewer may see test each idea: one GROUP BY."""
    if not idea_ids:
        return {}
    stmt = (
        select(Cycle.change_idea_id, func.count())
        .where(Cycle.change_idea_id.in_(idea_ids), visible_cycles_clause(membership))
        .group_by(Cycle.change_idea_id)
    )
    return dict(db.session.execute(stmt).all())


def cycles_testing(change_idea_id: int, membership) -> list[Cycle]:
    """Every cycle of this idea the viewer may see, by school then date: one query, the
    school joined in."""
    stmt = (
        select(Cycle)
        .join(School, School.id == Cycle.school_id)
        .options(contains_eager(Cycle.school))
        .where(Cycle.change_idea_id == change_idea_id, visible_cycles_clause(membership))
        .order_by(School.name, School.id, Cycle.start_date.is_(None), Cycle.start_date, Cycle.id)
    )
    return list(db.session.scalars(stmt))


def status_history(idea: ChangeIdea) -> list[dict]:
    """Each status the idea had, when and by whom, as far as the aim's revisions show."""
    if idea.aim_id is None:
        return []
    stmt = (
        select(DiagramRevision)
        .where(DiagramRevision.aim_id == idea.aim_id)
        .options(selectinload(DiagramRevision.author))
        .order_by(DiagramRevision.created_at, DiagramRevision.id)
    )
    history: list[dict] = []
    last = None
    for revision in db.session.scalars(stmt):
        entry = next((i for i in (revision.snapshot or {}).get("change_ideas") or [] if i.get("id") == idea.id), None)
        status = entry.get("status") if entry else None
        if status and status != last:
            history.append({"status": status, "at": revision.created_at, "author": revision.author,
                            "summary": revision.summary, "revision_id": revision.id})
        last = status or last
    return history


def of_driver(driver_id: int) -> list[ChangeIdea]:
    stmt = (
        select(ChangeIdea).where(ChangeIdea.drivers.any(Driver.id == driver_id))
        .order_by(ChangeIdea.status.in_(("declined", "retired")), ChangeIdea.title)
    )
    return list(db.session.scalars(stmt))


def driver_choices() -> list[tuple[Aim, list]]:
    """Every aim with its drivers, for the checkboxes of the change idea forms."""
    found = db.session.scalars(select(Aim).options(selectinload(Aim.drivers)).order_by(Aim.created_at, Aim.id))
    return [(aim, list(aim.drivers)) for aim in found]
