"""Demo leadership self-assessments for the on-track network: the built-in core-practices
framework adopted, a few practices linked to the driver diagram, two closed rounds with
every school's agreed levels (varied, most schools improving between them, some slipping)
and its leadership team's own ratings, and a third round under way: two schools done, two
part-way, one with a few ratings only, one not started.

The framework comes through the frameworks service (the path a facilitator takes). The
rounds' contents are written through the models with their dates in the past, the way
nic.demo.cycles writes history: the services only ever write "now", and a demo of rounds
run over a year needs earlier dates. Idempotent: a network that has the framework is left
alone."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from nic.clock import utcnow
from nic.extensions import db
from nic.models import (
    Artifact,
    AssessmentConsensus,
    AssessmentRating,
    AssessmentRound,
    AssessmentRoundSchool,
    ChangeIdea,
    ConsensusEvidence,
    Cycle,
    Driver,
    Framework,
    Measure,
    Membership,
    School,
    Team,
)
from nic.services.assessments import frameworks
from nic.transaction import commit

FRAMEWORK = "leadership-core-practices"
# name, opened (days ago), closed (days ago, or None: open)
ROUNDS = [("Round 1: last spring", 300, 255), ("Round 2: this fall", 120, 80), ("Round 3: winter check-in", 12, None)]
# How far each school got in the open round: every practice agreed, part of them, ratings
# only, or nothing yet.
OPEN_ROUND_PROGRESS = ("done", "done", "partial", "partial", "ratings", "not_started")
PARTIAL_PRACTICES = 8
# practice key -> (driver titles, change idea titles) the facilitators linked it to
LINKS = {
    "improvement-from-evidence": ([], ["Early-warning dashboard review in PLCs"]),
    "no-blame-data": (["Teachers use early-warning data every week"], []),
    "instructional-leadership-team": ([], ["Ninth-grade success team huddle"]),
    "teacher-teams": (["Weekly grade-monitoring routines in teacher teams"], []),
    "feedback-and-coaching": ([], ["Two-by-ten relationship building"]),
    "trust-and-inquiry": (["Every 9th grader has a strong relationship with an adult in school"], []),
}
NOTES = [
    "We agreed after looking at our last three PLC agendas: the routine is there, but not in every team yet.",
    "Most of us rated this one level higher on our own; the walk-through notes brought us down to this.",
    "Strong in the 9th-grade team, uneven elsewhere. We want the same routine in every grade next term.",
    "The ILT owns this now, not just the principal. Staff survey comments back that up.",
    "We could not point to evidence beyond one or two classrooms, so we settled on the lower level.",
    "Teachers lead this themselves and bring data to it without being asked.",
    "New this year. Early signs are good but it depends on two people.",
    "We disagreed at first; the cycle results on the huddle settled it.",
]


def _level(rank: int) -> str:
    return ("less-effective", "meeting-standards", "college-career-ready")[rank]


def agreed_rank(school: int, practice: int, round_index: int) -> int:
    """A plausible, varied level: each school has strengths and gaps, and most move up a
    step on a third of their practices from one round to the next (a few slip back)."""
    base = (school * 7 + practice * 3 + (practice * practice) % 5) % 10
    rank = 0 if base < 4 else 1 if base < 8 else 2
    for step in range(round_index):
        if (school + practice + step) % 3 == 0 and rank < 2:
            rank += 1
        elif (school * practice + step) % 11 == 5 and rank > 0:
            rank -= 1
    return rank


def own_rank(agreed: int, school: int, practice: int, person: int) -> int:
    """A team member's own view: mostly the level the team agreed, sometimes one apart."""
    wobble = (school + 2 * practice + 3 * person) % 5
    return max(0, min(2, agreed + (1 if wobble == 0 else -1 if wobble == 1 else 0)))


def _ilt(school: School) -> list:
    """The people who rate for the school: its leadership team (made if a school has none)."""
    team = db.session.scalar(select(Team).where(Team.school_id == school.id, Team.kind == "ilt"))
    if team is None:
        leaders = [
            m.user
            for m in db.session.scalars(
                select(Membership).where(
                    Membership.school_id == school.id, Membership.role.in_(("principal", "teacher_leader"))
                )
            )
        ]
        team = Team(school_id=school.id, name="Instructional leadership team", kind="ilt", members=leaders)
        db.session.add(team)
        db.session.flush()
    return sorted(team.members, key=lambda user: user.id)


