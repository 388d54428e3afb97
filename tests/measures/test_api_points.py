"""POST /api/v1/networks/<slug>/measures/<measure_id>/points per docs/INTERFACE.md: the
body, all or nothing with each bad point named by its index, updates of recorded
periods, the audit trail, who may enter for which school, and another network's ids."""

from datetime import date

import pytest

from tests.measures.conftest import BAD_POINTS, audit_of, bearer, change_count, good_row, point_count, stored


def url(measure, slug="alpha"):
    return f"/api/v1/networks/{slug}/measures/{measure.id}/points"


def as_json(row: dict) -> dict:
    """A CSV-style row as a JSON point: numbers as numbers where they are numbers."""
    out = {}
    for key, value in row.items():
        try:
            out[key] = float(value) if key != "period" and value != "" else value
        except ValueError:
            out[key] = value
    return out


@pytest.fixture
def lead(a):
    return bearer(a.teacher_leader.user)


def test_records_new_periods_and_answers_created_and_updated(client, a, charts, lead):
    response = client.post(
        url(charts["run"]),
        headers=lead,
        json={
            "school_id": a.schools[0].id,
            "points": [{"period": "2026-09-07", "value": 12}, {"period": "2026-09-14", "value": 15.5}],
        },
    )
    assert response.status_code == 201
    assert response.get_json() == {"created": 2, "updated": 0, "unchanged": 0}
    assert stored(a, charts["run"], a.schools[0]) == {
        date(2026, 9, 7): (12, None, None),
        date(2026, 9, 14): (15.5, None, None),
    }


def test_resending_a_period_updates_it_and_the_audit_trail_keeps_both(client, a, charts, lead):
    p_chart = charts["p"]  # the fixture recorded 2026-09-07 as 14/20 and 2026-09-14 as 15/20
    response = client.post(
        url(p_chart),
        headers=lead,
        json={
            "school_id": a.schools[0].id,
            "points": [
                {"period": "2026-09-07", "numerator": 16, "denominator": 20},
                {"period": "2026-09-14", "numerator": 15, "denominator": 20},
                {"period": "2026-09-21", "numerator": 17, "denominator": 21},
            ],
        },
    )
    assert response.status_code == 201
    assert response.get_json() == {"created": 1, "updated": 2, "unchanged": 1}
    values = stored(a, p_chart, a.schools[0])
    assert values[date(2026, 9, 7)] == (None, 16, 20) and values[date(2026, 9, 21)] == (None, 17, 21)
    entries = audit_of(a, p_chart, a.schools[0])
    assert [(e.period, e.source, e.before, e.after) for e in entries] == [
        (
            date(2026, 9, 7),
            "api",
            {"value": None, "numerator": 14, "denominator": 20},
            {"value": None, "numerator": 16, "denominator": 20},
        ),
        (date(2026, 9, 21), "api", None, {"value": None, "numerator": 17, "denominator": 21}),
    ]  # the unchanged period writes no entry
    assert {e.user_id for e in entries} == {a.teacher_leader.user.id}


@pytest.mark.parametrize("key, row, column, words", BAD_POINTS)
def test_one_bad_point_names_its_index_and_writes_nothing(client, a, charts, lead, key, row, column, words):
    measure = charts[key]
    before = (point_count(), change_count())
    response = client.post(
        url(measure),
        headers=lead,
        json={"school_id": a.schools[0].id, "points": [as_json(good_row(measure)), as_json(row)]},
    )
    assert response.status_code == 422, response.get_json()
    error = response.get_json()["error"]
    assert error["code"] == "validation_failed"
    assert words in error["fields"][f"points.1.{column}"]
    assert not any(name.startswith("points.0") for name in error["fields"])
    assert (point_count(), change_count()) == before


def test_every_bad_point_is_named_at_once(client, a, charts, lead):
    response = client.post(
        url(charts["run"]),
        headers=lead,
        json={
            "school_id": a.schools[0].id,
            "points": [
                {"period": "2026-09-07", "value": 1},
                {"period": "2026-09-08", "value": 2},
                {"period": "2026-09-14"},
                {"period": "2026-09-21", "value": True},
                {"period": "2026-09-28", "value": [3]},
            ],
        },
    )
    fields = response.get_json()["error"]["fields"]
    assert set(fields) == {"points.1.period", "points.2.value", "points.3.value", "points.4.value"}
    assert fields["points.1.period"].startswith("2026-09-08 is not a Monday (it is a Tuesday)")
    assert fields["points.2.value"] == "is required"


def test_duplicate_periods_in_one_request_name_the_later_one(client, a, charts, lead):
    before = point_count()
    response = client.post(
        url(charts["run"]),
        headers=lead,
        json={
            "school_id": a.schools[0].id,
            "points": [
                {"period": "2026-09-07", "value": 1},
                {"period": "2026-09-14", "value": 2},
                {"period": "2026-09-07", "value": 3},
            ],
        },
    )
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"] == {
        "points.2.period": "2026-09-07 is also in points.0: send each period once"
    }
    assert point_count() == before


