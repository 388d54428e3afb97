"""Demo measures for the on-track network: one outcome (a p chart), two process measures
(a run chart and a u chart) and a balancing measure (an i chart), each with 38 weeks of
data per school, Mondays from 2 March to 16 November 2026.

The numbers are generated, deterministically (random.Random with a fixed seed per
measure and school), so the demo looks the same every time. Most schools are plain
noise around their own level; a few carry real signals, placed after the demo's PDSA
cycles (nic/demo/cycles.py: the autumn's cycles start from 7 September) so the markers
on the chart sit just before the change they explain:
- Eastside High School: the on-track rate shifts up from late September, after the
  success-team huddle started (a shift, and points above the upper limit); its huddle
  count chart is split into a new phase the week the huddle was adopted (12 October).
- Riverside Academy: missing assignments per student fall week after week from early
  October, after the Friday grade check was adopted (a trend).
- Harbor View High School: one week of outreach far above the limits (26 October, an
  attendance push: a point outside the limits, in the wrong direction).
- Maple Grove Secondary misses one week of huddle counts (a gap, shown as one).

Points are written as MeasurePoint rows directly, without PointChange audit rows: the
audit trail records what people changed, and seeding a demo is not a person's change.
Some demo cycles are pointed at the measure they feed (Cycle.measure_id), with a bulk
UPDATE so their version counter and history stay as the cycle seed left them.
"""

from __future__ import annotations

import math
import random
from datetime import date, timedelta

from sqlalchemy import select, update

from nic.analytics import analyse
from nic.demo import calendar as demo_calendar
from nic.extensions import db
from nic.models import (
    Aim,
    ChangeIdea,
    ChartSplit,
    Cycle,
    Driver,
    Measure,
    MeasurePoint,
    Network,
    School,
    User,
)
from nic.tenancy import use_network

