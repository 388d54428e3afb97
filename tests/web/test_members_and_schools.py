"""Facilitators manage the schools and members of their network; others may look."""

from sqlalchemy import select

from nic.extensions import db
from nic.models import Membership, School
from nic.tenancy import use_network


def schools_of(network):
    with use_network(network):
        return set(db.session.scalars(select(School.name)))


def test_facilitator_adds_and_renames_a_school(client, tenants, login_as):
    login_as(tenants.a.facilitator.user)
    assert client.post("/n/alpha/schools", data={"name": "Lakeside High"}).status_code == 302
    with use_network(tenants.a.network):
        lakeside = db.session.scalar(select(School).where(School.name == "Lakeside High"))
    assert client.post(f"/n/alpha/schools/{lakeside.id}", data={"name": "Lakeside Early College"}).status_code == 302
    assert "Lakeside Early College" in schools_of(tenants.a.network)
    page = client.get("/n/alpha/schools")
    assert b"Lakeside Early College" in page.data


def test_duplicate_or_empty_school_name_is_a_field_error(client, tenants, login_as):
    login_as(tenants.a.facilitator.user)
    duplicate = client.post("/n/alpha/schools", data={"name": "alphaville high school"})
    assert duplicate.status_code == 422 and b"already in the network" in duplicate.data
    empty = client.post("/n/alpha/schools", data={"name": "  "})
    assert empty.status_code == 422
    assert len(schools_of(tenants.a.network)) == 2


def test_same_school_name_in_two_networks_is_fine(client, tenants, login_as):
    login_as(tenants.a.facilitator.user)
    assert client.post("/n/alpha/schools", data={"name": "Betatown High School"}).status_code == 302


def test_principal_cannot_manage_schools_or_members(client, tenants, login_as):
    login_as(tenants.a.principal.user)
    assert client.post("/n/alpha/schools", data={"name": "Sneaky"}).status_code == 403
    assert client.post(f"/n/alpha/members/{tenants.a.member.id}", data={"role": "principal"}).status_code == 403
    assert client.post(f"/n/alpha/members/{tenants.a.member.id}/remove").status_code == 403


def test_facilitator_changes_role_and_school(client, tenants, login_as):
    login_as(tenants.a.facilitator.user)
    school = tenants.a.schools[1]
    response = client.post(
        f"/n/alpha/members/{tenants.a.member.id}", data={"role": "teacher_leader", "school": str(school.id)}
    )
    assert response.status_code == 302
    with use_network(tenants.a.network):
        membership = db.session.scalar(select(Membership).where(Membership.id == tenants.a.member.id))
    assert (membership.role, membership.school_id) == ("teacher_leader", school.id)


def test_invalid_change_says_why_and_changes_nothing(client, tenants, login_as):
    login_as(tenants.a.facilitator.user)
    response = client.post(
        f"/n/alpha/members/{tenants.a.member.id}", data={"role": "principal", "school": ""}, follow_redirects=True
    )
    assert b"is required for a principal" in response.data
    with use_network(tenants.a.network):
        assert db.session.scalar(select(Membership.role).where(Membership.id == tenants.a.member.id)) == "member"


def test_remove_a_member_but_never_the_last_facilitator(client, tenants, login_as):
    login_as(tenants.a.facilitator.user)
    assert client.post(f"/n/alpha/members/{tenants.a.member.id}/remove").status_code == 302
    last = client.post(f"/n/alpha/members/{tenants.a.facilitator.id}/remove", follow_redirects=True)
    assert b"at least one facilitator" in last.data
    with use_network(tenants.a.network):
        remaining = set(db.session.scalars(select(Membership.role)))
    assert "member" not in remaining and "facilitator" in remaining


def test_network_home_shows_schools_and_people(client, tenants, login_as):
    login_as(tenants.a.teacher_leader.user)
    page = client.get("/n/alpha/").get_data(as_text=True)
    assert "Alphaville High School" in page and "Alphaville Facilitator" in page
    assert "Betatown" not in page


def test_switcher_lists_only_my_networks(client, tenants, login_as):
    from tests import factories

    user = tenants.a.principal.user
    factories.make_member(tenants.b.network, "member", tenants.b.schools[0], user=user)
    db.session.commit()
    login_as(user)
    page = client.get("/n/alpha/").get_data(as_text=True)
    assert "/n/beta/" in page  # the switcher offers the second network
    assert client.get("/n/beta/").status_code == 200
    login_as(tenants.a.member.user)
    assert "/n/beta/" not in client.get("/n/alpha/").get_data(as_text=True)


def test_members_are_paginated(client, tenants, login_as, monkeypatch):
    from nic.web.networks import views
    from tests import factories

    monkeypatch.setattr(views, "MEMBERS_PER_PAGE", 3)
    for n in range(4):
        factories.make_member(tenants.a.network, "member", tenants.a.schools[1], factories.make_user(name=f"Zed {n}"))
    db.session.commit()
    login_as(tenants.a.facilitator.user)
    first = client.get("/n/alpha/members").get_data(as_text=True)
    assert "1–3 of 8" in first and 'rel="next"' in first and "Zed 3" not in first
    last = client.get("/n/alpha/members?page=3").get_data(as_text=True)
    assert "7–8 of 8" in last and "Zed 3" in last and 'rel="next"' not in last


def test_facilitator_sets_the_pooled_reporting_threshold(client, tenants, login_as):
    login_as(tenants.a.facilitator.user)
    page = client.get("/n/alpha/schools").get_data(as_text=True)
    assert "Schools needed for a pooled period (%)" in page and 'value="80"' in page
    saved = client.post("/n/alpha/settings/reporting", data={"reporting_threshold": "90"})
    assert saved.status_code == 302 and saved.headers["Location"].endswith("/n/alpha/schools#reporting")
    db.session.refresh(tenants.a.network)
    assert tenants.a.network.reporting_threshold == 90
    for bad in ("49", "101", "most", ""):
        refused = client.post("/n/alpha/settings/reporting", data={"reporting_threshold": bad})
        assert refused.status_code == 422, bad
        assert b"Reporting threshold" in refused.data or b"must be" in refused.data
        db.session.refresh(tenants.a.network)
        assert tenants.a.network.reporting_threshold == 90  # nothing written
    db.session.refresh(tenants.b.network)
    assert tenants.b.network.reporting_threshold == 80  # the other network's own setting


def test_only_facilitators_set_the_threshold(client, tenants, login_as):
    login_as(tenants.a.principal.user)
    assert client.post("/n/alpha/settings/reporting", data={"reporting_threshold": "60"}).status_code == 403
    assert "Schools needed for a pooled period" not in client.get("/n/alpha/schools").get_data(as_text=True)
    db.session.refresh(tenants.a.network)
    assert tenants.a.network.reporting_threshold == 80
