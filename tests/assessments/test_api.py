"""Self-assessment rounds over the API: rounds, progress, my ratings (all or nothing), the
school's private ratings, the shared consensus with its version and evidence, finishing,
closing, and the errors named as the contract says."""

from __future__ import annotations

import re

from nic.extensions import db
from nic.models import AssessmentRating
from nic.tenancy import use_network
from tests.factories import make_token


def bearer(user) -> dict:
    _token, secret = make_token(user)
    return {"Authorization": f"Bearer {secret}"}


def base(tenant) -> str:
    return f"/api/v1/networks/{tenant.network.slug}"


def levels(tenant):
    return [level["key"] for level in tenant.framework.document["levels"]]


def test_rounds_list_detail_and_progress(client, tenants):
    a = tenants.a
    headers = bearer(a.member.user)
    page = client.get(f"{base(a)}/rounds", headers=headers).get_json()
    assert [r["id"] for r in page["items"]] == [a.round.id] and page["next"] is None
    assert page["items"][0]["open"] is True and page["items"][0]["framework_name"] == a.framework.name
    detail = client.get(f"{base(a)}/rounds/{a.round.id}", headers=headers).get_json()
    assert [level["key"] for level in detail["levels"]] == levels(a) and detail["levels"][0]["rank"] == 0
    assert len(detail["practices"]) == 20 and detail["practices"][0]["id"] == a.framework.practices[0].id
    progress = client.get(f"{base(a)}/rounds/{a.round.id}/progress", headers=headers).get_json()
    first = next(s for s in progress["schools"] if s["school_id"] == a.schools[0].id)
    assert first == {
        "school_id": a.schools[0].id,
        "name": a.schools[0].name,
        "raters": 1,
        "ratings": 1,
        "agreed_practices": 1,
        "total_practices": 20,
        "submitted_at": None,
        "close_state": None,
    }


def test_facilitators_open_rounds(client, tenants):
    a, b = tenants.a, tenants.b
    url = f"{base(a)}/rounds"
    refused = client.post(
        url, json={"framework_id": a.framework.id, "name": "Spring"}, headers=bearer(a.principal.user)
    )
    assert refused.status_code == 403
    headers = {"Authorization": f"Bearer {a.api_secret}"}  # the facilitator's token
    bad = client.post(url, json={"framework_id": b.framework.id, "name": ""}, headers=headers)
    assert bad.status_code == 422 and set(bad.get_json()["error"]["fields"]) == {"framework_id", "name"}
    created = client.post(
        url, json={"framework_id": a.framework.id, "name": "Spring 2027", "due_on": "2027-05-01"}, headers=headers
    )
    assert created.status_code == 201
    body = created.get_json()
    assert body["name"] == "Spring 2027" and body["due_on"] == "2027-05-01" and body["open"] is True
    assert created.headers["Location"].endswith(f"/rounds/{body['id']}")


def test_put_my_ratings_all_or_nothing(client, tenants):
    a = tenants.a
    url = f"{base(a)}/rounds/{a.round.id}/schools/{a.schools[0].id}/ratings"
    headers = bearer(a.principal.user)
    p = [pr.id for pr in a.framework.practices]
    bad = client.put(
        url,
        json=[{"practice_id": p[1], "level": levels(a)[0]}, {"practice_id": p[2], "level": "outstanding"}],
        headers=headers,
    )
    assert bad.status_code == 422
    assert set(bad.get_json()["error"]["fields"]) == {"ratings.1.level"}
    with use_network(a.network):
        assert db.session.query(AssessmentRating).filter_by(user_id=a.principal.user_id).count() == 0
    good = client.put(
        url,
        json={
            "ratings": [
                {"practice_id": p[1], "level": levels(a)[0], "note": "early days"},
                {"practice_id": p[2], "level": levels(a)[2]},
            ]
        },
        headers=headers,
    )
    assert good.status_code == 200
    mine = good.get_json()["items"]
    assert [(r["practice_id"], r["level"], r["level_rank"]) for r in mine] == [
        (p[1], levels(a)[0], 0),
        (p[2], levels(a)[2], 2),
    ]
    assert mine[0]["note"] == "early days" and mine[0]["user"]["id"] == a.principal.user_id
    other_framework = client.put(
        url, json=[{"practice_id": tenants.b.framework.practices[0].id, "level": levels(a)[0]}], headers=headers
    )
    assert (
        other_framework.status_code == 422 and "ratings.0.practice_id" in other_framework.get_json()["error"]["fields"]
    )
    not_ilt = client.put(
        f"{base(a)}/rounds/{a.round.id}/schools/{a.schools[1].id}/ratings",
        json=[{"practice_id": p[1], "level": levels(a)[0]}],
        headers=bearer(a.member.user),
    )
    assert not_ilt.status_code == 403


