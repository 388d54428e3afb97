"""Every change is recorded; a save from a stale version never overwrites; deleting is
soft and only the school's principal restores."""

import pytest
from sqlalchemy import select, text

from nic.extensions import db
from nic.models import Cycle
from nic.services.cycles import cycles
from nic.services.cycles.cycles import CycleConflict
from nic.tenancy import use_network
from tests.cycles.conftest import form_for, history_of, reload
from tests.factories import make_member, make_user


def test_every_change_is_in_the_history(client, a, login_as):
    login_as(a.teacher_leader.user)
    response = client.post(
        "/n/alpha/cycles/new",
        data={
            "title": "Advisory check-ins",
            "owner_id": str(a.teacher_leader.user.id),
            "visibility": "school",
            "scale_unit": "students",
            "plan_objective": "Learn",
            "questions-0-question": "Will it help?",
            "questions-0-prediction": "Somewhat",
        },
    )
    cycle = reload(a, int(response.headers["Location"].split("/")[-1]))
    client.post(f"/n/alpha/cycles/{cycle.id}/edit", data=form_for(cycle, plan_objective="Learn more", plan_who="9A"))
    client.post(f"/n/alpha/cycles/{cycle.id}/phase", data={"to": "do"})
    client.post(f"/n/alpha/cycles/{cycle.id}/delete")
    login_as(a.principal.user)
    client.post(f"/n/alpha/cycles/{cycle.id}/restore")

    entries = history_of(a, cycle.id)
    assert [(e.action, e.version) for e in entries] == [
        ("create", 1),
        ("edit", 2),
        ("phase", 3),
        ("delete", 4),
        ("restore", 5),
    ]
    assert entries[0].fields["title"] == {"old": None, "new": "Advisory check-ins"}
    assert entries[0].fields["questions"]["new"] == [
        {"question": "Will it help?", "prediction": "Somewhat", "result": ""}
    ]
    assert entries[1].fields == {
        "plan_objective": {"old": "Learn", "new": "Learn more"},
        "plan_who": {"old": "", "new": "9A"},
    }
    assert entries[2].fields == {"phase": {"old": "plan", "new": "do"}}
    assert entries[3].fields == {"deleted": {"old": False, "new": True}}
    assert [e.user_id for e in entries] == [a.teacher_leader.user.id] * 4 + [a.principal.user.id]
    assert reload(a, cycle.id).version == 5

    page = client.get(f"/n/alpha/cycles/{cycle.id}/history")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    for expected in (
        "Created by",
        "Edited by",
        "Phase moved by",
        "Deleted by",
        "Restored by",
        "Learn more",
        "Plan: who",
        a.principal.user.name,
        a.teacher_leader.user.name,
    ):
        assert expected in html, expected


def test_saving_nothing_new_writes_no_history(client, a, login_as):
    login_as(a.teacher_leader.user)
    cycle = reload(a, a.cycle.id)
    before = len(history_of(a, cycle.id))
    assert client.post(f"/n/alpha/cycles/{cycle.id}/edit", data=form_for(cycle)).status_code == 302
    assert len(history_of(a, cycle.id)) == before and reload(a, cycle.id).version == cycle.version


def test_two_edits_from_one_version_second_gets_a_conflict(client, a, login_as):
    cycle = reload(a, a.cycle.id)
    loaded = form_for(cycle)  # both people open the edit page at this version
    login_as(a.teacher_leader.user)
    first = client.post(
        f"/n/alpha/cycles/{cycle.id}/edit", data={**loaded, "plan_objective": "First objective", "plan_when": "Mondays"}
    )
    assert first.status_code == 302
    stored = reload(a, cycle.id)
    login_as(a.principal.user)
    second = client.post(
        f"/n/alpha/cycles/{cycle.id}/edit",
        data={**loaded, "plan_objective": "Second objective", "plan_who": "Grade 9 team"},
    )
    html = second.get_data(as_text=True)
    assert second.status_code == 409
    assert "Nothing was overwritten" in html and "First objective" in html and "Second objective" in html
    assert "You both changed this" in html  # the objective
    # the form holds the latest version with the second person's changes laid on top
    assert f'<input id="version" name="version" type="hidden" value="{stored.version}">' in html
    assert 'name="plan_when" rows="2">\r\nMondays</textarea>' in html
    assert 'name="plan_who" rows="2">\r\nGrade 9 team</textarea>' in html
    after = reload(a, cycle.id)
    assert (after.version, after.plan_objective, after.plan_who, after.plan_when) == (
        stored.version,
        "First objective",
        "",
        "Mondays",
    )

    # re-applying onto the latest version saves
    again = client.post(
        f"/n/alpha/cycles/{cycle.id}/edit",
        data=form_for(after, plan_objective="Second objective", plan_who="Grade 9 team"),
    )
    assert again.status_code == 302
    final = reload(a, cycle.id)
    assert (final.plan_objective, final.plan_who, final.plan_when) == ("Second objective", "Grade 9 team", "Mondays")


