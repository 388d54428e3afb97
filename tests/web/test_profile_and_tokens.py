"""The profile page: name, password, personal API tokens (shown once, stored hashed)."""

import re

from sqlalchemy import select

from nic.extensions import db
from nic.models import ApiToken
from nic.services.accounts.secrets import digest
from tests.factories import PASSWORD


def test_create_use_and_revoke_a_token(client, tenants, login_as):
    login_as(tenants.a.teacher_leader.user)
    response = client.post("/profile/tokens", data={"name": "district sync"})
    assert response.status_code == 201
    secret = re.search(r'id="new-token"[^>]*>\s*(nic_[A-Za-z0-9_-]+)', response.get_data(as_text=True)).group(1)
    stored = db.session.scalar(select(ApiToken).where(ApiToken.name == "district sync"))
    assert stored.token_hash == digest(secret) and secret not in stored.token_hash
    assert secret not in client.get("/profile/").get_data(as_text=True)  # shown once only

    api = client.application.test_client()
    assert api.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 200
    assert client.post(f"/profile/tokens/{stored.id}/revoke").status_code == 302
    assert api.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 401


def test_token_needs_a_name(client, tenants, login_as):
    login_as(tenants.a.teacher_leader.user)
    response = client.post("/profile/tokens", data={"name": ""})
    assert response.status_code == 422
    assert db.session.scalars(select(ApiToken).where(ApiToken.user_id == tenants.a.teacher_leader.user_id)).all() == []


def test_cannot_revoke_someone_elses_token(client, tenants, login_as):
    login_as(tenants.a.teacher_leader.user)
    assert client.post(f"/profile/tokens/{tenants.a.api_token.id}/revoke").status_code == 404
    assert db.session.get(ApiToken, tenants.a.api_token.id).revoked_at is None


def test_rename_and_change_password(client, tenants, login_as):
    login_as(tenants.a.member.user)
    assert client.post("/profile/", data={"name": "  Renamed   Person "}).status_code == 302
    assert tenants.a.member.user.name == "Renamed Person"
    wrong = client.post(
        "/profile/password",
        data={"current_password": "nope", "new_password": "another long one", "confirm": "another long one"},
    )
    assert wrong.status_code == 422 and b"is not your current password" in wrong.data
    ok = client.post(
        "/profile/password",
        data={"current_password": PASSWORD, "new_password": "another long one", "confirm": "another long one"},
    )
    assert ok.status_code == 302
    client.post("/logout")
    assert client.post("/login", data={"email": "member@alpha.org", "password": "another long one"}).status_code == 302
