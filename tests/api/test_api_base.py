"""The API base: authentication, /me, the error format, pagination, tenancy as 404."""

from nic.clock import utcnow
from nic.extensions import db
from tests import factories


def bearer(secret):
    return {"Authorization": f"Bearer {secret}"}


def test_me_with_a_token(client, tenants):
    response = client.get("/api/v1/me", headers=bearer(tenants.a.api_secret))
    assert response.status_code == 200
    body = response.get_json()
    assert body["email"] == "facilitator@alpha.org"
    assert body["memberships"] == [
        {"network": "alpha", "network_name": "Alphaville Network", "school_id": None, "role": "facilitator"}
    ]


def test_me_lists_every_network_of_the_user(client, tenants):
    user = tenants.a.principal.user
    factories.make_member(tenants.b.network, "member", user=user)
    _, secret = factories.make_token(user)
    body = client.get("/api/v1/me", headers=bearer(secret)).get_json()
    assert sorted(m["network"] for m in body["memberships"]) == ["alpha", "beta"]


def test_me_with_the_browser_session(client, tenants, login_as):
    login_as(tenants.a.teacher_leader.user)
    assert client.get("/api/v1/me").get_json()["email"] == "teacher@alpha.org"


def test_no_token_is_401_in_the_error_format(client, tenants):
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"
    assert response.get_json()["error"]["message"]


def test_a_bad_token_is_401_even_with_a_good_session(client, tenants, login_as):
    login_as(tenants.a.facilitator.user)
    response = client.get("/api/v1/me", headers=bearer("nic_not-a-token"))
    assert response.status_code == 401


def test_a_revoked_token_is_401(client, tenants):
    tenants.a.api_token.revoked_at = utcnow()
    db.session.flush()
    assert client.get("/api/v1/me", headers=bearer(tenants.a.api_secret)).status_code == 401


def test_schools_of_my_network(client, tenants):
    response = client.get("/api/v1/networks/alpha/schools", headers=bearer(tenants.a.api_secret))
    assert response.status_code == 200
    body = response.get_json()
    assert [s["name"] for s in body["items"]] == ["Alphaville High School", "Alphaville Middle School"]
    assert body["next"] is None


def test_another_networks_schools_are_404(client, tenants):
    response = client.get("/api/v1/networks/beta/schools", headers=bearer(tenants.a.api_secret))
    assert response.status_code == 404
    assert response.get_json() == {"error": {"code": "not_found", "message": "Not found."}}
    assert b"Betatown" not in response.data


def test_an_unknown_slug_is_the_same_404(client, tenants):
    response = client.get("/api/v1/networks/nowhere/schools", headers=bearer(tenants.a.api_secret))
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


def test_pagination_walks_every_school_once(client, tenants):
    for n in range(5):
        factories.make_school(tenants.a.network, f"Extra {n}")
    seen, url = [], "/api/v1/networks/alpha/schools?limit=3"
    while url:
        body = client.get(url, headers=bearer(tenants.a.api_secret)).get_json()
        assert len(body["items"]) <= 3
        seen += [s["id"] for s in body["items"]]
        url = f"/api/v1/networks/alpha/schools?limit=3&cursor={body['next']}" if body["next"] else None
    assert len(seen) == 7 and len(set(seen)) == 7 and seen == sorted(seen)


def test_limit_above_the_maximum_is_capped(client, tenants, app):
    for n in range(3):
        factories.make_school(tenants.a.network, f"Extra {n}")
    app.config["MAX_PAGE_SIZE"] = 3
    try:
        body = client.get("/api/v1/networks/alpha/schools?limit=500", headers=bearer(tenants.a.api_secret)).get_json()
    finally:
        app.config["MAX_PAGE_SIZE"] = 200
    assert len(body["items"]) == 3 and body["next"]


def test_bad_limit_and_cursor_name_the_field(client, tenants):
    response = client.get("/api/v1/networks/alpha/schools?limit=abc", headers=bearer(tenants.a.api_secret))
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"] == {"limit": "must be a whole number"}
    response = client.get("/api/v1/networks/alpha/schools?cursor=!!", headers=bearer(tenants.a.api_secret))
    assert response.status_code == 422
    assert "cursor" in response.get_json()["error"]["fields"]


def test_unknown_api_route_answers_json_404(client, tenants):
    response = client.get("/api/v1/nothing-here", headers=bearer(tenants.a.api_secret))
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"
