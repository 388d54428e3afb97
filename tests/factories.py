"""Factories that build through the models directly (fast, explicit), inside a network
made current with use_network, the same way the product scopes its writes."""
from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import timedelta

from nic.extensions import db
from nic.models import ApiToken, Invitation, Membership, Network, School, User, utcnow
from nic.services import passwords
from nic.services.secrets import digest, new_token
from nic.tenancy import use_network

PASSWORD = "correct horse battery"
_counter = itertools.count(1)


def make_network(slug: str | None = None, name: str | None = None) -> Network:
    n = next(_counter)
    network = Network(slug=slug or f"net-{n}", name=name or f"Network {n}")
    db.session.add(network)
    db.session.flush()
    return network


def make_school(network: Network, name: str | None = None) -> School:
    with use_network(network):
        school = School(name=name or f"School {next(_counter)}")
        db.session.add(school)
        db.session.flush()
    return school


def make_user(email: str | None = None, name: str | None = None, password: str = PASSWORD) -> User:
    n = next(_counter)
    user = User(email=email or f"person{n}@example.org", name=name or f"Person {n}",
                password_hash=passwords.hash_password(password))
    db.session.add(user)
    db.session.flush()
    return user


def make_member(network: Network, role: str, school: School | None = None, user: User | None = None) -> Membership:
    user = user or make_user()
    with use_network(network):
        membership = Membership(user_id=user.id, role=role, school_id=school.id if school else None)
        db.session.add(membership)
        db.session.flush()
    return membership


def make_invitation(network: Network, inviter: User, email: str | None = None, role: str = "principal",
                    school: School | None = None, expires_in: timedelta = timedelta(days=3)) -> tuple[Invitation, str]:
    token = new_token()
    with use_network(network):
        invitation = Invitation(
            email=email or f"invitee{next(_counter)}@example.org", role=role,
            school_id=school.id if school else None, token_hash=digest(token),
            invited_by_id=inviter.id, expires_at=utcnow() + expires_in,
        )
        db.session.add(invitation)
        db.session.flush()
    return invitation, token


def make_token(user: User) -> tuple[ApiToken, str]:
    secret = new_token("nic_")
    token = ApiToken(user_id=user.id, name="test", prefix=secret[:12], token_hash=digest(secret))
    db.session.add(token)
    db.session.flush()
    return token, secret


@dataclass
class Tenant:
    network: Network
    schools: list[School]
    facilitator: Membership
    principal: Membership
    teacher_leader: Membership
    member: Membership
    invitation: Invitation
    invite_token: str
    api_token: ApiToken
    api_secret: str
    marker: str = field(default="")


def make_tenant(slug: str, label: str) -> Tenant:
    network = make_network(slug, f"{label} Network")
    schools = [make_school(network, f"{label} High School"), make_school(network, f"{label} Middle School")]
    facilitator = make_member(network, "facilitator", user=make_user(f"facilitator@{slug}.org", f"{label} Facilitator"))
    principal = make_member(network, "principal", schools[0], make_user(f"principal@{slug}.org", f"{label} Principal"))
    teacher = make_member(network, "teacher_leader", schools[0], make_user(f"teacher@{slug}.org", f"{label} Teacher"))
    member = make_member(network, "member", schools[1], make_user(f"member@{slug}.org", f"{label} Member"))
    invitation, invite_token = make_invitation(network, facilitator.user, f"invitee@{slug}.org", "teacher_leader", schools[1])
    api_token, api_secret = make_token(facilitator.user)
    return Tenant(network, schools, facilitator, principal, teacher, member, invitation, invite_token,
                  api_token, api_secret, marker=label)


@dataclass
class TwoNetworks:
    a: Tenant
    b: Tenant


def two_networks() -> TwoNetworks:
    return TwoNetworks(a=make_tenant("alpha", "Alphaville"), b=make_tenant("beta", "Betatown"))
