"""Aims, drivers and change ideas through the services: validation, loops, decisions,
and the revision every change writes."""

import pytest
from sqlalchemy import func, select

from nic.extensions import db
from nic.models import ChangeIdea, DiagramRevision, Driver
from nic.services.errors import Conflict, ValidationFailed
from nic.services.theory import ideas as theory_ideas
from nic.services.theory import theory
from nic.tenancy import use_network


def revision_count(aim_id):
    return db.session.scalar(select(func.count()).select_from(DiagramRevision).where(DiagramRevision.aim_id == aim_id))


def latest_revision(aim_id):
    return db.session.scalar(
        select(DiagramRevision).where(DiagramRevision.aim_id == aim_id).order_by(DiagramRevision.id.desc()).limit(1)
    )


def test_adding_a_driver_writes_a_whole_snapshot(tenants):
    a = tenants.a
    with use_network(a.network):
        driver = theory.create_driver(
            a.aim.id,
            {
                "kind": "secondary",
                "title": "Attendance calls home",
                "parent_ids": [a.primary_driver.id, a.secondary_driver.id],
            },
            a.facilitator.user,
        )
        revision = latest_revision(a.aim.id)
    assert revision.summary == "Added secondary driver “Attendance calls home”"
    assert revision.author_id == a.facilitator.user.id
    snap = revision.snapshot
    assert snap["aim"]["id"] == a.aim.id and snap["aim"]["statement"] == a.aim.statement
    assert snap["aim"]["baseline"] == 70 and snap["aim"]["unit"] == "%"
    drivers = {d["id"]: d for d in snap["drivers"]}
    assert drivers[driver.id]["parent_ids"] == [a.primary_driver.id, a.secondary_driver.id]
    assert drivers[a.secondary_driver.id]["parent_ids"] == [a.primary_driver.id]
    assert snap["change_ideas"] == [
        {
            "id": a.change_idea.id,
            "title": a.change_idea.title,
            "status": "accepted",
            "driver_ids": [a.secondary_driver.id],
        }
    ]


def test_aim_fields_are_checked_and_named(tenants):
    a = tenants.a
    with use_network(a.network):
        with pytest.raises(ValidationFailed) as caught:
            theory.create_aim(
                {"statement": " ", "baseline": "lots", "due_date": "30/09/2026", "unit": "x" * 41}, a.facilitator.user
            )
        assert set(caught.value.fields) == {"statement", "baseline", "due_date", "unit"}
        aim = theory.create_aim(
            {"statement": "Attendance rises", "baseline": "81.5", "target": 90, "due_date": "2027-06-30"},
            a.facilitator.user,
        )
        assert (aim.baseline, aim.target, aim.due_date.isoformat()) == (81.5, 90, "2027-06-30")
        assert latest_revision(aim.id).summary.startswith("Set the aim")
        before = revision_count(aim.id)
        theory.update_aim(
            aim.id,
            {"statement": "Attendance rises", "baseline": 81.5, "target": 92, "due_date": "2027-06-30"},
            a.facilitator.user,
        )
        assert latest_revision(aim.id).summary == "Edited the aim: target"
        theory.update_aim(
            aim.id,
            {"statement": "Attendance rises", "baseline": 81.5, "target": 92, "due_date": "2027-06-30"},
            a.facilitator.user,
        )
        assert revision_count(aim.id) == before + 1  # no change, no revision


def test_a_loop_in_the_parent_graph_is_refused(tenants):
    a = tenants.a
    with use_network(a.network):
        deeper = theory.create_driver(
            a.aim.id, {"kind": "secondary", "title": "Deeper", "parent_ids": [a.secondary_driver.id]}, None
        )
        before = revision_count(a.aim.id)
        for parents in ([deeper.id], [a.secondary_driver.id]):  # its grandchild, itself
            with pytest.raises(ValidationFailed) as caught:
                theory.update_driver(
                    a.secondary_driver.id, {"kind": "secondary", "title": "Advisory", "parent_ids": parents}, None
                )
            assert "loop" in caught.value.fields["parent_ids"]
        db.session.expire_all()
        assert [p.id for p in db.session.scalar(select(Driver).where(Driver.id == a.secondary_driver.id)).parents] == [
            a.primary_driver.id
        ]
        assert revision_count(a.aim.id) == before


def test_parents_must_come_from_the_same_aim_and_network(tenants):
    a, b = tenants.a, tenants.b
    other_aim = None
    with use_network(a.network):
        other_aim = theory.create_aim({"statement": "A second aim"}, None)
        elsewhere = theory.create_driver(other_aim.id, {"kind": "primary", "title": "Elsewhere"}, None)
        with pytest.raises(ValidationFailed) as caught:
            theory.create_driver(a.aim.id, {"kind": "secondary", "title": "Mixed", "parent_ids": [elsewhere.id]}, None)
        assert "another aim" in caught.value.fields["parent_ids"]
        with pytest.raises(ValidationFailed) as caught:
            theory.create_driver(
                a.aim.id, {"kind": "secondary", "title": "Foreign", "parent_ids": [b.primary_driver.id]}, None
            )
        assert "unknown driver ids" in caught.value.fields["parent_ids"]
        with pytest.raises(ValidationFailed) as caught:
            theory.create_driver(a.aim.id, {"kind": "secondary", "title": "Orphan", "parent_ids": []}, None)
        assert set(caught.value.fields) == {"parent_ids"}
        with pytest.raises(ValidationFailed) as caught:
            theory.create_driver(a.aim.id, {"kind": "tertiary", "title": ""}, None)
        assert set(caught.value.fields) == {"kind", "title"}
        assert db.session.scalar(select(func.count()).select_from(Driver).where(Driver.aim_id == a.aim.id)) == 2


