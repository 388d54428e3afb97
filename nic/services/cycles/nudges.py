"""Quality nudges: what a good PDSA cycle still lacks. Each rule is one SQL condition,
used both for a single cycle's page and for the per-school counts facilitators see, so
the two can never disagree.

The rules follow the IHI Model for Improvement's worksheet: every question carries a
prediction made before the test; the data collected feeds a named measure; Study compares
results with predictions after the data is in; a first test is small (one class, one
teacher, a handful of students) and later cycles ramp up.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, case, exists, func, not_, or_, select

from nic.extensions import db
from nic.models import Cycle, CycleQuestion

FIRST_TEST_MAX_STUDENTS = 25
FIRST_TEST_MAX_CLASSES_OR_TEACHERS = 1


@dataclass(frozen=True)
class Nudge:
    code: str
    message: str


def _rules():
    has_question = exists().where(CycleQuestion.cycle_id == Cycle.id)
    question_without_prediction = exists().where(
        CycleQuestion.cycle_id == Cycle.id, func.trim(CycleQuestion.prediction) == ""
    )
    question_with_result = exists().where(CycleQuestion.cycle_id == Cycle.id, func.trim(CycleQuestion.result) != "")
    study_written = or_(func.trim(Cycle.study_learned) != "", question_with_result)
    return {
        "no_prediction": (
            or_(not_(has_question), question_without_prediction),
            "Every question needs a prediction written before the test: what do you expect to happen?",
        ),
        "no_measure": (
            and_(Cycle.measure_id.is_(None), func.trim(Cycle.plan_measure) == ""),
            "No measure linked: name the measure the data you collect will feed.",
        ),
        "study_before_data": (
            and_(study_written, func.trim(Cycle.do_observations) == ""),
            "Study is written but Do has no observations yet: study the data after collecting it.",
        ),
        "scale_too_big": (
            and_(
                Cycle.parent_id.is_(None),
                or_(
                    and_(Cycle.scale_unit == "students", Cycle.scale_count > FIRST_TEST_MAX_STUDENTS),
                    and_(Cycle.scale_unit.in_(("classes", "teachers")), Cycle.scale_count > FIRST_TEST_MAX_CLASSES_OR_TEACHERS),
                ),
            ),
            "This is a first test at a large scale: start with one class or teacher and ramp up in later cycles.",
        ),
    }


NUDGE_CODES = tuple(_rules())


def nudge_condition(code: str):
    """The SQL condition of one nudge, for lists filtered to it (the browse page's
    `?nudge=`), so a count and the list behind it use the very same rule."""
    return _rules()[code][0]


def cycle_nudges(cycle_id: int) -> list[Nudge]:
    """The nudges that apply to one cycle (in the current network)."""
    rules = _rules()
    columns = [case((condition, True), else_=False).label(code) for code, (condition, _) in rules.items()]
    row = db.session.execute(select(*columns).select_from(Cycle).where(Cycle.id == cycle_id)).one_or_none()
    if row is None:
        return []
    return [Nudge(code, rules[code][1]) for code in rules if getattr(row, code)]


def counts_by_school(visible_clause) -> dict[int, dict[str, int]]:
    """{school_id: {"cycles": n, "no_prediction": n, ...}} over the cycles `visible_clause`
    admits (see nic.permissions.visible_cycles_clause), in one GROUP BY query."""
    rules = _rules()
    columns = [func.sum(case((condition, 1), else_=0)).label(code) for code, (condition, _) in rules.items()]
    stmt = (
        select(Cycle.school_id, func.count().label("cycles"), *columns)
        .where(visible_clause)
        .group_by(Cycle.school_id)
    )
    return {
        row.school_id: {"cycles": row.cycles, **{code: int(getattr(row, code) or 0) for code in rules}}
        for row in db.session.execute(stmt)
    }
