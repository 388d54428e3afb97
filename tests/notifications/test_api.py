"""The notifications API (the bell's data) and the members list (mention suggestions):
newest first with cursors, the caller's own only, 404 for anyone else's or another
network's, and CSRF for browser-session writes."""

from nic.tenancy import use_network
from tests.factories import make_message, make_notification, make_token

API = "/api/v1/networks/alpha"


def _auth(user):
    return {"Authorization": f"Bearer {make_token(user)[1]}"}


def test_list_newest_first_with_cursor_and_unread_filter(client, tenants):
    a = tenants.a
    with use_network(a.network):
        made = [
            make_notification(make_message(a.thread, a.member.user, f"**m{i}**"), a.principal.user, text=f"n{i}")
            for i in range(5)
        ]
    headers = _auth(a.principal.user)
    page = client.get(f"{API}/notifications?limit=3", headers=headers).get_json()
    assert [n["text"] for n in page["items"]] == ["n4", "n3", "n2"] and page["next"]
    rest = client.get(f"{API}/notifications?limit=3&cursor={page['next']}", headers=headers).get_json()
    assert [n["text"] for n in rest["items"]] == ["n1", "n0"] and rest["next"] is None
    item = page["items"][0]
    assert set(item) == {"id", "kind", "text", "excerpt", "url", "created_at", "read_at", "actor", "network"}
    assert item["excerpt"] == "m4" and item["network"] == "alpha" and item["read_at"] is None
    assert item["url"] == f"/n/alpha/threads/{a.thread.id}#message-{made[4].message_id}"
    read = client.post(f"{API}/notifications/{made[4].id}/read", headers=headers).get_json()
    assert read["read_at"] and read["unread_count"] == 4
    unread = client.get(f"{API}/notifications?unread=1", headers=headers).get_json()
    assert [n["text"] for n in unread["items"]] == ["n3", "n2", "n1", "n0"]
    assert client.get(f"{API}/notifications/count", headers=headers).get_json() == {"unread_count": 4}
    assert client.post(f"{API}/notifications/read", headers=headers).get_json() == {"marked": 4, "unread_count": 0}
    assert client.get(f"{API}/notifications/count", headers=headers).get_json() == {"unread_count": 0}


def test_only_the_callers_own_notifications(client, tenants):
    a, b = tenants.a, tenants.b
    headers = _auth(a.principal.user)
    assert client.get(f"{API}/notifications", headers=headers).get_json()["items"] == []
    for notification_id in (a.notification.id, b.notification.id, "x"):
        response = client.post(f"{API}/notifications/{notification_id}/read", headers=headers)
        assert response.status_code == 404 and response.get_json()["error"]["code"] == "not_found"
    assert client.get("/api/v1/networks/beta/notifications", headers=headers).status_code == 404
    assert client.post("/api/v1/networks/beta/notifications/read", headers=headers).status_code == 404


def test_browser_session_writes_need_the_csrf_token(app, client, tenants, login_as, monkeypatch):
    a = tenants.a
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    login_as(a.facilitator.user)
    assert client.post(f"{API}/notifications/read").status_code == 400
    assert client.get(f"{API}/notifications").status_code == 200


def test_members_for_mention_suggestions(client, tenants):
    a = tenants.a
    headers = _auth(a.member.user)
    everyone = client.get(f"{API}/members", headers=headers).get_json()["items"]
    assert {m["name"] for m in everyone} == {
        "Alphaville Facilitator",
        "Alphaville Principal",
        "Alphaville Teacher",
        "Alphaville Member",
    }
    assert set(everyone[0]) == {"id", "name", "role", "school_id"}  # no email addresses
    found = client.get(f"{API}/members?q=te", headers=headers).get_json()["items"]
    assert [m["name"] for m in found] == ["Alphaville Teacher"]  # a word of the name starts with it
    assert [m["id"] for m in client.get(f"{API}/members?q=alphaville%20p", headers=headers).get_json()["items"]] == [
        a.principal.user.id
    ]
    assert client.get(f"{API}/members?q=%25", headers=headers).get_json()["items"] == []  # % is literal
    assert client.get("/api/v1/networks/beta/members", headers=headers).status_code == 404
