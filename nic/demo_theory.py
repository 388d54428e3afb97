"""Demo theory of improvement for the on-track network: one aim, a driver diagram with
primary and secondary drivers (one secondary under two parents) and change ideas in
every status. Built through the theory services, so every step leaves a diagram revision;
the revisions are then dated across the autumn so "what did our theory look like in
September" has an answer."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from sqlalchemy import select

from nic import demo_calendar
from nic.extensions import db
from nic.models import DiagramRevision, User
from nic.services import theory, theory_ideas
from nic.services.transaction import commit

AIM = {
    "statement": "The share of 9th graders on track to graduate rises from 70% to 85% by June 2027.",
    "population": "9th graders in the network's six high schools",
    "measure_label": "9th graders on track (passing all core courses, attending 90%+)",
    "baseline": 70, "target": 85, "unit": "%", "due_date": "2027-06-15",
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
    ("Ninth-grade success team huddle", "Fifteen minutes a week: the 9th-grade teachers name students slipping below a C and agree who contacts each one.", "spreading", ["Weekly grade-monitoring routines in teacher teams", "Timely help when a course grade slips"]),
    ("Friday grade check in advisory", "Students open the grade portal in advisory every Friday and write down one missing assignment to finish.", "testing", ["Student-led grade checks", "Advisory with a consistent adult"]),
    ("Two-by-ten relationship building", "Two minutes of personal conversation with a disengaged student for ten school days in a row.", "testing", ["Advisory with a consistent adult"]),
    ("Same-day call home after a second absence", "The advisor calls home the same day a student misses school for the second time in a month.", "testing", ["Attendance outreach within a day"]),
    ("Credit recovery plan within two weeks", "A written plan, agreed with the student, within two weeks of any failing quarter grade.", "testing", ["Timely help when a course grade slips"]),
    ("Translated weekly progress texts", "A short weekly text in the family's home language: one thing going well, one thing to watch.", "testing", ["Family communication in home languages"]),
    ("Positive postcard home in the first month", "A handwritten postcard home about something the student did well, in the first month of school.", "accepted", ["Family communication in home languages"]),
    ("Early-warning dashboard review in PLCs", "PLCs open each meeting with ten minutes on the early-warning dashboard and leave with named next steps.", "spreading", ["Weekly grade-monitoring routines in teacher teams"]),
    ("Student goal-setting conference each quarter", "Each student sets a grade and attendance goal with their advisor at the start of the quarter.", "proposed", ["Student-led grade checks"]),
    ("After-school homework lab", "A supervised lab four afternoons a week for students with missing work.", "declined", ["Timely help when a course grade slips"]),
]
REVISIONS_FROM = date(2026, 8, 24)


def seed_theory(facilitator: User) -> None:
    aim = theory.create_aim(AIM, facilitator)
    primaries = [theory.create_driver(aim.id, {"kind": "primary", "title": t}, facilitator) for t in PRIMARY]
    secondaries = {
        title: theory.create_driver(aim.id, {"kind": "secondary", "title": title,
                                             "parent_ids": [primaries[i].id for i in parents]}, facilitator)
        for title, parents in SECONDARY.items()
    }
    for title, description, status, drivers in IDEAS:
        idea = theory_ideas.propose(
            {"title": title, "description": description, "aim_id": aim.id,
             "driver_ids": [secondaries[d].id for d in drivers]}, facilitator)
        if status == "declined":
            theory_ideas.decide(idea.id, "declined", "Staffing four afternoons is not possible this year.", facilitator)
        elif status != "proposed":
            theory_ideas.update(idea.id, {"status": status}, facilitator)
    _spread_revision_dates(aim.id)


def _spread_revision_dates(aim_id: int) -> None:
    """The diagram was built over the autumn: aim and drivers in late August, most change
    ideas through September, the last decisions in October."""
    revisions = list(db.session.scalars(
        select(DiagramRevision).where(DiagramRevision.aim_id == aim_id).order_by(DiagramRevision.id)
    ))
    shift = demo_calendar.offset()
    for index, revision in enumerate(revisions):
        day = REVISIONS_FROM + shift + timedelta(days=2 * index)
        revision.created_at = datetime(day.year, day.month, day.day, 16, tzinfo=timezone.utc)
    commit()
