"""/api/v1/networks/<slug>/change-ideas per the contract."""

from sqlalchemy import func, select

from nic.extensions import db
from nic.models import ChangeIdea, DiagramRevision
from nic.services.theory import theory
from nic.tenancy import use_network
from tests.factories import make_change_idea, make_token

KEYS = {"id", "title", "description", "driver_ids", "status"}


def bearer(secret):
    return {"Authorization": f"Bearer {secret}"}


def token_for(membership):
    _, secret = make_token(membership.user)
    db.session.commit()
    return bearer(secret)


def idea_count(network, *where):
    with use_network(network):
        return db.session.scalar(select(func.count()).select_from(ChangeIdea).where(*where))


def test_list_and_get_have_the_contract_shape(client, tenants):
    a = tenants.a
    headers = bearer(a.api_secret)
    listing = client.get("/api/v1/networks/alpha/change-ideas", headers=headers)
    assert listing.status_code == 200
    body = listing.get_json()
    assert set(body) == {"items", "next"} and body["next"] is None
    assert body["items"] == [
        {
            "id": a.change_idea.id,
            "title": a.change_idea.title,
            "description": "",
            "driver_ids": [a.secondary_driver.id],
            "status": "accepted",
        }
    ]
    one = client.get(f"/api/v1/networks/alpha/change-ideas/{a.change_idea.id}", headers=headers).get_json()
    assert set(one) == KEYS and one == body["items"][0]


def test_pagination_and_status_filter(client, tenants):
    a = tenants.a
    with use_network(a.network):
        for n in range(4):
            make_change_idea(a.network, f"Paged idea {n}", status="proposed")
        db.session.commit()
    headers = bearer(a.api_secret)
    seen, url = [], "/api/v1/networks/alpha/change-ideas?limit=2"
    while url:
        page = client.get(url, headers=headers).get_json()
        assert len(page["items"]) <= 2
        seen += [item["id"] for item in page["items"]]
        url = page["next"] and f"/api/v1/networks/alpha/change-ideas?limit=2&cursor={page['next']}"
    assert len(seen) == 5 and seen == sorted(seen)
    proposed = client.get("/api/v1/networks/alpha/change-ideas?status=proposed", headers=headers).get_json()
    assert [i["title"] for i in proposed["items"]] == [f"Paged idea {n}" for n in range(4)]
    bad = client.get("/api/v1/networks/alpha/change-ideas?status=finished", headers=headers)
    assert bad.status_code == 422 and "status" in bad.get_json()["error"]["fields"]
    assert client.get("/api/v1/networks/alpha/change-ideas?limit=0", headers=headers).status_code == 422


def test_q_is_full_text_search(client, tenants):
    a = tenants.a
    with use_network(a.network):
        make_change_idea(
            a.network, "Attendance postcards", status="proposed"
        ).description = "Mail a postcard home after **every** improvement in attendance."
        make_change_idea(a.network, "Peer tutoring at lunch", status="proposed")
        db.session.commit()
    headers = bearer(a.api_secret)

    def titles(q):
        return [
            i["title"]
            for i in client.get(f"/api/v1/networks/alpha/change-ideas?q={q}", headers=headers).get_json()["items"]
        ]

    assert titles("postcards") == ["Attendance postcards"]  # stemmed: postcards ~ postcard
    assert titles("improvements home") == ["Attendance postcards"]  # words from the description
    assert titles("tutoring") == ["Peer tutoring at lunch"]
    assert titles("huddle") == [a.change_idea.title]
    assert titles("unicorn") == []
    assert titles("Betatown") == []  # the other network's huddle is not found


