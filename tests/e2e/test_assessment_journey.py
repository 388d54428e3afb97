"""A self-assessment round, end to end, in real browsers against a real `nic serve`.

Two members of one school's instructional leadership team each rate a practice on their
own; the principal sees both ratings side by side (Team view), then records the team's
consensus with a note and one of the school's cycles as evidence. The facilitator, whose
leadership heatmap has been open all along, sees that school's cell change in place: the
consensus schedules the school's roll-up, the roll-up's `rollup` event reaches the
facilitators' room, and the page fetches its figures again (no reload).

REDIS_URL is unset, so Celery is eager inside the server and Socket.IO is in-process: the
roll-up runs right after the consensus is committed, in the same process.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from playwright.sync_api import Page, expect

from nic.extensions import db
from tests import factories
from tests.e2e.support import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("clean_live_db")]


@pytest.fixture
def server(serve):
    return serve({"REDIS_URL": "", "NIC_ROLLUP_ON_CHANGE": "1"})


@dataclass
class Seed:
    slug: str
    name: str
    round_id: int
    school_id: int
    practice_id: int
    practice_name: str
    cycle_title: str


@pytest.fixture
def seed(live_app) -> Seed:
    with live_app.app_context():
        network = factories.make_network("lakeside", "Lakeside Leadership Network")
        north = factories.make_school(network, "Lakeside North")
        south = factories.make_school(network, "Lakeside South")
        factories.make_member(network, "facilitator", user=factories.make_user("fay@lakeside.org", "Fay Facilitator"))
        principal = factories.make_member(network, "principal", north,
                                          factories.make_user("pia@lakeside.org", "Pia Principal"))
        teacher = factories.make_member(network, "teacher_leader", north,
                                        factories.make_user("tom@lakeside.org", "Tom Teacher"))
        factories.make_team(north, "North leadership team", kind="ilt", members=[principal.user, teacher.user])
        cycle = factories.make_cycle(north, teacher.user, "Weekly walkthrough debriefs", visibility="network",
                                     phase="study")
        framework = factories.make_framework(network)
        round_ = factories.make_round(framework, "Winter round")
        practice = framework.practices[0]
        # South agreed already, so the heatmap is there when the facilitator opens it.
        factories.make_consensus(round_, south, practice, 2, notes="South's agreed level")
        seeded = Seed(network.slug, network.name, round_.id, north.id, practice.id, practice.name, cycle.title)
        db.session.commit()
    return seeded


def north_cell(page: Page, seed: Seed):
    return page.locator(f"tr[data-school='{seed.school_id}'] td[data-practice='{seed.practice_id}']")


def rate_on_my_own(page: Page, base: str, seed: Seed, level: str, note: str) -> None:
    """From the rounds list to the school's page, and one practice rated and saved."""
    page.get_by_role("navigation", name=seed.name).get_by_role("link", name="Leadership").click()
    page.get_by_role("navigation", name="Leadership practice").get_by_role("link", name="Assessment rounds").click()
    page.get_by_role("link", name="Your school's assessment").click()
    expect(page).to_have_url(re.compile(rf"/assessments/rounds/{seed.round_id}/schools/{seed.school_id}"))
    practice = page.locator(f"fieldset[data-practice='{seed.practice_id}']")
    practice.get_by_role("radiogroup").get_by_text(level, exact=True).click()
    practice.get_by_label("Note").fill(note)
    practice.get_by_role("button", name=re.compile("Save this practice")).click()
    expect(practice.locator("[data-save-status]")).to_have_text("Saved.")


def test_ilt_rates_the_team_agrees_with_evidence_and_the_heatmap_updates(server, seed, new_page):
    base = server.url

    # The facilitator opens the network's leadership view: North has agreed nothing yet.
    fay = new_page()
    sign_in(fay, base, "fay@lakeside.org")
    fay.get_by_role("navigation", name=seed.name).get_by_role("link", name="Leadership").click()
    expect(fay.get_by_role("heading", level=1)).to_have_text("Leadership practice across the network")
    expect(north_cell(fay, seed)).to_contain_text("Not agreed yet")
    expect(fay.locator("[data-leadership-body][data-live=listening]")).to_have_count(1)
    fay.wait_for_function("() => window.nicRealtime.socket() && window.nicRealtime.socket().connected")
    fay.evaluate("() => { window.__sameDocument = 'yes'; }")

    # Each member of North's leadership team rates the practice on their own.
    tom = new_page()
    sign_in(tom, base, "tom@lakeside.org")
    rate_on_my_own(tom, base, seed, "Meeting standards", "Debriefs happen most weeks")
    pia = new_page()
    sign_in(pia, base, "pia@lakeside.org")
    rate_on_my_own(pia, base, seed, "College- and career-ready", "Everyone can say what the vision asks")

    # Team view: both ratings side by side, one level apart.
    pia.get_by_role("navigation", name="Parts of the assessment").get_by_role("link", name="Team view").click()
    row = pia.get_by_role("row", name=re.compile(re.escape(seed.practice_name)))
    expect(row).to_contain_text("Meeting standards")
    expect(row).to_contain_text("College- and career-ready")
    expect(row).to_contain_text("1 level apart")

    # Nothing agreed yet: the facilitator's cell is unchanged.
    expect(north_cell(fay, seed)).to_contain_text("Not agreed yet")

    # The principal records the consensus, with a note and the cycle as evidence.
    row.get_by_role("link", name=seed.practice_name).click()
    expect(pia.get_by_role("heading", level=1)).to_have_text(seed.practice_name)
    pia.get_by_role("group", name="Agreed level").get_by_text("Meeting standards", exact=True).click()
    pia.get_by_label("Notes").fill("We debrief walkthroughs most weeks; not yet every team.")
    pia.get_by_label(seed.cycle_title).first.check()
    pia.get_by_role("button", name="Save the consensus").click()
    expect(pia.get_by_text(f"Consensus on “{seed.practice_name}” is saved.")).to_be_visible()
    expect(pia.get_by_text(re.compile(r"Version 1 · recorded by Pia Principal"))).to_be_visible()

    # The facilitator's heatmap, in the same document, shows North's agreed level.
    expect(north_cell(fay, seed)).to_contain_text("Meeting standards")
    expect(fay.locator("[data-leadership-body]")).to_have_attribute("data-lead-reloads", re.compile(r"[1-9]"))
    assert fay.evaluate("() => window.__sameDocument") == "yes"

    # The cell opens the team's notes and evidence; the individual ratings are not there.
    north_cell(fay, seed).get_by_role("link").click()
    expect(fay.get_by_text("We debrief walkthroughs most weeks; not yet every team.")).to_be_visible()
    expect(fay.get_by_text(seed.cycle_title)).to_be_visible()
    expect(fay.get_by_text("Debriefs happen most weeks")).to_have_count(0)
