"""PDSA cycles: create, edit (with a version check), move between phases, ramp on to a
linked next cycle, delete softly and restore. Every change writes a CycleChange.

Who may do what comes from nic.permissions (can_see_cycle, can_edit_cycle,
can_restore_cycle and the role table); a cycle the member may not see is NotFound, an
action their role does not allow on one they can see is Forbidden.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from nic.clock import utcnow
from nic.extensions import db
from nic.models import (
    ChangeIdea, Cycle, CyclePhaseMove, CycleQuestion, Membership, School, Team, User,
)
from nic.permissions import allowed, can_edit_cycle, can_restore_cycle, can_see_cycle, visible_cycles_clause
from nic.services.cycles import history as cycle_history
from nic.services.rollups import rollups
from nic.services.cycles.fields import USABLE_CHANGE_IDEA_STATUSES, clean, snapshot
from nic.services.cycles.phases import PHASE_LABELS, check_move, next_phase, previous_phase
from nic.services.errors import Conflict, Forbidden, NotFound, ValidationFailed
from nic.services.notifications import notifications
from nic.transaction import commit, rollback
from nic.tenancy import get_scoped

RAMP_PHASES = ("act", "done")  # a next cycle grows out of a decision


class CycleConflict(Conflict):
    """Someone saved the cycle after this person loaded it. Nothing was written; the
    front end shows both versions (nic.services.cycles.history.merge)."""

    def __init__(self, cycle_id: int, submitted: dict, base_version):
        super().__init__(
            "Someone else saved this cycle after you opened it; nothing was changed. "
            "Load the latest version and apply your changes to it."
        )
        self.cycle_id = cycle_id
        self.submitted = submitted
        self.base_version = base_version


# --- reading -------------------------------------------------------------------------------

_PAGE_OPTIONS = (
    selectinload(Cycle.questions), selectinload(Cycle.coauthors), selectinload(Cycle.owner),
    selectinload(Cycle.team), selectinload(Cycle.change_idea), selectinload(Cycle.school),
)


def visible_cycle(membership, cycle_id) -> Cycle:
    """The cycle if this member may see it; NotFound otherwise (hidden and missing look alike)."""
    try:
        cycle_id = int(cycle_id)
    except (TypeError, ValueError):
        raise NotFound("No such cycle.") from None
    stmt = select(Cycle).where(Cycle.id == cycle_id, visible_cycles_clause(membership)).options(*_PAGE_OPTIONS)
    cycle = db.session.scalar(stmt)
    if cycle is None or not can_see_cycle(membership, cycle):
        raise NotFound("No such cycle.")
    return cycle


def editable_cycle(membership, cycle_id) -> Cycle:
    cycle = visible_cycle(membership, cycle_id)
    if not can_edit_cycle(membership, cycle):
        raise Forbidden("Your role does not allow editing this cycle: its school's principal and teacher "
                        "leaders, its owner and its co-authors can.")
    return cycle


def can_delete_cycle(membership, cycle) -> bool:
    """Deleting is for the school's principal and teacher leaders, not co-authors alone."""
    return (
        can_see_cycle(membership, cycle)
        and allowed(membership.role, "cycles.edit")
        and cycle.school_id == membership.school_id
    )


def can_ramp(membership, cycle) -> bool:
    return cycle.phase in RAMP_PHASES and can_edit_cycle(membership, cycle)


def phase_moves(cycle_id: int) -> list[CyclePhaseMove]:
    stmt = (
        select(CyclePhaseMove).where(CyclePhaseMove.cycle_id == cycle_id)
        .options(selectinload(CyclePhaseMove.user)).order_by(CyclePhaseMove.created_at, CyclePhaseMove.id)
    )
    return list(db.session.scalars(stmt))


def school_teams(school_id: int) -> list[Team]:
    return list(db.session.scalars(select(Team).where(Team.school_id == school_id).order_by(Team.name)))


def school_people(school_id: int) -> list[User]:
    """Everyone in the network at this school: the possible owners and co-authors."""
    stmt = (
        select(User).join(Membership, Membership.user_id == User.id)
        .where(Membership.school_id == school_id).order_by(User.name, User.id)
    )
    return list(db.session.scalars(stmt))


def usable_change_ideas(keep_id: int | None = None) -> list[ChangeIdea]:
    """Change ideas a cycle may test, plus the one it already names (which may since have
    been retired)."""
    condition = ChangeIdea.status.in_(USABLE_CHANGE_IDEA_STATUSES)
    if keep_id:
        condition = condition | (ChangeIdea.id == keep_id)
    return list(db.session.scalars(select(ChangeIdea).where(condition).order_by(ChangeIdea.title)))


def deleted_cycles(membership, page: int = 1, per_page: int = 25) -> tuple[list[Cycle], int]:
    """The soft-deleted cycles of the principal's own school, most recently deleted first."""
    if not allowed(membership.role, "cycles.restore") or membership.school_id is None:
        raise Forbidden("Only a school's principal restores deleted cycles.")
    condition = (Cycle.deleted_at.is_not(None)) & (Cycle.school_id == membership.school_id)
    total = db.session.scalar(select(func.count()).select_from(Cycle).where(condition))
    stmt = (
        select(Cycle).where(condition).options(selectinload(Cycle.owner))
        .order_by(Cycle.deleted_at.desc(), Cycle.id.desc()).limit(per_page).offset((max(page, 1) - 1) * per_page)
    )
    return list(db.session.scalars(stmt)), total