def test_anyone_proposes_and_gets_201(client, tenants):
    a = tenants.a
    headers = token_for(a.member)
    response = client.post(
        "/api/v1/networks/alpha/change-ideas",
        headers=headers,
        json={
            "title": "Exit tickets",
            "description": "Two questions, *every* day.",
            "driver_ids": [a.primary_driver.id],
        },
    )
    assert response.status_code == 201
    body = response.get_json()
    assert set(body) == KEYS
    assert (body["title"], body["status"], body["driver_ids"]) == ("Exit tickets", "proposed", [a.primary_driver.id])
    assert response.headers["Location"].endswith(f"/api/v1/networks/alpha/change-ideas/{body['id']}")
    with use_network(a.network):
        revision = db.session.scalar(select(DiagramRevision).order_by(DiagramRevision.id.desc()).limit(1))
        assert revision.summary == "Proposed change idea “Exit tickets”" and revision.author_id == a.member.user.id
        assert body["id"] in [i["id"] for i in revision.snapshot["change_ideas"]]


def test_only_facilitators_set_status_or_patch(client, tenants):
    a = tenants.a
    teacher = token_for(a.teacher_leader)
    refused = client.post(
        "/api/v1/networks/alpha/change-ideas", headers=teacher, json={"title": "Self-accepted", "status": "accepted"}
    )
    assert refused.status_code == 403 and refused.get_json()["error"]["code"] == "forbidden"
    patch = client.patch(
        f"/api/v1/networks/alpha/change-ideas/{a.change_idea.id}", headers=teacher, json={"status": "retired"}
    )
    assert patch.status_code == 403
    assert idea_count(a.network, ChangeIdea.title == "Self-accepted") == 0
    created = client.post(
        "/api/v1/networks/alpha/change-ideas",
        headers=bearer(a.api_secret),
        json={"title": "Facilitator's own", "status": "accepted"},
    )
    assert created.status_code == 201 and created.get_json()["status"] == "accepted"


def test_patch_changes_only_what_is_sent(client, tenants):
    a = tenants.a
    headers = bearer(a.api_secret)
    url = f"/api/v1/networks/alpha/change-ideas/{a.change_idea.id}"
    response = client.patch(
        url, headers=headers, json={"status": "testing", "driver_ids": [a.primary_driver.id, a.secondary_driver.id]}
    )
    assert response.status_code == 200
    assert response.get_json() == {
        "id": a.change_idea.id,
        "title": a.change_idea.title,
        "description": "",
        "driver_ids": [a.primary_driver.id, a.secondary_driver.id],
        "status": "testing",
    }
    declined = client.patch(url, headers=headers, json={"status": "declined", "decision_note": "Too costly"})
    assert declined.get_json()["status"] == "declined"
    with use_network(a.network):
        db.session.expire_all()
        idea = db.session.scalar(select(ChangeIdea).where(ChangeIdea.id == a.change_idea.id))
        assert (idea.decided_by_id, idea.decision_note) == (a.facilitator.user.id, "Too costly")


def test_bad_input_answers_422_naming_the_field_and_writes_nothing(client, tenants):
    a, b = tenants.a, tenants.b
    headers = bearer(a.api_secret)
    url = f"/api/v1/networks/alpha/change-ideas/{a.change_idea.id}"
    cases = [
        (client.patch, url, {"status": "finished"}, "status"),
        (client.patch, url, {"title": ""}, "title"),
        (client.patch, url, {"title": "Renamed", "driver_ids": [999999]}, "driver_ids"),
        (client.patch, url, {"title": "Renamed", "driver_ids": "all"}, "driver_ids"),
        (client.post, "/api/v1/networks/alpha/change-ideas", {"description": "no title"}, "title"),
        (client.post, "/api/v1/networks/alpha/change-ideas", {"title": "x" * 201}, "title"),
        (client.post, "/api/v1/networks/alpha/change-ideas", {"title": "Bad", "status": "soon"}, "status"),
        (client.post, "/api/v1/networks/alpha/change-ideas", {"title": "Bad", "aim_id": b.aim.id}, "aim_id"),
    ]
    for call, target, body, field in cases:
        response = call(target, headers=headers, json=body)
        assert response.status_code == 422, (body, response.get_json())
        error = response.get_json()["error"]
        assert error["code"] == "validation_failed" and field in error["fields"], (body, error)
    assert idea_count(a.network) == 1
    with use_network(a.network):
        db.session.expire_all()
        assert (
            db.session.scalar(select(ChangeIdea.title).where(ChangeIdea.id == a.change_idea.id)) == a.change_idea.title
        )
    not_json = client.post("/api/v1/networks/alpha/change-ideas", headers=headers, data="title=x")
    assert not_json.status_code == 415
    not_object = client.post("/api/v1/networks/alpha/change-ideas", headers=headers, json=["title"])
    assert not_object.status_code == 400


