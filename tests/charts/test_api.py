"""GET /api/v1/networks/<slug>/measures/<measure_id>/chart, to the letter of docs/INTERFACE.md,
with the documented extensions (`summary`, `cycles`, `rules`, `signal`; pooled points
also carry `schools_reporting`, `schools_expected` and `excluded`)."""

from __future__ import annotations

from datetime import date

import pytest

from nic.clock import utcnow
from nic.extensions import db
from nic.tenancy import use_network
from tests import factories
from tests.charts.world import SHIFTED, ratio_points, values_points, weeks

POINT_KEYS = ["period", "value", "center", "lower", "upper"]
RUNS_KEYS = {"useful", "longest_run", "longest_run_max", "crossings", "crossings_min", "signal"}
TOP_KEYS = {"points", "runs", "shift", "trend", "outside_limits"}
EXTENSIONS = {"summary", "cycles", "rules", "signal"}


def url(tenant, measure_id, **args) -> str:
    query = "&".join(f"{k}={v}" for k, v in args.items())
    return f"/api/v1/networks/{tenant.network.slug}/measures/{measure_id}/chart" + (f"?{query}" if query else "")


def bearer(tenant) -> dict:
    return {"Authorization": f"Bearer {tenant.api_secret}"}


def test_a_run_chart_answers_exactly_the_contract(client, tenants):
    a = tenants.a
    measure = factories.make_measure(a.network, "Huddle count", chart="run")
    values_points(measure, a.schools[0], SHIFTED)
    response = client.get(url(a, measure.id, school_id=a.schools[0].id), headers=bearer(a))
    assert response.status_code == 200
    body = response.get_json()
    assert set(body) == TOP_KEYS | EXTENSIONS
    assert set(body["runs"]) == RUNS_KEYS
    assert len(body["points"]) == 16
    for point, period, value in zip(body["points"], weeks(16), SHIFTED):
        assert list(point) == POINT_KEYS or set(point) == set(POINT_KEYS)
        assert point["period"] == period.isoformat()
        assert point["value"] == value
        assert point["center"] == 13.5  # the median of the 16 values
        assert point["lower"] is None and point["upper"] is None  # run chart: no limits
    assert body["shift"] == list(range(16))  # 8 below the median, then 8 above
    assert body["outside_limits"] == []
    runs = body["runs"]
    assert runs["useful"] == 16 and runs["longest_run"] == 8 and runs["longest_run_max"] == 7
    assert runs["crossings"] == 1 and runs["signal"] is True
    assert body["signal"] is True  # a run chart's headline is the Anhøj verdict
    assert [rule["name"] for rule in body["rules"]] == ["anhoej_longest_run", "anhoej_crossings"]
    assert body["rules"][0]["indices"] == list(range(16))
    assert isinstance(body["summary"], list) and any("shift above the median" in s for s in body["summary"])


def test_a_p_chart_has_limits_per_point_from_its_denominator(client, tenants):
    a = tenants.a
    measure = factories.make_measure(a.network, "Passing", chart="p")
    ratio_points(measure, a.schools[1], [(10, 20), (30, 40), (0, 0), (20, 40)])
    body = client.get(url(a, measure.id, school_id=a.schools[1].id), headers=bearer(a)).get_json()
    p_bar = 60 / 100
    points = body["points"]
    assert [p["value"] for p in points] == [0.5, 0.75, None, 0.5]
    assert all(p["center"] == pytest.approx(p_bar) for p in points)
    assert points[0]["upper"] == pytest.approx(p_bar + 3 * (p_bar * (1 - p_bar) / 20) ** 0.5)
    assert points[1]["lower"] == pytest.approx(p_bar - 3 * (p_bar * (1 - p_bar) / 40) ** 0.5)
    assert points[2]["lower"] is None and points[2]["upper"] is None  # denominator 0: no point, no limits


