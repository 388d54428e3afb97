"""The fields of a cycle as the services see them: their labels, limits, the cleaning of
input from any front end (form, API) and a plain-JSON snapshot of a stored cycle.

One flat vocabulary (`plan_objective`, `questions`, `do_as_planned`, ...) is used for
input, snapshots, history entries and field errors, so history, conflicts and error
messages all name fields the same way. The API maps it to its nested objects.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from nic.extensions import db
from nic.models import DECISIONS, SCALE_UNITS, VISIBILITIES, ChangeIdea, Cycle, Measure, Membership, Team
from nic.services.errors import NotFound
from nic.services.validation import FieldErrors, clean_name
from nic.tenancy import get_scoped

TITLE_MAX = 200
MEASURE_MAX = 200
QUESTION_MAX = 2_000
TEXT_MAX = 20_000
MAX_QUESTIONS = 20
SCALE_MAX = 100_000
# A cycle may only name change ideas the network has taken up, not proposals or retired ones.
USABLE_CHANGE_IDEA_STATUSES = ("accepted", "testing", "spreading")

# Free-text (Markdown) worksheet fields and their limits.
TEXT_FIELDS = {
    "plan_objective": TEXT_MAX, "plan_who": TEXT_MAX, "plan_what": TEXT_MAX, "plan_when": TEXT_MAX,
    "plan_where": TEXT_MAX, "plan_data": TEXT_MAX, "plan_measure": MEASURE_MAX,
    "do_observations": TEXT_MAX, "do_problems": TEXT_MAX,
    "study_learned": TEXT_MAX, "act_reason": TEXT_MAX, "act_next": TEXT_MAX,
}

FIELD_LABELS = {
    "title": "Title", "team_id": "Team", "owner_id": "Owner", "coauthor_ids": "Co-authors",
    "change_idea_id": "Change idea", "scale_count": "Scale", "scale_unit": "Scale unit",
    "start_date": "Start date", "end_date": "End date", "visibility": "Visibility", "phase": "Phase",
    "plan_objective": "Plan: objective", "questions": "Plan: questions and predictions",
    "plan_who": "Plan: who", "plan_what": "Plan: what", "plan_when": "Plan: when", "plan_where": "Plan: where",
    "plan_data": "Plan: data to collect", "plan_measure": "Plan: measure it feeds",
    "measure_id": "Plan: network measure",
    "do_as_planned": "Do: carried out as planned", "do_observations": "Do: observations",
    "do_problems": "Do: problems and surprises",
    "results": "Study: results", "study_learned": "Study: what was learned",
    "act_decision": "Act: decision", "act_reason": "Act: reason", "act_next": "Act: what comes next",
    "deleted": "Deleted", "parent_id": "Ramps on from",
}

# Every field a snapshot holds, in worksheet order (history and conflicts list them so).
SNAPSHOT_FIELDS = (
    "title", "team_id", "owner_id", "coauthor_ids", "change_idea_id", "scale_count", "scale_unit",
    "start_date", "end_date", "visibility", "phase",
    "plan_objective", "questions", "plan_who", "plan_what", "plan_when", "plan_where", "plan_data", "plan_measure",
    "measure_id", "do_as_planned", "do_observations", "do_problems", "study_learned",
    "act_decision", "act_reason", "act_next",
)


def snapshot(cycle: Cycle) -> dict:
    """The cycle's editable state as plain JSON values (dates as ISO strings)."""
    return {
        "title": cycle.title,
        "team_id": cycle.team_id,
        "owner_id": cycle.owner_id,
        "coauthor_ids": sorted(user.id for user in cycle.coauthors),
        "change_idea_id": cycle.change_idea_id,
        "measure_id": cycle.measure_id,
        "scale_count": cycle.scale_count,
        "scale_unit": cycle.scale_unit or "students",
        "start_date": cycle.start_date.isoformat() if cycle.start_date else None,
        "end_date": cycle.end_date.isoformat() if cycle.end_date else None,
        "visibility": cycle.visibility,
        "phase": cycle.phase,
        **{name: getattr(cycle, name) or "" for name in TEXT_FIELDS},
        "questions": [
            {"question": q.question, "prediction": q.prediction or "", "result": q.result or ""}
            for q in cycle.questions
        ],
        "do_as_planned": cycle.do_as_planned,
        "act_decision": cycle.act_decision,
    }


