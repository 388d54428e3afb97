"""The facilitator's dashboard, live, in a real browser against a real `nic serve`.

A facilitator opens the dashboard of a seeded network: the heatmap is there and the
trend chart is drawn. A teacher leader, in their own browser, marks a cycle done. In
another tab the facilitator clicks "Refresh now". The dashboard left open in the first tab
updates in place from the `rollup` Socket.IO event: no reload, the heatmap cell and the
schools table show the completed cycle.

The server runs with REDIS_URL unset, so Celery is eager inside it and Socket.IO is
in-process: the roll-up runs in the Refresh request and its `rollup` event reaches the
facilitators' room in the same process. Roll-ups on change are switched off here
(NIC_ROLLUP_ON_CHANGE=0) so that the open tab can only have learned of the new figures
from the event of the roll-up the other tab asked for.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from nic.clock import utcnow
from nic.extensions import db
from nic.services.rollups import rollups
from nic.tenancy import use_network
from tests import factories
from tests.e2e.support import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("clean_live_db")]


@pytest.fixture
def server(serve):
    return serve({"REDIS_URL": "", "NIC_ROLLUP_ON_CHANGE": "0"})


@dataclass
class Seed:
    slug: str
    name: str
    facilitator_email: str
    teacher_email: str
    school_id: int
    idea_id: int
    cycle_id: int


@pytest.fixture
def seed(live_app) -> Seed:
    with live_app.app_context():
        network = factories.make_network("bayview", "Bayview Improvement Network")
        high = factories.make_school(network, "Bayview High")
        middle = factories.make_school(network, "Bayview Middle")
        facilitator = factories.make_member(network, "facilitator",
                                            user=factories.make_user("fran@bayview.org", "Fran Facilitator"))
        teacher = factories.make_member(network, "teacher_leader", high,
                                        factories.make_user("theo@bayview.org", "Theo Teacher"))
        huddle = factories.make_change_idea(network, "Grade monitoring huddle")
        advisory = factories.make_change_idea(network, "Advisory check-ins")
        # Six weeks back from the real today (this server reads the real clock), so the
        # dashboard's default range holds these cycles whatever the date of the run.
        six_weeks_ago = utcnow().date() - timedelta(weeks=6)
        start = six_weeks_ago - timedelta(days=six_weeks_ago.weekday())
        factories.make_cycle(high, teacher.user, "Huddle, first test", visibility="network", phase="done",
                             change_idea=huddle, act_decision="adopt", act_reason="It worked.", start_date=start)
        cycle = factories.make_cycle(
            high, teacher.user, "Advisory check-in pilot", visibility="network", phase="act", change_idea=advisory,
            start_date=start, plan_objective="See whether weekly check-ins keep students coming.",
            questions=[("Will students come?", "Most will")], do_as_planned=True,
            do_observations="Eleven of twelve came each week.", study_learned="Check-ins are doable weekly.",
            act_decision="adopt", act_reason="Attendance held; advisors want to keep it.",
        )
        cycle.questions[0].result = "Eleven of twelve: as predicted."
        factories.make_cycle(middle, None, "Bayview Middle stalled plan", visibility="network", phase="do",
                             change_idea=huddle, updated_at=utcnow() - timedelta(days=30))
        db.session.flush()
        with use_network(network):
            rollups.compute()
        seeded = Seed(network.slug, network.name, facilitator.user.email, teacher.user.email, high.id,
                      advisory.id, cycle.id)
        db.session.commit()
    return seeded


def advisory_cell(page: Page, seed: Seed):
    return page.locator(f"#heatmap td.heat a[href*='school_id={seed.school_id}'][href*='change_idea_id={seed.idea_id}']")


def done_count(page: Page):
    return page.get_by_role("link", name="in Done at Bayview High")


def open_dashboard(page: Page, base: str, seed: Seed) -> None:
    page.get_by_role("navigation", name=seed.name).get_by_role("link", name="Dashboard").click()
    expect(page).to_have_url(f"{base}/n/{seed.slug}/dashboard")
    expect(page.get_by_role("heading", level=1)).to_have_text("Dashboard")


def test_the_dashboard_updates_live_when_a_roll_up_finishes(server, seed, new_page):
    base = server.url
    fran = new_page()
    sign_in(fran, base, seed.facilitator_email)
    open_dashboard(fran, base, seed)

    # The heatmap, in words; the trend chart drawn; the stalled cycle with its nudge.
    heatmap = fran.get_by_role("region", name="Change ideas, school by school")
    expect(heatmap.get_by_role("columnheader", name="Advisory check-ins")).to_be_visible()
    expect(advisory_cell(fran, seed)).to_contain_text("Testing")
    expect(fran.locator("#trend-chart[data-state=drawn] canvas")).to_be_visible()
    expect(fran.locator("#engagement-chart[data-state=drawn]")).to_have_count(1)
    expect(fran.get_by_role("button", name=re.compile("Nudge .* about Bayview Middle stalled plan"))).to_be_visible()
    expect(done_count(fran)).to_have_text("1")
    # Listening on the page's socket, connected (so the facilitators' room is joined).
    expect(fran.locator("[data-dash-body][data-live=listening]")).to_have_count(1)
    fran.wait_for_function("() => window.nicRealtime.socket() && window.nicRealtime.socket().connected")
    fran.evaluate("() => { window.__sameDocument = 'yes'; }")

    # Theo marks the pilot done, in his own browser.
    theo = new_page()
    sign_in(theo, base, seed.teacher_email)
    theo.goto(f"{base}/n/{seed.slug}/cycles/{seed.cycle_id}")
    theo.get_by_role("button", name="Mark as done").click()
    expect(theo.get_by_text("Moved to Done.")).to_be_visible()

    # Nothing has been rolled up yet: the open dashboard still shows the old figures.
    expect(advisory_cell(fran, seed)).to_contain_text("Testing")

    # In another tab, Fran asks for a roll-up.
    tab = fran.context.new_page()
    tab.goto(f"{base}/n/{seed.slug}/dashboard")
    tab.get_by_role("button", name="Refresh now").click()
    expect(advisory_cell(tab, seed)).to_contain_text("Adopted")

    # The first tab updated itself from the `rollup` event: the same document, new figures.
    expect(advisory_cell(fran, seed)).to_contain_text("Adopted")
    expect(done_count(fran)).to_have_text("2")
    expect(fran.locator("[data-dash-body]")).to_have_attribute("data-dash-reloads", "1")
    expect(fran.locator("[data-dash-live]").first).to_contain_text("updated by a new roll-up")
    expect(fran.locator("#trend-chart[data-state=drawn]")).to_have_count(1)  # drawn again
    assert fran.evaluate("() => window.__sameDocument") == "yes"
    expect(fran.get_by_text(re.compile(r"Updated (just now|1 minute ago)")).first).to_be_visible()


def test_refresh_on_the_page_itself_and_the_heatmap_links(server, seed, new_page):
    base = server.url
    fran = new_page()
    sign_in(fran, base, seed.facilitator_email)
    open_dashboard(fran, base, seed)

    fran.get_by_role("button", name="Refresh now").click()
    expect(fran.locator("[data-dash-body]")).to_have_attribute("data-state", "fresh")
    expect(fran).to_have_url(f"{base}/n/{seed.slug}/dashboard")  # no navigation: updated in place

    # A heatmap cell opens those cycles, filtered, on the browse page.
    advisory_cell(fran, seed).click()
    expect(fran).to_have_url(re.compile(rf"/n/{seed.slug}/cycles\?school_id={seed.school_id}&change_idea_id={seed.idea_id}"))
    expect(fran.get_by_role("link", name="Advisory check-in pilot")).to_be_visible()
