"""Each heatmap cell says what its cycles say: the state it shows, and the number beside
it, come from the cycles' current phase and Act decision. A cell never counts a cycle
still in Do as adopted (issue 14: "Adopted 3" while one of the three was in Do).

The expected figures are worked out here from the cycle rows themselves, not from the
roll-up the page reads."""

from __future__ import annotations

import html
import re
from datetime import date

import pytest
from sqlalchemy import select

from nic.extensions import db
from nic.models import Cycle
from nic.services.rollups import rollups
from nic.tenancy import use_network
from tests.factories import make_change_idea, make_cycle

MONDAY = date(2026, 10, 5)
PRECEDENCE = ("adopted", "adapted", "testing", "abandoned")  # what the legend puts first
DECISION_STATE = {"adopt": "adopted", "adapt": "adapted", "abandon": "abandoned"}
STATES = "|".join(PRECEDENCE)


@pytest.fixture
def mixed(tenants):
    """At schools[1] of alpha: an idea with one cycle adopted, one adapted and one still in
    Do; another with one abandoned and one in Plan; a third only abandoned."""
    a = tenants.a
    school, owner = a.schools[1], a.teacher_leader.user
    scaled = make_change_idea(a.network, "Alphaville scaled huddle")
    dropped = make_change_idea(a.network, "Alphaville dropped tracker")
    gone = make_change_idea(a.network, "Alphaville gone calendar")
    for phase, decision, idea in (
        ("done", "adopt", scaled),
        ("done", "adapt", scaled),
        ("do", None, scaled),
        ("done", "abandon", dropped),
        ("plan", None, dropped),
        ("done", "abandon", gone),
    ):
        make_cycle(school, owner, phase=phase, act_decision=decision, change_idea=idea, start_date=MONDAY)
    db.session.commit()
    with use_network(a.network):
        rollups.compute()
        db.session.commit()
    return a


def implied_cells(network) -> dict[tuple[int, int], dict[str, int]]:
    """(school, idea) -> {state: cycles}, from each cycle's phase and decision."""
    cells: dict[tuple[int, int], dict[str, int]] = {}
    with use_network(network):
        rows = db.session.execute(
            select(Cycle.school_id, Cycle.change_idea_id, Cycle.phase, Cycle.act_decision).where(
                Cycle.change_idea_id.is_not(None), Cycle.deleted_at.is_(None)
            )
        )
        for school_id, idea_id, phase, decision in rows:
            state = "testing" if phase != "done" else DECISION_STATE[decision]
            counts = cells.setdefault((school_id, idea_id), {})
            counts[state] = counts.get(state, 0) + 1
    return cells


def visible_text(cell_html: str) -> str:
    text = re.sub(r'<span class="visually-hidden">.*?</span>', " ", cell_html, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", text)).split())


def shown_cells(body: str) -> dict[tuple[int, int], tuple[str, str]]:
    """(school, idea) -> (the cell's class state, its visible text), for linked cells."""
    found = {}
    for match in re.finditer(
        r'<td class="heat heat--(\w+)"[^>]*>\s*(<a href="[^"]*school_id=(\d+)'
        r'&amp;change_idea_id=(\d+)".*?</a>)\s*</td>',
        body,
        flags=re.S,
    ):
        state, cell, school_id, idea_id = match.groups()
        found[(int(school_id), int(idea_id))] = (state, visible_text(cell))
    return found


def read_cell(text: str) -> tuple[str, dict[str, int]]:
    """'Adopted 1 + 1 testing, 1 adapted' -> ('adopted', {adopted: 1, testing: 1, adapted: 1})."""
    head = re.match(rf"({STATES}) (\d+)\b(.*)$", text, flags=re.I)
    assert head, text
    state = head.group(1).lower()
    counts = {state: int(head.group(2))}
    for n, other in re.findall(rf"(\d+) ({STATES})\b", head.group(3), flags=re.I):
        counts[other.lower()] = int(n)
    return state, counts


def check(body: str, implied: dict, only_school: int | None = None) -> int:
    cells = shown_cells(body)
    expected = {key: counts for key, counts in implied.items() if only_school in (None, key[0])}
    assert set(cells) == set(expected)
    for key, counts in expected.items():
        css_state, text = cells[key]
        headline = next(state for state in PRECEDENCE if counts.get(state))
        assert css_state == headline, (key, text)
        assert read_cell(text) == (headline, counts), (key, text)
    return len(cells)


def test_each_network_heatmap_cell_counts_its_cycles_by_phase_and_decision(client, mixed, login_as):
    login_as(mixed.facilitator.user)
    body = client.get(f"/n/{mixed.network.slug}/dashboard").get_data(as_text=True)
    implied = implied_cells(mixed.network)
    # The idea adopted once, adapted once and in Do once is "Adopted 1" with the rest beside it.
    assert sorted(implied.values(), key=len)[-1] == {"adopted": 1, "adapted": 1, "testing": 1}
    assert check(body, implied) == 4


def test_the_school_dashboard_cells_count_the_same_way(client, mixed, login_as):
    login_as(mixed.facilitator.user)
    school_id = mixed.schools[1].id
    body = client.get(f"/n/{mixed.network.slug}/dashboard/school/{school_id}").get_data(as_text=True)
    assert check(body, implied_cells(mixed.network), only_school=school_id) == 3


def test_the_printable_report_cells_count_the_same_way(client, mixed, login_as):
    login_as(mixed.facilitator.user)
    body = client.get(f"/n/{mixed.network.slug}/dashboard/report").get_data(as_text=True)
    assert check(body, implied_cells(mixed.network)) == 4