def test_deleting_a_driver_keeps_its_only_children_safe(tenants):
    a = tenants.a
    with use_network(a.network):
        with pytest.raises(Conflict):
            theory.delete_driver(a.primary_driver.id, a.facilitator.user)  # the advisory driver hangs from it only
        theory.delete_driver(a.secondary_driver.id, a.facilitator.user)
        db.session.expire_all()
        idea = db.session.scalar(select(ChangeIdea).where(ChangeIdea.id == a.change_idea.id))
        assert idea.drivers == []
        revision = latest_revision(a.aim.id)
        assert revision.summary.startswith("Removed driver")
        assert [d["id"] for d in revision.snapshot["drivers"]] == [a.primary_driver.id]
        assert revision.snapshot["change_ideas"][0]["driver_ids"] == []


def test_anyone_proposes_and_a_facilitator_accepts_or_declines(tenants):
    a = tenants.a
    with use_network(a.network):
        idea = theory_ideas.propose({"title": "Exit tickets", "driver_ids": [a.primary_driver.id]}, a.member.user)
        assert (idea.status, idea.aim_id, idea.proposed_by_id) == ("proposed", a.aim.id, a.member.user.id)
        assert latest_revision(a.aim.id).summary == "Proposed change idea “Exit tickets”"
        theory_ideas.decide(idea.id, "declined", "Overlaps with the huddle.", a.facilitator.user)
        assert (idea.status, idea.decided_by_id, idea.decision_note) == (
            "declined",
            a.facilitator.user.id,
            "Overlaps with the huddle.",
        )
        assert idea.decided_at is not None
        revision = latest_revision(a.aim.id)
        assert revision.summary == "Declined change idea “Exit tickets”; updated the decision note"
        assert {i["id"]: i["status"] for i in revision.snapshot["change_ideas"]}[idea.id] == "declined"
        theory_ideas.decide(idea.id, "accepted", "On reflection, yes.", a.facilitator.user)
        theory_ideas.update(idea.id, {"status": "testing"}, a.facilitator.user)
        assert latest_revision(a.aim.id).summary == "Moved change idea “Exit tickets” to testing"
        history = theory_ideas.status_history(idea)
        assert [h["status"] for h in history] == ["proposed", "declined", "accepted", "testing"]
        with pytest.raises(ValidationFailed) as caught:
            theory_ideas.decide(idea.id, "maybe", "", a.facilitator.user)
        assert set(caught.value.fields) == {"decision"}


def test_status_and_drivers_are_validated_all_or_nothing(tenants):
    a, b = tenants.a, tenants.b
    with use_network(a.network):
        before = revision_count(a.aim.id)
        with pytest.raises(ValidationFailed) as caught:
            theory_ideas.update(a.change_idea.id, {"title": "Renamed", "status": "finished"}, None)
        assert set(caught.value.fields) == {"status"}
        with pytest.raises(ValidationFailed) as caught:
            theory_ideas.update(a.change_idea.id, {"title": "Renamed", "driver_ids": [b.primary_driver.id]}, None)
        assert set(caught.value.fields) == {"driver_ids"}
        db.session.expire_all()
        idea = db.session.scalar(select(ChangeIdea).where(ChangeIdea.id == a.change_idea.id))
        assert idea.title == a.change_idea.title and [d.id for d in idea.drivers] == [a.secondary_driver.id]
        assert revision_count(a.aim.id) == before
        with pytest.raises(ValidationFailed) as caught:
            theory_ideas.propose({"title": "x" * 201, "status": "soon"}, None)
        assert set(caught.value.fields) == {"title", "status"}


def test_linking_drivers_writes_a_revision_with_the_links(tenants):
    a = tenants.a
    with use_network(a.network):
        theory_ideas.update(
            a.change_idea.id, {"driver_ids": [a.primary_driver.id, a.secondary_driver.id]}, a.facilitator.user
        )
        revision = latest_revision(a.aim.id)
    assert revision.summary.startswith(f"Change idea “{a.change_idea.title}”: linked drivers")
    entry = revision.snapshot["change_ideas"][0]
    assert entry["driver_ids"] == [a.primary_driver.id, a.secondary_driver.id]


def test_a_network_with_one_aim_gets_unattached_proposals_on_it(tenants):
    a = tenants.a
    with use_network(a.network):
        idea = theory_ideas.propose({"title": "Peer tutoring"}, a.teacher_leader.user)
        assert idea.aim_id == a.aim.id
        theory.create_aim({"statement": "A second aim"}, None)
        loose = theory_ideas.propose({"title": "Looser idea"}, a.teacher_leader.user)
        assert loose.aim_id is None  # two aims: no guessing
