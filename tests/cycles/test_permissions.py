"""Who may see and change a cycle (nic.permissions): leads edit their own school's
cycles; co-authors edit the cycles they co-author; facilitators read what is shared and
edit nothing; a school-visible cycle does not exist for other schools."""

import pytest
from sqlalchemy import select

from nic.extensions import db
from nic.models import Cycle
from nic.tenancy import use_network
from tests.cycles.conftest import form_for, reload
from tests.factories import make_member, make_token


@pytest.fixture
def people(a):
    """Extra people in network a: a teacher leader at the other school, and two plain
    members at the cycles' school, one of them co-author of both fixture cycles."""
    other_lead = make_member(a.network, "teacher_leader", a.schools[1])
    coauthor = make_member(a.network, "member", a.schools[0])
    bystander = make_member(a.network, "member", a.schools[0])
    with use_network(a.network):
        for cycle_id in (a.cycle.id, a.private_cycle.id):
            db.session.scalar(select(Cycle).where(Cycle.id == cycle_id)).coauthors.append(coauthor.user)
        db.session.commit()
    return {"other_lead": other_lead, "coauthor": coauthor, "bystander": bystander}


def attempts(client, a, user, cycle_id):
    """Status of each way of reading and changing one cycle, in the browser and with a token."""
    _, secret = make_token(user)
    token = {"Authorization": f"Bearer {secret}"}
    api = f"/api/v1/networks/alpha/cycles/{cycle_id}"
    statuses = {
        "page": client.get(f"/n/alpha/cycles/{cycle_id}").status_code,
        "history": client.get(f"/n/alpha/cycles/{cycle_id}/history").status_code,
        "api_get": client.get(api, headers=token).status_code,
        "edit_page": client.get(f"/n/alpha/cycles/{cycle_id}/edit").status_code,
        "edit_save": client.post(
            f"/n/alpha/cycles/{cycle_id}/edit", data=form_for(reload(a, cycle_id), plan_who="Changed by test")
        ).status_code,
    }
    version = reload(a, cycle_id).version
    statuses["api_patch"] = client.patch(
        api, json={"version": version, "plan": {"who": "Patched"}}, headers=token
    ).status_code
    statuses["phase"] = client.post(f"/n/alpha/cycles/{cycle_id}/phase", data={"to": "do"}).status_code
    return statuses


def expect(page, edit):
    return {
        "page": page,
        "history": page,
        "api_get": page,
        "edit_page": edit[0],
        "edit_save": edit[1],
        "api_patch": edit[2],
        "phase": edit[3],
    }


ALLOWED = (200, 302, 200, 422)  # the phase move is refused for a missing objective: the role may try
FORBIDDEN = (403, 403, 403, 403)
HIDDEN = (404, 404, 404, 404)


@pytest.mark.parametrize(
    "who, shared, private",
    [
        ("teacher_leader", expect(200, ALLOWED), expect(200, ALLOWED)),
        ("principal", expect(200, ALLOWED), expect(200, ALLOWED)),
        ("facilitator", expect(200, FORBIDDEN), expect(404, HIDDEN)),
        ("other_lead", expect(200, FORBIDDEN), expect(404, HIDDEN)),
        ("coauthor", expect(200, ALLOWED), expect(200, ALLOWED)),
        ("bystander", expect(200, FORBIDDEN), expect(200, FORBIDDEN)),
        ("member", expect(200, FORBIDDEN), expect(404, HIDDEN)),  # a member at the other school
    ],
)
def test_permission_matrix(client, a, people, login_as, who, shared, private):
    membership = people.get(who) or getattr(a, who)
    login_as(membership.user)
    assert attempts(client, a, membership.user, a.cycle.id) == shared
    assert attempts(client, a, membership.user, a.private_cycle.id) == private