# --- writing -------------------------------------------------------------------------------

def _apply(cycle: Cycle, values: dict) -> None:
    for name, value in values.items():
        if name == "questions":
            rows = list(cycle.questions)
            for position, item in enumerate(value):
                if position < len(rows):
                    row = rows[position]
                    row.question, row.prediction, row.result = item["question"], item["prediction"], item["result"]
                    row.position = position
                else:
                    rows.append(CycleQuestion(position=position, **item))
            cycle.questions = rows[: len(value)]
        elif name == "coauthor_ids":
            cycle.coauthors = list(db.session.scalars(select(User).where(User.id.in_(value)))) if value else []
        elif name in ("start_date", "end_date"):
            setattr(cycle, name, date.fromisoformat(value) if value else None)
        else:
            setattr(cycle, name, value)


def _flush(cycle: Cycle, submitted: dict, base_version) -> None:
    """Flush; an UPDATE that finds the row at another version (saved by someone else since
    it was read) becomes a conflict, with nothing written."""
    cycle_id = cycle.id
    try:
        db.session.flush()
    except StaleDataError:
        rollback()
        raise CycleConflict(cycle_id, submitted, base_version) from None


def _save(membership, cycle: Cycle, values: dict, target_phase: str | None = None,
          action: str = "edit", base_version=None) -> bool:
    """Apply `values` (and a phase move) to `cycle`, checking the move against the cycle as
    it would be afterwards; write the history entry. No commit. False when nothing changed."""
    before = snapshot(cycle)
    after = {**before, **values}
    moving = target_phase is not None and target_phase != before["phase"]
    if moving:
        check_move(after, before["phase"], target_phase)
        after["phase"] = target_phase
    fields = cycle_history.diff(before, after)
    if not fields:
        return False
    _apply(cycle, values)
    move = None
    if moving:
        cycle.phase = target_phase
        cycle.phase_changed_at = utcnow()
        move = CyclePhaseMove(cycle_id=cycle.id, from_phase=before["phase"], to_phase=target_phase,
                              user_id=membership.user_id)
        db.session.add(move)
    cycle.updated_at = utcnow()  # also bumps the version when only questions or co-authors changed
    _flush(cycle, values, base_version)
    if move is not None:
        notifications.cycle_phase_moved(move)
    cycle_history.record(cycle, membership.user_id, "phase" if set(fields) == {"phase"} else action, fields)
    return True


def _new_cycle(membership, school_id: int, values: dict, parent: Cycle | None, target_phase: str) -> Cycle:
    cycle = Cycle(school_id=school_id, parent_id=parent.id if parent else None, phase="plan",
                  visibility="school", scale_unit="students", title="")
    _apply(cycle, values)
    state = snapshot(cycle)
    if target_phase != "plan":
        check_move(state, "plan", target_phase)
        cycle.phase = target_phase
    db.session.add(cycle)
    db.session.flush()
    if target_phase != "plan":
        move = CyclePhaseMove(cycle_id=cycle.id, from_phase="plan", to_phase=target_phase,
                              user_id=membership.user_id)
        db.session.add(move)
        db.session.flush()
        notifications.cycle_phase_moved(move)  # an owner other than the creator hears of it
    fields = {name: {"old": None, "new": value} for name, value in snapshot(cycle).items() if value not in (None, "", [])}
    if parent is not None:
        fields["parent_id"] = {"old": None, "new": parent.id}
    cycle_history.record(cycle, membership.user_id, "create", fields)
    return cycle


def create_cycle(membership, data: dict) -> Cycle:
    """A new cycle in the member's own school (principals and teacher leaders). `data` uses
    the flat field names of nic.services.cycles.fields, plus `school_id`, `parent_id` and
    `phase` (a new cycle may start past Plan if it already has what each phase needs)."""
    if not allowed(membership.role, "cycles.create") or membership.school_id is None:
        raise Forbidden("Principals and teacher leaders create their school's cycles.")
    school_id = data.get("school_id") or membership.school_id
    if school_id != membership.school_id:
        if get_scoped(School, school_id) is None:
            raise NotFound("No such school in this network.", {"school_id": "is not a school of this network"})
        raise Forbidden("You create cycles for your own school only.")
    data = dict(data)
    if data.get("owner_id") in (None, ""):
        data["owner_id"] = membership.user_id
    data.setdefault("visibility", "school")
    values = clean(data, school_id)
    parent = None
    if data.get("parent_id") is not None:
        try:
            parent = visible_cycle(membership, data["parent_id"])
        except NotFound:
            raise NotFound("No such cycle.", {"parent_id": "is not a cycle you can see"}) from None
        if parent.school_id != school_id:
            raise ValidationFailed({"parent_id": "is a cycle of another school; a ramp stays in its school"})
    cycle = _new_cycle(membership, school_id, values, parent, data.get("phase") or "plan")
    rollups.schedule_school(school_id, rollups.cycle_day(cycle))
    commit()
    return cycle


