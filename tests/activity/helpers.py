"""Builders for feed tests: rows with chosen timestamps, so order and ties are exact."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from nic.extensions import db
from nic.models import CyclePhaseMove
from nic.tenancy import use_network
from tests.factories import make_artifact, make_cycle, make_message, make_thread

T0 = datetime(2026, 10, 5, 9, 30, tzinfo=UTC)


def at(obj, when: datetime):
    """Set `created_at` (the feed's time) on a row already built."""
    obj.created_at = when
    db.session.flush()
    return obj


def phase_move(cycle, user, from_phase="plan", to_phase="do", when: datetime | None = None) -> CyclePhaseMove:
    with use_network(cycle.network_id):
        move = CyclePhaseMove(cycle_id=cycle.id, from_phase=from_phase, to_phase=to_phase, user_id=user.id)
        if when is not None:
            move.created_at = when
        db.session.add(move)
        db.session.flush()
    return move


def one_of_each(network, school, user, when: datetime, label: str) -> dict:
    """A row of every kind, all at `when`: a cycle, its phase move, an artifact with a
    second version, a thread on the cycle and a message in it."""
    with use_network(network):
        cycle = at(make_cycle(school, user, f"{label} cycle"), when)
        move = phase_move(cycle, user, when=when)
        artifact = make_artifact(school, user, f"{label} artifact", versions=2)
        at(artifact, when)
        for version in artifact.versions:
            at(version, when)
        thread = at(make_thread(network, "cycle", cycle.id, f"{label} thread", user), when)
        message = at(make_message(thread, user, f"{label} message"), when)
    return {
        "cycle": cycle,
        "move": move,
        "artifact": artifact,
        "version": artifact.versions[-1],
        "thread": thread,
        "message": message,
    }


def later(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)
