"""What `nic bench seed` writes, as pure functions of a random.Random and an "as of"
moment: school names, people, PDSA cycle timelines and measure series. No database and
no Flask here; nic/bench/seed.py turns these into rows and bulk-loads them.

The content reuses the demo's theory of improvement and measures (nic/demo/theory.py,
nic/demo/measures.py), so a bench network reads like the demo, only much bigger.
"""

from __future__ import annotations

import math
import random
from datetime import UTC, date, datetime, time, timedelta

from nic.demo.seed import FIRST, LAST
from nic.demo.theory import AIM, IDEAS, PRIMARY, SECONDARY
from nic.models import PHASES

PLACES = [
    "Riverside",
    "Eastside",
    "Lincoln",
    "Harbor View",
    "Maple Grove",
    "Cedar Ridge",
    "Westlake",
    "Northgate",
    "Pine Hollow",
    "Jefferson",
    "Oak Park",
    "Summit",
    "Lakeview",
    "Fairmont",
    "Brookside",
    "Hillcrest",
    "Washington",
    "Roosevelt",
    "Kennedy",
    "Madison",
    "Granite Falls",
    "Stonebridge",
    "Willow Creek",
    "Bayside",
    "Prairie View",
    "Southridge",
    "Highland",
    "Union",
    "Central",
    "Valley",
    "Franklin",
    "Douglass",
    "Sojourner Truth",
    "Mountain View",
    "Clearwater",
    "Redwood",
    "Silver Lake",
    "Meadowbrook",
    "Canyon",
    "Heritage",
]
SCHOOL_KINDS = [
    "High School",
    "Academy",
    "Early College High",
    "Secondary School",
    "Preparatory High",
    "Collegiate High",
]
BENCH_PASSWORD = "nic-bench-2026"  # every bench login; printed by the seed
GROUPS = ["Cohort 1", "Cohort 2", "Cohort 3", "Cohort 4"]

# Ten more change ideas beside the demo's ten: (title, description, status, secondary drivers).
MORE_IDEAS = [
    (
        "Attendance buddy for chronically absent students",
        "An adult checks in with the student at the door every morning for four weeks.",
        "testing",
        ["Attendance outreach within a day"],
    ),
    (
        "Weekly one-page grade report to advisors",
        "Each advisor gets a one-page list of advisees below a C every Monday.",
        "spreading",
        ["Weekly grade-monitoring routines in teacher teams"],
    ),
    (
        "Lunch tutoring block",
        "Subject teachers staff a 25-minute help room at lunch, four days a week.",
        "testing",
        ["Timely help when a course grade slips"],
    ),
    (
        "Student-led conference in November",
        "Students present their grades and goals to their family and advisor.",
        "accepted",
        ["Student-led grade checks", "Family communication in home languages"],
    ),
    (
        "Upperclass mentor match",
        "Each 9th grader is paired with an 11th-grade mentor who meets them weekly.",
        "testing",
        ["Advisory with a consistent adult"],
    ),
    (
        "Reassessment window for failed unit tests",
        "A student who fails a unit test may retake it within ten days after a help session.",
        "testing",
        ["Timely help when a course grade slips"],
    ),
    (
        "Family night on reading the grade portal",
        "An evening where families log in to the portal with staff and interpreters beside them.",
        "accepted",
        ["Family communication in home languages"],
    ),
    (
        "Daily attendance text to families",
        "An automatic text to the family when a student misses first period.",
        "retired",
        ["Attendance outreach within a day"],
    ),
    (
        "Summer bridge week",
        "A week in August for incoming 9th graders: schedules, lockers, advisors and a first success.",
        "spreading",
        ["Advisory with a consistent adult"],
    ),
    (
        "Grade-level data wall",
        "A wall in the staff room showing each 9th grader's on-track status, updated weekly.",
        "proposed",
        ["Weekly grade-monitoring routines in teacher teams"],
    ),
]
ALL_IDEAS = IDEAS + MORE_IDEAS

