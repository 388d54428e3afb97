"""Defining measures: the facilitator's form and the API (`GET|POST measures`,
`GET measures/{id}`), the checks both share, who may define, the list page, and links
to another network's theory refused."""

import pytest
from sqlalchemy import func, select

from nic.extensions import db
from nic.models import Measure
from nic.tenancy import UNSCOPED, use_network
from tests.factories import make_measure, make_points
from tests.measures.conftest import bearer

CONTRACT_KEYS = {"id", "name", "kind", "chart", "unit", "direction", "frequency", "goal"}


def measure_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Measure).execution_options(**UNSCOPED))


def reload(tenant, measure_id) -> Measure:
    db.session.expire_all()
    with use_network(tenant.network):
        measure = db.session.scalar(select(Measure).where(Measure.id == measure_id))
        list(measure.drivers), list(measure.change_ideas)
        return measure


def form(**changes) -> dict:
    data = {
        "name": "Attendance above 90%",
        "definition": "Students present **90%** of school days.",
        "kind": "outcome",
        "chart": "p",
        "unit": "%",
        "direction": "up",
        "goal": "85%",
        "frequency": "weekly",
        "baseline_points": "12",
        "aim_id": "",
    }
    data.update(changes)
    return data


# --- the browser --------------------------------------------------------------------------


def test_a_facilitator_defines_a_measure_linked_to_the_theory(client, a, login_as):
    login_as(a.facilitator.user)
    assert client.get("/n/alpha/measures/new").status_code == 200
    response = client.post(
        "/n/alpha/measures/new",
        data=form(aim_id=str(a.aim.id), driver_ids=[str(a.primary_driver.id)], change_idea_ids=[str(a.change_idea.id)]),
    )
    assert response.status_code == 302
    measure_id = int(response.headers["Location"].rsplit("/", 1)[1])
    measure = reload(a, measure_id)
    assert (measure.name, measure.kind, measure.chart, measure.goal, measure.baseline_points) == (
        "Attendance above 90%",
        "outcome",
        "p",
        0.85,
        12,
    )
    assert measure.aim_id == a.aim.id and [d.id for d in measure.drivers] == [a.primary_driver.id]
    assert [c.id for c in measure.change_ideas] == [a.change_idea.id]
    page = client.get(f"/n/alpha/measures/{measure_id}").get_data(as_text=True)
    assert "<strong>90%</strong>" in page  # the definition, rendered from Markdown
    assert a.primary_driver.title in page and a.change_idea.title in page