def test_another_networks_ids_are_404_or_refused(client, tenants):
    a, b = tenants.a, tenants.b
    headers = bearer(a.api_secret)
    assert client.get(f"/api/v1/networks/alpha/change-ideas/{b.change_idea.id}", headers=headers).status_code == 404
    patch = client.patch(
        f"/api/v1/networks/alpha/change-ideas/{b.change_idea.id}", headers=headers, json={"title": "Taken over"}
    )
    assert patch.status_code == 404
    assert client.get("/api/v1/networks/beta/change-ideas", headers=headers).status_code == 404
    assert client.post("/api/v1/networks/beta/change-ideas", headers=headers, json={"title": "x"}).status_code == 404
    foreign = client.post(
        "/api/v1/networks/alpha/change-ideas",
        headers=headers,
        json={"title": "Cross wired", "driver_ids": [b.primary_driver.id]},
    )
    assert foreign.status_code == 422 and "driver_ids" in foreign.get_json()["error"]["fields"]
    relink = client.patch(
        f"/api/v1/networks/alpha/change-ideas/{a.change_idea.id}",
        headers=headers,
        json={"driver_ids": [a.primary_driver.id, b.secondary_driver.id]},
    )
    assert relink.status_code == 422
    assert idea_count(a.network, ChangeIdea.title == "Cross wired") == 0
    with use_network(b.network):
        assert (
            db.session.scalar(select(ChangeIdea.title).where(ChangeIdea.id == b.change_idea.id)) == b.change_idea.title
        )
    with use_network(a.network):
        db.session.expire_all()
        idea = db.session.scalar(select(ChangeIdea).where(ChangeIdea.id == a.change_idea.id))
        assert [d.id for d in idea.drivers] == [a.secondary_driver.id]


def test_no_token_is_401(client, tenants):
    assert client.get("/api/v1/networks/alpha/change-ideas").status_code == 401
    assert client.post("/api/v1/networks/alpha/change-ideas", json={"title": "x"}).status_code == 401
    assert client.get("/api/v1/networks/alpha/change-ideas", headers=bearer("nic_not-a-real-token")).status_code == 401


def test_drivers_of_two_aims_cannot_mix(client, tenants):
    a = tenants.a
    with use_network(a.network):
        second = theory.create_aim({"statement": "Second aim"}, None)
        other = theory.create_driver(second.id, {"kind": "primary", "title": "Other"}, None)
    response = client.post(
        "/api/v1/networks/alpha/change-ideas",
        headers=bearer(a.api_secret),
        json={"title": "Straddler", "driver_ids": [a.primary_driver.id, other.id]},
    )
    assert response.status_code == 422 and "one aim" in response.get_json()["error"]["fields"]["driver_ids"]
    placed = client.post(
        "/api/v1/networks/alpha/change-ideas",
        headers=bearer(a.api_secret),
        json={"title": "Placed", "aim_id": second.id},
    )
    assert placed.status_code == 201
    with use_network(a.network):
        assert db.session.scalar(select(ChangeIdea.aim_id).where(ChangeIdea.title == "Placed")) == second.id


def test_the_routes_are_in_the_openapi_document(client):
    document = client.get("/api/v1/openapi.json").get_json()
    collection = document["paths"]["/api/v1/networks/{slug}/change-ideas"]
    assert {"get", "post"} <= set(collection)
    assert {p["name"] for p in collection["get"]["parameters"]} >= {"slug", "limit", "cursor", "q", "status"}
    item = document["paths"]["/api/v1/networks/{slug}/change-ideas/{change_idea_id}"]
    assert {"get", "patch"} <= set(item) and "403" in item["patch"]["responses"]
    schema = document["components"]["schemas"]["ChangeIdeaOut"]
    assert set(schema["required"]) == KEYS
