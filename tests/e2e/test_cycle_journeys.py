"""PDSA cycle journeys, real server and real browser (issue 3, item 9).

1. A teacher leader plans a cycle at their school, runs it through Do, Study and Act
   (meeting each phase's required fields through the worksheet, and being told what is
   missing when moving on too early), then adapts it: the next cycle of the ramp opens in
   Plan, with the chain of both cycles.
2. A facilitator opens a change idea and sees the cycles that tested it, school by school,
   with their decisions, and not a cycle a school keeps to itself.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import pytest
from playwright.sync_api import Page, expect

from nic.extensions import db
from tests import factories

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("clean_live_db")]


@pytest.fixture
def server(serve):
    return serve()  # the same server as the other journeys


def sign_in(page: Page, base: str, email: str, slug: str, network_name: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{base}/n/{slug}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(network_name)


def current_phase(page: Page):
    """The step of the phase list that is marked as the current one."""
    return page.get_by_role("region", name="Phase").get_by_role("listitem").and_(
        page.locator("[aria-current=step]"))


# --- 1. a teacher leader's cycle, Plan to Act, then Adapt --------------------------------------

@dataclass
class TeacherSeed:
    slug: str
    name: str
    school: str
    email: str
    idea: str


@pytest.fixture
def teacher_seed(live_app) -> TeacherSeed:
    with live_app.app_context():
        network = factories.make_network("riverside", "Riverside Improvement Network")
        school = factories.make_school(network, "Riverside High")
        factories.make_school(network, "Riverside Middle")
        aim = factories.make_aim(network)
        driver = factories.make_driver(aim, "Every ninth grader known by an adult")
        idea = factories.make_change_idea(network, "Weekly grade monitoring huddle", drivers=[driver], aim=aim)
        # Another usable idea, so picking the right one in the form matters.
        factories.make_change_idea(network, "Advisory check-ins", drivers=[driver], aim=aim)
        teacher = factories.make_member(
            network, "teacher_leader", school, factories.make_user("tess@riverside.org", "Tess Teacher"),
        )
        seeded = TeacherSeed(network.slug, network.name, school.name, teacher.user.email, idea.title)
        db.session.commit()
    return seeded


TITLE = "Huddle on failing grades in 9th grade English"
OBJECTIVE = "Find out whether a ten-minute weekly huddle gets failing students a plan within a week."
QUESTION = "Will each teacher name the students failing English?"
PREDICTION = "Yes: four of five teachers will bring names."
MEASURE = "Ninth graders on track"


def test_teacher_leader_runs_a_cycle_and_adapts_it(server, teacher_seed, page):
    base, seed = server.url, teacher_seed
    sign_in(page, base, seed.email, seed.slug, seed.name)

    # Cycles -> plan a new one at their school.
    page.get_by_role("navigation", name=seed.name).get_by_role("link", name="Cycles").click()
    page.get_by_role("link", name="Plan a new cycle").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Plan a new PDSA cycle")
    expect(page.get_by_text(f"For {seed.school}.")).to_be_visible()

    page.get_by_label("Title").fill(TITLE)
    page.get_by_label("Change idea").select_option(label=seed.idea)
    page.get_by_label("Scale").fill("3")
    page.get_by_label("Unit").select_option(label="classes")
    page.get_by_role("group", name="Shared with").get_by_role("radio", name="The whole network").check()
    page.get_by_label("Objective").fill(OBJECTIVE)
    first_question = page.get_by_role("group", name="Question 1")
    first_question.get_by_label("Question", exact=True).fill(QUESTION)
    first_question.get_by_label("Prediction", exact=True).fill(PREDICTION)
    page.get_by_label("Measure it feeds").fill(MEASURE)
    page.get_by_role("button", name="Create cycle").click()

    # The cycle's page: the plan as entered, in Plan.
    expect(page).to_have_url(re.compile(rf"/n/{seed.slug}/cycles/\d+$"))
    first_url = page.url
    expect(page.get_by_text("Cycle created.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(page.get_by_text("Shared with the network", exact=True)).to_be_visible()
    expect(page.get_by_text(seed.idea, exact=True)).to_be_visible()
    expect(page.get_by_text("3 classes", exact=True)).to_be_visible()
    expect(page.get_by_text(MEASURE, exact=True)).to_be_visible()
    questions = page.get_by_role("region", name="Questions, predictions and results")
    expect(questions.get_by_role("row", name=re.compile(re.escape(QUESTION)))).to_contain_text(PREDICTION)
    expect(current_phase(page)).to_have_text("Plan")

    page.get_by_role("button", name="Move to Do").click()
    expect(page.get_by_text("Moved to Do.")).to_be_visible()
    expect(current_phase(page)).to_have_text("Do")

    # Moving on before Do is written up: the page says what is missing, and stays in Do.
    page.get_by_role("button", name="Move to Study").click()
    problem = page.get_by_role("region", name="Phase").get_by_role("alert")
    expect(problem).to_contain_text("Before moving to Study:")
    expect(problem.get_by_role("listitem")).to_have_text([
        "Do: carried out as planned: say whether the test was carried out as planned",
        "Do: observations: record what was observed during Do",
    ])
    expect(current_phase(page)).to_have_text("Do")

    # Each missing field links to it on the worksheet.
    problem.get_by_role("link", name="Do: observations").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Edit: {TITLE}")
    page.get_by_role("group", name="Carried out as planned?").get_by_role("radio", name="Yes").check()
    page.get_by_label("Observations").fill("Four of five teachers came with names; 23 students in all.")
    page.get_by_role("button", name="Save cycle").click()
    expect(page.get_by_text("Cycle saved.")).to_be_visible()
    page.get_by_role("button", name="Move to Study").click()
    expect(page.get_by_text("Moved to Study.")).to_be_visible()
    expect(current_phase(page)).to_have_text("Study")

    # Study: the result beside the prediction, and what was learned.
    page.get_by_role("link", name="Edit worksheet").click()
    study = page.get_by_role("region", name="Study")
    expect(study).to_contain_text(QUESTION)
    study.get_by_label("Result").fill("Four of five did, as predicted; the fifth had no gradebook access.")
    study.get_by_label("What was learned").fill("Names come easily; a plan per student needs a counselor there.")
    page.get_by_role("button", name="Save cycle").click()
    expect(page.get_by_text("Cycle saved.")).to_be_visible()
    page.get_by_role("button", name="Move to Act").click()
    expect(page.get_by_text("Moved to Act.")).to_be_visible()
    expect(current_phase(page)).to_have_text("Act")

    # Act: adapt, which starts the next cycle of the ramp.
    page.get_by_role("region", name="Act").get_by_role("button", name="Adapt: start the next cycle").click()

    expect(page.get_by_text("Next cycle started")).to_be_visible()
    expect(page).to_have_url(re.compile(rf"/n/{seed.slug}/cycles/\d+$"))
    assert page.url != first_url
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(current_phase(page)).to_have_text("Plan")
    expect(page.get_by_role("link", name="the previous cycle")).to_have_attribute(
        "href", first_url.removeprefix(base))
    # The plan came along (questions and predictions, not results).
    questions = page.get_by_role("region", name="Questions, predictions and results")
    expect(questions.get_by_role("row", name=re.compile(re.escape(QUESTION)))).to_contain_text(PREDICTION)
    expect(questions).to_contain_text("No result yet.")

    chain = page.get_by_role("region", name="The chain of cycles").get_by_role("listitem")
    expect(chain).to_have_count(2)
    expect(chain.nth(0).get_by_role("link", name=TITLE)).to_have_attribute("href", first_url.removeprefix(base))
    expect(chain.nth(0)).to_contain_text("Phase: Act")
    expect(chain.nth(0)).to_contain_text("Decision: Adapt")
    expect(chain.nth(1)).to_contain_text("(this cycle)")
    expect(chain.nth(1)).to_contain_text("Phase: Plan")
    expect(chain.nth(1)).not_to_contain_text("Decision:")

    # The first cycle now carries the decision.
    chain.nth(0).get_by_role("link", name=TITLE).click()
    expect(page).to_have_url(first_url)
    expect(page.get_by_role("region", name="Act")).to_contain_text("Decision: Adapt")


# --- 2. a facilitator reads what the schools learned about a change idea ----------------------

@dataclass
class IdeaSeed:
    slug: str
    name: str
    facilitator_email: str
    idea: str


SHARED = {  # school -> (cycle title, decision, reason)
    "Northside High": ("Advisory check-ins with ninth graders", "adopt", "Attendance in advisory rose for every group."),
    "Southside Middle": ("Check-ins in two sixth grade advisories", "abandon", "Advisors had no shared time to meet."),
}
HIDDEN_SCHOOL = "Eastside Academy"
HIDDEN_TITLE = "Eastside private check-in trial"


@pytest.fixture
def idea_seed(live_app) -> IdeaSeed:
    with live_app.app_context():
        network = factories.make_network("harbor", "Harbor Schools Network")
        aim = factories.make_aim(network)
        driver = factories.make_driver(aim, "Students feel known at school")
        idea = factories.make_change_idea(network, "Weekly advisory check-ins", drivers=[driver], aim=aim)
        other = factories.make_change_idea(network, "Family phone calls", drivers=[driver], aim=aim)
        for n, (school_name, (title, decision, reason)) in enumerate(SHARED.items()):
            school = factories.make_school(network, school_name)
            teacher = factories.make_member(network, "teacher_leader", school)
            factories.make_cycle(
                school, teacher.user, title, visibility="network", phase="act", change_idea=idea,
                questions=[("Will students come?", "Most will")], act_decision=decision, act_reason=reason,
                start_date=date(2026, 9, 1 + n), end_date=date(2026, 9, 20 + n),
            )
            # A cycle of another idea at the same school, which is not this idea's.
            factories.make_cycle(school, teacher.user, f"{school_name} phone calls", change_idea=other)
        hidden = factories.make_school(network, HIDDEN_SCHOOL)
        hidden_teacher = factories.make_member(network, "teacher_leader", hidden)
        factories.make_cycle(hidden, hidden_teacher.user, HIDDEN_TITLE, visibility="school", phase="act",
                             change_idea=idea, act_decision="adapt", act_reason="Kept to ourselves.")
        facilitator = factories.make_member(
            network, "facilitator", user=factories.make_user("fay@harbor.org", "Fay Facilitator"),
        )
        seeded = IdeaSeed(network.slug, network.name, facilitator.user.email, idea.title)
        db.session.commit()
    return seeded


def test_facilitator_sees_each_schools_cycles_of_a_change_idea(server, idea_seed, page):
    base, seed = server.url, idea_seed
    sign_in(page, base, seed.facilitator_email, seed.slug, seed.name)

    # Change ideas: the list counts the cycles the facilitator can see.
    page.get_by_role("navigation", name=seed.name).get_by_role("link", name="Change ideas").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Change ideas")
    row = page.get_by_role("row", name=re.compile(re.escape(seed.idea)))
    expect(row).to_have_count(1)
    expect(row.get_by_role("cell").nth(2)).to_have_text("2")
    row.get_by_role("link", name=seed.idea).click()

    # The idea's page: its cycles, grouped by school, with their decisions.
    expect(page.get_by_role("heading", level=1)).to_have_text(seed.idea)
    tested = page.get_by_role("region", name="Cycles that tested it")
    expect(tested.get_by_role("heading", level=2)).to_have_text("Cycles that tested it")
    expect(tested.get_by_text("2 cycles in 2 schools")).to_be_visible()
    expect(tested.get_by_role("heading", level=3)).to_have_text(list(SHARED))  # by school name
    for school, (title, decision, reason) in SHARED.items():
        table = tested.get_by_role("region", name=school)
        rows = table.get_by_role("row").filter(has=page.get_by_role("rowheader"))
        expect(rows).to_have_count(1)
        expect(rows.get_by_role("rowheader")).to_have_text(title)
        expect(rows.get_by_role("cell").nth(1)).to_have_text(decision.capitalize())
        expect(rows).to_contain_text(reason)
        expect(rows.get_by_role("link", name=title)).to_have_attribute(
            "href", re.compile(rf"^/n/{seed.slug}/cycles/\d+$"))

    # The school that keeps its cycle to itself does not show, nor does its cycle.
    expect(page.get_by_role("heading", name=HIDDEN_SCHOOL)).to_have_count(0)
    expect(page.get_by_text(HIDDEN_TITLE)).to_have_count(0)
    expect(page.get_by_text("Kept to ourselves.")).to_have_count(0)
    expect(page.get_by_text("Cycles a school keeps to itself are not shown.")).to_be_visible()

    # Following a cycle opens it.
    title = SHARED["Northside High"][0]
    tested.get_by_role("region", name="Northside High").get_by_role("link", name=title).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page.get_by_role("region", name="Act")).to_contain_text("Decision: Adopt")
