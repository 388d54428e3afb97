"""A principal reads their school's run chart (issue 4, item 4): the summary names the
shift, Chart.js draws the chart with its signal points, and the flag of the PDSA cycle
that came before the shift leads to that cycle."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import pytest
from playwright.sync_api import Page, expect

from nic.extensions import db
from tests import factories
from tests.charts.world import SHIFTED, values_points

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("clean_live_db")]

CYCLE_TITLE = "Weekly success-team huddle, first try"


@pytest.fixture
def server(serve):
    return serve()  # the same server as the other journeys


@dataclass
class ChartSeed:
    slug: str
    name: str
    email: str
    school: str
    measure_id: int
    cycle_id: int


@pytest.fixture
def chart_seed(live_app) -> ChartSeed:
    with live_app.app_context():
        network = factories.make_network("lakeside", "Lakeside Schools Network")
        school = factories.make_school(network, "Lakeside High")
        other = factories.make_school(network, "Hillcrest High")
        principal = factories.make_member(
            network, "principal", school, factories.make_user("paula@lakeside.org", "Paula Principal"))
        teacher = factories.make_member(network, "teacher_leader", school)
        measure = factories.make_measure(network, "Students discussed at the weekly huddle", chart="run",
                                         unit="students", goal=15)
        values_points(measure, school, SHIFTED)  # 16 weeks from 2 March: a shift from 27 April
        values_points(measure, other, [8, 9, 8, 9, 8, 9, 8, 9, 8, 9])
        cycle = factories.make_cycle(school, teacher.user, CYCLE_TITLE, phase="act", start_date=date(2026, 4, 21),
                                     measure_id=measure.id)
        seeded = ChartSeed(network.slug, network.name, principal.user.email, school.name, measure.id, cycle.id)
        db.session.commit()
    return seeded


def sign_in(page: Page, base: str, seed: ChartSeed) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("Email").fill(seed.email)
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{base}/n/{seed.slug}/")


def test_a_principal_sees_the_shift_and_the_cycle_before_it(server, chart_seed, page):
    base, seed = server.url, chart_seed
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    sign_in(page, base, seed)

    page.goto(f"{base}/n/{seed.slug}/measures/{seed.measure_id}/chart")
    expect(page.get_by_role("heading", level=1)).to_have_text("Students discussed at the weekly huddle")
    expect(page.locator(".chart-subject")).to_have_text(seed.school)  # their own school by default

    # The summary, above the chart, says it in words.
    summary = page.get_by_role("region", name="What the chart says")
    expect(summary).to_contain_text("A shift above the median since 27 Apr 2026: 8 points — an improvement.")

    # Chart.js drew the chart: the figure says so, the library holds a chart for the
    # canvas with the signal points as a dataset, and the canvas has ink on it.
    figure = page.locator("figure.spc")
    expect(figure).to_have_attribute("data-state", "drawn")
    canvas = figure.get_by_role("img")
    expect(canvas).to_have_attribute("aria-label", re.compile(r"16 points from 02 Mar 2026 to 15 Jun 2026"))
    drawn = page.evaluate("""() => {
        const canvas = document.querySelector('figure.spc canvas');
        const chart = window.Chart.getChart(canvas);
        const ctx = canvas.getContext('2d');
        const pixels = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
        let ink = 0;
        for (let i = 3; i < pixels.length; i += 4) { if (pixels[i] > 0) { ink++; } }
        return {labels: chart.data.datasets.map(d => d.label), signal: chart.data.datasets
                  .find(d => d.label === 'Signal').data.length, width: canvas.width, ink: ink};
    }""")
    assert drawn["labels"][:2] == ["Value", "Median"] and "Goal" in drawn["labels"] and "Signal" in drawn["labels"]
    # The long run the Anhøj rules flag (8 below the median, then 8 above): every point.
    assert drawn["signal"] == 16 and drawn["width"] > 300 and drawn["ink"] > 1000
    legend = figure.get_by_label("Legend")
    expect(legend).to_contain_text("Signal: a long run (Anhøj rules)")
    expect(legend).to_contain_text("PDSA cycle start")

    # The table holds the same data for readers without the chart.
    page.get_by_text("The data behind the chart (16 points)").click()
    expect(page.get_by_role("region", name="Chart data").get_by_role("row")).to_have_count(17)

    # The cycle's flag sits on the chart; hovering shows its title and phase.
    marker = figure.get_by_role("link", name=re.compile(rf"PDSA cycle: {re.escape(CYCLE_TITLE)} \(Act, started 21 Apr 2026\)"))
    expect(marker).to_be_visible()
    marker.hover()
    expect(marker.locator(".spc-marker__tip")).to_be_visible()
    expect(marker.locator(".spc-marker__tip")).to_contain_text(CYCLE_TITLE)
    box = marker.bounding_box()
    frame = figure.locator(".spc__frame").bounding_box()
    assert frame["x"] < box["x"] < frame["x"] + frame["width"] / 2  # April sits in the first half of the weeks

    # Following it opens the cycle.
    marker.click()
    expect(page).to_have_url(f"{base}/n/{seed.slug}/cycles/{seed.cycle_id}")
    expect(page.get_by_role("heading", level=1)).to_have_text(CYCLE_TITLE)
    assert errors == []


def test_the_network_view_links_each_schools_chart(server, chart_seed, page):
    base, seed = server.url, chart_seed
    sign_in(page, base, seed)
    page.goto(f"{base}/n/{seed.slug}/measures/{seed.measure_id}/network")
    expect(page.locator("figure.spc")).to_have_attribute("data-state", "drawn")
    multiples = page.locator(".multiple")
    expect(multiples).to_have_count(2)
    expect(multiples.first).to_contain_text(seed.school)  # the school with a signal comes first
    expect(multiples.first).to_contain_text("Long run")
    # Hillcrest reported 10 of the 16 weeks: the pooled chart draws the other 6 hollow.
    expect(page.locator("figure.spc").get_by_label("Legend")).to_contain_text("Hollow: too few schools reported")
    expect(multiples.nth(1)).to_contain_text("No signal")
    multiples.nth(1).get_by_role("link").click()
    expect(page.locator(".chart-subject")).to_have_text("Hillcrest High")