FIRST_WEEK = date(2026, 3, 2)
LAST_WEEK = date(2026, 11, 16)
WEEKS = [FIRST_WEEK + timedelta(weeks=i) for i in range((LAST_WEEK - FIRST_WEEK).days // 7 + 1)]

# Each school's ninth grade (the denominators) and where its on-track rate sits.
NINTH_GRADERS = [312, 268, 405, 221, 354, 290]
ON_TRACK_LEVEL = [0.68, 0.72, 0.64, 0.75, 0.70, 0.66]

MEASURES = {
    "on_track": {
        "name": "9th graders on track",
        "kind": "outcome",
        "chart": "p",
        "unit": "%",
        "direction": "up",
        "goal": 0.85,
        "definition": "Share of 9th graders **passing every core course and attending at least 90%** of school "
        "days so far this term, counted each Monday from the gradebook and attendance exports. "
        "Numerator: students on track. Denominator: enrolled 9th graders.",
        "ideas": ["Ninth-grade success team huddle", "Early-warning dashboard review in PLCs"],
        "drivers": ["Teachers use early-warning data every week"],
        "baseline": 26,  # spring and summer, before the autumn's cycles
    },
    "huddle": {
        "name": "Students discussed at the weekly huddle",
        "kind": "process",
        "chart": "run",
        "unit": "students",
        "direction": "up",
        "goal": None,
        "definition": "Number of distinct 9th graders named at the week's success-team huddle, from the sign-in "
        "sheet and the list of named students.",
        "ideas": ["Ninth-grade success team huddle"],
        "drivers": ["Weekly grade-monitoring routines in teacher teams"],
    },
    "missing": {
        "name": "Missing assignments per student",
        "kind": "process",
        "chart": "u",
        "unit": "per student",
        "direction": "down",
        "goal": 0.5,
        "definition": "Missing assignments in core courses on Friday afternoon, per enrolled 9th grader. "
        "Numerator: missing assignments. Denominator: enrolled 9th graders.",
        "ideas": ["Friday grade check in advisory", "Credit recovery plan within two weeks"],
        "drivers": ["Student-led grade checks"],
        "baseline": 26,
    },
    "outreach": {
        "name": "Teacher hours spent on outreach per week",
        "kind": "balancing",
        "chart": "i",
        "unit": "hours",
        "direction": "down",
        "goal": None,
        "definition": "Hours 9th-grade teachers and advisors logged on calls, texts and meetings with families "
        "that week. A balancing measure: the outreach routines must not eat the teaching week.",
        "ideas": ["Same-day call home after a second absence", "Translated weekly progress texts"],
        "drivers": ["Attendance outreach within a day"],
    },
}

# Cycles of these change ideas feed these measures (Cycle.measure_id).
CYCLE_MEASURES = {
    "Ninth-grade success team huddle": "huddle",
    "Friday grade check in advisory": "missing",
    "Same-day call home after a second absence": "outreach",
}
SPLIT = ("huddle", 0, date(2026, 10, 12), "Huddle adopted for every 9th-grade teacher")
# (measure, school index) -> the week its story starts; every other series is noise.
STORIES = {
    ("on_track", 0): date(2026, 9, 21),
    ("huddle", 0): date(2026, 9, 14),
    ("missing", 1): date(2026, 10, 5),
    ("outreach", 3): date(2026, 10, 26),
}


def seed_measures(network: Network, schools: list[School], facilitator: User) -> dict[str, Measure]:
    """Create the four demo measures with their data, link cycles, add one chart split."""
    shift = demo_calendar.offset()  # the story's weeks moved onto this autumn's
    with use_network(network):
        measures = _measures()
        for index, school in enumerate(schools):
            for key, measure in measures.items():
                split_at = WEEKS.index(SPLIT[2]) if (key, index) == SPLIT[:2] else None
                db.session.add_all(_rows(measure, school, _series(measure, key, index, split_at), shift))
        for idea_title, key in CYCLE_MEASURES.items():
            ideas = select(ChangeIdea.id).where(ChangeIdea.title == idea_title)
            db.session.execute(
                update(Cycle)
                .where(Cycle.change_idea_id.in_(ideas))
                .values(measure_id=measures[key].id)
                .execution_options(synchronize_session=False)
            )
        key, school_index, start, label = SPLIT
        db.session.add(
            ChartSplit(
                measure_id=measures[key].id,
                school_id=schools[school_index].id,
                start_date=start + shift,
                label=label,
                created_by_id=facilitator.id,
            )
        )
        db.session.flush()
    return measures


def _measures() -> dict[str, Measure]:
    aim = db.session.scalar(select(Aim).order_by(Aim.id))
    ideas = {idea.title: idea for idea in db.session.scalars(select(ChangeIdea))}
    drivers = {driver.title: driver for driver in db.session.scalars(select(Driver))}
    measures = {}
    for key, spec in MEASURES.items():
        measure = Measure(
            name=spec["name"],
            kind=spec["kind"],
            chart=spec["chart"],
            unit=spec["unit"],
            direction=spec["direction"],
            goal=spec["goal"],
            frequency="weekly",
            definition=spec["definition"],
            aim_id=aim.id if aim else None,
            change_ideas=[ideas[t] for t in spec["ideas"] if t in ideas],
            drivers=[drivers[t] for t in spec["drivers"] if t in drivers],
            baseline_points=spec.get("baseline"),
        )
        db.session.add(measure)
        measures[key] = measure
    db.session.flush()
    return measures


def _rows(measure: Measure, school: School, points: dict, shift: timedelta) -> list[MeasurePoint]:
    rows = []
    for story_week, value in points.items():
        week = story_week + shift
        if measure.chart in ("p", "u"):
            numerator, denominator = value
            rows.append(
                MeasurePoint(
                    measure_id=measure.id,
                    school_id=school.id,
                    period=week,
                    numerator=numerator,
                    denominator=denominator,
                )
            )
        else:
            rows.append(MeasurePoint(measure_id=measure.id, school_id=school.id, period=week, value=value))
    return rows


def _series(measure: Measure, key: str, school_index: int, split_at: int | None) -> dict:
    """One school's generated points of one measure. A school without a story gets the
    first seed whose noise shows no chance signal, and a school with one the first seed
    quiet before its story starts: real processes do throw chance signals now and then
    (that is what the rules' false-alarm rates are about), but in a demo each signal
    should be one the story put there."""
    story = STORIES.get((key, school_index))
    # A story's signal may take in the week before it starts (a trend begins from there).
    quiet_until = WEEKS.index(story) - 1 if story else len(WEEKS)
    for salt in range(500):
        rng = random.Random(f"nic-demo:{key}:{school_index}:{salt}")
        points = GENERATORS[key](rng, school_index)
        analysis = _analyse(measure, points, split_at)
        # Neither a rule of the chart's type nor an IHI pattern before the story.
        flagged = [*analysis.shift, *analysis.trend, *(i for rule in analysis.rules for i in rule.indices)]
        if all(i >= quiet_until for i in flagged) and (story or not analysis.runs.signal):
            return points
    return points


def _analyse(measure: Measure, points: dict, split_at: int | None):
    picked = [points.get(week) for week in WEEKS]
    splits = (split_at,) if split_at else ()
    if measure.chart in ("p", "u"):
        return analyse(
            measure.chart,
            numerators=[p and p[0] for p in picked],
            denominators=[p and p[1] for p in picked],
            baseline=measure.baseline_points,
            splits=splits,
        )
    return analyse(measure.chart, picked, baseline=measure.baseline_points, splits=splits)


def _binomial(rng: random.Random, n: int, p: float) -> int:
    """A count of n students each with chance p (normal approximation: n is in the hundreds)."""
    return max(0, min(n, round(n * p + rng.gauss(0, math.sqrt(n * p * (1 - p))))))


def _on_track(rng: random.Random, school_index: int) -> dict:
    level, students = ON_TRACK_LEVEL[school_index], NINTH_GRADERS[school_index]
    points = {}
    for week in WEEKS:
        p = level
        if school_index == 0 and week >= STORIES[("on_track", 0)]:
            # The huddle reaches students: the rate climbs and stays up.
            p = level + min(0.11, 0.04 + 0.012 * ((week - STORIES[("on_track", 0)]).days // 7))
        denominator = students + rng.randint(-3, 3)
        points[week] = (_binomial(rng, denominator, p), denominator)
    return points


def _huddle(rng: random.Random, school_index: int) -> dict:
    points = {}
    for week in WEEKS:
        if school_index == 4 and week == date(2026, 5, 25):
            continue  # Memorial Day week: no huddle, nothing recorded
        value = rng.randint(5, 12)
        if school_index == 0 and week >= STORIES[("huddle", 0)]:
            value = rng.randint(10, 13) if week < SPLIT[2] else rng.randint(16, 22)
        points[week] = float(value)
    return points


def _missing(rng: random.Random, school_index: int) -> dict:
    students = NINTH_GRADERS[school_index]
    falling = [1.38, 1.24, 1.11, 0.97, 0.86, 0.77, 0.70]  # Riverside, week by week
    start = STORIES[("missing", 1)]
    points = {}
    for week in WEEKS:
        rate = 1.45 + rng.gauss(0, 0.07)
        if school_index == 1 and week >= start:
            step = (week - start).days // 7
            rate = falling[step] if step < len(falling) else falling[-1] - 0.04 * (step - len(falling) + 1)
        points[week] = (round(rate * students), students)
    return points


def _outreach(rng: random.Random, school_index: int) -> dict:
    points = {}
    for week in WEEKS:
        hours = 12 + 0.5 * school_index + rng.gauss(0, 1.6)
        if school_index == 3 and week == STORIES[("outreach", 3)]:
            hours = 27.5  # the attendance push: every advisor phoned every absent student
        points[week] = round(hours, 1)
    return points


GENERATORS = {"on_track": _on_track, "huddle": _huddle, "missing": _missing, "outreach": _outreach}
