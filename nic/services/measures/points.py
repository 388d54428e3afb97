"""A school's values of a measure: checking them, saving them, and the audit trail.

There are four ways in (the quick form, the grid of past periods, a CSV upload and the
API) and one check, `check_points`, so each names the same problems in the same words.
Each way in names rows its own way (`points.3.period` in the API, "row 5" in a CSV, the
grid's cells), so the check reports a `PointError(ref, column, message)` per problem
and the caller turns refs into names.

Saving is all or nothing: any bad row and nothing is written. A period the school has
already recorded is updated; every create, update and delete adds a PointChange (who,
how, the values before and after). The existing points of the periods concerned are
loaded with one range query, the new rows go in as one batch, and everything commits
in one transaction.
"""
from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from nic.extensions import db
from nic.models import POINT_SOURCES, Measure, MeasurePoint, PointChange, School
from nic.permissions import allowed
from nic.services.measures import periods
from nic.services.rollups import rollups
from nic.services.errors import Conflict, Forbidden, ValidationFailed
from nic.transaction import commit, rollback
from nic.tenancy import get_scoped

MAX_POINTS = 5_000  # per request or upload: ten years of weekly data for nearly ten schools
RATIO_CHARTS = ("p", "u")
CHART_NAMES = {"run": "run chart", "i": "I chart", "p": "p chart", "u": "u chart"}


def value_columns(chart: str) -> tuple[str, ...]:
    """What a point of this chart carries besides its period."""
    return ("numerator", "denominator") if chart in RATIO_CHARTS else ("value",)


def columns(measure: Measure) -> tuple[str, ...]:
    return ("period", *value_columns(measure.chart))


@dataclass(frozen=True)
class PointIn:
    """One checked point."""

    period: date
    value: float | None = None
    numerator: float | None = None
    denominator: float | None = None

    def values(self) -> dict:
        return {"value": self.value, "numerator": self.numerator, "denominator": self.denominator}


@dataclass(frozen=True)
class PointError:
    ref: object  # the caller's name for the row: an index, a CSV row number, None for the whole input
    column: str | None  # period, value, numerator, denominator; None for the row or the input
    message: str


class PointsInvalid(ValidationFailed):
    """Some rows are bad; nothing was written. `errors` lists every problem in input
    order (for a report table); `fields` names them for the front end."""

    def __init__(self, errors: list[PointError], field_name: Callable[[object, str | None], str]):
        self.errors = errors
        fields: dict[str, str] = {}
        for error in errors:
            fields.setdefault(field_name(error.ref, error.column), error.message)
        super().__init__(fields)


# --- the one check ------------------------------------------------------------------------

