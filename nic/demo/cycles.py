"""Demo PDSA work for the on-track network: teams in every school and about 40 cycles
across them, in every phase, several ramps of three that grow from one class to a grade.
Written through the models with their history rows, so the pages look lived-in."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from nic.demo import calendar as demo_calendar
from nic.extensions import db
from nic.models import ChangeIdea, Cycle, CycleChange, CyclePhaseMove, CycleQuestion, Membership, School, Team

# Each chain is a change idea tested in a school, ramping up. Per step: scale, and how far
# it got. A chain's later steps start when the previous one ends.
CHAINS = [
    # (change idea title, school index, [(scale_count, scale_unit, final phase, decision)])
    (
        "Ninth-grade success team huddle",
        0,
        [(1, "teachers", "done", "adapt"), (4, "teachers", "done", "adopt"), (12, "teachers", "do", None)],
    ),
    ("Ninth-grade success team huddle", 2, [(1, "teachers", "done", "adapt"), (3, "teachers", "study", None)]),
    ("Ninth-grade success team huddle", 4, [(2, "teachers", "act", None)]),
    (
        "Friday grade check in advisory",
        1,
        [(1, "classes", "done", "adapt"), (3, "classes", "done", "adopt"), (9, "classes", "study", None)],
    ),
    ("Friday grade check in advisory", 3, [(1, "classes", "done", "abandon")]),
    ("Friday grade check in advisory", 5, [(1, "classes", "do", None)]),
    ("Two-by-ten relationship building", 0, [(5, "students", "done", "adopt"), (20, "students", "act", None)]),
    (
        "Two-by-ten relationship building",
        3,
        [(3, "students", "done", "adapt"), (8, "students", "done", "adapt"), (15, "students", "plan", None)],
    ),
    (
        "Same-day call home after a second absence",
        2,
        [(10, "students", "done", "adopt"), (40, "students", "study", None)],
    ),
    ("Same-day call home after a second absence", 5, [(6, "students", "done", "adapt"), (12, "students", "do", None)]),
    ("Same-day call home after a second absence", 1, [(60, "students", "plan", None)]),
    (
        "Credit recovery plan within two weeks",
        4,
        [(4, "students", "done", "adapt"), (10, "students", "done", "adopt"), (25, "students", "act", None)],
    ),
    ("Credit recovery plan within two weeks", 1, [(3, "students", "study", None)]),
    ("Translated weekly progress texts", 5, [(1, "classes", "done", "adopt"), (4, "classes", "do", None)]),
    ("Translated weekly progress texts", 0, [(1, "classes", "plan", None)]),
    ("Positive postcard home in the first month", 2, [(1, "classes", "done", "abandon")]),
    ("Positive postcard home in the first month", 3, [(2, "classes", "do", None)]),
    ("Early-warning dashboard review in PLCs", 4, [(1, "teachers", "done", "adopt"), (3, "teachers", "done", "adopt")]),
    ("Early-warning dashboard review in PLCs", 1, [(1, "teachers", "study", None)]),
    (
        "Early-warning dashboard review in PLCs",
        0,
        [(1, "teachers", "done", "adapt"), (2, "teachers", "done", "adopt"), (6, "teachers", "act", None)],
    ),
    ("Two-by-ten relationship building", 5, [(2, "students", "done", "adopt"), (6, "students", "study", None)]),
    ("Credit recovery plan within two weeks", 2, [(2, "students", "do", None)]),
    ("Positive postcard home in the first month", 4, [(1, "classes", "plan", None)]),
]

PLANS = {
    "Ninth-grade success team huddle": (
        "Find out whether a 15-minute weekly huddle of 9th-grade teachers catches students slipping below a C before the grading period ends.",
        [
            ("Will teachers name at least three students each week?", "Yes: each teacher will name three or four."),
            (
                "Will every named student get a contact within two school days?",
                "Most will; a few contacts will be late.",
            ),
        ],
        "Huddle sign-in sheet, the list of named students, the date of each follow-up contact.",
        "Share of 9th graders with a D or F in a core course",
    ),
    "Friday grade check in advisory": (
        "Test whether students who look up their own grades every Friday in advisory act on a missing assignment the next week.",
        [
            ("How many students will log in and record their grades?", "About 80% of the advisory."),
            ("Will students with a missing assignment turn it in within a week?", "About half will."),
        ],
        "Advisory grade-check log; missing assignments before and after.",
        "Missing assignments per 9th grader",
    ),
    "Two-by-ten relationship building": (
        "See whether two minutes of personal conversation for ten school days changes how disengaged students show up in class.",
        [
            ("Will the chosen students' attendance in this class improve?", "Slightly, by one or two periods."),
            ("Will the teacher notice a change in participation?", "Yes, for most of the students."),
        ],
        "Period attendance for the chosen students; a short teacher reflection each week.",
        "Period attendance of focus students",
    ),
    "Same-day call home after a second absence": (
        "Test whether calling home the same day a 9th grader misses school for the second time in a month prevents a third absence.",
        [
            ("Will we reach a family member the same day?", "For about two thirds of the calls."),
            ("Will the student be absent again within two weeks?", "Fewer than a third will be."),
        ],
        "Call log with time and outcome; attendance for the following two weeks.",
        "9th graders with 3+ absences this month",
    ),
    "Credit recovery plan within two weeks": (
        "Check whether a written recovery plan, agreed with the student within two weeks of a failing quarter grade, gets the grade back to passing.",
        [
            ("Will plans be written within two weeks?", "Yes, for nearly all students."),
            ("Will students pass the course at the semester?", "More than half will."),
        ],
        "Plan dates; weekly grade in the failed course.",
        "Course failures per quarter",
    ),
    "Translated weekly progress texts": (
        "Learn whether a short weekly progress text in the family's home language gets more families to reply or ask for a meeting.",
        [
            ("What share of families will reply at least once?", "About a third."),
            ("Will any family ask for a meeting?", "Two or three will."),
        ],
        "Text platform reply log; meeting requests.",
        "Families contacted in their home language",
    ),
    "Positive postcard home in the first month": (
        "Test whether a handwritten positive postcard in the first month changes how families answer later calls.",
        [
            ("Will families mention the postcard when we call?", "Some will."),
            ("Will later calls be answered more often?", "Yes, a little more often."),
        ],
        "Postcard list; call answer rate for those families.",
        "Families reached by phone",
    ),
    "Early-warning dashboard review in PLCs": (
        "Find out whether PLCs that open each meeting with ten minutes on the early-warning dashboard agree on specific next steps for students.",
        [
            ("Will each meeting end with named next steps?", "Yes, with two or three per meeting."),
            ("Will the next steps happen within a week?", "Most will."),
        ],
        "PLC agenda and notes; next-step tracker.",
        "Students with an agreed next step",
    ),
}

OUTCOMES = {
    "adopt": (
        "It worked at this scale and fits our routines; we keep it and plan to widen it.",
        "Make it the standard routine and train the rest of the team.",
    ),
    "adapt": (
        "It helped, but the timing did not fit everyone; we change the routine and test it bigger.",
        "Run it again with the change, with more classes.",
    ),
    "abandon": (
        "Too much work for what it gave us; the data did not move.",
        "Stop, and bring what we learned to the network call.",
    ),
}

SEASON_START = date(2026, 9, 7)
PHASE_ORDER = ["plan", "do", "study", "act", "done"]


def _at(day: date, hour: int = 15) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def chain_start(chain_index: int) -> date:
    """The story's day a chain's first cycle starts: the season's first weeks, staggered
    (seeding moves it onto this autumn: demo_calendar)."""
    return SEASON_START + timedelta(days=3 * (chain_index % 5))


def seed_teams(schools: list[School]) -> None:
    for school in schools:
        people = list(db.session.execute(select(Membership).where(Membership.school_id == school.id)).scalars())
        leaders = [m.user for m in people if m.role in ("principal", "teacher_leader")]
        ninth = [m.user for m in people if m.role in ("teacher_leader", "member")]
        db.session.add(Team(school_id=school.id, name="Instructional leadership team", kind="ilt", members=leaders))
        db.session.add(Team(school_id=school.id, name="9th grade team", kind="grade_level", members=ninth))
    db.session.flush()


def seed_cycles(schools: list[School]) -> int:
    ideas = {idea.title: idea for idea in db.session.scalars(select(ChangeIdea))}
    created = 0
    shift = demo_calendar.offset()  # the story's autumn moved onto this one
    for chain_index, (idea_title, school_index, steps) in enumerate(CHAINS):
        school = schools[school_index]
        idea = ideas[idea_title]
        members = list(db.session.scalars(select(Membership).where(Membership.school_id == school.id)))
        owners = [m.user for m in members if m.role in ("teacher_leader", "principal")]
        owner = owners[chain_index % len(owners)]
        coauthors = [m.user for m in members if m.role == "member"][:1]
        team = db.session.scalar(select(Team).where(Team.school_id == school.id, Team.kind == "grade_level"))
        start = chain_start(chain_index) + shift
        parent = None
        for step, (scale, unit, final_phase, decision) in enumerate(steps):
            parent = _cycle(
                school,
                owner,
                coauthors,
                team,
                idea,
                parent,
                step,
                scale,
                unit,
                final_phase,
                decision,
                start,
                visibility="school" if chain_index % 7 == 3 else "network",
            )
            _leave_gaps(parent, chain_index, step)
            start += timedelta(days=21)
            created += 1
    db.session.flush()
    return created


def _leave_gaps(cycle: Cycle, chain_index: int, step: int) -> None:
    """Real networks have unfinished plans: some new cycles still lack a prediction or a
    named measure, and one team wrote its Study before collecting data."""
    if cycle.phase in ("plan", "do") and chain_index % 2 == 0 and len(cycle.questions) > 1:
        cycle.questions[1].prediction = ""
    if cycle.phase == "plan" and chain_index % 3 == 1:
        cycle.plan_measure = ""
    if cycle.phase == "do" and chain_index % 4 == 1:
        cycle.do_observations = ""
        cycle.study_learned = "Students seem more engaged already."


def _cycle(school, owner, coauthors, team, idea, parent, step, scale, unit, final_phase, decision, start, visibility):
    objective, questions, data, measure = PLANS[idea.title]
    end = start + timedelta(days=14)
    title = idea.title if step == 0 else f"{idea.title}, ramp {step + 1}"
    reached = PHASE_ORDER.index(final_phase)
    cycle = Cycle(
        school_id=school.id,
        team_id=team.id if team else None,
        owner_id=owner.id,
        title=title,
        change_idea_id=idea.id,
        parent_id=parent.id if parent else None,
        scale_count=scale,
        scale_unit=unit,
        start_date=start,
        end_date=end,
        phase=final_phase,
        visibility=visibility,
        plan_objective=objective,
        plan_who=f"{owner.name} with the 9th grade team",
        plan_what="Run the routine as described in the change idea, the same way each week.",
        plan_when=f"{start:%d %B} to {end:%d %B}",
        plan_where=school.name,
        plan_data=data,
        plan_measure=measure,
        coauthors=list(coauthors),
        created_at=_at(start - timedelta(days=3)),
        phase_changed_at=_at(start),
    )
    results = (
        ["As predicted, give or take one.", "Better than we predicted."]
        if decision != "abandon"
        else ["Well below the prediction.", "No change we could see."]
    )
    cycle.questions = [
        CycleQuestion(position=i, question=q, prediction=p, result=results[i] if reached >= 3 else "")
        for i, (q, p) in enumerate(questions)
    ]
    if reached >= 2:
        cycle.do_as_planned = step != 1
        cycle.do_observations = (
            "Ran on the planned days. Teachers kept the log; two sessions were cut short by assemblies."
        )
        cycle.do_problems = "The log template was too long; we trimmed it after the first week." if step == 0 else ""
    if reached >= 3:
        cycle.study_learned = (
            "The routine is doable in the time we have. The students it reached responded within the week."
        )
    if reached >= 4 and decision:
        cycle.act_decision = decision
        cycle.act_reason, cycle.act_next = OUTCOMES[decision]
    db.session.add(cycle)
    db.session.flush()
    db.session.add(
        CycleChange(
            cycle_id=cycle.id, user_id=owner.id, version=1, action="create", fields={}, created_at=cycle.created_at
        )
    )
    for index in range(reached):
        db.session.add(
            CyclePhaseMove(
                cycle_id=cycle.id,
                from_phase=PHASE_ORDER[index],
                to_phase=PHASE_ORDER[index + 1],
                user_id=owner.id,
                created_at=_at(start + timedelta(days=5 * index)),
            )
        )
    return cycle


def seed_discussion(facilitator_id: int) -> None:
    """Two channels (general for everyone, a principals' circle for principals and
    facilitators) and a first conversation in each, plus one on a cycle."""
    from nic.models import Channel, Message, Thread, User
    from nic.services.notifications import notifications

    people = {m.role: m.user_id for m in db.session.scalars(select(Membership).order_by(Membership.id))}
    general = Channel(name="general", description="Anything for the whole network.", created_by_id=facilitator_id)
    circle = Channel(
        name="principals-circle",
        description="Principals and facilitators only.",
        roles="principal,facilitator",
        created_by_id=facilitator_id,
    )
    db.session.add_all([general, circle])
    db.session.flush()
    cycle = db.session.scalar(select(Cycle).where(Cycle.act_decision == "adapt").order_by(Cycle.id))
    names = dict(db.session.execute(select(User.id, User.name)).all())
    conversations = [
        (
            Thread(subject="channel", subject_id=general.id, title="general"),
            [
                (facilitator_id, "Welcome to the network! Post questions for other schools here."),
                (
                    people["teacher_leader"],
                    "Has anyone tried the Friday grade check with seniors mentoring 9th graders?",
                ),
                (
                    people["principal"],
                    "We paired advisory with the grade check last month; **happy to share our agenda**. "
                    f"@{names[facilitator_id]}, could it go on Thursday's agenda?",
                ),
            ],
        ),
        (
            Thread(subject="channel", subject_id=circle.id, title="principals-circle"),
            [
                (facilitator_id, "Agenda for Thursday: how your ILT uses the early-warning data each week."),
                (people["principal"], "We will bring our huddle notes from the last three weeks."),
            ],
        ),
        (
            Thread(subject="cycle", subject_id=cycle.id, title="What did you change for the second ramp?"),
            [
                (
                    people["principal"],
                    f"@{names[cycle.owner_id]} the first test worked for one teacher. "
                    "What did you change before going to four?",
                ),
                (cycle.owner_id, "We moved the huddle to Monday mornings so follow-ups happen the same week."),
            ],
        ),
    ]
    for thread, messages in conversations:
        thread.created_by_id = messages[0][0]
        db.session.add(thread)
        db.session.flush()
        for author_id, body in messages:
            message = Message(thread_id=thread.id, author_id=author_id, body=body)
            db.session.add(message)
            db.session.flush()
            thread.last_message_id = message.id
            # Mentions, replies and activity on cycles, as the worker would make them.
            notifications.create_for_message(message.id)
