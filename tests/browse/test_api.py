"""GET /api/v1/networks/<slug>/cycles: the contract's cycle objects, filtered, paginated,
never a cycle the caller may not see."""

from __future__ import annotations

import pytest

from nic.extensions import db
from tests import factories

URL = "/api/v1/networks/alpha/cycles"
HUDDLE = "Alphaville huddle test one"
CALLS, MENTORING = "Attendance phone calls home", "Advisory mentoring ramp"
CONTRACT_KEYS = {
    "id",
    "school_id",
    "title",
    "change_idea_id",
    "parent_id",
    "phase",
    "visibility",
    "plan",
    "do",
    "study",
    "act",
    "version",
    "created_at",
    "updated_at",
}


def get(client, tenant, query="", url=URL):
    return client.get(f"{url}{query}", headers={"Authorization": f"Bearer {tenant.api_secret}"})


def titles(response) -> set[str]:
    assert response.status_code == 200, response.get_json()
    return {item["title"] for item in response.get_json()["items"]}


def test_items_are_contract_cycle_objects(client, tenants, world):
    body = get(client, tenants.a).get_json()
    assert set(body) == {"items", "next"} and body["next"] is None
    assert {item["title"] for item in body["items"]} == {HUDDLE, CALLS, MENTORING}
    mentoring = next(item for item in body["items"] if item["title"] == MENTORING)
    assert set(mentoring) >= CONTRACT_KEYS
    assert mentoring["phase"] == "done" and mentoring["visibility"] == "network"
    assert mentoring["act"]["decision"] == "adopt"
    assert mentoring["school_id"] == tenants.a.schools[0].id
    assert [item["id"] for item in body["items"]] == sorted(item["id"] for item in body["items"])


def test_filters(client, tenants, world):
    a = tenants.a
    assert titles(get(client, a, f"?school_id={a.schools[1].id}")) == {CALLS}
    assert titles(get(client, a, "?phase=done")) == {MENTORING}
    assert titles(get(client, a, f"?change_idea_id={world.idea2.id}")) == {CALLS, MENTORING}
    assert titles(get(client, a, f"?change_idea_id={world.idea2.id}&school_id={a.schools[0].id}")) == {MENTORING}
    assert titles(get(client, a, f"?team_id={a.team.id}")) == {HUDDLE}
    assert titles(get(client, a, f"?owner_id={a.member.user.id}")) == {CALLS}
    assert titles(get(client, a, "?q=huddles")) == {HUDDLE}
    assert titles(get(client, a, "?q=")) == {HUDDLE, CALLS, MENTORING}


def test_the_page_only_filters_are_not_api_parameters(client, tenants, world):
    # ?nudge and dates belong to the browse page; the API ignores unknown parameters
    assert titles(get(client, tenants.a, "?nudge=scale_too_big")) == {HUDDLE, CALLS, MENTORING}


@pytest.mark.parametrize(
    "query, field",
    [
        ("?school_id=abc", "school_id"),
        ("?change_idea_id=1.5", "change_idea_id"),
        ("?team_id=0", "team_id"),
        ("?owner_id=x", "owner_id"),
        ("?phase=launch", "phase"),
        ("?phase=PLAN", "phase"),
        ("?q=" + "x" * 201, "q"),
        ("?limit=0", "limit"),
        ("?cursor=not-ours", "cursor"),
    ],
)
def test_bad_parameters_answer_422_naming_them(client, tenants, world, query, field):
    response = get(client, tenants.a, query)
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "validation_failed" and field in error["fields"]


def test_another_networks_ids_just_find_nothing(client, tenants, world):
    a, b = tenants.a, tenants.b
    for query in (f"?school_id={b.schools[0].id}", f"?change_idea_id={b.change_idea.id}", f"?team_id={b.team.id}"):
        response = get(client, a, query)
        assert response.status_code == 200 and response.get_json() == {"items": [], "next": None}, query


def test_another_networks_list_is_not_found(client, tenants, world):
    response = get(client, tenants.a, url="/api/v1/networks/beta/cycles")
    assert response.status_code == 404
    assert "Betatown" not in response.get_data(as_text=True)


def test_private_and_deleted_cycles_never_appear(client, tenants, world, login_as):
    # the facilitator's token: shared cycles only
    everything = get(client, tenants.a, "?limit=200").get_data(as_text=True)
    for hidden in ("private trial", "Middle school private huddle", "Deleted huddle cycle", "Betatown"):
        assert hidden not in everything
    # a member of school 1, by session: its own private cycle, not school 0's
    login_as(tenants.a.member.user)
    response = client.get(f"{URL}?q=huddle")
    assert titles(response) == {HUDDLE, "Middle school private huddle"}


def test_keyset_pages_cover_every_cycle_once(client, tenants, world):
    a = tenants.a
    for n in range(5):
        factories.make_cycle(a.schools[1], a.member.user, f"Ramp step {n}")
    db.session.commit()
    seen, query = [], "?limit=3"
    while True:
        body = get(client, a, query).get_json()
        assert len(body["items"]) <= 3
        seen += [item["title"] for item in body["items"]]
        if body["next"] is None:
            break
        query = f"?limit=3&cursor={body['next']}"
    assert len(seen) == len(set(seen)) == 8
    assert set(seen) == {HUDDLE, CALLS, MENTORING} | {f"Ramp step {n}" for n in range(5)}


def test_filters_hold_across_pages(client, tenants, world):
    a = tenants.a
    for n in range(4):
        factories.make_cycle(a.schools[1], a.member.user, f"Study step {n}", phase="study")
    db.session.commit()
    first = get(client, a, "?phase=study&limit=3").get_json()
    rest = get(client, a, f"?phase=study&limit=3&cursor={first['next']}").get_json()
    assert {i["phase"] for i in first["items"] + rest["items"]} == {"study"}
    assert len(first["items"]) + len(rest["items"]) == 5 and rest["next"] is None


def test_the_route_is_documented_with_its_filters(client):
    document = client.get("/api/v1/openapi.json").get_json()
    operation = document["paths"]["/api/v1/networks/{slug}/cycles"]["get"]
    names = {p["name"] for p in operation["parameters"]}
    assert {"slug", "limit", "cursor", "school_id", "phase", "change_idea_id", "q"} <= names
    assert "422" in operation["responses"]