def test_a_schools_ratings_are_read_by_its_members_only(client, tenants):
    a = tenants.a
    url = f"{base(a)}/rounds/{a.round.id}/schools/{a.schools[0].id}/ratings"
    inside = client.get(url, headers=bearer(a.teacher_leader.user))
    assert inside.status_code == 200
    assert [r["note"] for r in inside.get_json()["items"]] == ["Alphaville private note"]
    for outsider in (a.member.user, a.facilitator.user):  # another school's member, the facilitator
        response = client.get(url, headers=bearer(outsider))
        assert response.status_code == 404
        assert "private note" not in response.get_data(as_text=True)
        put = client.put(
            url, json=[{"practice_id": a.framework.practices[0].id, "level": levels(a)[0]}], headers=bearer(outsider)
        )
        assert put.status_code == 404


def test_consensus_is_shared_and_versioned(client, tenants):
    a = tenants.a
    practice = a.framework.practices[1]
    url = f"{base(a)}/rounds/{a.round.id}/schools/{a.schools[0].id}/consensus/{practice.id}"
    empty = client.get(url, headers=bearer(a.member.user)).get_json()
    assert empty["level"] is None and empty["version"] == 0
    headers = bearer(a.principal.user)
    body = {
        "level": levels(a)[1],
        "notes": "Seen in three walkthroughs",
        "evidence": [
            {"kind": "cycle", "id": a.cycle.id},
            {"kind": "cycle", "id": a.private_cycle.id},
            {"kind": "measure", "id": a.measure.id},
        ],
        "version": 0,
    }
    saved = client.put(url, json=body, headers=headers)
    assert saved.status_code == 200
    assert saved.get_json()["version"] == 1 and len(saved.get_json()["evidence"]) == 3
    # another school reads it, without the private cycle
    seen = client.get(url, headers=bearer(a.member.user)).get_json()
    assert seen["level"] == levels(a)[1] and seen["notes"] == "Seen in three walkthroughs"
    assert {(e["kind"], e["id"]) for e in seen["evidence"]} == {("cycle", a.cycle.id), ("measure", a.measure.id)}
    assert seen["hidden_evidence"] == 1
    stale = client.put(url, json={**body, "level": levels(a)[2], "version": 0}, headers=headers)
    assert stale.status_code == 409
    changed = client.put(url, json={**body, "level": levels(a)[2], "version": 1}, headers=headers)
    assert changed.status_code == 200 and changed.get_json()["version"] == 2
    listing = client.get(f"{base(a)}/rounds/{a.round.id}/consensus", headers=bearer(a.facilitator.user)).get_json()
    assert {(c["school_id"], c["practice_id"]) for c in listing["items"]} == {
        (a.schools[0].id, a.framework.practices[0].id),
        (a.schools[0].id, practice.id),
    }
    only_other = client.get(
        f"{base(a)}/rounds/{a.round.id}/consensus?school_id={a.schools[1].id}", headers=bearer(a.facilitator.user)
    ).get_json()
    assert only_other["items"] == []


