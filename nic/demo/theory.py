"""Demo theory of improvement for the on-track network: one aim, a driver diagram with
primary and secondary drivers (one secondary under two parents) and change ideas in
every status. Built through the theory services, so every step leaves a diagram revision;
the revisions are then dated across the late summer and autumn so "what did our theory
look like in September" has an answer, and the aim, drivers and ideas carry the same dates
(an idea proposed on 24 August says so, and its cycles come after)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select

from nic.demo import calendar as demo_calendar
from nic.extensions import db
from nic.models import Aim, ChangeIdea, DiagramRevision, Driver, User
from nic.services.theory import ideas as theory_ideas
from nic.services.theory import theory
from nic.transaction import commit

AIM = {
    "statement": "The share of 9th graders on track to graduate rises from 70% to 85% by June 2027.",
    "population": "9th graders in the network's six high schools",
    "measure_label": "9th graders on track (passing all core courses, attending 90%+)",
    "baseline": 70,
    "target": 85,
    "unit": "%",
    "due_date": "2027-06-15",
}
PRIMARY = [
    "Every 9th grader has a strong relationship with an adult in school",
    "Teachers use early-warning data every week",
    "Students know where they stand and how to recover",
    "Families are partners in the move to high school",
]
# title -> indices of parents among PRIMARY
SECONDARY = {
    "Advisory with a consistent adult": [0],
    "Weekly grade-monitoring routines in teacher teams": [1],
    "Timely help when a course grade slips": [1, 2],
    "Student-led grade checks": [2],
    "Attendance outreach within a day": [0, 3],
    "Family communication in home languages": [3],
}
# title, description, status, secondary drivers
IDEAS = [
    (
        "Ninth-grade success team huddle",
        "Fifteen minutes a week: the 9th-grade teachers name students slipping below a C and agree who contacts each one.",
        "spreading",
        ["Weekly grade-monitoring routines in teacher teams", "Timely help when a course grade slips"],
    ),
    (
        "Friday grade check in advisory",
        "Students open the grade portal in advisory every Friday and write down one missing assignment to finish.",
        "testing",
        ["Student-led grade checks", "Advisory with a consistent adult"],
    ),
    (
        "Two-by-ten relationship building",
        "Two minutes of personal conversation with a disengaged student for ten school days in a row.",
        "testing",
        ["Advisory with a consistent adult"],
    ),
    (
        "Same-day call home after a second absence",
        "The advisor calls home the same day a student misses school for the second time in a month.",
        "testing",
        ["Attendance outreach within a day"],
    ),
    (
        "Credit recovery plan within two weeks",
        "A written plan, agreed with the student, within two weeks of any failing quarter grade.",
        "testing",
        ["Timely help when a course grade slips"],
    ),
    (
        "Translated weekly progress texts",
        "A short weekly text in the family's home language: one thing going well, one thing to watch.",
        "testing",
        ["Family communication in home languages"],
    ),
    (
        "Positive postcard home in the first month",
        "A handwritten postcard home about something the student did well, in the first month of school.",
        "accepted",
        ["Family communication in home languages"],
    ),
    (
        "Early-warning dashboard review in PLCs",
        "PLCs open each meeting with ten minutes on the early-warning dashboard and leave with named next steps.",
        "spreading",
        ["Weekly grade-monitoring routines in teacher teams"],
    ),
    (
        "Student goal-setting conference each quarter",
        "Each student sets a grade and attendance goal with their advisor at the start of the quarter.",
        "proposed",
        ["Student-led grade checks"],
    ),
    (
        "After-school homework lab",
        "A supervised lab four afternoons a week for students with missing work.",
        "declined",
        ["Timely help when a course grade slips"],
    ),
]
# The story's calendar of the theory (moved with the rest of the demo, demo_calendar): the
# aim in mid-August, its drivers over the next days, the change ideas proposed in the
# last week of August, before the first cycles are planned (demo_cycles.SEASON_START).
AIM_SET_ON = date(2026, 8, 17)
DRIVERS_FROM = date(2026, 8, 18)  # one each half day
PROPOSED_FROM = date(2026, 8, 24)  # one each half day
# An idea moves to testing the day its first cycle is planned; then, by status:
DECIDED_ON = {"accepted": date(2026, 9, 1), "declined": date(2026, 10, 5)}
SPREADING_ON = {
    "Ninth-grade success team huddle": date(2026, 10, 12),
    "Early-warning dashboard review in PLCs": date(2026, 10, 19),
}
DECLINE_NOTE = "Staffing four afternoons is not possible this year."


def seed_theory(facilitator: User) -> None:
    """Each step through the theory services (each leaves a diagram revision), in the
    order of the story, and each revision then dated on the story's day, so the aim's
    history, the ideas' status histories and the ideas' own dates tell the same story."""
    shift = demo_calendar.offset()
    dated: list[tuple[int, datetime]] = []  # (revision id, when)

    def on(day: date, hours: float = 0) -> None:
        dated.append((_latest_revision_id(aim.id), _at(day + shift) + timedelta(hours=hours)))

    aim = theory.create_aim(AIM, facilitator)
    on(AIM_SET_ON)
    drivers = []
    for title in PRIMARY:
        drivers.append(theory.create_driver(aim.id, {"kind": "primary", "title": title}, facilitator))
        on(DRIVERS_FROM, 12 * (len(drivers) - 1))
    secondaries = {}
    for title, parents in SECONDARY.items():
        secondaries[title] = theory.create_driver(
            aim.id, {"kind": "secondary", "title": title, "parent_ids": [drivers[i].id for i in parents]}, facilitator
        )
        on(DRIVERS_FROM, 12 * (len(drivers) + len(secondaries) - 1))
    ideas = {}
    for index, (title, description, _status, under) in enumerate(IDEAS):
        ideas[title] = theory_ideas.propose(
            {
                "title": title,
                "description": description,
                "aim_id": aim.id,
                "driver_ids": [secondaries[d].id for d in under],
            },
            facilitator,
        )
        on(PROPOSED_FROM, 12 * index)
    for day, title, status in _moves():
        if status == "declined":
            theory_ideas.decide(ideas[title].id, "declined", DECLINE_NOTE, facilitator)
        else:
            theory_ideas.update(ideas[title].id, {"status": status}, facilitator)
        on(day)
    _date_revisions(aim.id, dict(dated))


def _moves() -> list[tuple[date, str, str]]:
    """(story day, idea, new status) for every status change after the proposals, in
    the order they happen."""
    planned = _first_cycle_planned()
    moves = []
    for title, _description, status, _under in IDEAS:
        if status in ("testing", "spreading"):
            moves.append((planned[title], title, "testing"))
        if status == "spreading":
            moves.append((SPREADING_ON[title], title, "spreading"))
        if status in DECIDED_ON:
            moves.append((DECIDED_ON[status], title, status))
    return sorted(moves, key=lambda move: move[0])  # stable: same-day moves keep IDEAS order


def _first_cycle_planned() -> dict[str, date]:
    """The day each idea's first demo cycle was planned (demo_cycles writes each chain's
    first cycle on the day it starts less three)."""
    from nic.demo.cycles import CHAINS, chain_start

    planned: dict[str, date] = {}
    for index, (title, _school, _steps) in enumerate(CHAINS):
        day = chain_start(index) - timedelta(days=3)
        planned[title] = min(planned.get(title, day), day)
    return planned


def _at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 9, tzinfo=UTC)


def _latest_revision_id(aim_id: int) -> int:
    return db.session.scalar(select(func.max(DiagramRevision.id)).where(DiagramRevision.aim_id == aim_id))


def _date_revisions(aim_id: int, when: dict[int, datetime]) -> None:
    revisions = list(
        db.session.scalars(select(DiagramRevision).where(DiagramRevision.aim_id == aim_id).order_by(DiagramRevision.id))
    )
    for revision in revisions:
        revision.created_at = when.get(revision.id, revision.created_at)
    _date_from_revisions(aim_id, revisions)
    commit()


def _date_from_revisions(aim_id: int, revisions: list[DiagramRevision]) -> None:
    """Each item's created_at is the revision it first appears in; an idea's decided_at is
    the revision that recorded its decision, its updated_at the last one that changed it
    (the services stamped all three with the seeding's own clock)."""
    first_seen: dict[tuple[str, int], datetime] = {}
    idea_changed: dict[int, datetime] = {}
    idea_decided: dict[int, datetime] = {}
    last_entry: dict[int, dict] = {}
    aim_changed, last_aim = None, None
    for revision in revisions:
        snapshot = revision.snapshot or {}
        if snapshot.get("aim") != last_aim:
            aim_changed, last_aim = revision.created_at, snapshot.get("aim")
        for kind, items in (("driver", snapshot.get("drivers") or []), ("idea", snapshot.get("change_ideas") or [])):
            for item in items:
                first_seen.setdefault((kind, item["id"]), revision.created_at)
        for entry in snapshot.get("change_ideas") or []:
            entry = {**entry, "driver_ids": sorted(entry.get("driver_ids") or [])}  # their order is not a change
            before = last_entry.get(entry["id"])
            if entry != before:
                idea_changed[entry["id"]] = revision.created_at
            if entry["status"] in theory_ideas.DECIDED and (before or {}).get("status") != entry["status"]:
                idea_decided[entry["id"]] = revision.created_at
            last_entry[entry["id"]] = entry
    aim = db.session.get(Aim, aim_id)
    if revisions:
        aim.created_at, aim.updated_at = revisions[0].created_at, aim_changed
    for driver in db.session.scalars(select(Driver).where(Driver.aim_id == aim_id)):
        driver.created_at = first_seen.get(("driver", driver.id), driver.created_at)
    for idea in db.session.scalars(select(ChangeIdea).where(ChangeIdea.aim_id == aim_id)):
        idea.created_at = first_seen.get(("idea", idea.id), idea.created_at)
        if idea.decided_at is not None and idea.id in idea_decided:
            idea.decided_at = idea_decided[idea.id]
        # An explicit value wins over onupdate.
        idea.updated_at = idea_changed.get(idea.id, idea.created_at)