QUESTIONS = [
    ("Will the routine happen every week as planned?", "Most weeks; one will be cut short."),
    ("How many of the students reached will respond within a week?", "About half of them."),
    ("Will teachers keep the log without reminders?", "Yes, after the first week."),
    ("Will families answer on the first try?", "About two thirds will."),
    ("Will the students' grades move by the end of the cycle?", "A little, for most of them."),
    ("Will it fit in the time we have?", "Yes, if we keep it to fifteen minutes."),
]
RESULTS = [
    "As predicted, give or take one.",
    "Better than we predicted.",
    "Below the prediction.",
    "Mixed: it worked in two classes out of three.",
]
DATA = [
    "A sign-in sheet and the list of students reached.",
    "Attendance for the students, before and after.",
    "The weekly grade export for the classes involved.",
    "A short teacher reflection after each session.",
]
OBSERVATIONS = [
    "Ran on the planned days; two sessions were cut short by assemblies.",
    "Teachers kept the log; students asked for the routine to continue.",
    "Started a week late because of testing; ran smoothly after that.",
]
PROBLEMS = [
    "",
    "",
    "The log template was too long; we trimmed it after the first week.",
    "A substitute did not know the routine on one day.",
]
LEARNED = [
    "The routine is doable in the time we have; the students it reached responded within the week.",
    "It helped the students who were only a little behind, not those far behind.",
    "The data did not move yet; teachers say it changed how they talk with students.",
]
OUTCOMES = {
    "adopt": ("It worked at this scale and fits our routines.", "Make it the standard routine and widen it."),
    "adapt": ("It helped, but the timing did not fit everyone.", "Run it again with the change, with more classes."),
    "abandon": ("Too much work for what it gave us; the data did not move.", "Stop and share what we learned."),
}
MESSAGES = [
    "What did you change before widening it?",
    "We moved it to Monday mornings so follow-ups happen the same week.",
    "Can you share the log template?",
    "Our numbers moved after the third week, not before.",
    "Has anyone tried this with seniors as mentors?",
    "We are stuck on getting families to answer; ideas welcome.",
    "Posting our agenda from last week's huddle.",
    "**Great result!** Bringing this to our ILT on Thursday.",
]
ARTIFACTS = [
    ("Huddle agenda template", "meeting_agenda"),
    ("Grade check log", "data_tool"),
    ("Call-home script", "protocol"),
    ("Advisory lesson: reading your transcript", "lesson_plan"),
    ("Classroom engagement look-fors", "observation_tool"),
    ("Recovery plan form", "other"),
]

# How far cycles have got, in percent: most are finished, a steady share is open.
PHASE_SHARES = {"plan": 12, "do": 16, "study": 10, "act": 7, "done": 55}
DECISION_SHARES = {"adopt": 40, "adapt": 40, "abandon": 20}
STALLED_SHARE = 0.25  # of open cycles: no change for more than 21 days
# Days a cycle spends in plan, do, study and act (uniform between the two).
DAYS_IN_PHASE = ((2, 10), (7, 28), (2, 10), (1, 7))
SCALE_BASE = {"students": 5, "classes": 1, "teachers": 1}


def as_of_moment(as_of: date) -> datetime:
    """The seed's "now": midnight UTC at the start of `as_of`, so a rerun on the same
    day (or with the same --as-of) places every date identically."""
    return datetime.combine(as_of, time(0), tzinfo=UTC)