def test_consensus_bad_input(client, tenants):
    a, b = tenants.a, tenants.b
    url = f"{base(a)}/rounds/{a.round.id}/schools/{a.schools[0].id}/consensus/{a.framework.practices[2].id}"
    headers = bearer(a.principal.user)
    level = client.put(url, json={"level": "superb"}, headers=headers)
    assert level.status_code == 422 and "level" in level.get_json()["error"]["fields"]
    other = client.put(
        url, json={"level": levels(a)[0], "evidence": [{"kind": "cycle", "id": b.cycle.id}]}, headers=headers
    )
    assert other.status_code == 422 and set(other.get_json()["error"]["fields"]) == {"evidence"}
    unknown = client.put(url, json={"level": levels(a)[0], "colour": "red"}, headers=headers)
    assert unknown.status_code == 422 and "colour" in unknown.get_json()["error"]["fields"]
    forbidden = client.put(url, json={"level": levels(a)[0]}, headers=bearer(a.member.user))
    assert forbidden.status_code == 403
    not_json = client.put(url, data="level=x", headers=headers)
    assert not_json.status_code == 415


def test_finish_then_close_keeps_partial(client, tenants):
    a = tenants.a
    headers = bearer(a.principal.user)
    finish = client.put(
        f"{base(a)}/rounds/{a.round.id}/schools/{a.schools[0].id}/finished", json={"finished": True}, headers=headers
    )
    assert finish.status_code == 422 and "consensus" in finish.get_json()["error"]["fields"]
    assert client.post(f"{base(a)}/rounds/{a.round.id}/close", headers=headers).status_code == 403
    closed = client.post(f"{base(a)}/rounds/{a.round.id}/close", headers={"Authorization": f"Bearer {a.api_secret}"})
    assert closed.status_code == 200
    states = {s["school_id"]: s["close_state"] for s in closed.get_json()["schools"]}
    assert states == {a.schools[0].id: "partial", a.schools[1].id: "not_started"}
    again = client.post(f"{base(a)}/rounds/{a.round.id}/close", headers={"Authorization": f"Bearer {a.api_secret}"})
    assert again.status_code == 409
    write = client.put(
        f"{base(a)}/rounds/{a.round.id}/schools/{a.schools[0].id}/ratings",
        json=[{"practice_id": a.framework.practices[0].id, "level": levels(a)[2]}],
        headers=headers,
    )
    assert write.status_code == 409 and "round is closed" in write.get_json()["error"]["message"]
    kept = client.get(f"{base(a)}/rounds/{a.round.id}/schools/{a.schools[0].id}/ratings", headers=headers).get_json()
    assert [r["note"] for r in kept["items"]] == ["Alphaville private note"]


def test_the_routes_are_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    prefix = "/api/v1/networks/{slug}/rounds"
    assert set(paths[prefix]) == {"get", "post"}
    assert "post" in paths[prefix + "/{round_id}/close"]
    assert set(paths[prefix + "/{round_id}/schools/{school_id}/ratings"]) == {"get", "put"}
    assert set(paths[prefix + "/{round_id}/schools/{school_id}/consensus/{practice_id}"]) == {"get", "put"}
    assert "get" in paths[prefix + "/{round_id}/consensus"] and "get" in paths[prefix + "/{round_id}/progress"]


def test_the_page_script_saves_one_rating_through_the_session(client, tenants, login_as):
    """static/js/assessment.js saves "this practice" with the browser session (CSRF header
    in production; tests run without CSRF)."""
    a = tenants.a
    login_as(a.teacher_leader.user)
    page = client.get(f"/n/{a.network.slug}/assessments/rounds/{a.round.id}/schools/{a.schools[0].id}")
    api = f"{base(a)}/rounds/{a.round.id}/schools/{a.schools[0].id}/ratings"
    body = page.get_data(as_text=True)
    assert f'data-api="{api}"' in body and "js/assessment.js" in body
    practice = a.framework.practices[4]
    payload = [{"practice_id": practice.id, "level": levels(a)[2], "note": "from the page"}]
    assert client.put(api, json=payload).status_code == 400  # a session write needs the page's CSRF token
    token = re.search(r'<meta name="csrf-token" content="([^"]+)"', body).group(1)
    saved = client.put(api, json=payload, headers={"X-CSRFToken": token})
    assert saved.status_code == 200
    assert any(r["practice_id"] == practice.id and r["note"] == "from the page" for r in saved.get_json()["items"])
