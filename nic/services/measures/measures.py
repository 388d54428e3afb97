"""Measures: what the network tracks over time. Facilitators define them (the role rule
is checked by the front ends with `measures.define`); this module checks the fields,
writes them, and answers the overview numbers of the measure list.

Field names are the model's (`name`, `kind`, `chart`, ..., `driver_ids`,
`change_idea_ids`), so the form, the API and the errors all say the same thing.
"""
from __future__ import annotations

import math

from sqlalchemy import and_, case, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from nic.clock import utcnow
from nic.extensions import db
from nic.models import (
    CHART_TYPES, DIRECTIONS, FREQUENCIES, MEASURE_KINDS, Aim, ChangeIdea, Driver, Measure, MeasurePoint,
    School,
)
from nic.services.errors import NotFound, ValidationFailed
from nic.services.measures.points import CHART_NAMES, RATIO_CHARTS
from nic.services.theory.theory import clean_ids, clean_short, clean_text, load_drivers
from nic.transaction import commit, rollback
from nic.services.validation import FieldErrors, clean_name
from nic.tenancy import get_scoped
from nic.words import noun, plural

NAME_MAX = 200
UNIT_MAX = 40
BASELINE_MIN, BASELINE_MAX = 2, 1_000

KIND_LABELS = {"outcome": "Outcome measures", "process": "Process measures", "balancing": "Balancing measures"}
KIND_HINTS = {
    "outcome": "Is the aim getting closer? What the network ultimately wants to change.",
    "process": "Are the changes happening as planned? The steps that should lead to the outcome.",
    "balancing": "Is something else getting worse? Costs and side effects to watch.",
}
CHART_LABELS = {"run": "Run chart", "i": "I chart (individual values)", "p": "p chart (proportion of a count)",
                "u": "u chart (rate per unit)"}
# The rules behind each chart type's headline signal (docs/SIGNALS.md): every sentence
# that says a measure or a school shows a signal names these, never one chart type for all.
SIGNAL_RULES = {"run": "the run-chart rules (Anhøj)", "i": "the Shewhart rules", "p": "the Shewhart rules",
                "u": "the Shewhart rules"}
DIRECTION_LABELS = {"up": "Higher is better", "down": "Lower is better"}
FREQUENCY_LABELS = {"weekly": "Weekly (periods start on Mondays)", "monthly": "Monthly (periods start on the 1st)"}
FIELDS = ("name", "definition", "kind", "chart", "unit", "direction", "goal", "frequency", "aim_id", "driver_ids",
          "change_idea_ids", "baseline_points")
REQUIRED_ON_CREATE = ("name", "kind", "chart")
DEFAULTS = {"definition": "", "unit": "", "direction": "up", "frequency": "weekly", "goal": None, "aim_id": None,
            "baseline_points": None, "driver_ids": [], "change_idea_ids": []}
# Run and I charts record a value; p and u charts a numerator and a denominator.
_RECORDS = {"run": "value", "i": "value", "p": "ratio", "u": "ratio"}


# --- cleaning -----------------------------------------------------------------------------

def _choice(choices):
    def clean(value):
        if value not in choices:
            raise ValueError(f"must be one of {', '.join(choices)}")
        return value
    return clean


