"""Facilitators give schools a group on the Schools page; the dashboard filters by it."""

from __future__ import annotations

from nic.extensions import db
from nic.models import School
from nic.tenancy import use_network


def school_named(network, name):
    with use_network(network):
        return db.session.scalar(db.select(School).where(School.name == name))


def test_a_new_school_with_a_group(client, tenants, login_as):
    a = tenants.a
    login_as(a.facilitator.user)
    response = client.post(f"/n/{a.network.slug}/schools", data={"name": "Alphaville East", "group_name": "Cohort 2"})
    assert response.status_code == 302
    assert school_named(a.network, "Alphaville East").group_name == "Cohort 2"
    body = client.get(f"/n/{a.network.slug}/schools").get_data(as_text=True)
    assert "School group" in body and 'value="Cohort 2"' in body


def test_a_schools_group_is_changed_beside_its_name(client, tenants, login_as):
    a = tenants.a
    school = a.schools[1]
    login_as(a.facilitator.user)
    url = f"/n/{a.network.slug}/schools/{school.id}"
    assert client.post(url, data={"name": school.name, "group_name": "  Middle schools "}).status_code == 302
    assert school_named(a.network, school.name).group_name == "Middle schools"
    # a rename from a form without the field leaves the group alone
    client.post(url, data={"name": "Alphaville Middle"})
    assert school_named(a.network, "Alphaville Middle").group_name == "Middle schools"
    client.post(url, data={"name": "Alphaville Middle", "group_name": ""})
    assert school_named(a.network, "Alphaville Middle").group_name == ""


def test_a_too_long_group_is_refused(client, tenants, login_as):
    a = tenants.a
    login_as(a.facilitator.user)
    response = client.post(f"/n/{a.network.slug}/schools", data={"name": "Alphaville Long", "group_name": "x" * 101})
    assert response.status_code == 422
    assert school_named(a.network, "Alphaville Long") is None


def test_only_facilitators_set_groups(client, tenants, login_as):
    a = tenants.a
    login_as(a.principal.user)
    response = client.post(
        f"/n/{a.network.slug}/schools/{a.schools[0].id}", data={"name": a.schools[0].name, "group_name": "Mine"}
    )
    assert response.status_code == 403