def test_fields_of_the_other_chart_type_are_refused(client, a, charts, lead):
    response = client.post(
        url(charts["p"]),
        headers=lead,
        json={"school_id": a.schools[0].id, "points": [{"period": "2026-09-21", "value": 0.5}]},
    )
    fields = response.get_json()["error"]["fields"]
    assert fields["points.0.value"] == "is not used by a p chart: send numerator and denominator"
    assert fields["points.0.numerator"] == "is required"
    response = client.post(
        url(charts["run"]),
        headers=lead,
        json={
            "school_id": a.schools[0].id,
            "points": [{"period": "2026-09-21", "value": 3, "numerator": None, "note": "x"}],
        },
    )
    assert response.get_json()["error"]["fields"] == {
        "points.0.note": "is not a field of a point (send period and value)"
    }  # a null numerator is tolerated


@pytest.mark.parametrize(
    "body, field, words",
    [
        ({"points": [{"period": "2026-09-07", "value": 1}]}, "school_id", "is required"),
        ({"school_id": "1", "points": [{"period": "2026-09-07", "value": 1}]}, "school_id", "must be a school id"),
        (
            {"school_id": 999999, "points": [{"period": "2026-09-07", "value": 1}]},
            "school_id",
            "is not a school of this network",
        ),
        ({"school_id": "SCHOOL", "points": []}, "points", "at least one point"),
        ({"school_id": "SCHOOL"}, "points", "is required"),
        ({"school_id": "SCHOOL", "points": {"period": "2026-09-07"}}, "points", "a list"),
        ({"school_id": "SCHOOL", "points": ["2026-09-07"]}, "points.0", "must be an object"),
        ({"school_id": "SCHOOL", "points": [], "extra": 1}, "extra", "is not a field of this request"),
    ],
)
def test_a_bad_body_is_a_422_naming_the_field(client, a, charts, lead, body, field, words):
    body = {k: (a.schools[0].id if v == "SCHOOL" else v) for k, v in body.items()}
    response = client.post(url(charts["run"]), headers=lead, json=body)
    assert response.status_code == 422
    assert words in response.get_json()["error"]["fields"][field]


def test_not_json_is_415_and_not_an_object_is_400(client, charts, lead):
    assert client.post(url(charts["run"]), headers=lead, data="period,value").status_code == 415
    assert client.post(url(charts["run"]), headers=lead, json=[1, 2]).status_code == 400


def test_too_many_points_are_refused_before_any_is_checked(client, a, charts, lead):
    rows = [{"period": "2026-09-07", "value": 1}] * 5001
    response = client.post(url(charts["run"]), headers=lead, json={"school_id": a.schools[0].id, "points": rows})
    assert response.status_code == 422
    assert "at most 5,000" in response.get_json()["error"]["fields"]["points"]


@pytest.mark.parametrize(
    "role, school, status",
    [
        ("principal", 0, 201),
        ("teacher_leader", 0, 201),
        ("principal", 1, 403),
        ("teacher_leader", 1, 403),  # another school of the same network
        ("facilitator", 0, 403),
        ("member", 1, 403),
    ],
)
def test_who_may_enter_for_which_school(client, a, charts, role, school, status):
    headers = bearer(getattr(a, role).user)
    before = point_count()
    response = client.post(
        url(charts["run"]),
        headers=headers,
        json={"school_id": a.schools[school].id, "points": [{"period": "2026-09-07", "value": 4}]},
    )
    assert response.status_code == status
    assert point_count() == before + (1 if status == 201 else 0)
    if status == 403:
        assert response.get_json()["error"]["code"] == "forbidden"


def test_another_networks_school_reads_like_an_unknown_one(client, a, b, charts, lead):
    before = point_count()
    theirs = client.post(
        url(charts["run"]),
        headers=lead,
        json={"school_id": b.schools[0].id, "points": [{"period": "2026-09-07", "value": 4}]},
    )
    unknown = client.post(
        url(charts["run"]),
        headers=lead,
        json={"school_id": 10_000_000, "points": [{"period": "2026-09-07", "value": 4}]},
    )
    assert theirs.status_code == unknown.status_code == 422
    assert theirs.get_json() == unknown.get_json()
    assert b.marker not in theirs.get_data(as_text=True)
    assert point_count() == before


def test_another_networks_measure_is_404_and_writes_nothing(client, a, b, lead):
    before = point_count()
    response = client.post(
        url(b.measure),
        headers=lead,
        json={"school_id": a.schools[0].id, "points": [{"period": "2026-09-21", "numerator": 1, "denominator": 2}]},
    )
    assert response.status_code == 404
    response = client.post(
        url(b.measure, slug="beta"),
        headers=lead,
        json={"school_id": b.schools[0].id, "points": [{"period": "2026-09-21", "numerator": 1, "denominator": 2}]},
    )
    assert response.status_code == 404
    assert point_count() == before


def test_session_writes_need_the_csrf_token_like_every_api_write(client, a, charts, login_as):
    login_as(a.teacher_leader.user)
    before = point_count()
    response = client.post(
        url(charts["run"]), json={"school_id": a.schools[0].id, "points": [{"period": "2026-09-07", "value": 4}]}
    )
    assert response.status_code == 400 and "CSRF" in response.get_json()["error"]["message"]
    assert point_count() == before
