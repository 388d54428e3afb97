"""Teams: everyone in the network sees them; principals manage their own school's teams,
facilitators any school's; every bad value is named and nothing half-written."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from nic.extensions import db
from nic.models import Cycle, Team
from nic.tenancy import UNSCOPED, get_scoped, use_network
from tests import factories


def teams_named(name: str) -> list[Team]:
    stmt = select(Team).where(func.lower(Team.name) == name.lower()).execution_options(**UNSCOPED)
    return list(db.session.scalars(stmt))


def team_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Team).execution_options(**UNSCOPED))


def create(client, school, name="Ninth grade PLC", kind="plc", members=()):
    return client.post(
        "/n/alpha/teams",
        data={
            "school_id": str(school.id) if hasattr(school, "id") else school,
            "name": name,
            "kind": kind,
            "members": [str(m) for m in members],
        },
    )


# --- looking ------------------------------------------------------------------------------------


def test_everyone_sees_the_teams_by_school(client, tenants, login_as):
    a = tenants.a
    factories.make_team(a.schools[1], "Grade nine team", kind="grade_level", members=[a.member.user])
    db.session.commit()
    login_as(a.member.user)
    response = client.get("/n/alpha/teams")
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Alphaville instructional leadership team" in body and "Grade nine team" in body
    assert "Instructional leadership team" in body and "Grade-level team" in body  # kinds, labelled
    assert "Alphaville Principal" in body and "Alphaville Member" in body  # members
    assert body.index("Alphaville High School") < body.index("Alphaville instructional leadership team")
    assert body.index("Alphaville Middle School") < body.index("Grade nine team")
    assert "Add a team" not in body and "/edit" not in body  # a member manages nothing
    assert f"/n/alpha/cycles?team_id={a.team.id}" in body  # the team's cycles, in the browse list
    assert "Betatown" not in body


def test_a_principal_is_offered_their_own_school_only(client, tenants, login_as):
    a = tenants.a
    login_as(a.principal.user)
    body = client.get("/n/alpha/teams").get_data(as_text=True)
    assert f"/n/alpha/teams/new?school_id={a.schools[0].id}" in body
    assert f"/n/alpha/teams/new?school_id={a.schools[1].id}" not in body
    assert f"/n/alpha/teams/{a.team.id}/edit" in body


# --- creating ------------------------------------------------------------------------------------


def test_a_principal_creates_a_team_in_their_school(client, tenants, login_as):
    a = tenants.a
    login_as(a.principal.user)
    form = client.get("/n/alpha/teams/new")  # one school: no need to choose
    assert form.status_code == 200 and "Alphaville Teacher" in form.get_data(as_text=True)
    assert "Alphaville Member" not in form.get_data(as_text=True)  # at the other school
    response = create(client, a.schools[0], members=[a.teacher_leader.user.id, a.principal.user.id])
    assert response.status_code == 302
    [team] = teams_named("Ninth grade PLC")
    assert (team.school_id, team.kind) == (a.schools[0].id, "plc")
    assert {u.id for u in team.members} == {a.teacher_leader.user.id, a.principal.user.id}


def test_a_facilitator_chooses_a_school_then_creates(client, tenants, login_as):
    a = tenants.a
    login_as(a.facilitator.user)
    choose = client.get("/n/alpha/teams/new").get_data(as_text=True)
    assert f"/n/alpha/teams/new?school_id={a.schools[1].id}" in choose
    form = client.get(f"/n/alpha/teams/new?school_id={a.schools[1].id}").get_data(as_text=True)
    assert "Alphaville Member" in form and "Alphaville Teacher" not in form
    assert create(client, a.schools[1], "Math department", "department", [a.member.user.id]).status_code == 302
    assert teams_named("Math department")[0].school_id == a.schools[1].id


def test_a_principal_may_not_create_in_another_school(client, tenants, login_as):
    a = tenants.a
    login_as(a.principal.user)
    assert client.get(f"/n/alpha/teams/new?school_id={a.schools[1].id}").status_code == 403
    assert create(client, a.schools[1], members=[a.member.user.id]).status_code == 403
    assert teams_named("Ninth grade PLC") == []


@pytest.mark.parametrize("role", ["teacher_leader", "member"])
def test_other_roles_may_not_manage_teams(client, tenants, login_as, role):
    a = tenants.a
    login_as(getattr(a, role).user)
    assert client.get("/n/alpha/teams/new").status_code == 403
    assert create(client, a.schools[0]).status_code == 403
    assert client.get(f"/n/alpha/teams/{a.team.id}/edit").status_code == 403
    assert client.post(f"/n/alpha/teams/{a.team.id}", data={"name": "Renamed", "kind": "ilt"}).status_code == 403
    assert client.post(f"/n/alpha/teams/{a.team.id}/delete").status_code == 403
    assert teams_named("Ninth grade PLC") == [] and teams_named("Renamed") == []
    assert teams_named(a.team.name)


@pytest.mark.parametrize(
    "data, field, message",
    [
        ({"name": ""}, "Team name", "is required"),
        ({"name": "x" * 201}, "Team name", "at most 200"),
        ({"name": "alphaville INSTRUCTIONAL leadership team"}, "Team name", "already has this name"),
        ({"kind": "club"}, "Kind of team", "must be one of"),
    ],
)
def test_bad_fields_are_named_and_nothing_is_written(client, tenants, login_as, data, field, message):
    a = tenants.a
    login_as(a.principal.user)
    before = team_count()
    response = client.post(
        "/n/alpha/teams", data={"school_id": a.schools[0].id, "name": "Fine name", "kind": "plc", **data}
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'<span class="field-error__name">{field}:</span> ' in body and message in body
    assert team_count() == before


def test_members_must_be_at_the_teams_school(client, tenants, login_as):
    a, b = tenants.a, tenants.b
    login_as(a.principal.user)
    before = team_count()
    for stranger in (a.member.user.id, a.facilitator.user.id, b.teacher_leader.user.id, "abc"):
        response = create(client, a.schools[0], members=[a.teacher_leader.user.id, stranger])
        body = response.get_data(as_text=True)
        assert response.status_code == 422, stranger
        assert '<span class="field-error__name">Members:</span>' in body
        assert "Betatown" not in body
    assert team_count() == before


def test_another_networks_school_is_not_found(client, tenants, login_as):
    a, b = tenants.a, tenants.b
    login_as(a.facilitator.user)
    before = team_count()
    assert create(client, b.schools[0]).status_code == 404
    assert create(client, "not-a-number").status_code == 404
    assert client.get(f"/n/alpha/teams/new?school_id={b.schools[0].id}").status_code == 404
    assert team_count() == before


# --- editing and removing ----------------------------------------------------------------------------


def test_a_principal_edits_their_schools_team(client, tenants, login_as):
    a = tenants.a
    login_as(a.principal.user)
    form = client.get(f"/n/alpha/teams/{a.team.id}/edit").get_data(as_text=True)
    assert 'value="Alphaville instructional leadership team"' in form
    for user in (a.principal.user, a.teacher_leader.user):  # today's members come ticked
        assert re.search(rf'<input checked id="members-\d+" name="members" type="checkbox" value="{user.id}">', form)
    response = client.post(
        f"/n/alpha/teams/{a.team.id}",
        data={"name": "Leadership team", "kind": "ilt", "members": [str(a.teacher_leader.user.id)]},
    )
    assert response.status_code == 302
    db.session.expire_all()
    with use_network(a.network):
        team = get_scoped(Team, a.team.id)
        assert (team.name, [u.id for u in team.members]) == ("Leadership team", [a.teacher_leader.user.id])


def test_an_edit_with_a_bad_member_changes_nothing(client, tenants, login_as):
    a = tenants.a
    login_as(a.principal.user)
    response = client.post(
        f"/n/alpha/teams/{a.team.id}", data={"name": "Renamed", "kind": "plc", "members": [str(a.member.user.id)]}
    )
    assert response.status_code == 422
    db.session.expire_all()
    with use_network(a.network):
        team = get_scoped(Team, a.team.id)
        assert team.name == "Alphaville instructional leadership team" and team.kind == "ilt"
        assert {u.id for u in team.members} == {a.principal.user.id, a.teacher_leader.user.id}


def test_another_schools_team_is_visible_but_not_editable(client, tenants, login_as):
    a = tenants.a
    other = factories.make_team(a.schools[1], "Grade nine team", members=[a.member.user])
    db.session.commit()
    login_as(a.principal.user)
    assert "Grade nine team" in client.get("/n/alpha/teams").get_data(as_text=True)
    assert client.get(f"/n/alpha/teams/{other.id}/edit").status_code == 403
    assert client.post(f"/n/alpha/teams/{other.id}", data={"name": "Mine now", "kind": "plc"}).status_code == 403
    assert client.post(f"/n/alpha/teams/{other.id}/delete").status_code == 403
    assert teams_named("Grade nine team") and not teams_named("Mine now")


def test_another_networks_team_is_not_found(client, tenants, login_as):
    a, b = tenants.a, tenants.b
    login_as(a.facilitator.user)
    assert client.get(f"/n/alpha/teams/{b.team.id}/edit").status_code == 404
    assert client.post(f"/n/alpha/teams/{b.team.id}", data={"name": "Taken", "kind": "plc"}).status_code == 404
    assert client.post(f"/n/alpha/teams/{b.team.id}/delete").status_code == 404
    assert teams_named(b.team.name) and not teams_named("Taken")


def test_removing_a_team_keeps_its_cycles(client, tenants, login_as):
    a = tenants.a
    login_as(a.facilitator.user)
    assert client.post(f"/n/alpha/teams/{a.team.id}/delete").status_code == 302
    assert teams_named(a.team.name) == []
    db.session.expire_all()
    with use_network(a.network):
        cycle = db.session.scalar(select(Cycle).where(Cycle.id == a.cycle.id))
        assert cycle is not None and cycle.team_id is None and cycle.school_id == a.schools[0].id