def test_the_form_names_each_bad_field(client, a, login_as):
    login_as(a.facilitator.user)
    before = measure_count()
    response = client.post(
        "/n/alpha/measures/new",
        data=form(
            name=a.measure.name.upper(), kind="impact", chart="x", goal="1.5", baseline_points="1", unit="u" * 41
        ),
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    for words in (
        "is already the name of another measure",
        "must be one of outcome, process, balancing",
        "must be one of run, i, p, u",
        "must be between 2 and 1,000",
        "must be at most 40 characters",
    ):
        assert words in page, words
    assert measure_count() == before


def test_a_p_chart_goal_is_a_proportion(client, a, login_as):
    login_as(a.facilitator.user)
    response = client.post("/n/alpha/measures/new", data=form(goal="85"))
    assert response.status_code == 422
    assert "is a proportion on a p chart: between 0 and 1" in response.get_data(as_text=True)
    assert client.post("/n/alpha/measures/new", data=form(goal="0.85")).status_code == 302


@pytest.mark.parametrize("role", ["principal", "teacher_leader", "member"])
def test_only_facilitators_define_and_edit(client, a, login_as, role):
    login_as(getattr(a, role).user)
    before = measure_count()
    assert client.get("/n/alpha/measures/new").status_code == 403
    assert client.post("/n/alpha/measures/new", data=form()).status_code == 403
    assert client.get(f"/n/alpha/measures/{a.measure.id}/edit").status_code == 403
    assert client.post(f"/n/alpha/measures/{a.measure.id}/edit", data=form()).status_code == 403
    assert measure_count() == before
    assert "Define a measure" not in client.get("/n/alpha/measures").get_data(as_text=True)


def test_editing_keeps_recorded_data_meaningful(client, a, login_as):
    login_as(a.facilitator.user)
    url = f"/n/alpha/measures/{a.measure.id}/edit"  # a p chart with two weekly values recorded
    page = client.get(url).get_data(as_text=True)
    assert a.measure.name in page
    response = client.post(url, data=form(name=a.measure.name, chart="run", frequency="monthly", goal=""))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "cannot change with 2 values recorded" in page and "they record different things" in page
    assert reload(a, a.measure.id).chart == "p"
    response = client.post(url, data=form(name="Renamed", chart="u", goal="", unit="per 100"))
    assert response.status_code == 302  # p to u keeps numerators and denominators
    measure = reload(a, a.measure.id)
    assert (measure.name, measure.chart, measure.unit) == ("Renamed", "u", "per 100")


def test_a_u_chart_becomes_a_p_chart_only_if_every_value_is_a_proportion(client, a, login_as):
    login_as(a.facilitator.user)
    rate = make_measure(a.network, "Alphaville referrals per 10 days", chart="u")
    make_points(rate, a.schools[0], [(__import__("datetime").date(2026, 9, 7), 12, 10)])
    db.session.commit()
    response = client.post(f"/n/alpha/measures/{rate.id}/edit", data=form(name=rate.name, chart="p", goal=""))
    assert response.status_code == 422
    assert "a numerator above its denominator" in response.get_data(as_text=True)


def test_another_networks_theory_cannot_be_linked(client, a, b, login_as):
    login_as(a.facilitator.user)
    before = measure_count()
    response = client.post(
        "/n/alpha/measures/new",
        data=form(aim_id=str(b.aim.id), driver_ids=[str(b.primary_driver.id)], change_idea_ids=[str(b.change_idea.id)]),
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert (
        "is not an aim of this network" in page and "unknown driver ids" in page and "unknown change idea ids" in page
    )
    assert b.marker not in page
    assert measure_count() == before


def test_another_networks_measure_pages_are_404(client, a, b, login_as):
    login_as(a.facilitator.user)
    for url in (
        f"/n/alpha/measures/{b.measure.id}",
        f"/n/alpha/measures/{b.measure.id}/edit",
        f"/n/alpha/measures/{b.measure.id}/data",
        f"/n/alpha/measures/{b.measure.id}/audit",
        f"/n/alpha/measures/{b.measure.id}/template.csv",
        f"/n/beta/measures/{b.measure.id}",
    ):
        assert client.get(url).status_code == 404, url
    for path in ("edit", "points", "data", "upload"):
        assert client.post(f"/n/alpha/measures/{b.measure.id}/{path}", data=form()).status_code == 404, path
    login_as(a.teacher_leader.user)  # a role that may enter values: still nothing of network b
    for path in ("points", "data", "upload"):
        assert client.post(f"/n/alpha/measures/{b.measure.id}/{path}", data={}).status_code == 404, path


# --- the list -----------------------------------------------------------------------------


def test_the_list_groups_by_kind_with_the_latest_network_value(client, a, login_as):
    from datetime import date

    balancing = make_measure(a.network, "Alphaville teacher hours", chart="run", kind="balancing", unit="h")
    make_points(balancing, a.schools[0], [(date(2026, 9, 7), 4), (date(2026, 9, 14), 6)])
    make_points(balancing, a.schools[1], [(date(2026, 9, 14), 9)])
    make_points(a.measure, a.schools[1], [(date(2026, 9, 14), 5, 20)])
    db.session.commit()
    login_as(a.member.user)
    page = client.get("/n/alpha/measures").get_data(as_text=True)
    assert page.index("Outcome measures") < page.index("Balancing measures")
    assert "Process measures" not in page  # no empty groups
    assert "<strong>7.5 h</strong>" in page  # mean of 6 and 9 in the latest week
    assert "<strong>50.0%</strong>" in page  # (15 + 5) / (20 + 20)
    assert "2 of 2" in page


def test_the_list_has_an_empty_state(client, login_as):
    from tests.factories import make_member, make_network

    network = make_network("empty-net", "Empty Network")
    facilitator = make_member(network, "facilitator")
    db.session.commit()
    login_as(facilitator.user)
    page = client.get("/n/empty-net/measures").get_data(as_text=True)
    assert "No measures yet" in page and "Define a measure" in page


# --- the API ------------------------------------------------------------------------------


def test_get_answers_the_contract_object(client, a):
    headers = bearer(a.member.user)
    body = client.get(f"/api/v1/networks/alpha/measures/{a.measure.id}", headers=headers).get_json()
    assert set(body) >= CONTRACT_KEYS
    assert {k: body[k] for k in CONTRACT_KEYS} == {
        "id": a.measure.id,
        "name": a.measure.name,
        "kind": "outcome",
        "chart": "p",
        "unit": "%",
        "direction": "up",
        "frequency": "weekly",
        "goal": None,
    }
    assert body["aim_id"] == a.aim.id and body["driver_ids"] == [] and body["baseline_points"] is None


def test_the_list_is_paginated_and_filters_by_kind(client, a):
    for i in range(3):
        make_measure(a.network, f"Alphaville process {i}", kind="process")
    db.session.commit()
    headers = bearer(a.member.user)
    first = client.get("/api/v1/networks/alpha/measures?limit=2", headers=headers).get_json()
    assert len(first["items"]) == 2 and first["next"]
    second = client.get(f"/api/v1/networks/alpha/measures?limit=2&cursor={first['next']}", headers=headers).get_json()
    assert second["next"] is None
    ids = [m["id"] for m in first["items"] + second["items"]]
    assert len(ids) == 4 == len(set(ids)) and ids == sorted(ids)
    process = client.get("/api/v1/networks/alpha/measures?kind=process", headers=headers).get_json()
    assert {m["kind"] for m in process["items"]} == {"process"} and len(process["items"]) == 3
    bad = client.get("/api/v1/networks/alpha/measures?kind=impact", headers=headers)
    assert bad.status_code == 422 and "kind" in bad.get_json()["error"]["fields"]


def test_a_facilitator_posts_a_measure(client, a):
    headers = {"Authorization": f"Bearer {a.api_secret}"}
    response = client.post(
        "/api/v1/networks/alpha/measures",
        headers=headers,
        json={
            "name": "Days absent",
            "kind": "balancing",
            "chart": "i",
            "unit": "days",
            "direction": "down",
            "frequency": "monthly",
            "goal": 2,
            "driver_ids": [a.primary_driver.id],
        },
    )
    assert response.status_code == 201
    body = response.get_json()
    assert response.headers["Location"].endswith(f"/api/v1/networks/alpha/measures/{body['id']}")
    assert {k: body[k] for k in CONTRACT_KEYS - {"id"}} == {
        "name": "Days absent",
        "kind": "balancing",
        "chart": "i",
        "unit": "days",
        "direction": "down",
        "frequency": "monthly",
        "goal": 2.0,
    }
    assert body["driver_ids"] == [a.primary_driver.id]
    assert client.get(response.headers["Location"], headers=headers).get_json() == body


def test_posting_defaults_direction_and_frequency(client, a):
    headers = {"Authorization": f"Bearer {a.api_secret}"}
    body = client.post(
        "/api/v1/networks/alpha/measures",
        headers=headers,
        json={"name": "Minutes read", "kind": "process", "chart": "run"},
    ).get_json()
    assert (body["direction"], body["frequency"], body["goal"], body["unit"]) == ("up", "weekly", None, "")


@pytest.mark.parametrize(
    "body, fields",
    [
        ({}, {"name": "is required", "kind": "is required", "chart": "is required"}),
        (
            {"name": "x", "kind": "impact", "chart": "xbar"},
            {"kind": "must be one of outcome, process, balancing", "chart": "must be one of run, i, p, u"},
        ),
        ({"name": "x", "kind": "outcome", "chart": "run", "goal": "lots"}, {"goal": "must be a number, or left empty"}),
        (
            {"name": "x", "kind": "outcome", "chart": "run", "direction": "sideways", "frequency": "daily"},
            {"direction": "must be one of up, down", "frequency": "must be one of weekly, monthly"},
        ),
        ({"name": "x", "kind": "outcome", "chart": "run", "colour": "red"}, {"colour": "is not a field of a measure"}),
        ({"name": "x", "kind": "outcome", "chart": "run", "driver_ids": "1"}, {"driver_ids": "must be a list of ids"}),
    ],
)
def test_posting_bad_fields_is_a_422_naming_them(client, a, body, fields):
    headers = {"Authorization": f"Bearer {a.api_secret}"}
    before = measure_count()
    response = client.post("/api/v1/networks/alpha/measures", headers=headers, json=body)
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"] == fields
    assert measure_count() == before


def test_posting_another_networks_ids_writes_nothing(client, a, b):
    headers = {"Authorization": f"Bearer {a.api_secret}"}
    before = measure_count()
    response = client.post(
        "/api/v1/networks/alpha/measures",
        headers=headers,
        json={
            "name": "Linked elsewhere",
            "kind": "outcome",
            "chart": "run",
            "aim_id": b.aim.id,
            "driver_ids": [b.primary_driver.id],
            "change_idea_ids": [b.change_idea.id],
        },
    )
    assert response.status_code == 422
    assert set(response.get_json()["error"]["fields"]) == {"aim_id", "driver_ids", "change_idea_ids"}
    assert b.marker not in response.get_data(as_text=True)
    assert measure_count() == before


@pytest.mark.parametrize("role", ["principal", "teacher_leader", "member"])
def test_only_facilitators_post_measures(client, a, role):
    headers = bearer(getattr(a, role).user)
    response = client.post(
        "/api/v1/networks/alpha/measures", headers=headers, json={"name": "Mine", "kind": "outcome", "chart": "run"}
    )
    assert response.status_code == 403


def test_another_networks_measure_is_404_over_the_api(client, a, b):
    headers = {"Authorization": f"Bearer {a.api_secret}"}
    assert client.get(f"/api/v1/networks/alpha/measures/{b.measure.id}", headers=headers).status_code == 404
    assert client.get("/api/v1/networks/beta/measures", headers=headers).status_code == 404
    items = client.get("/api/v1/networks/alpha/measures", headers=headers).get_json()["items"]
    assert b.measure.id not in {m["id"] for m in items}
