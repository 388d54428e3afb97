"""The cycle object of the API (docs/INTERFACE.md), in one place: the single-cycle routes
(nic.api.cycles) and the list route both answer with `cycle_out(cycle)`.

`plan`, `do`, `study` and `act` follow the IHI worksheet. Beyond the contract's keys the
object carries the rest of the header (team, owner, co-authors, scale, dates), so a client
can read and write a whole cycle; docs/API.md lists these extensions.

Lists should load `CYCLE_OUT_OPTIONS` with their query so serialising a page of cycles
costs two extra queries in all, not two per cycle.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field
from sqlalchemy.orm import selectinload

from nic.models import Cycle

Phase = Literal["plan", "do", "study", "act", "done"]
Visibility = Literal["school", "network"]
Decision = Literal["adopt", "adapt", "abandon"]
ScaleUnit = Literal["students", "classes", "teachers", "other"]

CYCLE_OUT_OPTIONS = (selectinload(Cycle.questions), selectinload(Cycle.coauthors))


class QuestionOut(BaseModel):
    question: str
    prediction: str


class ResultOut(BaseModel):
    question: str
    prediction: str
    result: str


class PlanOut(BaseModel):
    objective: str
    questions: list[QuestionOut]
    who: str
    what: str
    when: str
    where: str
    data: str = Field(description="The data to collect.")
    measure: str = Field(description="The measure the data feeds, in words.")
    measure_id: int | None = Field(description="The network measure the data feeds (its chart shows this cycle).")


class DoOut(BaseModel):
    as_planned: bool | None = Field(description="Was the test carried out as planned? Null until answered.")
    observations: str
    problems: str = Field(description="Problems and surprises.")


class StudyOut(BaseModel):
    results: list[ResultOut] = Field(description="One entry per plan question, in the same order.")
    learned: str


class ActOut(BaseModel):
    decision: Decision | None
    reason: str
    next: str


class ScaleOut(BaseModel):
    count: int | None
    unit: ScaleUnit


class CycleOut(BaseModel):
    id: int
    school_id: int
    title: str
    change_idea_id: int | None
    parent_id: int | None = Field(description="The cycle this one ramps on from (Adapt or Next cycle).")
    phase: Phase
    visibility: Visibility
    plan: PlanOut
    do: DoOut
    study: StudyOut
    act: ActOut
    version: int = Field(description="Send it back with PATCH; a stale one answers 409.")
    created_at: datetime
    updated_at: datetime
    # extensions (docs/API.md)
    team_id: int | None
    owner_id: int | None
    coauthor_ids: list[int]
    scale: ScaleOut
    start_date: date | None
    end_date: date | None


def cycle_out(cycle: Cycle) -> dict:
    """The contract's JSON object for one cycle (Markdown fields as written, not rendered)."""
    questions = list(cycle.questions)
    out = CycleOut(
        id=cycle.id,
        school_id=cycle.school_id,
        title=cycle.title,
        change_idea_id=cycle.change_idea_id,
        parent_id=cycle.parent_id,
        phase=cycle.phase,
        visibility=cycle.visibility,
        plan=PlanOut(
            objective=cycle.plan_objective or "",
            questions=[QuestionOut(question=q.question, prediction=q.prediction or "") for q in questions],
            who=cycle.plan_who or "",
            what=cycle.plan_what or "",
            when=cycle.plan_when or "",
            where=cycle.plan_where or "",
            data=cycle.plan_data or "",
            measure=cycle.plan_measure or "",
            measure_id=cycle.measure_id,
        ),
        do=DoOut(as_planned=cycle.do_as_planned, observations=cycle.do_observations or "",
                 problems=cycle.do_problems or ""),
        study=StudyOut(
            results=[ResultOut(question=q.question, prediction=q.prediction or "", result=q.result or "")
                     for q in questions],
            learned=cycle.study_learned or "",
        ),
        act=ActOut(decision=cycle.act_decision, reason=cycle.act_reason or "", next=cycle.act_next or ""),
        version=cycle.version,
        created_at=cycle.created_at,
        updated_at=cycle.updated_at,
        team_id=cycle.team_id,
        owner_id=cycle.owner_id,
        coauthor_ids=sorted(user.id for user in cycle.coauthors),
        scale=ScaleOut(count=cycle.scale_count, unit=cycle.scale_unit or "students"),
        start_date=cycle.start_date,
        end_date=cycle.end_date,
    )
    return out.model_dump(mode="json")