def _goal(value, chart: str | None) -> float | None:
    """A number or nothing. On a p chart the goal is a proportion, 0 to 1; "85%" is
    accepted and means 0.85. Elsewhere a trailing % is just the unit."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ValueError("must be a number")
    percent = isinstance(value, str) and value.strip().endswith("%")
    text = value.strip().rstrip("%").strip() if isinstance(value, str) else value
    try:
        number = float(text)
    except (TypeError, ValueError):
        raise ValueError("must be a number, or left empty") from None
    if not math.isfinite(number):
        raise ValueError("must be a finite number")
    if chart == "p":
        if percent:
            number /= 100
        if not 0 <= number <= 1:
            raise ValueError("is a proportion on a p chart: between 0 and 1 (write 85% as 0.85, or as 85%)")
    elif chart == "u" and number < 0:
        raise ValueError("cannot be negative on a u chart: rates are never below zero")
    return number


def _baseline(value) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ValueError("must be a whole number")
    try:
        number = int(value.strip()) if isinstance(value, str) else value
        if isinstance(number, float):
            if number != int(number):
                raise ValueError
            number = int(number)
    except (TypeError, ValueError):
        raise ValueError("must be a whole number of points, or left empty") from None
    if not BASELINE_MIN <= number <= BASELINE_MAX:
        raise ValueError(f"must be between {BASELINE_MIN} and {BASELINE_MAX:,} points, or left empty")
    return number


def _aim(errors: FieldErrors, value) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        errors.add("aim_id", "must be an aim id")
        return None
    try:
        aim_id = int(value)
    except (TypeError, ValueError):
        errors.add("aim_id", "must be an aim id")
        return None
    if get_scoped(Aim, aim_id) is None:
        errors.add("aim_id", "is not an aim of this network")
        return None
    return aim_id


def _change_ideas(errors: FieldErrors, value) -> list[ChangeIdea]:
    ids = errors.check("change_idea_ids", clean_ids, value)
    if not ids:
        return []
    found = {i.id: i for i in db.session.scalars(select(ChangeIdea).where(ChangeIdea.id.in_(ids)))}
    unknown = [str(i) for i in ids if i not in found]
    if unknown:
        errors.add("change_idea_ids", f"unknown change idea ids: {', '.join(unknown)}")
        return []
    return [found[i] for i in ids]


def _check_name_free(errors: FieldErrors, name: str, measure: Measure | None) -> None:
    stmt = select(Measure.id).where(func.lower(Measure.name) == name.lower())
    if measure is not None:
        stmt = stmt.where(Measure.id != measure.id)
    if db.session.scalar(stmt.limit(1)) is not None:
        errors.add("name", "is already the name of another measure in this network")


def _check_data_fits(errors: FieldErrors, measure: Measure, values: dict) -> None:
    """Recorded values must still make sense after a change of chart or frequency."""
    chart, frequency = values.get("chart", measure.chart), values.get("frequency", measure.frequency)
    if chart == measure.chart and frequency == measure.frequency:
        return
    count = db.session.scalar(select(func.count()).select_from(MeasurePoint)
                              .where(MeasurePoint.measure_id == measure.id))
    if not count:
        return
    recorded = f"{plural(count, 'value')} recorded"
    if frequency != measure.frequency:
        errors.add("frequency", f"cannot change with {recorded}: they sit on the {measure.frequency} grid. "
                   "Define a new measure instead")
    if _RECORDS[chart] != _RECORDS[measure.chart]:
        errors.add("chart", f"cannot change from a {measure.chart} chart to a {chart} chart with {recorded}: "
                   "they record different things. Define a new measure instead")
    elif chart == "p" and measure.chart == "u":
        over = db.session.scalar(select(func.count()).select_from(MeasurePoint).where(
            MeasurePoint.measure_id == measure.id, MeasurePoint.numerator > MeasurePoint.denominator))
        if over:
            errors.add("chart", f"cannot become a p chart: {over:,} {noun(over, 'recorded value has', 'recorded values have')} "
                       "a numerator above its denominator")


def clean(data: dict, measure: Measure | None = None) -> dict:
    """The fields present in `data`, checked (a new measure needs name, kind and chart).
    Raises ValidationFailed naming every bad field."""
    errors = FieldErrors()
    values: dict = {}
    unknown = sorted(set(data) - set(FIELDS))
    for name in unknown:
        errors.add(name, "is not a field of a measure")
    for name in REQUIRED_ON_CREATE:
        if measure is None and data.get(name) in (None, ""):
            errors.add(name, "is required")
    if "name" in data and "name" not in errors.errors:
        values["name"] = errors.check("name", clean_name, data["name"], NAME_MAX)
        if values["name"]:
            _check_name_free(errors, values["name"], measure)
    if "definition" in data:
        values["definition"] = (errors.check("definition", clean_text, data["definition"]) or "").replace("\r\n", "\n")
    for name, choices in (("kind", MEASURE_KINDS), ("chart", CHART_TYPES), ("direction", DIRECTIONS),
                          ("frequency", FREQUENCIES)):
        if name in data and name not in errors.errors:
            values[name] = errors.check(name, _choice(choices), data[name] if data[name] is not None else "")
    if "unit" in data:
        values["unit"] = errors.check("unit", clean_short, data["unit"], UNIT_MAX)
    chart = values.get("chart", data.get("chart") if measure is None else measure.chart)
    if "goal" in data or ("chart" in data and measure is not None and measure.goal is not None):
        values["goal"] = errors.check("goal", _goal, data.get("goal", measure.goal if measure else None), chart)
    if "baseline_points" in data:
        values["baseline_points"] = errors.check("baseline_points", _baseline, data["baseline_points"])
    if "aim_id" in data:
        values["aim_id"] = _aim(errors, data["aim_id"])
    if "driver_ids" in data:
        values["drivers"] = load_drivers(errors, "driver_ids", data["driver_ids"])
    if "change_idea_ids" in data:
        values["change_ideas"] = _change_ideas(errors, data["change_idea_ids"])
    if measure is not None and not errors.errors:
        _check_data_fits(errors, measure, values)
    errors.raise_if_any()
    return values


# --- writing ------------------------------------------------------------------------------

def _flush_or_name_taken() -> None:
    try:
        db.session.flush()
    except IntegrityError:
        rollback()  # two facilitators chose the same name at the same moment
        raise ValidationFailed({"name": "is already the name of another measure in this network"}) from None


def create(data: dict) -> Measure:
    values = clean({**{k: v for k, v in DEFAULTS.items() if k not in data}, **data})
    measure = Measure(**values)
    db.session.add(measure)
    _flush_or_name_taken()
    commit()
    return measure


def update(measure_id, data: dict) -> Measure:
    measure = get(measure_id)
    values = clean(data, measure)
    for name, value in values.items():
        setattr(measure, name, value)
    measure.updated_at = utcnow()  # also when only the linked drivers or change ideas changed
    _flush_or_name_taken()
    commit()
    return measure


# --- reading ------------------------------------------------------------------------------

_OPTIONS = (selectinload(Measure.drivers), selectinload(Measure.change_ideas), selectinload(Measure.aim))


def get(measure_id) -> Measure:
    try:
        measure_id = int(measure_id)
    except (TypeError, ValueError):
        raise NotFound("No such measure.") from None
    measure = db.session.scalar(select(Measure).where(Measure.id == measure_id).options(*_OPTIONS))
    if measure is None:
        raise NotFound("No such measure.")
    return measure


def listing_stmt():
    return select(Measure).options(*_OPTIONS)


def count() -> int:
    return db.session.scalar(select(func.count()).select_from(Measure))


def page(number: int, per_page: int) -> list[Measure]:
    """Measures by kind (outcome, process, balancing), then name."""
    order = case({kind: index for index, kind in enumerate(MEASURE_KINDS)}, value=Measure.kind, else_=len(MEASURE_KINDS))
    stmt = listing_stmt().order_by(order, func.lower(Measure.name), Measure.id)
    return list(db.session.scalars(stmt.limit(per_page).offset((max(number, 1) - 1) * per_page)))


def latest_values(measures: list[Measure]) -> dict[int, dict]:
    """For each measure: its latest period with data, the network's value then (p/u: the
    sum of numerators over the sum of denominators; run/i: the mean of the schools'
    values, as on the pooled chart), how many schools reported that period and how many
    have ever reported. Two grouped queries for the whole list."""
    ids = [m.id for m in measures]
    if not ids:
        return {}
    latest = (select(MeasurePoint.measure_id, func.max(MeasurePoint.period).label("period"))
              .where(MeasurePoint.measure_id.in_(ids)).group_by(MeasurePoint.measure_id).subquery())
    stmt = (
        select(MeasurePoint.measure_id, latest.c.period, func.avg(MeasurePoint.value), func.sum(MeasurePoint.numerator),
               func.sum(MeasurePoint.denominator), func.count(MeasurePoint.school_id.distinct()))
        .join(latest, and_(latest.c.measure_id == MeasurePoint.measure_id, latest.c.period == MeasurePoint.period))
        .group_by(MeasurePoint.measure_id, latest.c.period)
    )
    charts = {m.id: m.chart for m in measures}
    out: dict[int, dict] = {}
    for measure_id, period, mean, numerators, denominators, reporting in db.session.execute(stmt):
        if charts[measure_id] in RATIO_CHARTS:
            value = numerators / denominators if denominators else None
        else:
            value = mean
        out[measure_id] = {"period": period, "value": value, "reporting": reporting, "ever": 0}
    ever = (select(MeasurePoint.measure_id, func.count(MeasurePoint.school_id.distinct()))
            .where(MeasurePoint.measure_id.in_(ids)).group_by(MeasurePoint.measure_id))
    for measure_id, schools in db.session.execute(ever):
        out.setdefault(measure_id, {"period": None, "value": None, "reporting": 0, "ever": 0})["ever"] = schools
    return out


def school_count() -> int:
    return db.session.scalar(select(func.count()).select_from(School))


def theory_choices() -> tuple[list[Aim], list[Driver], list[ChangeIdea]]:
    """What a measure can be linked to: the aims, their drivers, and the change ideas
    that were not declined."""
    aims = list(db.session.scalars(select(Aim).order_by(Aim.id)))
    drivers = list(db.session.scalars(select(Driver).order_by(Driver.aim_id, Driver.position, Driver.id)))
    ideas = list(db.session.scalars(select(ChangeIdea).where(ChangeIdea.status != "declined")
                                    .order_by(ChangeIdea.title)))
    return aims, drivers, ideas


def signal_basis(chart: str) -> str:
    """Where and by which rules a measure's signal is judged: "on its p chart, by the
    Shewhart rules"."""
    return f"on its {CHART_NAMES[chart]}, by {SIGNAL_RULES[chart]}"


def signal_rules(chart: str) -> str:
    """The rules alone, short: "Shewhart rules", "run-chart rules"."""
    return SIGNAL_RULES[chart].removeprefix("the ").removesuffix(" (Anhøj)")


def choices() -> list[Measure]:
    """Every measure, by name: what a cycle can say it feeds."""
    return list(db.session.scalars(select(Measure).order_by(func.lower(Measure.name), Measure.id)))
