"""Signing in and out, the rate limit, sessions and password resets."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from nic import create_app
from nic.clock import utcnow
from nic.extensions import db, limiter
from nic.models import OutboxMessage, PasswordReset
from tests.conftest import app_config
from tests.factories import PASSWORD


def sign_in(client, email, password=PASSWORD, **query):
    return client.post("/login", data={"email": email, "password": password}, query_string=query)


def test_sign_in_lands_on_the_network_home(client, tenants):
    response = sign_in(client, "principal@alpha.org")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/n/alpha/")
    home = client.get("/n/alpha/")
    assert home.status_code == 200 and b"Alphaville Network" in home.data


def test_email_is_not_case_sensitive(client, tenants):
    assert sign_in(client, "  Principal@ALPHA.org ").status_code == 302


def test_wrong_password_says_so_next_to_the_field(client, tenants):
    response = sign_in(client, "principal@alpha.org", "wrong password")
    assert response.status_code == 422
    assert b"Wrong email or password." in response.data
    assert client.get("/n/alpha/").status_code == 302  # still signed out


def test_unknown_email_gets_the_same_answer(client, tenants):
    response = sign_in(client, "nobody@alpha.org")
    assert response.status_code == 422 and b"Wrong email or password." in response.data


def test_next_only_goes_to_this_site(client, tenants):
    assert sign_in(client, "principal@alpha.org", next="/profile/").headers["Location"].endswith("/profile/")
    client.post("/logout")
    assert (
        sign_in(client, "principal@alpha.org", next="https://evil.example/").headers["Location"].endswith("/n/alpha/")
    )
    client.post("/logout")
    assert sign_in(client, "principal@alpha.org", next="//evil.example/").headers["Location"].endswith("/n/alpha/")


def test_sign_out(client, tenants, login_as):
    login_as(tenants.a.principal.user)
    assert client.post("/logout").status_code == 302
    assert client.get("/n/alpha/").status_code == 302


def test_signed_out_visitors_are_sent_to_sign_in(client, tenants):
    response = client.get("/n/alpha/members")
    assert response.status_code == 302 and "/login?next=" in response.headers["Location"]


def test_session_cookie_flags(client, tenants):
    response = sign_in(client, "principal@alpha.org")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_the_rate_limit_bites_and_is_kept_in_redis(db_session, tenants, redis_client):
    app = create_app(app_config(SIGNIN_RATE_LIMIT="3 per minute"))
    limiter.reset()
    client = app.test_client()
    statuses = [sign_in(client, "principal@alpha.org", "wrong password").status_code for _ in range(4)]
    assert statuses == [422, 422, 422, 429]
    assert b"Too many attempts" in sign_in(client, "principal@alpha.org").data  # even the right password waits
    assert redis_client.keys("LIMITS:*auth.login/3/1/minute"), "the limit must be counted in Redis"
    limiter.reset()


def test_csrf_is_required_on_forms(db_session, tenants):
    app = create_app(app_config(WTF_CSRF_ENABLED=True))
    client = app.test_client()
    response = client.post("/login", data={"email": "principal@alpha.org", "password": PASSWORD})
    assert response.status_code in (400, 422)
    assert client.get("/n/alpha/").status_code == 302  # not signed in
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or re.search(
        r'name="csrf_token"[^>]*value="([^"]+)"', page
    )
    response = client.post(
        "/login", data={"email": "principal@alpha.org", "password": PASSWORD, "csrf_token": token.group(1)}
    )
    assert response.status_code == 302, response.get_data(as_text=True)[-3000:]


# --- password reset ---------------------------------------------------------------------


def _reset_link(to):
    message = db.session.scalars(select(OutboxMessage).where(OutboxMessage.to_address == to)).all()[-1]
    return re.search(r"https?://\S+/reset/\S+", message.body_text).group(0)


def test_password_reset_by_emailed_link(client, tenants):
    response = client.post("/reset", data={"email": "teacher@alpha.org"})
    assert response.status_code == 302
    link = _reset_link("teacher@alpha.org")
    path = link.split("nic.test", 1)[1]
    assert client.get(path).status_code == 200
    response = client.post(path, data={"password": "a brand new password", "confirm": "a brand new password"})
    assert response.status_code == 302
    client.post("/logout")
    assert sign_in(client, "teacher@alpha.org", "a brand new password").status_code == 302
    client.post("/logout")
    assert sign_in(client, "teacher@alpha.org").status_code == 422  # the old one is gone
    # single use
    assert client.get(path).status_code == 404
    assert client.post(path, data={"password": "another password!", "confirm": "another password!"}).status_code == 404


def test_reset_for_an_unknown_email_says_the_same_and_sends_nothing(client, tenants):
    response = client.post("/reset", data={"email": "stranger@nowhere.org"}, follow_redirects=True)
    assert b"If that address has an account" in response.data
    assert db.session.scalars(select(OutboxMessage)).all() == []


def test_expired_reset_link_is_refused(client, tenants):
    client.post("/reset", data={"email": "teacher@alpha.org"})
    path = _reset_link("teacher@alpha.org").split("nic.test", 1)[1]
    for reset in db.session.scalars(select(PasswordReset)):
        reset.expires_at = utcnow() - timedelta(seconds=1)
    db.session.flush()
    assert client.get(path).status_code == 404
    assert (
        client.post(path, data={"password": "a brand new password", "confirm": "a brand new password"}).status_code
        == 404
    )


def test_reset_with_a_short_password_names_the_field(client, tenants):
    client.post("/reset", data={"email": "teacher@alpha.org"})
    path = _reset_link("teacher@alpha.org").split("nic.test", 1)[1]
    response = client.post(path, data={"password": "short", "confirm": "short"})
    assert response.status_code == 200
    assert b"at least 10 characters" in response.data


def test_sign_in_returns_to_the_network_used_last(client, tenants, login_as):
    from tests import factories

    user = tenants.a.principal.user
    factories.make_member(tenants.b.network, "member", user=user)
    db.session.commit()
    assert sign_in(client, user.email).headers["Location"].endswith("/n/alpha/")  # joined first
    client.get("/n/beta/")
    client.post("/logout")
    assert sign_in(client, user.email).headers["Location"].endswith("/n/beta/")
