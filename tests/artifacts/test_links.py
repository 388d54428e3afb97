"""Links both ways: from the artifact page to cycles and change ideas, and from a cycle's
Do step to the library; who may make and remove them; hidden things stay hidden."""

from nic.extensions import db
from nic.tenancy import use_network
from tests.artifacts.conftest import links_of, load
from tests.factories import make_artifact, make_change_idea, make_cycle


def test_a_lead_links_an_artifact_to_a_cycle_from_the_artifact_page(client, a, login_as):
    other = make_artifact(a.schools[1], a.member.user, "Second school tracker", kind="data_tool")
    db.session.commit()
    login_as(a.teacher_leader.user)
    page = client.get(f"/n/alpha/artifacts/{other.id}").get_data(as_text=True)
    assert 'name="cycle_id"' in page and a.cycle.title in page  # the lead's own cycles are offered
    response = client.post(f"/n/alpha/artifacts/{other.id}/cycles", data={"cycle_id": str(a.cycle.id)})
    assert response.status_code == 302
    [link] = links_of(a.network, other.id)
    assert link.cycle_id == a.cycle.id and link.version_id == other.versions[-1].id
    assert link.created_by_id == a.teacher_leader.user.id
    # linking again is harmless
    assert client.post(f"/n/alpha/artifacts/{other.id}/cycles", data={"cycle_id": str(a.cycle.id)}).status_code == 302
    assert len(links_of(a.network, other.id)) == 1
    page = client.get(f"/n/alpha/artifacts/{other.id}").get_data(as_text=True)
    assert "Used in 1 cycle at 1 school" in page


def test_linking_a_cycle_needs_a_cycle_you_work_on(client, a, b, login_as):
    login_as(a.member.user)  # second school: may see the network cycle, not edit it
    assert (
        client.post(
            f"/n/alpha/artifacts/{a.artifact.id}/cycles", data={"cycle_id": str(a.private_cycle.id)}
        ).status_code
        == 404
    )  # hidden from them
    artifact = make_artifact(a.schools[1], a.member.user, "Member's own")
    db.session.commit()
    assert (
        client.post(f"/n/alpha/artifacts/{artifact.id}/cycles", data={"cycle_id": str(a.cycle.id)}).status_code == 403
    )
    assert (
        client.post(f"/n/alpha/artifacts/{artifact.id}/cycles", data={"cycle_id": str(b.cycle.id)}).status_code == 404
    )
    assert links_of(a.network, artifact.id) == []


def test_from_the_do_step_a_lead_attaches_an_existing_artifact(client, a, login_as):
    chosen = make_artifact(a.schools[1], a.member.user, "Exit ticket template", kind="observation_tool")
    make_artifact(a.schools[1], a.member.user, "Kept private", visibility="school")
    db.session.commit()
    login_as(a.teacher_leader.user)
    cycle_page = client.get(f"/n/alpha/cycles/{a.cycle.id}").get_data(as_text=True)
    assert f"/n/alpha/artifacts/for-cycle/{a.cycle.id}" in cycle_page
    assert f"/n/alpha/artifacts/new?cycle_id={a.cycle.id}" in cycle_page
    finder = client.get(f"/n/alpha/artifacts/for-cycle/{a.cycle.id}?q=exit+ticket").get_data(as_text=True)
    assert "Exit ticket template" in finder and "Kept private" not in finder
    response = client.post(f"/n/alpha/artifacts/for-cycle/{a.cycle.id}", data={"artifact_id": str(chosen.id)})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/cycles/{a.cycle.id}#materials")
    cycle_page = client.get(f"/n/alpha/cycles/{a.cycle.id}").get_data(as_text=True)
    do = cycle_page[cycle_page.index('id="do"') : cycle_page.index('id="study"')]
    assert "Exit ticket template" in do and a.artifact.title in do