def test_edits_by_those_allowed_are_saved_and_others_change_nothing(client, a, people, login_as):
    login_as(people["coauthor"].user)
    client.post(f"/n/alpha/cycles/{a.cycle.id}/edit", data=form_for(reload(a, a.cycle.id), plan_who="Co-author"))
    assert reload(a, a.cycle.id).plan_who == "Co-author"
    for membership in (a.facilitator, people["other_lead"], people["bystander"]):
        login_as(membership.user)
        client.post(f"/n/alpha/cycles/{a.cycle.id}/edit", data=form_for(reload(a, a.cycle.id), plan_who="Intruder"))
        client.post(f"/n/alpha/cycles/{a.cycle.id}/delete")
    stored = reload(a, a.cycle.id)
    assert stored.plan_who == "Co-author" and stored.deleted_at is None


def test_only_school_leads_create_cycles(client, a, people, login_as):
    for membership, status in (
        (a.facilitator, 403),
        (a.member, 403),
        (people["coauthor"], 403),
        (a.principal, 200),
        (a.teacher_leader, 200),
    ):
        login_as(membership.user)
        assert client.get("/n/alpha/cycles/new").status_code == status
        _, secret = make_token(membership.user)
        response = client.post(
            "/api/v1/networks/alpha/cycles", json={"title": "Try this"}, headers={"Authorization": f"Bearer {secret}"}
        )
        assert response.status_code == (403 if status == 403 else 201)


def test_co_authors_cannot_delete_and_ramps_keep_them_on(client, a, people, login_as):
    login_as(people["coauthor"].user)
    assert client.post(f"/n/alpha/cycles/{a.cycle.id}/delete").status_code == 403
    _, secret = make_token(people["coauthor"].user)
    response = client.delete(
        f"/api/v1/networks/alpha/cycles/{a.cycle.id}", headers={"Authorization": f"Bearer {secret}"}
    )
    assert response.status_code == 403
    page = client.get(f"/n/alpha/cycles/{a.cycle.id}").get_data(as_text=True)
    assert "Edit worksheet" in page and "/delete" not in page


def test_facilitators_see_no_edit_controls(client, a, login_as):
    login_as(a.facilitator.user)
    page = client.get(f"/n/alpha/cycles/{a.cycle.id}").get_data(as_text=True)
    assert "Edit worksheet" not in page and "Move to Do" not in page and "/delete" not in page
    assert "History" in page


def test_another_networks_cycle_pages_are_404(client, a, b, login_as):
    login_as(a.principal.user)
    for cycle_id in (b.cycle.id, b.private_cycle.id):
        for path in ("", "/edit", "/history"):
            assert client.get(f"/n/alpha/cycles/{cycle_id}{path}").status_code == 404
        for path, data in (
            ("/phase", {"to": "do"}),
            ("/next", {"kind": "next"}),
            ("/delete", {}),
            ("/restore", {}),
            ("/edit", {"title": "x", "version": "1"}),
        ):
            assert client.post(f"/n/alpha/cycles/{cycle_id}{path}", data=data).status_code == 404
        assert b.marker not in client.get(f"/n/alpha/cycles/{cycle_id}").get_data(as_text=True)
    stored = reload(b, b.cycle.id)
    assert stored.title == b.cycle.title and stored.phase == "plan" and stored.deleted_at is None


def test_another_networks_ids_in_a_form_write_nothing(client, a, b, login_as):
    from tests.cycles.conftest import cycle_count

    login_as(a.teacher_leader.user)
    before = cycle_count()
    for field, value in (
        ("change_idea_id", b.change_idea.id),
        ("team_id", b.team.id),
        ("owner_id", b.teacher_leader.user.id),
    ):
        response = client.post(
            "/n/alpha/cycles/new",
            data={
                "title": "Sneaky",
                "owner_id": str(a.teacher_leader.user.id),
                "visibility": "school",
                "scale_unit": "students",
                field: str(value),
            },
        )
        assert response.status_code == 422, field
        assert b.marker not in response.get_data(as_text=True)
    assert cycle_count() == before
    cycle = reload(a, a.cycle.id)
    response = client.post(
        f"/n/alpha/cycles/{cycle.id}/edit", data=form_for(cycle, change_idea_id=str(b.change_idea.id))
    )
    assert response.status_code == 422 and reload(a, a.cycle.id).change_idea_id == a.change_idea.id
