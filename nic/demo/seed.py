"""`nic demo`: a believable network to click through. Idempotent: a second run only
prints the logins. Later features add their own demo data in their own functions."""

from __future__ import annotations

import unicodedata

from sqlalchemy import select

from nic.demo import artifacts as demo_artifacts
from nic.demo import assessments as demo_assessments
from nic.demo import cycles as demo_cycles
from nic.demo import measures as demo_measures
from nic.demo import rollups as demo_rollups
from nic.demo import theory as demo_theory
from nic.extensions import db
from nic.models import Membership, School, User
from nic.services.accounts import accounts, networks
from nic.services.rollups import rollups
from nic.tenancy import use_network
from nic.transaction import commit

DEMO_PASSWORD = "nic-demo-2026"
DEMO_SLUG = "on-track"

SCHOOLS = [
    "Eastside High School",
    "Riverside Academy",
    "Lincoln Early College High",
    "Harbor View High School",
    "Maple Grove Secondary",
    "César Chávez High School",
]
FIRST = [
    "Maya",
    "Daniel",
    "Priya",
    "Marcus",
    "Elena",
    "Samuel",
    "Aisha",
    "Tomás",
    "Grace",
    "Jamal",
    "Lucía",
    "Owen",
    "Naledi",
    "Ben",
    "Hannah",
    "Kenji",
    "Rosa",
    "Isaac",
    "Fatima",
    "Leo",
    "Chloe",
    "Andre",
    "Mei",
    "Victor",
    "Zoe",
    "Kwame",
    "Ines",
    "Patrick",
    "Amara",
    "Jonah",
]
LAST = [
    "Okafor",
    "Lindqvist",
    "Raman",
    "Bell",
    "Vasquez",
    "Cho",
    "Haddad",
    "Moreno",
    "Park",
    "Wright",
    "Fernández",
    "Doyle",
    "Mokoena",
    "Adler",
    "Schultz",
    "Tanaka",
    "Alvarez",
    "Levi",
    "Rahman",
    "Costa",
    "Dubois",
    "Greene",
    "Lin",
    "Petrov",
    "Nakamura",
    "Mensah",
    "Silva",
    "Brennan",
    "Diallo",
    "Katz",
]


def _ascii(text: str) -> str:
    """Lucía Fernández -> lucia.fernandez: strip accents rather than drop the letters."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def _people():
    """(email, name, role, school index or None): 2 facilitators, a principal and two
    teacher leaders per school, and 10 members: 30 people."""
    people = []
    names = iter(zip(FIRST, LAST))

    def person(role, school):
        first, last = next(names)
        email = _ascii(f"{first.lower()}.{last.lower()}@demo.nic")
        people.append((email, f"{first} {last}", role, school))

    person("facilitator", None)
    person("facilitator", None)
    for index in range(len(SCHOOLS)):
        person("principal", index)
        person("teacher_leader", index)
        person("teacher_leader", index)
    for index in range(10):
        person("member", index % len(SCHOOLS))
    return people


def seed_demo() -> list[str]:
    network = networks.network_by_slug(DEMO_SLUG)
    if network is None:
        network = networks.create_network(DEMO_SLUG, "Ninth Grade On-Track Network")
        with use_network(network):
            _seed_people(network)
        _seed_second_network()
    else:
        _seed_assessments_if_missing(network)
    return _logins(network)


def _seed_people(network) -> None:
    schools = [networks.create_school(name) for name in SCHOOLS]
    facilitator = None
    for email, name, role, school_index in _people():
        user = accounts.new_user(email, name, DEMO_PASSWORD)
        school_id = schools[school_index].id if school_index is not None else None
        networks.add_member(user, role, school_id)
        facilitator = facilitator or user
    commit()
    demo_theory.seed_theory(facilitator)
    demo_cycles.seed_teams(schools)
    demo_cycles.seed_cycles(schools)
    demo_cycles.seed_discussion(facilitator.id)
    demo_measures.seed_measures(network, schools, facilitator)
    commit()
    demo_artifacts.seed_artifacts(network, schools)  # uploads through the library service, which commits
    demo_assessments.seed_assessments(schools, _membership(facilitator))
    demo_rollups.seed_rollups(schools)  # last: the dashboard's first snapshot covers everything above


def _membership(user) -> Membership:
    return db.session.scalar(select(Membership).where(Membership.user_id == user.id))


def _seed_assessments_if_missing(network) -> None:
    """A demo seeded before self-assessments existed gains them (and a roll-up that
    includes them) on the next `nic demo`; otherwise nothing happens."""
    with use_network(network):
        schools = list(db.session.scalars(select(School).order_by(School.id)))
        facilitator = db.session.scalar(
            select(Membership).where(Membership.role == "facilitator").order_by(Membership.id).limit(1)
        )
        if facilitator is not None and demo_assessments.seed_assessments(schools, facilitator):
            rollups.compute()
            commit()


def _seed_second_network() -> None:
    """A second, smaller network so the switcher and the tenancy boundary show: the
    first facilitator belongs to both; nobody else crosses."""
    other = networks.create_network("middle-literacy", "Middle Grades Literacy NIC")
    facilitator = accounts.find_user_by_email(_people()[0][0])
    with use_network(other):
        north = networks.create_school("Northgate Middle School")
        networks.create_school("Westfield Middle School")
        networks.add_member(facilitator, "facilitator")
        principal = accounts.new_user("ruth.abara@demo.nic", "Ruth Abara", DEMO_PASSWORD)
        networks.add_member(principal, "principal", north.id)
        commit()


def _logins(network) -> list[str]:
    with use_network(network):
        rows = db.session.execute(
            select(User.email, Membership.role).join(Membership, Membership.user_id == User.id).order_by(Membership.id)
        ).all()
    shown, lines = (
        set(),
        [f"Demo network: {network.name} (/n/{network.slug}/)", f"Password for every demo login: {DEMO_PASSWORD}"],
    )
    for email, role in rows:
        if role not in shown:
            shown.add(role)
            lines.append(f"  {role:<15} {email}")
    lines.append("  (and ruth.abara@demo.nic, principal in a second network, /n/middle-literacy/)")
    return lines