def seed_assessments(schools: list[School], facilitator_membership: Membership) -> bool:
    """Call with the demo network current, after its theory, cycles, artifacts and measures.
    Returns False when the framework was already there (nothing done)."""
    if db.session.scalar(select(Framework.id).where(Framework.based_on == FRAMEWORK).limit(1)) is not None:
        return False
    framework = frameworks.adopt(facilitator_membership, FRAMEWORK)  # commits
    practices = list(framework.practices)
    _link_practices(practices)
    now = utcnow()
    teams = {school.id: _ilt(school) for school in schools}
    evidence = _evidence_by_school(schools)
    for round_index, (name, opened, closed) in enumerate(ROUNDS):
        round_ = AssessmentRound(
            framework_id=framework.id,
            name=name,
            opened_at=now - timedelta(days=opened),
            opened_by_id=facilitator_membership.user_id,
            closed_at=now - timedelta(days=closed) if closed else None,
            closed_by_id=facilitator_membership.user_id if closed else None,
        )
        db.session.add(round_)
        db.session.flush()
        for s, school in enumerate(schools):
            progress = "done" if closed else OPEN_ROUND_PROGRESS[s % len(OPEN_ROUND_PROGRESS)]
            _seed_school(
                round_,
                round_index,
                s,
                school,
                practices,
                teams[school.id],
                evidence[school.id],
                progress,
                when=_work_day(round_, s, now),
            )
    commit()
    return True


def _work_day(round_, s: int, now) -> object:
    """When school number `s` rated (its consensus follows 3 days later and its finishing
    4 days later): ten days or so into the round, and never after the round closed or today."""
    end = round_.closed_at or now
    return min(round_.opened_at + timedelta(days=10 + s), end - timedelta(days=5))


def _seed_school(round_, round_index, s, school, practices, raters, evidence, progress, when) -> None:
    if progress == "not_started":
        return
    agreed_practices = {"done": len(practices), "partial": PARTIAL_PRACTICES, "ratings": 0}[progress]
    rating_practices = len(practices) if progress != "ratings" else PARTIAL_PRACTICES
    for p, practice in enumerate(practices):
        rank = agreed_rank(s, p, round_index)
        for person, user in enumerate(raters):
            if p < rating_practices and not (progress == "ratings" and person > 0):
                own = own_rank(rank, s, p, person)
                db.session.add(
                    AssessmentRating(
                        round_id=round_.id,
                        school_id=school.id,
                        practice_id=practice.id,
                        user_id=user.id,
                        level_key=_level(own),
                        level_rank=own,
                        updated_at=when,
                    )
                )
        if p < agreed_practices:
            consensus = AssessmentConsensus(
                round_id=round_.id,
                school_id=school.id,
                practice_id=practice.id,
                level_key=_level(rank),
                level_rank=rank,
                notes=NOTES[(s + p + round_index) % len(NOTES)],
                recorded_by_id=raters[0].id if raters else None,
                updated_at=when + timedelta(days=3),
            )
            # Evidence on about a third of the levels: the school's own cycles and artifacts.
            if evidence and (s + p) % 3 == 0:
                kind, target = evidence[(p + round_index) % len(evidence)]
                consensus.evidence = [
                    ConsensusEvidence(**{f"{kind}_id": target}, added_by_id=raters[0].id if raters else None)
                ]
            db.session.add(consensus)
    closed = round_.closed_at is not None
    if closed or progress == "done":
        db.session.add(
            AssessmentRoundSchool(
                round_id=round_.id,
                school_id=school.id,
                submitted_at=when + timedelta(days=4),
                submitted_by_id=raters[0].id if raters else None,
                close_state="complete" if closed else None,
                agreed_practices=len(practices) if closed else None,
                total_practices=len(practices) if closed else None,
            )
        )
    db.session.flush()


def _evidence_by_school(schools: list[School]) -> dict[int, list[tuple[str, int]]]:
    """Each school's cycles and artifacts shared with the network, and the network's first
    measure: what its team points to."""
    found: dict[int, list[tuple[str, int]]] = {school.id: [] for school in schools}
    for cycle_id, school_id in db.session.execute(
        select(Cycle.id, Cycle.school_id)
        .where(Cycle.visibility == "network", Cycle.deleted_at.is_(None))
        .order_by(Cycle.id)
    ):
        found.setdefault(school_id, []).append(("cycle", cycle_id))
    for artifact_id, school_id in db.session.execute(
        select(Artifact.id, Artifact.school_id)
        .where(Artifact.visibility == "network", Artifact.deleted_at.is_(None))
        .order_by(Artifact.id)
    ):
        found.setdefault(school_id, []).append(("artifact", artifact_id))
    measure_id = db.session.scalar(select(Measure.id).order_by(Measure.id).limit(1))
    if measure_id is not None:
        for items in found.values():
            items.append(("measure", measure_id))
    return found


def _link_practices(practices) -> None:
    drivers = {d.title: d for d in db.session.scalars(select(Driver))}
    ideas = {i.title: i for i in db.session.scalars(select(ChangeIdea))}
    for practice in practices:
        driver_titles, idea_titles = LINKS.get(practice.key, ([], []))
        practice.drivers = [drivers[t] for t in driver_titles if t in drivers]
        practice.change_ideas = [ideas[t] for t in idea_titles if t in ideas]
    db.session.flush()
