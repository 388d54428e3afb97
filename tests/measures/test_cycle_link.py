"""A cycle names the network measure its data feeds (`measure_id`; the words in
`plan_measure` stay as a fallback): through the worksheet form and the API's
`plan.measure_id`, kept in the cycle's history, shown on the measure's page, and
another network's measure refused."""

from tests.cycles.conftest import form_for, history_of, reload
from tests.measures.conftest import bearer


def test_the_worksheet_offers_the_networks_measures_and_saves_the_choice(client, a, b, login_as):
    login_as(a.teacher_leader.user)
    page = client.get(f"/n/alpha/cycles/{a.cycle.id}/edit").get_data(as_text=True)
    assert 'name="measure_id"' in page and a.measure.name in page and b.measure.name not in page
    response = client.post(
        f"/n/alpha/cycles/{a.cycle.id}/edit", data=form_for(reload(a, a.cycle.id), measure_id=str(a.measure.id))
    )
    assert response.status_code == 302
    assert reload(a, a.cycle.id).measure_id == a.measure.id
    assert history_of(a, a.cycle.id)[-1].fields["measure_id"] == {"old": None, "new": a.measure.id}
    shown = client.get(f"/n/alpha/measures/{a.measure.id}").get_data(as_text=True)
    assert a.cycle.title in shown  # the measure's page lists the cycles feeding it
    # a post without the field (an older page) leaves the link alone
    assert (
        client.post(
            f"/n/alpha/cycles/{a.cycle.id}/edit", data=form_for(reload(a, a.cycle.id), plan_who="Room 12")
        ).status_code
        == 302
    )
    assert reload(a, a.cycle.id).measure_id == a.measure.id
    # and choosing "none" unlinks it
    client.post(f"/n/alpha/cycles/{a.cycle.id}/edit", data=form_for(reload(a, a.cycle.id), measure_id=""))
    assert reload(a, a.cycle.id).measure_id is None


def test_the_new_cycle_form_takes_a_measure(client, a, login_as):
    login_as(a.teacher_leader.user)
    response = client.post(
        "/n/alpha/cycles/new",
        data={
            "title": "Warm calls",
            "owner_id": str(a.teacher_leader.user.id),
            "visibility": "school",
            "scale_unit": "students",
            "measure_id": str(a.measure.id),
        },
    )
    assert response.status_code == 302
    cycle_id = int(response.headers["Location"].rstrip("/").split("/")[-1])
    assert reload(a, cycle_id).measure_id == a.measure.id


def test_another_networks_measure_is_refused_in_the_form(client, a, b, login_as):
    login_as(a.teacher_leader.user)
    response = client.post(
        f"/n/alpha/cycles/{a.cycle.id}/edit", data=form_for(reload(a, a.cycle.id), measure_id=str(b.measure.id))
    )
    assert response.status_code == 422
    assert "is not a measure of this network" in response.get_data(as_text=True)
    assert b.marker not in response.get_data(as_text=True)
    assert reload(a, a.cycle.id).measure_id is None


def test_the_api_reads_and_writes_plan_measure_id(client, a, b):
    headers = bearer(a.teacher_leader.user)
    url = f"/api/v1/networks/alpha/cycles/{a.cycle.id}"
    body = client.get(url, headers=headers).get_json()
    assert body["plan"]["measure_id"] is None and body["plan"]["measure"] == ""
    response = client.patch(
        url,
        headers=headers,
        json={"version": body["version"], "plan": {"measure_id": a.measure.id, "measure": "weekly"}},
    )
    assert response.status_code == 200
    assert response.get_json()["plan"]["measure_id"] == a.measure.id
    assert response.get_json()["plan"]["measure"] == "weekly"
    version = response.get_json()["version"]
    refused = client.patch(url, headers=headers, json={"version": version, "plan": {"measure_id": b.measure.id}})
    assert refused.status_code == 404
    assert refused.get_json()["error"]["fields"] == {"plan.measure_id": "is not a measure of this network"}
    assert reload(a, a.cycle.id).measure_id == a.measure.id
    created = client.post(
        "/api/v1/networks/alpha/cycles",
        headers=headers,
        json={"title": "Linked from the start", "plan": {"measure_id": a.measure.id}},
    )
    assert created.status_code == 201 and created.get_json()["plan"]["measure_id"] == a.measure.id


def test_the_measure_page_lists_only_cycles_the_viewer_may_see(client, a, login_as):
    from sqlalchemy import update

    from nic.extensions import db
    from nic.models import Cycle
    from nic.tenancy import use_network

    with use_network(a.network):
        db.session.execute(
            update(Cycle).where(Cycle.id.in_([a.cycle.id, a.private_cycle.id])).values(measure_id=a.measure.id)
        )
        db.session.commit()
    login_as(a.member.user)  # another school: sees the shared cycle, not the private one
    page = client.get(f"/n/alpha/measures/{a.measure.id}").get_data(as_text=True)
    assert a.cycle.title in page and a.private_cycle.title not in page
    login_as(a.teacher_leader.user)
    page = client.get(f"/n/alpha/measures/{a.measure.id}").get_data(as_text=True)
    assert a.cycle.title in page and a.private_cycle.title in page


def test_a_ramp_keeps_the_measure_its_parent_feeds(tenants):
    from nic.services.cycles.cycles import start_next_cycle
    from nic.tenancy import use_network
    from tests import factories

    a = tenants.a
    parent = factories.make_cycle(
        a.schools[0], a.teacher_leader.user, phase="act", measure_id=a.measure.id, questions=[("Q", "P")]
    )
    with use_network(a.network):
        child = start_next_cycle(a.teacher_leader, parent.id, adapt=False)
        assert child.parent_id == parent.id and child.measure_id == a.measure.id