def _text(value) -> str:
    # Browsers send CRLF; store LF so an unchanged field never shows up as changed.
    return str(value or "").replace("\r\n", "\n").replace("\r", "\n").strip()


def _check_length(errors: FieldErrors, field: str, value: str, limit: int) -> None:
    if len(value) > limit:
        errors.add(field, f"must be at most {limit:,} characters (it has {len(value):,})")


def _int_or_none(value, field: str, errors: FieldErrors, minimum: int = 1, maximum: int | None = None):
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        errors.add(field, "must be a whole number")
        return None
    try:
        number = int(str(value).strip()) if isinstance(value, str) else int(value)
    except (TypeError, ValueError):
        errors.add(field, "must be a whole number")
        return None
    if number < minimum or (maximum is not None and number > maximum):
        errors.add(field, f"must be between {minimum} and {maximum:,}" if maximum else f"must be at least {minimum}")
        return None
    return number


def _date_or_none(value, field: str, errors: FieldErrors) -> str | None:
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value.isoformat()
    try:
        return date.fromisoformat(str(value)).isoformat()
    except ValueError:
        errors.add(field, "must be a date (YYYY-MM-DD)")
        return None


def _bool_or_none(value, field: str, errors: FieldErrors):
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    if str(value).lower() in ("yes", "true", "1"):
        return True
    if str(value).lower() in ("no", "false", "0"):
        return False
    errors.add(field, "must be yes, no or empty")
    return None


def _choice(value, field: str, choices, errors: FieldErrors, allow_empty: bool):
    if value in (None, "") and allow_empty:
        return None
    if value not in choices:
        errors.add(field, f"must be one of {', '.join(choices)}")
        return None
    return value


def _clean_questions(errors: FieldErrors, data: dict, current: list[dict]) -> list[dict] | None:
    """The resulting question list. Rows left wholly blank are dropped (the form offers
    spare rows); a row whose `result` key is absent keeps the result stored at its
    position; `results` (one text per question, from the API's study.results) is applied
    last, by position."""
    questions = current
    if "questions" in data:
        raw = data["questions"] or []
        if not isinstance(raw, (list, tuple)):
            errors.add("questions", "must be a list")
            return None
        questions = []
        for index, row in enumerate(raw):
            row = row or {}
            question = _text(row.get("question"))
            prediction = _text(row.get("prediction"))
            has_result = "result" in row and row.get("result") is not None
            result = _text(row.get("result")) if has_result else None
            if not (question or prediction or result):
                continue
            if not question:
                errors.add(f"questions.{index}.question", "is required when a prediction or result is given")
            _check_length(errors, f"questions.{index}.question", question, QUESTION_MAX)
            _check_length(errors, f"questions.{index}.prediction", prediction, TEXT_MAX)
            if result is None:
                position = len(questions)
                result = current[position]["result"] if position < len(current) else ""
            _check_length(errors, f"questions.{index}.result", result, TEXT_MAX)
            questions.append({"question": question, "prediction": prediction, "result": result})
        if len(questions) > MAX_QUESTIONS:
            errors.add("questions", f"must be at most {MAX_QUESTIONS} questions; a PDSA cycle tests a few at a time")
    if "results" in data and data["results"] is not None:
        results = [_text(r) for r in data["results"]]
        if len(results) != len(questions):
            errors.add("results", f"must have one entry per question ({len(questions)}), in the same order")
        else:
            for index, result in enumerate(results):
                _check_length(errors, f"results.{index}", result, TEXT_MAX)
            questions = [{**q, "result": r} for q, r in zip(questions, results)]
    return questions


def _school_people(school_id: int, user_ids: set[int]) -> set[int]:
    """Which of `user_ids` belong to the network at this school (one query)."""
    if not user_ids:
        return set()
    stmt = select(Membership.user_id).where(Membership.school_id == school_id, Membership.user_id.in_(user_ids))
    return set(db.session.scalars(stmt))