def _number(raw) -> float:
    """A finite number from JSON (int, float) or text ("12", " 3.5 "); ValueError saying why not."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        raise ValueError("is required")
    if isinstance(raw, bool) or not isinstance(raw, (int, float, str)):
        raise ValueError("must be a number")
    if isinstance(raw, str):
        text = raw.strip()
        try:
            number = float(text)
        except ValueError:
            raise ValueError(f"must be a number (got {text[:40]!r})") from None
    else:
        number = float(raw)
    if not math.isfinite(number):
        raise ValueError("must be a finite number")
    return number


def _blank(raw) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


def is_blank_row(row: Mapping, chart: str) -> bool:
    """A row whose value cells are all empty (the grid's untouched rows, the template's
    rows left unfilled)."""
    return all(_blank(row.get(name)) for name in value_columns(chart))


def _check_row(measure: Measure, ref, row, errors: list[PointError]) -> PointIn | None:
    chart = measure.chart
    if not isinstance(row, Mapping):
        errors.append(PointError(ref, None, "must be an object with a period and its values"))
        return None
    wanted = value_columns(chart)
    before = len(errors)
    for key in row:
        if key == "period" or key in wanted:
            continue
        if key in ("value", "numerator", "denominator"):
            if row[key] is None:
                continue  # a client that always sends every key, null where unused
            errors.append(PointError(ref, key, f"is not used by a {CHART_NAMES[chart]}: send {' and '.join(wanted)}"))
        else:
            errors.append(PointError(ref, str(key), f"is not a field of a point (send period and {' and '.join(wanted)})"))
    period = None
    try:
        period = periods.check_period(row.get("period"), measure.frequency)
    except ValueError as exc:
        errors.append(PointError(ref, "period", str(exc)))
    numbers: dict[str, float] = {}
    for name in wanted:
        try:
            numbers[name] = _number(row.get(name))
        except ValueError as exc:
            errors.append(PointError(ref, name, str(exc)))
    if chart in RATIO_CHARTS:
        _check_ratio(chart, ref, numbers, errors)
    if len(errors) > before or period is None:
        return None
    return PointIn(period, **numbers)


def _check_ratio(chart: str, ref, numbers: dict, errors: list[PointError]) -> None:
    numerator, denominator = numbers.get("numerator"), numbers.get("denominator")
    if numerator is not None and numerator < 0:
        errors.append(PointError(ref, "numerator", "cannot be negative: it counts something"))
    if denominator is not None:
        if denominator < 0:
            errors.append(PointError(ref, "denominator", "cannot be negative: it counts something"))
        elif denominator == 0:
            errors.append(PointError(ref, "denominator", f"cannot be zero: a {CHART_NAMES[chart]} divides by it "
                                     "(leave the period out if there was nothing to count)"))
    if chart == "p":
        for name in ("numerator", "denominator"):
            if numbers.get(name) is not None and numbers[name] != int(numbers[name]):
                errors.append(PointError(ref, name, "must be a whole number: a p chart counts people or events"))
        if numerator is not None and denominator is not None and numerator > denominator > 0:
            errors.append(PointError(ref, "numerator", f"is above its denominator ({numerator:g} > {denominator:g}): "
                                     "a proportion cannot be more than all of them"))


def check_points(measure: Measure, rows: Sequence[tuple[object, object]],
                 field_name: Callable[[object, str | None], str],
                 describe: Callable[[object], str] = str) -> list[PointIn]:
    """Check `rows`, each a (ref, mapping with period and values) pair, against the
    measure: numbers where numbers go, counts that can be counts, periods on the
    measure's grid, each period once. Answers the points in input order, or raises
    PointsInvalid listing every problem (named with `field_name(ref, column)`; a
    duplicate's message points at the earlier row with `describe(ref)`)."""
    if len(rows) > MAX_POINTS:
        raise ValidationFailed({"points": f"must be at most {MAX_POINTS:,} at a time (got {len(rows):,}); "
                                "send them in several parts"})
    errors: list[PointError] = []
    points: list[PointIn] = []
    first_ref: dict[date, object] = {}
    for ref, row in rows:
        point = _check_row(measure, ref, row, errors)
        if point is None:
            continue
        if point.period in first_ref:
            errors.append(PointError(ref, "period", f"{point.period.isoformat()} is also in "
                                     f"{describe(first_ref[point.period])}: send each period once"))
            continue
        first_ref[point.period] = ref
        points.append(point)
    if errors:
        raise PointsInvalid(errors, field_name)
    return points


# --- who may enter ------------------------------------------------------------------------

def can_enter(membership, school_id) -> bool:
    """A school's principal and teacher leaders enter its values. Facilitators see every
    school's data but do not enter it (the numbers are the school's own), and members
    read them."""
    return (membership is not None and allowed(membership.role, "points.enter")
            and membership.school_id is not None and membership.school_id == school_id)


def entry_school(membership, school_id) -> School:
    """The school to record for: it must be this network's (else a field error that says
    the same for another network's id as for one that does not exist) and the member
    must enter for it (else Forbidden)."""
    if school_id is None or (isinstance(school_id, str) and not school_id.strip()):
        raise ValidationFailed({"school_id": "is required"})
    if isinstance(school_id, bool) or not isinstance(school_id, (int, str)):
        raise ValidationFailed({"school_id": "must be a school id"})
    school = get_scoped(School, school_id)
    if school is None:
        raise ValidationFailed({"school_id": "is not a school of this network"})
    if not can_enter(membership, school.id):
        raise Forbidden("Only the school's principal and teacher leaders enter its values.")
    return school


# --- saving -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Saved:
    created: int = 0
    updated: int = 0  # periods already recorded; they now hold the values sent
    unchanged: int = 0  # of those, how many already held exactly these values
    deleted: int = 0


def _stored(point: MeasurePoint) -> dict:
    return {"value": point.value, "numerator": point.numerator, "denominator": point.denominator}


def _existing(measure_id: int, school_id: int, wanted: list[date]) -> dict[date, MeasurePoint]:
    """The school's stored points for these periods: one range query."""
    if not wanted:
        return {}
    stmt = select(MeasurePoint).where(
        MeasurePoint.measure_id == measure_id, MeasurePoint.school_id == school_id,
        MeasurePoint.period.between(min(wanted), max(wanted)),
    )
    wanted_set = set(wanted)
    return {p.period: p for p in db.session.scalars(stmt) if p.period in wanted_set}


def save(measure: Measure, school_id: int, points: list[PointIn], user_id: int | None, source: str,
         delete_periods: Sequence[date] = ()) -> Saved:
    """Write checked points (and delete the points of `delete_periods`) for one school,
    with an audit entry for each change, in one transaction."""
    if source not in POINT_SOURCES:
        raise ValueError(f"unknown source {source!r}")
    existing = _existing(measure.id, school_id, [p.period for p in points] + list(delete_periods))
    created = updated = unchanged = 0
    changes: list[PointChange] = []
    new_points: list[MeasurePoint] = []
    for point in points:
        after = point.values()
        stored = existing.get(point.period)
        if stored is None:
            new_points.append(MeasurePoint(measure_id=measure.id, school_id=school_id, period=point.period,
                                           updated_by_id=user_id, **after))
            changes.append(_change(measure, school_id, point.period, user_id, source, None, after))
            created += 1
            continue
        updated += 1
        before = _stored(stored)
        if before == after:
            unchanged += 1
            continue
        for name, value in after.items():
            setattr(stored, name, value)
        stored.updated_by_id = user_id
        changes.append(_change(measure, school_id, point.period, user_id, source, before, after))
    doomed = [existing[period] for period in delete_periods if period in existing]
    for point in doomed:
        changes.append(_change(measure, school_id, point.period, user_id, source, _stored(point), None))
    if doomed:
        db.session.execute(delete(MeasurePoint).where(MeasurePoint.id.in_([p.id for p in doomed])))
    db.session.add_all(new_points)
    db.session.add_all(changes)
    try:
        db.session.flush()
    except IntegrityError:
        # Someone recorded one of these periods between our read and our write.
        rollback()
        raise Conflict("Someone else recorded values for the same periods at the same moment; nothing was "
                       "written. Send again: periods already recorded are then updated.") from None
    rollups.schedule_school(school_id, min([p.period for p in points] + list(delete_periods), default=None))
    commit()
    return Saved(created, updated, unchanged, len(doomed))


def _change(measure, school_id, period, user_id, source, before, after) -> PointChange:
    return PointChange(measure_id=measure.id, school_id=school_id, period=period, user_id=user_id,
                       source=source, before=before, after=after)


def record(membership, measure: Measure, school_id, rows: Sequence[tuple[object, object]], source: str,
           field_name: Callable[[object, str | None], str], describe: Callable[[object], str] = str) -> Saved:
    """Check the member may enter for the school, check every row, then save them all
    (or nothing). The API and the CSV upload come in here; the form and grid too."""
    school = entry_school(membership, school_id)
    points = check_points(measure, rows, field_name, describe)
    return save(measure, school.id, points, membership.user_id, source)


def record_edits(membership, measure: Measure, school_id, rows: Sequence[tuple[object, Mapping]], source: str,
                 field_name: Callable[[object, str | None], str], describe: Callable[[object], str] = str) -> Saved:
    """Rows a person changed in the grid. A changed row with values is checked and saved
    like any other; a changed row whose values were all cleared deletes that period's
    value (audited). All or nothing, like every other way in."""
    school = entry_school(membership, school_id)
    filled = [(ref, row) for ref, row in rows if not is_blank_row(row, measure.chart)]
    cleared = [(ref, row) for ref, row in rows if is_blank_row(row, measure.chart)]
    errors: list[PointError] = []
    checked: list[PointIn] = []
    try:
        checked = check_points(measure, filled, field_name, describe)
    except PointsInvalid as exc:
        errors = list(exc.errors)
    doomed: list[date] = []
    for ref, row in cleared:
        try:
            doomed.append(periods.check_period(row.get("period"), measure.frequency))
        except ValueError as exc:
            errors.append(PointError(ref, "period", str(exc)))
    if errors:
        raise PointsInvalid(errors, field_name)
    return save(measure, school.id, checked, membership.user_id, source, delete_periods=doomed)


# --- reading ------------------------------------------------------------------------------

def points_by_period(measure_id: int, school_id: int, wanted: list[date]) -> dict[date, MeasurePoint]:
    return _existing(measure_id, school_id, wanted)


def recent(measure_id: int, school_id: int, limit: int = 6) -> list[MeasurePoint]:
    stmt = (select(MeasurePoint).where(MeasurePoint.measure_id == measure_id, MeasurePoint.school_id == school_id)
            .order_by(MeasurePoint.period.desc()).limit(limit))
    return list(db.session.scalars(stmt))


def school_summaries(measure_id: int) -> dict[int, tuple[date, int]]:
    """school_id -> (latest period, number of points), one grouped query."""
    stmt = (select(MeasurePoint.school_id, func.max(MeasurePoint.period), func.count())
            .where(MeasurePoint.measure_id == measure_id).group_by(MeasurePoint.school_id))
    return {school_id: (latest, count) for school_id, latest, count in db.session.execute(stmt)}


def change_count(measure_id: int, school_id: int) -> int:
    stmt = select(func.count()).select_from(PointChange).where(
        PointChange.measure_id == measure_id, PointChange.school_id == school_id)
    return db.session.scalar(stmt)


def changes(measure_id: int, school_id: int, page: int = 1, per_page: int = 50) -> list[PointChange]:
    """The audit trail of one school's values, newest first."""
    stmt = (
        select(PointChange)
        .where(PointChange.measure_id == measure_id, PointChange.school_id == school_id)
        .options(selectinload(PointChange.user))
        .order_by(PointChange.created_at.desc(), PointChange.id.desc())
        .limit(per_page).offset((max(page, 1) - 1) * per_page)
    )
    return list(db.session.scalars(stmt))


def point_value(point, chart: str) -> float | None:
    """The plotted value: the ratio for p and u charts (None when it cannot be formed)."""
    if chart in RATIO_CHARTS:
        values = point if isinstance(point, Mapping) else _stored(point)
        numerator, denominator = values.get("numerator"), values.get("denominator")
        if numerator is None or not denominator:
            return None
        return numerator / denominator
    return point.get("value") if isinstance(point, Mapping) else point.value
