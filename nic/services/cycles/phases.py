"""What each PDSA phase asks for before a cycle may enter it: the one rule table.

A cycle moves plan -> do -> study -> act -> done. Entering a phase requires that phase's
fields and every earlier phase's (cumulative), so a field cleared after stepping back is
caught on the way forward again. Stepping back requires nothing. The rules read a
snapshot (nic.services.cycles.fields.snapshot), so they can judge a cycle as it would be
after an edit, before anything is written.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from nic.models import PHASES
from nic.services.errors import ValidationFailed

PHASE_LABELS = {"plan": "Plan", "do": "Do", "study": "Study", "act": "Act", "done": "Done"}


@dataclass(frozen=True)
class Requirement:
    field: str  # the snapshot field (see cycle_fields.FIELD_LABELS); the API maps it to its own name
    todo: str  # what the person should do, as an instruction
    met: Callable[[dict], bool]


def _filled(name: str) -> Callable[[dict], bool]:
    return lambda s: bool((s.get(name) or "").strip())


def _question_with_prediction(s: dict) -> bool:
    return any(q["question"].strip() and q["prediction"].strip() for q in s.get("questions") or [])


def _every_question_has_result(s: dict) -> bool:
    questions = s.get("questions") or []
    return bool(questions) and all(q["result"].strip() for q in questions)


# phase -> what entering it requires (in addition to every earlier phase's requirements)
REQUIREMENTS: dict[str, tuple[Requirement, ...]] = {
    "plan": (),
    "do": (
        Requirement("plan_objective", "write the Plan's objective", _filled("plan_objective")),
        Requirement("questions", "add at least one question with its prediction", _question_with_prediction),
    ),
    "study": (
        Requirement("do_as_planned", "say whether the test was carried out as planned",
                    lambda s: s.get("do_as_planned") is not None),
        Requirement("do_observations", "record what was observed during Do", _filled("do_observations")),
    ),
    "act": (
        Requirement("results", "write the result of every question against its prediction",
                    _every_question_has_result),
        Requirement("study_learned", "write what was learned", _filled("study_learned")),
    ),
    "done": (
        Requirement("act_decision", "choose adopt, adapt or abandon", lambda s: bool(s.get("act_decision"))),
        Requirement("act_reason", "give the reason for the decision", _filled("act_reason")),
    ),
}


def next_phase(phase: str) -> str | None:
    index = PHASES.index(phase)
    return PHASES[index + 1] if index + 1 < len(PHASES) else None


def previous_phase(phase: str) -> str | None:
    index = PHASES.index(phase)
    return PHASES[index - 1] if index > 0 else None


def is_forward(current: str, target: str) -> bool:
    return PHASES.index(target) > PHASES.index(current)


def missing(state: dict, target: str) -> list[Requirement]:
    """The requirements `state` does not meet for entering `target`."""
    needed = [r for phase in PHASES[: PHASES.index(target) + 1] for r in REQUIREMENTS[phase]]
    return [r for r in needed if not r.met(state)]


def check_move(state: dict, current: str, target: str) -> None:
    """Raise ValidationFailed naming each missing field when `state` may not move from
    `current` to `target`; moving back is always allowed."""
    if target not in PHASES:
        raise ValidationFailed({"phase": f"must be one of {', '.join(PHASES)}"})
    if not is_forward(current, target):
        return
    gaps = missing(state, target)
    if gaps:
        label = PHASE_LABELS[target]
        raise ValidationFailed(
            {r.field: f"needed before moving to {label}: {r.todo}" for r in gaps},
            message=f"To move to {label}, " + "; ".join(r.todo for r in gaps) + ".",
        )