def clean(data: dict, school_id: int, cycle: Cycle | None = None) -> dict:
    """Validate `data` (only the keys present, except that a new cycle needs a title) and
    answer the cleaned values, in snapshot form. Raises ValidationFailed naming every bad
    field, or NotFound (with the field named) for an id that is not in this network."""
    errors = FieldErrors()
    values: dict = {}
    current = snapshot(cycle) if cycle is not None else {}

    if "title" in data or cycle is None:
        title = errors.check("title", clean_name, data.get("title"), TITLE_MAX)
        if title:
            values["title"] = title
    for name, limit in TEXT_FIELDS.items():
        if name in data:
            values[name] = _text(data[name])
            _check_length(errors, name, values[name], limit)
    if "scale_count" in data:
        values["scale_count"] = _int_or_none(data["scale_count"], "scale_count", errors, 1, SCALE_MAX)
    if "scale_unit" in data:
        values["scale_unit"] = _choice(data["scale_unit"] or "students", "scale_unit", SCALE_UNITS, errors, False)
    for name in ("start_date", "end_date"):
        if name in data:
            values[name] = _date_or_none(data[name], name, errors)
    start = values.get("start_date", current.get("start_date"))
    end = values.get("end_date", current.get("end_date"))
    if start and end and end < start and "end_date" not in errors.errors:
        errors.add("end_date", "must be on or after the start date")
    if "visibility" in data:
        values["visibility"] = _choice(data["visibility"], "visibility", VISIBILITIES, errors, False)
    if "do_as_planned" in data:
        values["do_as_planned"] = _bool_or_none(data["do_as_planned"], "do_as_planned", errors)
    if "act_decision" in data:
        values["act_decision"] = _choice(data["act_decision"], "act_decision", DECISIONS, errors, True)
    if "questions" in data or "results" in data:
        questions = _clean_questions(errors, data, current.get("questions", []))
        if questions is not None:
            values["questions"] = questions

    _clean_references(errors, data, values, school_id, current)
    errors.raise_if_any()
    return values


def _clean_references(errors: FieldErrors, data: dict, values: dict, school_id: int, current: dict) -> None:
    """Ids of other rows: another network's (or an unknown) id is a NotFound naming the
    field; a real one that does not fit this cycle is a field error."""
    if "team_id" in data:
        team_id = _int_or_none(data["team_id"], "team_id", errors)
        if team_id is not None:
            team = get_scoped(Team, team_id)
            if team is None:
                raise NotFound("No such team in this network.", {"team_id": "is not a team of this network"})
            if team.school_id != school_id:
                errors.add("team_id", "is a team of another school")
        values["team_id"] = team_id
    if "change_idea_id" in data:
        idea_id = _int_or_none(data["change_idea_id"], "change_idea_id", errors)
        if idea_id is not None and idea_id != current.get("change_idea_id"):
            idea = get_scoped(ChangeIdea, idea_id)
            if idea is None:
                raise NotFound("No such change idea in this network.",
                               {"change_idea_id": "is not a change idea of this network"})
            if idea.status not in USABLE_CHANGE_IDEA_STATUSES:
                errors.add("change_idea_id", f"is {idea.status}; choose an accepted change idea, or one being tested or spread")
        values["change_idea_id"] = idea_id
    if "measure_id" in data:
        # The network measure the cycle's data feeds (plan_measure stays as words for
        # a measure the network does not track); the cycle shows on that measure's chart.
        measure_id = _int_or_none(data["measure_id"], "measure_id", errors)
        if measure_id is not None and measure_id != current.get("measure_id") and get_scoped(Measure, measure_id) is None:
            raise NotFound("No such measure in this network.", {"measure_id": "is not a measure of this network"})
        values["measure_id"] = measure_id
    people: set[int] = set()
    owner_id = None
    if "owner_id" in data:
        owner_id = _int_or_none(data["owner_id"], "owner_id", errors)
        if owner_id is None and "owner_id" not in errors.errors:
            errors.add("owner_id", "is required: every cycle has an owner")
        people.add(owner_id)
    coauthor_ids = None
    if "coauthor_ids" in data:
        raw = data["coauthor_ids"] or []
        if not isinstance(raw, (list, tuple, set)):
            errors.add("coauthor_ids", "must be a list of user ids")
            raw = []
        coauthor_ids = sorted({i for i in (_int_or_none(v, "coauthor_ids", errors) for v in raw) if i is not None})
        people.update(coauthor_ids)
    people.discard(None)
    at_school = _school_people(school_id, people)
    if owner_id is not None:
        if owner_id not in at_school and owner_id != current.get("owner_id"):
            errors.add("owner_id", "must be a member of the network at this cycle's school")
        values["owner_id"] = owner_id
    if coauthor_ids is not None:
        kept = set(current.get("coauthor_ids") or [])  # people who have since moved stay on
        strangers = [i for i in coauthor_ids if i not in at_school and i not in kept]
        if strangers:
            errors.add("coauthor_ids", "must be members of the network at this cycle's school")
        values["coauthor_ids"] = coauthor_ids
