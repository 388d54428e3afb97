"""The leadership API: the heatmap rows, changes, distribution and computed_at; a
school's weakest practices, change ideas and peers; pages of schools; documented in the
OpenAPI document."""

from nic.extensions import db
from tests.factories import make_token


def headers_for(user):
    _, secret = make_token(user)
    db.session.commit()
    return {"Authorization": f"Bearer {secret}"}


def test_the_network_view(client, world):
    w = world
    response = client.get("/api/v1/networks/alpha/leadership", headers=headers_for(w.a.member.user))
    assert response.status_code == 200
    body = response.get_json()
    assert body["round"]["id"] == w.fall.id and body["round"]["is_open"] is True
    assert body["previous_round"]["id"] == w.spring.id
    assert [r["id"] for r in body["rounds"]] == [w.fall.id, w.spring.id]
    assert [lv["rank"] for lv in body["levels"]] == [0, 1, 2]
    assert len(body["practices"]) == len(w.a.framework.practices)
    rows = {r["school_id"]: r for r in body["rows"]}
    assert set(rows) == {w.s0.id, w.s1.id, w.s2.id} and body["next"] is None
    assert rows[w.s2.id]["group"] == "Cohort 1"
    s0 = {c["practice_id"]: c for c in rows[w.s0.id]["cells"]}
    assert s0[w.p0.id] == {
        "practice_id": w.p0.id,
        "level_key": "meeting-standards",
        "level_rank": 1,
        "level_name": "Meeting standards",
        "change": "up",
        "previous_level_key": "less-effective",
    }
    assert s0[w.p1.id]["change"] == "down"
    spread = {d["practice_id"]: d["counts"] for d in body["distribution"]}
    assert spread[w.p0.id] == [0, 2, 1]
    assert body["computed_at"] is not None


def test_pages_of_schools_and_group(client, world):
    w = world
    headers = headers_for(w.a.facilitator.user)
    first = client.get("/api/v1/networks/alpha/leadership?limit=2", headers=headers).get_json()
    assert len(first["rows"]) == 2 and first["next"]
    second = client.get(f"/api/v1/networks/alpha/leadership?limit=2&cursor={first['next']}", headers=headers).get_json()
    assert [r["school_id"] for r in first["rows"] + second["rows"]] == sorted([w.s0.id, w.s1.id, w.s2.id])
    assert second["next"] is None
    grouped = client.get("/api/v1/networks/alpha/leadership?group=Cohort%201", headers=headers).get_json()
    assert [r["school_id"] for r in grouped["rows"]] == [w.s2.id]
    bad = client.get("/api/v1/networks/alpha/leadership?cursor=nonsense", headers=headers)
    assert bad.status_code == 422


def test_an_older_round(client, world):
    w = world
    body = client.get(
        f"/api/v1/networks/alpha/leadership?round_id={w.spring.id}", headers=headers_for(w.a.facilitator.user)
    ).get_json()
    assert body["round"]["id"] == w.spring.id and body["previous_round"] is None
    cells = [c for r in body["rows"] for c in r["cells"]]
    assert len(cells) == 3 and {c["change"] for c in cells} == {None}


def test_the_school_panel(client, world):
    w = world
    response = client.get(f"/api/v1/networks/alpha/leadership/schools/{w.s0.id}", headers=headers_for(w.a.member.user))
    assert response.status_code == 200
    body = response.get_json()
    assert body["school_id"] == w.s0.id and body["round"]["id"] == w.fall.id
    weakest = body["weakest"]
    assert [x["practice_id"] for x in weakest] == [w.p1.id, w.p0.id]
    assert weakest[0]["network_mean_rank"] == 1.5
    assert weakest[0]["change_ideas"] == [
        {"id": w.a.change_idea.id, "title": w.a.change_idea.title, "status": w.a.change_idea.status}
    ]
    assert weakest[0]["peers"] == [
        {
            "school_id": w.s1.id,
            "name": w.s1.name,
            "level_key": "college-career-ready",
            "level_rank": 2,
            "level_name": "College- and career-ready",
            "round_id": w.fall.id,
            "round_name": w.fall.name,
            "principals": [{"id": w.peer_principal.user.id, "name": "Alphaville Peer Principal"}],
        }
    ]


def test_no_round_yet(client, db_session):
    from tests.factories import make_member, make_network, make_school, make_user

    network = make_network("gamma", "Gamma")
    school = make_school(network, "Gamma High")
    person = make_member(network, "member", school, make_user("m@gamma.org", "Gamma Member"))
    headers = headers_for(person.user)
    body = client.get("/api/v1/networks/gamma/leadership", headers=headers).get_json()
    assert body["round"] is None and body["rows"] == [] and body["computed_at"] is None
    panel = client.get(f"/api/v1/networks/gamma/leadership/schools/{school.id}", headers=headers).get_json()
    assert panel["round"] is None and panel["weakest"] == []


def test_the_routes_are_in_the_openapi_document(client, world):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert "get" in paths["/api/v1/networks/{slug}/leadership"]
    assert "get" in paths["/api/v1/networks/{slug}/leadership/schools/{school_id}"]
    assert "post" in paths["/api/v1/networks/{slug}/leadership/schools/{school_id}/discussions"]
