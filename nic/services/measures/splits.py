"""Phases of a chart: a split at a date (say, the week a change was adopted) gives the
points from then on their own center line and limits, so the chart judges the new
process against itself rather than against the old one.

Who may split which chart: facilitators any chart, the network's pooled one included;
principals their own school's chart. Teacher leaders and members read the phases.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from nic.extensions import db
from nic.models import ChartSplit, Measure, School
from nic.permissions import allowed
from nic.services.errors import Forbidden, NotFound
from nic.transaction import commit
from nic.services.validation import FieldErrors
from nic.tenancy import get_scoped

MAX_LABEL = 200


def can_split(membership, school_id: int | None) -> bool:
    if membership is None or not allowed(membership.role, "charts.split"):
        return False
    if membership.role == "facilitator":
        return True
    return school_id is not None and school_id == membership.school_id


def _clean_date(value) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value or "").strip())
    except ValueError:
        raise ValueError("must be a date (YYYY-MM-DD)") from None


def _clean_label(value) -> str:
    label = " ".join(str(value or "").split())
    if len(label) > MAX_LABEL:
        raise ValueError(f"must be at most {MAX_LABEL} characters")
    return label


def add_split(membership, measure: Measure, school_id: int | None, start_date, label: str = "") -> ChartSplit:
    """Start a new phase of one chart (a school's, or the pooled one when school_id is
    None) on `start_date`."""
    if school_id is not None and get_scoped(School, school_id) is None:
        raise NotFound("No such school in this network.")
    if not can_split(membership, school_id):
        raise Forbidden("Your role may not change the phases of this chart.")
    errors = FieldErrors()
    start = errors.check("start_date", _clean_date, start_date)
    label = errors.check("label", _clean_label, label)
    if start is not None:
        owner = ChartSplit.school_id.is_(None) if school_id is None else ChartSplit.school_id == school_id
        taken = db.session.scalar(
            select(ChartSplit.id).where(ChartSplit.measure_id == measure.id, owner, ChartSplit.start_date == start)
        )
        if taken is not None:
            errors.add("start_date", f"this chart already has a phase starting on {start.isoformat()}")
    errors.raise_if_any()
    split = ChartSplit(measure_id=measure.id, school_id=school_id, start_date=start, label=label,
                       created_by_id=membership.user_id)
    db.session.add(split)
    commit()
    return split


def remove_split(membership, measure: Measure, split_id) -> ChartSplit:
    split = get_scoped(ChartSplit, split_id)
    if split is None or split.measure_id != measure.id:
        raise NotFound("No such phase on this chart.")
    if not can_split(membership, split.school_id):
        raise Forbidden("Your role may not change the phases of this chart.")
    db.session.delete(split)
    commit()
    return split
