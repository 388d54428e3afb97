"""A measure's signal is described by its own chart type: a run chart's by the run-chart
rules, an I, p or u chart's by the Shewhart rules (docs/SIGNALS.md). Issue 14: a p-chart
measure was said to show "non-random change on its run chart"."""

from __future__ import annotations

import re

import pytest

from nic.extensions import db
from nic.services.measures import measures
from nic.services.rollups import rollups
from nic.tenancy import use_network
from tests import factories
from tests.charts.world import SHIFTED, ratio_points, values_points

# A clear step: signals by the run-chart rules and by the Shewhart rules alike.
STEP = [(2, 20)] * 8 + [(16, 20)] * 8


@pytest.mark.parametrize(
    "chart, words",
    [
        ("run", "on its run chart, by the run-chart rules (Anhøj)"),
        ("i", "on its I chart, by the Shewhart rules"),
        ("p", "on its p chart, by the Shewhart rules"),
        ("u", "on its u chart, by the Shewhart rules"),
    ],
)
def test_the_signal_basis_follows_the_chart_type(chart, words):
    assert measures.signal_basis(chart) == words


@pytest.fixture
def signalling(tenants):
    """Alpha's schools[0] with a step on a run-chart measure and on a p-chart measure."""
    a = tenants.a
    run = factories.make_measure(a.network, "Alphaville huddle count", chart="run")
    values_points(run, a.schools[0], SHIFTED)
    share = factories.make_measure(a.network, "Alphaville share on track", chart="p", unit="%")
    ratio_points(share, a.schools[0], STEP)
    db.session.commit()
    with use_network(a.network):
        rollups.compute()
        db.session.commit()
    return a, run, share


def row_of(body: str, name: str) -> str:
    match = re.search(rf"<tr>\s*<th scope=\"row\"><a [^>]*>{re.escape(name)}</a></th>.*?</tr>", body, flags=re.S)
    assert match, name
    return match.group(0)


def test_the_school_dashboard_names_each_measures_own_chart_and_rules(client, signalling, login_as):
    a, run, share = signalling
    login_as(a.facilitator.user)
    body = client.get(f"/n/{a.network.slug}/dashboard/school/{a.schools[0].id}").get_data(as_text=True)
    p_row, run_row = row_of(body, share.name), row_of(body, run.name)
    assert "Signal" in p_row and "on its p chart, by the Shewhart rules" in p_row
    assert "run chart" not in p_row
    assert "on its run chart, by the run-chart rules (Anhøj)" in run_row


def test_the_network_dashboard_names_the_rules_of_each_measure(client, signalling, login_as):
    a, run, share = signalling
    login_as(a.facilitator.user)
    body = client.get(f"/n/{a.network.slug}/dashboard").get_data(as_text=True)
    measures_section = body[body.index('id="measures-title"') : body.index('id="engagement-title"')]
    assert "on their own run chart" not in measures_section
    card = re.search(rf"{re.escape(share.name)}</span>.*?</li>", measures_section, flags=re.S).group(0)
    assert "p chart, Shewhart rules" in card
    card = re.search(rf"{re.escape(run.name)}</span>.*?</li>", measures_section, flags=re.S).group(0)
    assert "run chart, run-chart rules" in card


def test_the_measure_page_says_which_rules_make_a_signal(client, signalling, login_as):
    a, run, share = signalling
    login_as(a.facilitator.user)
    body = client.get(f"/n/{a.network.slug}/measures/{share.id}").get_data(as_text=True)
    assert re.search(r"<dt>Signal</dt><dd>[^<]*Shewhart rules", body)
    body = client.get(f"/n/{a.network.slug}/measures/{run.id}").get_data(as_text=True)
    assert re.search(r"<dt>Signal</dt><dd>[^<]*run-chart rules", body)
