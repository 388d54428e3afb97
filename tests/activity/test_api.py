"""GET /api/v1/networks/<slug>/activity: the item shape, keyset pages, filters and
errors naming their parameter."""

from __future__ import annotations

from nic.tenancy import use_network
from tests.activity.helpers import phase_move
from tests.factories import make_token

API = "/api/v1/networks/alpha/activity"
ITEM_KEYS = {"at", "kind", "id", "actor", "school_id", "subject", "summary", "url"}


def _auth(user):
    return {"Authorization": f"Bearer {make_token(user)[1]}"}


def test_item_shape(client, tenants):
    a = tenants.a
    with use_network(a.network):
        move = phase_move(a.cycle, a.teacher_leader.user)
    body = client.get(API, headers=_auth(a.member.user)).get_json()
    assert set(body) == {"items", "next"} and body["next"] is None
    assert all(set(item) == ITEM_KEYS for item in body["items"])
    by_kind = {item["kind"]: item for item in body["items"]}
    assert by_kind["phase_changed"] == {
        "at": by_kind["phase_changed"]["at"],
        "kind": "phase_changed",
        "id": move.id,
        "actor": {"id": a.teacher_leader.user.id, "name": "Alphaville Teacher"},
        "school_id": a.schools[0].id,
        "subject": {"type": "cycle", "id": a.cycle.id},
        "summary": "Alphaville Teacher moved “Alphaville huddle test one” from Plan to Do",
        "url": f"/n/alpha/cycles/{a.cycle.id}",
    }
    message = by_kind["message_posted"]
    assert message["subject"] == {"type": "thread", "id": a.thread.id}
    assert message["url"] == f"/n/alpha/threads/{a.thread.id}#message-{a.message.id}"
    assert by_kind["artifact_version"]["subject"] == {"type": "artifact", "id": a.artifact.id}


def test_pages_filters_and_errors(client, tenants):
    a = tenants.a
    headers = _auth(a.principal.user)
    everything = [(i["kind"], i["id"]) for i in client.get(f"{API}?limit=200", headers=headers).get_json()["items"]]
    seen, cursor = [], None
    while True:
        body = client.get(f"{API}?limit=2" + (f"&cursor={cursor}" if cursor else ""), headers=headers).get_json()
        seen += [(i["kind"], i["id"]) for i in body["items"]]
        cursor = body["next"]
        if cursor is None:
            break
    assert seen == everything and len(everything) >= 6
    kinds = {i["kind"] for i in client.get(f"{API}?kind=artifacts", headers=headers).get_json()["items"]}
    assert kinds == {"artifact_created", "artifact_version"}
    other = client.get(f"{API}?school_id={a.schools[1].id}", headers=headers).get_json()["items"]
    assert other == []  # school 1 has done nothing yet
    for query, field in (
        ("kind=everything", "kind"),
        ("school_id=x", "school_id"),
        ("cursor=zzz", "cursor"),
        ("limit=0", "limit"),
    ):
        response = client.get(f"{API}?{query}", headers=headers)
        assert response.status_code == 422 and field in response.get_json()["error"]["fields"], query


def test_the_route_is_documented(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    operation = spec["paths"]["/api/v1/networks/{slug}/activity"]["get"]
    assert {p["name"] for p in operation["parameters"]} >= {"kind", "school_id", "limit", "cursor"}
