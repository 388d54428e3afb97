"""Demo data for the dashboard: the demo schools in two groups, cycles dated by their last
phase move, a few cycles left idle long enough to count as stalled, and a full roll-up at
the end of seeding, so the dashboard has figures on `make demo` before any worker runs."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select, update

from nic.clock import utcnow
from nic.extensions import db
from nic.models import Cycle, CyclePhaseMove, School
from nic.services.rollups import rollups
from nic.transaction import commit

GROUPS = ("Cohort 1", "Cohort 1", "Cohort 1", "Cohort 2", "Cohort 2", "Cohort 2")
IDLE_DAYS = (24, 33, 45)  # past the default threshold of 21 days


def seed_rollups(schools: list[School]) -> None:
    """Call with the demo network current, once everything else is seeded."""
    for school, group in zip(schools, GROUPS):
        school.group_name = group
    # The cycles were written with phase_changed_at on their start day; a cycle really
    # entered its phase with its last move, which is what completion dates and cycle
    # lengths on the dashboard read.
    last_move = select(func.max(CyclePhaseMove.created_at)).where(CyclePhaseMove.cycle_id == Cycle.id).scalar_subquery()
    db.session.execute(
        update(Cycle)
        .where(Cycle.id.in_(select(CyclePhaseMove.cycle_id)))
        .values(phase_changed_at=last_move, updated_at=Cycle.updated_at)
        .execution_options(synchronize_session=False)
    )
    # One idle cycle in each of three schools.
    candidates = db.session.scalars(
        select(Cycle)
        .where(Cycle.phase.in_(("do", "study", "act")), Cycle.deleted_at.is_(None), Cycle.visibility == "network")
        .order_by(Cycle.id)
    )
    idle, seen = [], set()
    for cycle in candidates:
        if cycle.school_id not in seen and len(idle) < len(IDLE_DAYS):
            seen.add(cycle.school_id)
            idle.append(cycle)
    now = utcnow()
    for cycle, days in zip(idle, IDLE_DAYS):
        cycle.updated_at = now - timedelta(days=days)  # an explicit value wins over onupdate
    commit()
    rollups.compute()
    commit()
