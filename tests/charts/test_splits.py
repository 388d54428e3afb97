"""Phases of a chart: facilitators split any chart, principals their own school's;
bad dates are named beside the field; another network's ids are 404s."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from nic.extensions import db
from nic.models import ChartSplit
from nic.tenancy import use_network
from tests import factories
from tests.charts.world import SHIFTED, values_points


def splits_url(tenant, measure_id) -> str:
    return f"/n/{tenant.network.slug}/measures/{measure_id}/splits"


def remove_url(tenant, measure_id, split_id) -> str:
    return f"/n/{tenant.network.slug}/measures/{measure_id}/splits/{split_id}/delete"


def stored(tenant, measure_id) -> list[tuple]:
    db.session.expire_all()
    with use_network(tenant.network):
        return [
            (s.school_id, s.start_date, s.label)
            for s in db.session.scalars(
                select(ChartSplit).where(ChartSplit.measure_id == measure_id).order_by(ChartSplit.start_date)
            )
        ]


@pytest.fixture
def measure(tenants):
    measure = factories.make_measure(tenants.a.network, "Huddle count", chart="run")
    values_points(measure, tenants.a.schools[0], SHIFTED)
    db.session.commit()
    return measure


def test_a_principal_splits_their_schools_chart_and_sees_the_new_phase(client, tenants, login_as, measure):
    a = tenants.a
    login_as(a.principal.user)
    response = client.post(
        splits_url(a, measure.id),
        data={"school_id": str(a.schools[0].id), "start_date": "2026-04-27", "label": "Huddle adopted"},
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/chart?school_id={a.schools[0].id}#phases")
    assert stored(a, measure.id) == [(a.schools[0].id, date(2026, 4, 27), "Huddle adopted")]
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "New phase from 27 Apr 2026." in html
    assert "Huddle adopted" in html and "Remove the phase from 2026-04-27" in html
    assert "Median since 27 Apr 2026: 16 students" not in html  # (no unit on this measure)
    assert "Median since 27 Apr 2026: 16." in html


def test_a_facilitator_splits_the_pooled_chart(client, tenants, login_as, measure):
    a = tenants.a
    login_as(a.facilitator.user)
    response = client.post(splits_url(a, measure.id), data={"school_id": "", "start_date": "2026-04-06"})
    assert response.status_code == 302
    assert stored(a, measure.id) == [(None, date(2026, 4, 6), "")]


@pytest.mark.parametrize(
    "role, school_index, pooled",
    [
        ("principal", 1, False),  # another school's chart
        ("principal", None, True),  # the network's chart
        ("teacher_leader", 0, False),  # reads phases, does not set them
        ("member", 1, False),
    ],
)
def test_others_may_not_split_a_chart(client, tenants, login_as, measure, role, school_index, pooled):
    a = tenants.a
    login_as(getattr(a, role).user)
    school_id = "" if pooled else str(a.schools[school_index].id)
    response = client.post(splits_url(a, measure.id), data={"school_id": school_id, "start_date": "2026-04-06"})
    assert response.status_code == 403
    assert stored(a, measure.id) == []


def test_the_split_form_shows_only_to_those_who_may_use_it(client, tenants, login_as, measure):
    a = tenants.a
    login_as(a.principal.user)
    assert "Start a new phase" in client.get(f"/n/alpha/measures/{measure.id}/chart").get_data(as_text=True)
    login_as(a.teacher_leader.user)
    assert "Start a new phase" not in client.get(f"/n/alpha/measures/{measure.id}/chart").get_data(as_text=True)


@pytest.mark.parametrize(
    "start_date, message",
    [
        ("", "must be a date (YYYY-MM-DD)"),
        ("27/04/2026", "Not a valid date value."),
        ("2026-04-27", "this chart already has a phase starting on 2026-04-27"),
    ],
)
def test_a_bad_date_is_named_beside_the_field_and_nothing_is_written(
    client, tenants, login_as, measure, start_date, message
):
    a = tenants.a
    factories.make_split(measure, date(2026, 4, 27), a.schools[0], label="Existing")
    db.session.commit()
    login_as(a.principal.user)
    response = client.post(
        splits_url(a, measure.id), data={"school_id": str(a.schools[0].id), "start_date": start_date, "label": "Again"}
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="split-start_date-error"' in html and message in html
    assert stored(a, measure.id) == [(a.schools[0].id, date(2026, 4, 27), "Existing")]


def test_a_long_label_is_refused(client, tenants, login_as, measure):
    a = tenants.a
    login_as(a.facilitator.user)
    response = client.post(splits_url(a, measure.id), data={"start_date": "2026-04-27", "label": "x" * 201})
    assert response.status_code == 422
    assert stored(a, measure.id) == []


def test_removing_a_phase(client, tenants, login_as, measure):
    a = tenants.a
    split = factories.make_split(measure, date(2026, 4, 27), a.schools[0])
    db.session.commit()
    login_as(a.teacher_leader.user)
    assert client.post(remove_url(a, measure.id, split.id)).status_code == 403
    login_as(a.principal.user)
    response = client.post(remove_url(a, measure.id, split.id))
    assert response.status_code == 302
    assert stored(a, measure.id) == []
    assert client.post(remove_url(a, measure.id, split.id)).status_code == 404  # gone


def test_a_split_is_removed_only_through_its_own_measure(client, tenants, login_as, measure):
    a = tenants.a
    login_as(a.facilitator.user)
    # the factory's split belongs to the factory's measure, not this one
    assert client.post(remove_url(a, measure.id, a.split.id)).status_code == 404
    assert stored(a, a.measure.id) != []


def test_another_networks_ids_answer_404_and_write_nothing(client, tenants, login_as, measure):
    a, b = tenants.a, tenants.b
    login_as(a.facilitator.user)
    assert client.post(splits_url(a, b.measure.id), data={"start_date": "2026-04-27"}).status_code == 404
    assert client.post(remove_url(a, measure.id, b.split.id)).status_code == 404
    response = client.post(
        splits_url(a, measure.id), data={"school_id": str(b.schools[0].id), "start_date": "2026-04-27"}
    )
    assert response.status_code == 404
    assert stored(a, measure.id) == []
    with use_network(b.network):
        assert db.session.scalar(select(ChartSplit).where(ChartSplit.id == b.split.id)) is not None