def test_the_do_step_shows_materials_only_to_those_who_may_see_them(client, a, login_as):
    private = make_artifact(
        a.schools[0], a.teacher_leader.user, "Our private rubric", visibility="school", cycle=a.cycle
    )
    db.session.commit()
    login_as(a.principal.user)
    assert "Our private rubric" in client.get(f"/n/alpha/cycles/{a.cycle.id}").get_data(as_text=True)
    login_as(a.member.user)  # second school: sees the network cycle, not the school-only rubric
    page = client.get(f"/n/alpha/cycles/{a.cycle.id}").get_data(as_text=True)
    assert "Our private rubric" not in page and a.artifact.title in page
    assert "Attach a file or link" not in page  # not their cycle
    assert private.id


def test_the_cycle_page_removes_a_material(client, a, login_as):
    login_as(a.teacher_leader.user)
    response = client.post(f"/n/alpha/artifacts/{a.artifact.id}/cycles/{a.cycle.id}/remove", data={"back": "cycle"})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/cycles/{a.cycle.id}#materials")
    assert links_of(a.network, a.artifact.id) == []


def test_removing_a_cycle_link_is_for_the_cycles_people_or_the_artifacts_editors(client, a, login_as):
    theirs = make_cycle(a.schools[1], a.member.user, "Second school test")
    mine = make_artifact(a.schools[0], a.teacher_leader.user, "Used elsewhere", cycle=theirs)
    db.session.commit()
    login_as(a.facilitator.user)
    assert client.post(f"/n/alpha/artifacts/{mine.id}/cycles/{theirs.id}/remove").status_code == 403
    login_as(a.teacher_leader.user)  # the artifact's author
    assert client.post(f"/n/alpha/artifacts/{mine.id}/cycles/{theirs.id}/remove").status_code == 302
    assert links_of(a.network, mine.id) == []
    assert client.post(f"/n/alpha/artifacts/{mine.id}/cycles/{theirs.id}/remove").status_code == 404


def test_change_ideas_are_linked_and_shown_from_both_sides(client, a, b, login_as):
    idea = make_change_idea(a.network, "Weekly grade checks", aim=a.aim)
    db.session.commit()
    login_as(a.teacher_leader.user)
    page = client.get(f"/n/alpha/artifacts/{a.artifact.id}").get_data(as_text=True)
    assert 'name="change_idea_id"' in page and "Weekly grade checks" in page
    assert (
        client.post(
            f"/n/alpha/artifacts/{a.artifact.id}/change-ideas", data={"change_idea_id": str(idea.id)}
        ).status_code
        == 302
    )
    assert [i.id for i in load(a.network, a.artifact.id).change_ideas] == [idea.id]
    idea_page = client.get(f"/n/alpha/change-ideas/{idea.id}").get_data(as_text=True)
    assert a.artifact.title in idea_page and f"/n/alpha/artifacts/{a.artifact.id}" in idea_page
    # another network's change idea is not a change idea here: flashed, nothing written
    response = client.post(
        f"/n/alpha/artifacts/{a.artifact.id}/change-ideas",
        data={"change_idea_id": str(b.change_idea.id)},
        follow_redirects=True,
    )
    assert "is not a change idea of this network" in response.get_data(as_text=True)
    assert [i.id for i in load(a.network, a.artifact.id).change_ideas] == [idea.id]
    assert client.post(f"/n/alpha/artifacts/{a.artifact.id}/change-ideas/{idea.id}/remove").status_code == 302
    assert load(a.network, a.artifact.id).change_ideas == []


def test_change_idea_links_are_the_editors(client, a, login_as):
    login_as(a.member.user)
    assert (
        client.post(
            f"/n/alpha/artifacts/{a.artifact.id}/change-ideas", data={"change_idea_id": str(a.change_idea.id)}
        ).status_code
        == 403
    )
    assert load(a.network, a.artifact.id).change_ideas == []


def test_the_change_idea_page_hides_school_only_artifacts_of_other_schools(client, a, login_as):
    with use_network(a.network):
        hidden = make_artifact(a.schools[0], a.teacher_leader.user, "First school only", visibility="school")
        hidden.change_ideas = [a.change_idea]
        db.session.commit()
    login_as(a.member.user)
    assert "First school only" not in client.get(f"/n/alpha/change-ideas/{a.change_idea.id}").get_data(as_text=True)
    login_as(a.principal.user)
    assert "First school only" in client.get(f"/n/alpha/change-ideas/{a.change_idea.id}").get_data(as_text=True)
