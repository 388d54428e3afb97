"""A facilitator invites people by email; the link is single-use and expires; accepting
creates the account and the membership together, or neither."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import func, select

from nic.clock import utcnow
from nic.extensions import db
from nic.models import Invitation, Membership, OutboxMessage, User
from nic.tenancy import UNSCOPED, use_network
from tests import factories


def invite(client, email="new.principal@example.org", role="principal", school=""):
    return client.post("/n/alpha/members/invite", data={"email": email, "role": role, "school": school})


def link_for(email) -> str:
    message = db.session.scalars(select(OutboxMessage).where(OutboxMessage.to_address == email)).all()[-1]
    return re.search(r"https?://nic\.test(/invite/\S+)", message.body_text).group(1)


def count(model, **where):
    stmt = select(func.count()).select_from(model).execution_options(**UNSCOPED)
    for name, value in where.items():
        stmt = stmt.where(getattr(model, name) == value)
    return db.session.scalar(stmt)


def test_facilitator_invites_and_the_invitee_joins(client, tenants, login_as):
    login_as(tenants.a.facilitator.user)
    school_id = tenants.a.schools[0].id
    response = invite(client, school=str(school_id))
    assert response.status_code == 302
    message = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.to_address == "new.principal@example.org")
    ).one()
    assert "Alphaville Network" in message.subject + message.body_text
    path = link_for("new.principal@example.org")

    client.post("/logout")
    page = client.get(path)
    assert page.status_code == 200 and b"new.principal@example.org" in page.data
    response = client.post(
        path, data={"name": "Nadia Principal", "password": "a good long password", "confirm": "a good long password"}
    )
    assert response.status_code == 302 and response.headers["Location"].endswith("/n/alpha/")
    home = client.get("/n/alpha/")
    assert home.status_code == 200 and b"Alphaville Network" in home.data
    user = db.session.scalar(select(User).where(User.email == "new.principal@example.org"))
    with use_network(tenants.a.network):
        membership = db.session.scalar(select(Membership).where(Membership.user_id == user.id))
    assert (membership.role, membership.school_id, user.name) == ("principal", school_id, "Nadia Principal")


def test_the_link_is_single_use(client, tenants):
    path = f"/invite/{tenants.a.invite_token}"
    data = {"name": "First", "password": "a good long password", "confirm": "a good long password"}
    assert client.post(path, data=data).status_code == 302
    client.post("/logout")
    again = client.post(path, data={**data, "name": "Second"})
    assert again.status_code == 404 and b"invitation" in again.data
    assert count(User, email="invitee@alpha.org") == 1


def test_an_expired_link_is_refused_and_creates_nothing(client, tenants):
    with use_network(tenants.a.network):
        tenants.a.invitation.expires_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
    path = f"/invite/{tenants.a.invite_token}"
    assert client.get(path).status_code == 404
    response = client.post(
        path, data={"name": "Late", "password": "a good long password", "confirm": "a good long password"}
    )
    assert response.status_code == 404
    assert count(User, email="invitee@alpha.org") == 0


def test_a_withdrawn_invitation_cannot_be_used(client, tenants, login_as):
    login_as(tenants.a.facilitator.user)
    assert client.post(f"/n/alpha/invitations/{tenants.a.invitation.id}/revoke").status_code == 302
    client.post("/logout")
    assert client.get(f"/invite/{tenants.a.invite_token}").status_code == 404


def test_bad_password_on_accepting_names_the_field_and_keeps_the_link(client, tenants):
    path = f"/invite/{tenants.a.invite_token}"
    response = client.post(path, data={"name": "Short", "password": "short", "confirm": "short"})
    assert b"at least 10 characters" in response.data
    assert count(User, email="invitee@alpha.org") == 0
    assert count(Invitation, id=tenants.a.invitation.id, accepted_at=None) == 1
    ok = client.post(
        path, data={"name": "Now Right", "password": "a good long password", "confirm": "a good long password"}
    )
    assert ok.status_code == 302


def test_an_existing_user_joins_when_signed_in(client, tenants, login_as):
    user = tenants.b.principal.user
    _, token = factories.make_invitation(tenants.a.network, tenants.a.facilitator.user, user.email, "member")
    db.session.commit()
    path = f"/invite/{token}"
    signed_out = client.post(
        path, data={"name": "X", "password": "a good long password", "confirm": "a good long password"}
    )
    assert b"already exists" in signed_out.data
    login_as(user)
    assert client.post(path).status_code == 302
    assert count(Membership, user_id=user.id) == 2


def test_signed_in_as_someone_else_is_refused(client, tenants, login_as):
    login_as(tenants.a.member.user)
    response = client.post(f"/invite/{tenants.a.invite_token}")
    assert b"this invitation is for invitee@alpha.org" in response.data
    assert count(Invitation, id=tenants.a.invitation.id, accepted_at=None) == 1


def test_invite_form_errors_name_the_field(client, tenants, login_as):
    login_as(tenants.a.facilitator.user)
    bad_email = invite(client, email="not an email")
    assert bad_email.status_code == 422 and b"not a valid email address" in bad_email.data
    member_already = invite(client, email="teacher@alpha.org", role="member")
    assert b"already belongs to this network" in member_already.data
    no_school = invite(client, email="p@example.org", role="principal")
    assert b"is required for a principal" in no_school.data
    bad_role = invite(client, email="p@example.org", role="overlord")
    assert b"must be one of" in bad_role.data
    other_school = invite(client, email="p@example.org", role="principal", school=str(tenants.b.schools[0].id))
    assert b"is not a school of this network" in other_school.data
    facilitator_school = invite(client, email="f@example.org", role="facilitator", school=str(tenants.a.schools[0].id))
    assert b"must be empty for a facilitator" in facilitator_school.data
    assert count(Invitation, network_id=tenants.a.network.id) == 1  # only the fixture's


def test_only_facilitators_invite(client, tenants, login_as):
    login_as(tenants.a.principal.user)
    assert invite(client, email="x@example.org", role="member").status_code == 403
    assert client.get("/n/alpha/members").status_code == 200  # may still see who is in the network