def school_name(ordinal: int) -> str:
    """The network's ordinal-th school name (0-based): every place with every kind of
    school, then the same again numbered, so names never run out."""
    per_round = len(PLACES) * len(SCHOOL_KINDS)
    place, kind = PLACES[ordinal % len(PLACES)], SCHOOL_KINDS[(ordinal // len(PLACES)) % len(SCHOOL_KINDS)]
    lap = ordinal // per_round
    return f"{place} {kind}" + (f" {lap + 1}" if lap else "")


def people(rng: random.Random, slug: str, school_id: int) -> list[tuple[str, str, str]]:
    """(email, name, role) for one school: a principal, 2-3 teacher leaders and 3-5
    teachers. The school id (unique across runs and networks) keeps emails unique."""
    roles = ["principal"] + ["teacher_leader"] * rng.randint(2, 3) + ["member"] * rng.randint(3, 5)
    tags = {"principal": "principal", "teacher_leader": "leader", "member": "teacher"}
    out, seen = [], {}
    for role in roles:
        seen[role] = seen.get(role, 0) + 1
        first, last = rng.choice(FIRST), rng.choice(LAST)
        number = "" if role == "principal" else seen[role]
        out.append((f"{tags[role]}{number}.s{school_id}@{slug}.bench.nic", f"{first} {last}", role))
    return out


def facilitator_email(slug: str, network_id: int, index: int) -> str:
    return f"facilitator{index}.n{network_id}@{slug}.bench.nic"


def split(total: int, weights: list[float]) -> list[int]:
    """`total` shared in proportion to `weights`, in whole numbers that add up exactly."""
    scale = sum(weights)
    counts = [int(total * w / scale) for w in weights]
    for index in range(total - sum(counts)):
        counts[index % len(counts)] += 1
    return counts


def _days(value: float) -> timedelta:
    return timedelta(seconds=int(value * 86400))


def timeline(rng: random.Random, now: datetime):
    """One cycle's history: (phase, stalled, created_at, moves, phase_changed_at) where
    moves are (from_phase, to_phase, at) in order and consistent with the phase: a done
    cycle has four moves, a cycle in plan none. Finished cycles ended any time in the
    last ~34 weeks; open ones moved recently, or, if stalled, 22 to 120 days ago."""
    phase = rng.choices(list(PHASE_SHARES), weights=list(PHASE_SHARES.values()))[0]
    reached = PHASES.index(phase)
    stalled = phase != "done" and rng.random() < STALLED_SHARE
    if phase == "done":
        anchor = now - _days(rng.uniform(1, 240))
    elif stalled:
        anchor = now - _days(rng.uniform(22, 120))
    else:
        anchor = now - _days(rng.uniform(0.05, 20))
    moves, at = [], anchor
    for step in range(reached, 0, -1):
        moves.append((PHASES[step - 1], PHASES[step], at))
        at -= _days(rng.uniform(*DAYS_IN_PHASE[step - 1]))
    moves.reverse()
    return phase, stalled, at, moves, anchor


def decision(rng: random.Random) -> str:
    return rng.choices(list(DECISION_SHARES), weights=list(DECISION_SHARES.values()))[0]


def scale(rng: random.Random, unit: str, ramp: int) -> int:
    base = SCALE_BASE.get(unit, 1)
    return base * (1 + 2 * ramp) + rng.randint(0, base)


# --- measure series ----------------------------------------------------------------------


def series_lengths(total: int, series: int) -> list[int]:
    """Points per school-and-measure series: as even as possible, adding up to `total`."""
    base, extra = divmod(total, series)
    return [base + (1 if index < extra else 0) for index in range(series)]


def series(rng: random.Random, chart: str, up: bool, length: int, size: int):
    """`length` (value, numerator, denominator) tuples, oldest first, for one school's
    series of one measure. `size` is the school's ninth grade (the denominators). About
    a third of the longer series improve with a sustained shift near the end, so run
    charts find shifts and signals; a few i-chart series have one outlying week."""
    sign = 1 if up else -1
    shift_at = length
    if length >= 16 and rng.random() < 0.3:
        shift_at = length - rng.randint(8, min(20, length // 2))
    gauss, randint = rng.gauss, rng.randint
    if chart == "p":
        level, bump = rng.uniform(0.6, 0.78), sign * rng.uniform(0.06, 0.1)
        for index in range(length):
            p = min(0.97, max(0.03, level + (bump if index >= shift_at else 0.0)))
            denominator = size + randint(-3, 3)
            numerator = round(denominator * p + gauss(0, math.sqrt(denominator * p * (1 - p))))
            yield None, float(min(denominator, max(0, numerator))), float(denominator)
    elif chart == "u":
        # Missing assignments per student: well under one each, so the count stays below
        # the enrolment even though a u chart would allow more.
        level, bump = rng.uniform(0.45, 0.85), sign * rng.uniform(0.12, 0.2)
        for index in range(length):
            rate = max(0.05, level + (bump if index >= shift_at else 0.0))
            numerator = round(size * rate + gauss(0, math.sqrt(size * rate)))
            yield None, float(min(size, max(0, numerator))), float(size)
    elif chart == "run":
        level, bump = rng.uniform(5, 12), sign * rng.uniform(4, 6)
        for index in range(length):
            yield float(max(0, round(gauss(level + (bump if index >= shift_at else 0.0), 1.8)))), None, None
    else:  # i
        level, bump = rng.uniform(8, 16), sign * rng.uniform(3, 4.5)
        spike = randint(0, length - 1) if length and rng.random() < 0.05 else -1
        for index in range(length):
            value = gauss(level + (bump if index >= shift_at else 0.0), 1.6)
            if index == spike:
                value -= 9 * sign  # a week that went the wrong way
            yield round(max(0.0, value), 1), None, None


__all__ = [
    "AIM",
    "ALL_IDEAS",
    "ARTIFACTS",
    "BENCH_PASSWORD",
    "DATA",
    "GROUPS",
    "LEARNED",
    "MESSAGES",
    "OBSERVATIONS",
    "OUTCOMES",
    "PRIMARY",
    "PROBLEMS",
    "QUESTIONS",
    "RESULTS",
    "SECONDARY",
    "as_of_moment",
    "decision",
    "facilitator_email",
    "people",
    "scale",
    "school_name",
    "series",
    "series_lengths",
    "split",
    "timeline",
]
