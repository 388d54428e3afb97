"""The theory pages: facilitators edit, everyone reads and proposes, and the diagram is a
real drawing with a link per box and a line per link."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from nic.extensions import db
from nic.models import Aim, ChangeIdea, DiagramRevision, Driver
from nic.services.theory import theory
from nic.tenancy import use_network
from tests.theory.svg import read_diagram


def count(model, *where):
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_empty_network_shows_how_to_start(client, tenants, login_as):
    a = tenants.a
    with use_network(a.network):
        db.session.execute(db.delete(DiagramRevision))
        db.session.execute(db.delete(ChangeIdea))
        db.session.execute(db.delete(Aim))
    login_as(a.facilitator.user)
    page = client.get("/n/alpha/theory/").get_data(as_text=True)
    assert "No aim yet" in page and "Write the aim" in page
    login_as(a.teacher_leader.user)
    page = client.get("/n/alpha/theory/").get_data(as_text=True)
    assert "No aim yet" in page and "Write the aim" not in page


def test_facilitator_writes_an_aim_and_builds_the_diagram(client, tenants, login_as):
    a = tenants.a
    login_as(a.facilitator.user)
    response = client.post(
        "/n/alpha/theory/aims",
        data={
            "statement": "Chronic absence falls from 22% to 12% by June 2027",
            "population": "all students",
            "measure_label": "chronically absent",
            "baseline": "22",
            "target": "12",
            "unit": "%",
            "due_date": "2027-06-30",
        },
    )
    assert response.status_code == 302
    aim_url = response.headers["Location"]
    aim_id = int(aim_url.rsplit("/", 1)[1])
    first = client.post(f"/n/alpha/theory/aims/{aim_id}/drivers", data={"kind": "primary", "title": "Belonging"})
    assert first.status_code == 302
    with use_network(a.network):
        belonging = db.session.scalar(select(Driver).where(Driver.aim_id == aim_id))
    second = client.post(
        f"/n/alpha/theory/aims/{aim_id}/drivers",
        data={"kind": "secondary", "title": "Greeting at the door", "parent_ids": [str(belonging.id)]},
    )
    assert second.status_code == 302
    page = client.get(aim_url).get_data(as_text=True)
    assert "Chronic absence falls" in page and "Greeting at the door" in page
    revisions = client.get(f"/n/alpha/theory/aims/{aim_id}/revisions").get_data(as_text=True)
    assert "Added secondary driver “Greeting at the door”" in revisions and a.facilitator.user.name in revisions


def test_bad_input_is_shown_next_to_the_fields_and_nothing_is_written(client, tenants, login_as):
    a = tenants.a
    login_as(a.facilitator.user)
    response = client.post("/n/alpha/theory/aims", data={"statement": "", "baseline": "many"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Aim statement:</span> is required" in page and "Baseline:</span> must be a number" in page
    response = client.post(f"/n/alpha/theory/aims/{a.aim.id}/drivers", data={"kind": "secondary", "title": "Orphan"})
    assert response.status_code == 422 and "choose at least one driver" in response.get_data(as_text=True)
    loop = client.post(
        f"/n/alpha/theory/drivers/{a.primary_driver.id}",
        data={"kind": "secondary", "title": "Looped", "parent_ids": [str(a.secondary_driver.id)]},
    )
    assert loop.status_code == 422 and "would make a loop" in loop.get_data(as_text=True)
    with use_network(a.network):
        assert count(Aim) == 1 and count(Driver) == 2
        assert db.session.scalar(select(Driver.title).where(Driver.id == a.primary_driver.id)) != "Looped"


@pytest.mark.parametrize("role", ["principal", "teacher_leader", "member"])
def test_only_facilitators_edit_the_theory(client, tenants, login_as, role):
    a = tenants.a
    login_as(getattr(a, role).user)
    attempts = [
        ("get", "/n/alpha/theory/aims/new", {}),
        ("post", "/n/alpha/theory/aims", {"statement": "Mine"}),
        ("get", f"/n/alpha/theory/aims/{a.aim.id}/edit", {}),
        ("post", f"/n/alpha/theory/aims/{a.aim.id}", {"statement": "Mine"}),
        ("post", f"/n/alpha/theory/aims/{a.aim.id}/drivers", {"kind": "primary", "title": "Mine"}),
        ("post", f"/n/alpha/theory/drivers/{a.primary_driver.id}", {"kind": "primary", "title": "Mine"}),
        ("post", f"/n/alpha/theory/drivers/{a.primary_driver.id}/delete", {}),
        ("post", f"/n/alpha/change-ideas/{a.change_idea.id}", {"title": "Mine"}),
        ("post", f"/n/alpha/change-ideas/{a.change_idea.id}/decision", {"decision": "declined"}),
        ("post", f"/n/alpha/change-ideas/{a.change_idea.id}/status", {"status": "retired"}),
    ]
    for method, url, data in attempts:
        assert getattr(client, method)(url, data=data).status_code == 403, url
    page = client.get(f"/n/alpha/theory/aims/{a.aim.id}").get_data(as_text=True)
    assert "Add a driver" not in page and "Edit the aim" not in page and "Propose a change idea" in page
    with use_network(a.network):
        assert count(Aim, Aim.statement == "Mine") == 0 and count(Driver) == 2
        assert db.session.scalar(select(ChangeIdea.status).where(ChangeIdea.id == a.change_idea.id)) == "accepted"


def test_anyone_proposes_from_the_aim_page(client, tenants, login_as):
    a = tenants.a
    login_as(a.member.user)
    response = client.post(
        "/n/alpha/change-ideas",
        data={
            "title": "Lunch mentors",
            "description": "Older students *eat with* ninth graders.",
            "aim_id": str(a.aim.id),
            "driver_ids": [str(a.primary_driver.id)],
        },
    )
    assert response.status_code == 302
    with use_network(a.network):
        idea = db.session.scalar(select(ChangeIdea).where(ChangeIdea.title == "Lunch mentors"))
        assert (idea.status, idea.aim_id, idea.proposed_by_id) == ("proposed", a.aim.id, a.member.user.id)
        assert [d.id for d in idea.drivers] == [a.primary_driver.id]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "<em>eat with</em>" in page and "Proposed" in page
    bad = client.post("/n/alpha/change-ideas", data={"title": "", "aim_id": str(a.aim.id)})
    assert bad.status_code == 422 and "Title:</span> is required" in bad.get_data(as_text=True)


def test_facilitator_accepts_declines_and_moves_status(client, tenants, login_as):
    a = tenants.a
    with use_network(a.network):
        from nic.services.theory import ideas as theory_ideas

        idea = theory_ideas.propose({"title": "Exit tickets"}, a.member.user)
    login_as(a.facilitator.user)
    assert (
        client.post(
            f"/n/alpha/change-ideas/{idea.id}/decision", data={"decision": "accepted", "decision_note": "Worth a try"}
        ).status_code
        == 302
    )
    assert client.post(f"/n/alpha/change-ideas/{idea.id}/status", data={"status": "testing"}).status_code == 302
    bad = client.post(f"/n/alpha/change-ideas/{idea.id}/status", data={"status": "done"}, follow_redirects=True)
    assert "Status not changed: status: must be one of" in bad.get_data(as_text=True)
    page = client.get(f"/n/alpha/change-ideas/{idea.id}").get_data(as_text=True)
    assert "Worth a try" in page and a.facilitator.user.name in page
    with use_network(a.network):
        db.session.expire_all()
        idea = db.session.scalar(select(ChangeIdea).where(ChangeIdea.id == idea.id))
        assert (idea.status, idea.decided_by_id) == ("testing", a.facilitator.user.id)


def test_the_diagram_has_a_link_per_box_and_a_line_per_link(client, tenants, login_as):
    a = tenants.a
    with use_network(a.network):
        other = theory.create_driver(a.aim.id, {"kind": "primary", "title": "Grades watched weekly"}, None)
        both = theory.create_driver(
            a.aim.id,
            {"kind": "secondary", "title": "Shared <advisory> & more", "parent_ids": [a.primary_driver.id, other.id]},
            None,
        )
        from nic.services.theory import ideas as theory_ideas

        theory_ideas.update(a.change_idea.id, {"driver_ids": [a.secondary_driver.id, both.id]}, None)
        declined = theory_ideas.propose({"title": "Saturday school", "driver_ids": [other.id]}, None)
        theory_ideas.decide(declined.id, "declined", "", None)
    login_as(a.principal.user)
    html = client.get(f"/n/alpha/theory/aims/{a.aim.id}").get_data(as_text=True)
    diagram = read_diagram(html)
    assert diagram.svgs == 1
    keys = {link["data-key"] for link in diagram.links}
    assert keys == {
        f"aim-{a.aim.id}",
        f"driver-{a.primary_driver.id}",
        f"driver-{other.id}",
        f"driver-{a.secondary_driver.id}",
        f"driver-{both.id}",
        f"idea-{a.change_idea.id}",
    }
    hrefs = {link["data-key"]: link["href"] for link in diagram.links}
    assert hrefs[f"driver-{both.id}"] == f"/n/alpha/theory/drivers/{both.id}"
    assert hrefs[f"idea-{a.change_idea.id}"] == f"/n/alpha/change-ideas/{a.change_idea.id}"
    labels = {link["data-key"]: link["aria-label"] for link in diagram.links}
    assert labels[f"driver-{both.id}"] == "Secondary driver: Shared <advisory> & more"  # escaped in the page
    assert "Shared &lt;advisory&gt; &amp; more" in html
    # aim -> 2 primaries, 3 parent lines (one secondary has two parents), idea -> 2 drivers
    assert sorted(diagram.edges) == sorted(
        [
            (f"aim-{a.aim.id}", f"driver-{a.primary_driver.id}"),
            (f"aim-{a.aim.id}", f"driver-{other.id}"),
            (f"driver-{a.primary_driver.id}", f"driver-{a.secondary_driver.id}"),
            (f"driver-{a.primary_driver.id}", f"driver-{both.id}"),
            (f"driver-{other.id}", f"driver-{both.id}"),
            (f"driver-{a.secondary_driver.id}", f"idea-{a.change_idea.id}"),
            (f"driver-{both.id}", f"idea-{a.change_idea.id}"),
        ]
    )
    assert "Show 1 declined or retired change idea" in html
    shown = read_diagram(client.get(f"/n/alpha/theory/aims/{a.aim.id}?closed=1").get_data(as_text=True))
    assert f"idea-{declined.id}" in {link["data-key"] for link in shown.links}
    muted = next(link for link in shown.links if link["data-key"] == f"idea-{declined.id}")
    assert "dg-box--muted" in muted["class"] and len(shown.edges) == 8


def test_as_of_shows_the_latest_revision_at_or_before_the_date(client, tenants, login_as):
    a = tenants.a
    with use_network(a.network):
        a.revision.created_at = datetime(2026, 9, 1, 12, tzinfo=UTC)
        later = theory.create_driver(a.aim.id, {"kind": "primary", "title": "October driver"}, a.facilitator.user)
        revision = db.session.scalar(select(DiagramRevision).order_by(DiagramRevision.id.desc()).limit(1))
        revision.created_at = datetime(2026, 10, 2, 9, tzinfo=UTC)
        db.session.commit()
    login_as(a.teacher_leader.user)
    september = client.get(f"/n/alpha/theory/aims/{a.aim.id}?as_of=2026-09-30").get_data(as_text=True)
    assert "You are looking at the past" in september and "Initial diagram" in september
    assert f"driver-{later.id}" not in {link["data-key"] for link in read_diagram(september).links}
    october = client.get(f"/n/alpha/theory/aims/{a.aim.id}?as_of=2026-10-02").get_data(as_text=True)
    assert f"driver-{later.id}" in {link["data-key"] for link in read_diagram(october).links}
    before = client.get(f"/n/alpha/theory/aims/{a.aim.id}?as_of=2026-08-31").get_data(as_text=True)
    assert "No diagram saved by then" in before and "31 August 2026" in before
    assert read_diagram(before).svgs == 0
    bad = client.get(f"/n/alpha/theory/aims/{a.aim.id}?as_of=next-tuesday")
    assert bad.status_code == 422 and "must be a date" in bad.get_data(as_text=True)


def test_a_revision_page_draws_that_snapshot(client, tenants, login_as):
    a = tenants.a
    with use_network(a.network):
        first = theory.create_driver(a.aim.id, {"kind": "primary", "title": "Kept then removed"}, None)
        then = db.session.scalar(select(DiagramRevision).order_by(DiagramRevision.id.desc()).limit(1))
        theory.delete_driver(first.id, None)
    login_as(a.member.user)
    html = client.get(f"/n/alpha/theory/aims/{a.aim.id}/revisions/{then.id}").get_data(as_text=True)
    diagram = read_diagram(html)
    assert "Added primary driver “Kept then removed”" in html
    # the removed driver is still drawn, but no longer links to a page that is gone
    assert f"driver-{first.id}" in {g["data-key"] for g in diagram.unlinked}
    assert f"driver-{a.primary_driver.id}" in {link["data-key"] for link in diagram.links}
    assert client.get(f"/n/alpha/theory/aims/{a.aim.id}/revisions/{tenants.b.revision.id}").status_code == 404


def test_revision_list_is_paginated(client, tenants, login_as):
    a = tenants.a
    with use_network(a.network):
        for n in range(26):
            theory.record_revision(a.aim, None, f"Edit number {n}")
        db.session.commit()
    login_as(a.facilitator.user)
    first = client.get(f"/n/alpha/theory/aims/{a.aim.id}/revisions").get_data(as_text=True)
    assert "27 revisions" in first and "Edit number 25" in first and "Initial diagram" not in first
    second = client.get(f"/n/alpha/theory/aims/{a.aim.id}/revisions?page=2").get_data(as_text=True)
    assert "Initial diagram" in second and "Edit number 25" not in second


def test_another_networks_ids_are_not_found(client, tenants, login_as):
    a, b = tenants.a, tenants.b
    login_as(a.facilitator.user)
    for method, url in [
        ("get", f"/n/alpha/theory/aims/{b.aim.id}"),
        ("post", f"/n/alpha/theory/aims/{b.aim.id}/drivers"),
        ("get", f"/n/alpha/theory/drivers/{b.primary_driver.id}"),
        ("post", f"/n/alpha/theory/drivers/{b.primary_driver.id}/delete"),
        ("get", f"/n/alpha/change-ideas/{b.change_idea.id}"),
        ("post", f"/n/alpha/change-ideas/{b.change_idea.id}/decision"),
    ]:
        assert (
            getattr(client, method)(url, data={"kind": "primary", "title": "x", "decision": "accepted"}).status_code
            == 404
        )
    # a driver id of the other network in a form body is refused and writes nothing
    response = client.post(
        f"/n/alpha/theory/aims/{a.aim.id}/drivers",
        data={"kind": "secondary", "title": "Sneaky", "parent_ids": [str(b.primary_driver.id)]},
    )
    assert response.status_code == 422 and "unknown driver ids" in response.get_data(as_text=True)
    proposal = client.post(
        "/n/alpha/change-ideas", data={"title": "Sneaky idea", "driver_ids": [str(b.secondary_driver.id)]}
    )
    assert proposal.status_code == 422
    with use_network(a.network):
        assert (
            count(Driver, Driver.title == "Sneaky") == 0 and count(ChangeIdea, ChangeIdea.title == "Sneaky idea") == 0
        )
    with use_network(b.network):
        assert count(ChangeIdea) == 1