def test_a_concurrent_update_between_read_and_write_is_a_conflict(app, a, monkeypatch):
    """The version column guards the window between loading a cycle and writing it: the
    explicit check passes (the session still holds version 1), the UPDATE finds version 2."""
    before = len(history_of(a, a.cycle.id))
    rollbacks = []
    monkeypatch.setattr(cycles, "rollback", lambda: (rollbacks.append(1), db.session.rollback()))
    with use_network(a.network):
        cycle = db.session.scalar(select(Cycle).where(Cycle.id == a.cycle.id))
        assert cycle.version == 1
        db.session.execute(
            text("UPDATE cycles SET version = version + 1, title = 'Saved elsewhere' WHERE id = :id"), {"id": cycle.id}
        )
        with pytest.raises(CycleConflict):
            cycles.update_cycle(a.teacher_leader, a.cycle.id, {"plan_objective": "Overwrite?"}, 1)
    assert rollbacks == [1], "the conflict came from the UPDATE's version check (StaleDataError)"
    assert reload(a, a.cycle.id).plan_objective == "" and len(history_of(a, a.cycle.id)) == before


def test_soft_delete_hides_everywhere_and_only_the_principal_restores(client, a, login_as):
    other_principal = make_member(a.network, "principal", a.schools[1], make_user())
    db.session.commit()
    cycle_id = a.cycle.id
    login_as(a.facilitator.user)
    assert client.post(f"/n/alpha/cycles/{cycle_id}/delete").status_code == 403
    login_as(a.teacher_leader.user)
    response = client.post(f"/n/alpha/cycles/{cycle_id}/delete")
    assert response.status_code == 302
    stored = reload(a, cycle_id)
    assert stored.deleted_at is not None and stored.deleted_by_id == a.teacher_leader.user.id
    for user in (a.teacher_leader.user, a.principal.user, a.facilitator.user):
        login_as(user)
        assert client.get(f"/n/alpha/cycles/{cycle_id}").status_code == 404
        assert client.get(f"/api/v1/networks/alpha/cycles/{cycle_id}").status_code == 404
    login_as(a.teacher_leader.user)
    assert client.get("/n/alpha/cycles/deleted").status_code == 403
    assert client.post(f"/n/alpha/cycles/{cycle_id}/restore").status_code == 404
    login_as(other_principal.user)
    assert a.cycle.title not in client.get("/n/alpha/cycles/deleted").get_data(as_text=True)
    assert client.post(f"/n/alpha/cycles/{cycle_id}/restore").status_code == 404
    assert reload(a, cycle_id).deleted_at is not None

    login_as(a.principal.user)
    listing = client.get("/n/alpha/cycles/deleted").get_data(as_text=True)
    assert a.cycle.title in listing and "Restore" in listing
    assert client.post(f"/n/alpha/cycles/{cycle_id}/restore").status_code == 302
    assert reload(a, cycle_id).deleted_at is None
    assert client.get(f"/n/alpha/cycles/{cycle_id}").status_code == 200
    assert "No deleted cycles" in client.get("/n/alpha/cycles/deleted").get_data(as_text=True)


def test_deleted_cycles_leave_counts_and_chains(client, a, login_as):
    from nic.permissions import visible_cycles_clause
    from nic.services.cycles.chain import chain
    from nic.services.cycles.nudges import counts_by_school
    from tests.factories import make_cycle

    child = make_cycle(a.schools[0], a.teacher_leader.user, parent=a.cycle)
    db.session.commit()
    with use_network(a.network):
        before = counts_by_school(visible_cycles_clause(a.facilitator))[a.schools[0].id]["cycles"]
        cycles.delete_cycle(a.teacher_leader, child.id)
        assert counts_by_school(visible_cycles_clause(a.facilitator))[a.schools[0].id]["cycles"] == before - 1
        parent = db.session.scalar(select(Cycle).where(Cycle.id == a.cycle.id))
        assert [link.cycle.id for link in chain(parent, visible_cycles_clause(a.teacher_leader))] == [a.cycle.id]
