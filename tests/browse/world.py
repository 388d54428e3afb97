"""A hand-built set of cycles in network a, on top of the two-network fixture, with what
each filter and each nudge should find written down next to it; and small readers of
the browse page."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from html import unescape

from nic.clock import utcnow
from nic.models import Cycle, Team
from tests import factories


@dataclass
class World:
    """Network a's cycles besides the fixture's `cycle` (shared, school 0, team, change
    idea, a question with a prediction, no dates, no measure) and `private_cycle`
    (school 0 only, no questions, no measure)."""

    team1: Team  # a grade-level team of school 1
    # shared, school 1, team1, idea2, study, owned by the member; March; no questions, no measure
    calls: Cycle
    # shared, school 0, idea2, done + adopt, owned by the principal; Jan-Feb; 60 students in a first
    # test; Study written with no observations in Do
    mentoring: Cycle
    deleted: Cycle  # shared, school 0, deleted: never listed
    private_s1: Cycle  # school 1 only
    idea2: object


def build_world(a) -> World:
    s0, s1 = a.schools
    idea2 = factories.make_change_idea(a.network, "Advisory check-ins")
    team1 = factories.make_team(s1, "Grade nine team", kind="grade_level", members=[a.member.user])
    calls = factories.make_cycle(
        s1,
        a.member.user,
        "Attendance phone calls home",
        phase="study",
        change_idea=idea2,
        team=team1,
        start_date=date(2026, 3, 2),
        end_date=date(2026, 3, 20),
        do_observations="Families answered most calls",
    )
    mentoring = factories.make_cycle(
        s0,
        a.principal.user,
        "Advisory mentoring ramp",
        phase="done",
        change_idea=idea2,
        act_decision="adopt",
        start_date=date(2026, 1, 10),
        end_date=date(2026, 2, 10),
        plan_measure="On-track rate",
        scale_count=60,
        scale_unit="students",
        study_learned="Mentoring helped the quiet students",
    )
    deleted = factories.make_cycle(s0, a.teacher_leader.user, "Deleted huddle cycle", deleted_at=utcnow())
    private_s1 = factories.make_cycle(s1, a.member.user, "Middle school private huddle", visibility="school")
    return World(team1, calls, mentoring, deleted, private_s1, idea2)


def titles(cycles) -> set[str]:
    return {cycle.title for cycle in cycles}


def selects(statements: list[str]) -> list[str]:
    return [sql for sql in statements if sql.lstrip().upper().startswith("SELECT")]


def listed(body: str) -> list[str]:
    """Titles in the results table, in order."""
    return [unescape(t) for t in re.findall(r'<th scope="row">\s*<a href="[^"]+">([^<]+)</a>', body)]