def test_without_a_school_the_chart_is_the_networks_pooled_series(client, tenants):
    a = tenants.a
    # the factory's p measure: school 0 has 14/20 and 15/20; add school 1
    ratio_points(a.measure, a.schools[1], [(6, 10), (9, 10)], start=date(2026, 9, 7))
    body = client.get(url(a, a.measure.id), headers=bearer(a)).get_json()
    assert [p["period"] for p in body["points"]] == ["2026-09-07", "2026-09-14"]
    assert [p["value"] for p in body["points"]] == pytest.approx([20 / 30, 24 / 30])
    # The network's chart has no split of its own (the factory's split is school 0's).
    assert body["points"][0]["center"] == body["points"][1]["center"] == pytest.approx(44 / 60)


def test_a_school_chart_applies_that_schools_split(client, tenants):
    a = tenants.a  # split at 2026-09-14 on school 0: two phases of one point each
    body = client.get(url(a, a.measure.id, school_id=a.schools[0].id), headers=bearer(a)).get_json()
    assert [p["center"] for p in body["points"]] == pytest.approx([14 / 20, 15 / 20])


def test_cycles_on_the_chart_follow_what_the_caller_may_see(client, tenants, login_as):
    a = tenants.a
    measure = factories.make_measure(a.network, "With cycles", chart="run")
    values_points(measure, a.schools[0], SHIFTED)
    shared = factories.make_cycle(
        a.schools[0], a.teacher_leader.user, "Shared huddle test", start_date=date(2026, 4, 22), measure_id=measure.id
    )
    private = factories.make_cycle(
        a.schools[0],
        a.teacher_leader.user,
        "Private huddle test",
        visibility="school",
        start_date=date(2026, 4, 8),
        measure_id=measure.id,
    )
    db.session.commit()
    as_facilitator = client.get(url(a, measure.id, school_id=a.schools[0].id), headers=bearer(a)).get_json()
    assert as_facilitator["cycles"] == [
        {
            "id": shared.id,
            "title": "Shared huddle test",
            "phase": "plan",
            "school_id": a.schools[0].id,
            "start_date": "2026-04-22",
            "url": f"/n/{a.network.slug}/cycles/{shared.id}",
        }
    ]
    login_as(a.principal.user)  # same school: sees its own private cycle too
    as_principal = client.get(url(a, measure.id, school_id=a.schools[0].id)).get_json()
    assert [c["id"] for c in as_principal["cycles"]] == [private.id, shared.id]


def test_another_networks_measure_or_school_is_a_404(client, tenants):
    a, b = tenants.a, tenants.b
    assert client.get(url(a, b.measure.id), headers=bearer(a)).status_code == 404
    response = client.get(url(a, a.measure.id, school_id=b.schools[0].id), headers=bearer(a))
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"
    assert client.get(url(a, 999999), headers=bearer(a)).status_code == 404
    # another network's slug with its own measure: not a member there
    assert client.get(url(b, b.measure.id), headers=bearer(a)).status_code == 404


def test_a_school_id_that_is_not_a_number_is_named_in_a_422(client, tenants):
    a = tenants.a
    response = client.get(url(a, a.measure.id, school_id="east"), headers=bearer(a))
    assert response.status_code == 422
    assert "school_id" in response.get_json()["error"]["fields"]


def test_no_token_is_a_401(client, tenants):
    assert client.get(url(tenants.a, tenants.a.measure.id)).status_code == 401


def test_the_route_is_in_the_openapi_document(client, tenants):
    spec = client.get("/api/v1/openapi.json").get_json()
    path = spec["paths"]["/api/v1/networks/{slug}/measures/{measure_id}/chart"]["get"]
    assert any(param["name"] == "school_id" for param in path["parameters"])


def test_a_deleted_cycle_is_not_on_the_chart(client, tenants):
    a = tenants.a
    measure = factories.make_measure(a.network, "Deleted cycles", chart="run")
    values_points(measure, a.schools[0], SHIFTED)
    cycle = factories.make_cycle(
        a.schools[0], a.teacher_leader.user, "Gone", start_date=date(2026, 4, 22), measure_id=measure.id
    )
    with use_network(a.network):
        cycle.deleted_at = utcnow()
        db.session.commit()
    body = client.get(url(a, measure.id, school_id=a.schools[0].id), headers=bearer(a)).get_json()
    assert body["cycles"] == []