def update_cycle(membership, cycle_id, data: dict, expected_version) -> Cycle:
    """Change the fields in `data` (and the phase, if `data["phase"]` names another one).
    `expected_version` is the version the person loaded: a stale one raises CycleConflict
    and writes nothing."""
    cycle = editable_cycle(membership, cycle_id)
    if "school_id" in data and data["school_id"] not in (None, cycle.school_id):
        raise ValidationFailed({"school_id": "cannot change: a cycle stays in its school"})
    if "parent_id" in data and data["parent_id"] != cycle.parent_id:
        raise ValidationFailed({"parent_id": "cannot change: ramps are made with Adapt or Next cycle"})
    values = clean(data, cycle.school_id, cycle)
    try:
        expected_version = int(expected_version)
    except (TypeError, ValueError):
        raise ValidationFailed({"version": "is required: send the version you read"}) from None
    if expected_version != cycle.version:
        raise CycleConflict(cycle.id, values, expected_version)
    rollups.schedule_school(cycle.school_id, rollups.cycle_day(cycle, values.get("start_date")))  # old and new start
    _save(membership, cycle, values, target_phase=data.get("phase"), base_version=expected_version)
    commit()
    return cycle


def move_phase(membership, cycle_id, target: str) -> tuple[Cycle, bool]:
    """One step forward (if the next phase's requirements are met) or one step back.
    Answers (cycle, moved); asking for the phase the cycle is already in moves nothing, so
    a button pressed twice does not move twice."""
    cycle = editable_cycle(membership, cycle_id)
    if target == cycle.phase:
        return cycle, False
    if target not in (next_phase(cycle.phase), previous_phase(cycle.phase)):
        raise ValidationFailed({"phase": f"a cycle in {PHASE_LABELS[cycle.phase]} moves one step at a time"})
    _save(membership, cycle, {}, target_phase=target)
    rollups.schedule_school(cycle.school_id, rollups.cycle_day(cycle))
    commit()
    return cycle, True


def start_next_cycle(membership, cycle_id, adapt: bool) -> Cycle:
    """Ramp: start a linked cycle (parent = this one) in Plan with this cycle's header, plan,
    questions and predictions (not its results, dates or Do/Study/Act). With `adapt`, this
    cycle's decision is recorded as adapt too."""
    parent = editable_cycle(membership, cycle_id)
    if parent.phase not in RAMP_PHASES:
        raise ValidationFailed({"phase": "a next cycle starts from Act: move this cycle to Act first"})
    if adapt and parent.act_decision != "adapt":
        _save(membership, parent, {"act_decision": "adapt"})
    values = {
        "title": parent.title, "team_id": parent.team_id, "owner_id": parent.owner_id or membership.user_id,
        "coauthor_ids": sorted(u.id for u in parent.coauthors), "change_idea_id": parent.change_idea_id,
        "scale_count": parent.scale_count, "scale_unit": parent.scale_unit, "visibility": parent.visibility,
        "plan_objective": parent.plan_objective, "plan_who": parent.plan_who, "plan_what": parent.plan_what,
        "plan_when": parent.plan_when, "plan_where": parent.plan_where, "plan_data": parent.plan_data,
        "plan_measure": parent.plan_measure, "measure_id": parent.measure_id,
        "questions": [{"question": q.question, "prediction": q.prediction, "result": ""} for q in parent.questions],
    }
    child = _new_cycle(membership, parent.school_id, values, parent, "plan")
    rollups.schedule_school(parent.school_id, rollups.cycle_day(parent))
    commit()
    return child


def delete_cycle(membership, cycle_id) -> None:
    cycle = visible_cycle(membership, cycle_id)
    if not can_delete_cycle(membership, cycle):
        raise Forbidden("Only the school's principal and teacher leaders delete its cycles.")
    cycle.deleted_at = utcnow()
    cycle.deleted_by_id = membership.user_id
    cycle.updated_at = utcnow()
    _flush(cycle, {}, None)
    cycle_history.record(cycle, membership.user_id, "delete", {"deleted": {"old": False, "new": True}})
    rollups.schedule_school(cycle.school_id, rollups.cycle_day(cycle))
    commit()


def restore_cycle(membership, cycle_id) -> Cycle:
    """Only the school's principal sees deleted cycles, so for anyone else they are NotFound."""
    cycle = get_scoped(Cycle, cycle_id)
    if cycle is None or cycle.deleted_at is None or not can_restore_cycle(membership, cycle):
        raise NotFound("No such deleted cycle.")
    cycle.deleted_at = None
    cycle.deleted_by_id = None
    cycle.updated_at = utcnow()
    _flush(cycle, {}, None)
    cycle_history.record(cycle, membership.user_id, "restore", {"deleted": {"old": True, "new": False}})
    rollups.schedule_school(cycle.school_id, rollups.cycle_day(cycle))
    commit()
    return cycle
