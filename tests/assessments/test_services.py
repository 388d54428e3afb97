"""The rules of a round, at the service level: who rates, private ratings, consensus with
evidence and its version, finishing, closing part-way, progress and suggested evidence."""

from __future__ import annotations

import pytest

from nic.extensions import db
from nic.models import AssessmentConsensus, AssessmentRating, AssessmentRoundSchool, RollupJob
from nic.services.assessments import assessments
from nic.services.assessments import evidence as assessment_evidence
from nic.services.assessments import ratings as assessment_ratings
from nic.services.errors import Conflict, Forbidden, NotFound, ValidationFailed
from nic.tenancy import use_network
from tests.factories import (
    make_artifact,
    make_change_idea,
    make_consensus,
    make_cycle,
    make_member,
    make_rating,
    make_round,
    make_team,
    make_user,
)


def levels(tenant):
    return [level["key"] for level in tenant.framework.document["levels"]]


def practice(tenant, index=0):
    return tenant.framework.practices[index]


# --- who may rate ------------------------------------------------------------------------------


def test_the_leadership_team_rates_and_nobody_else(tenants):
    a = tenants.a
    with use_network(a.network):
        assert assessments.can_rate(a.principal, a.schools[0].id)  # principal of the school
        assert assessments.can_rate(a.teacher_leader, a.schools[0].id)  # on the school's ILT
        assert not assessments.can_rate(a.teacher_leader, a.schools[1].id)  # another school
        assert not assessments.can_rate(a.member, a.schools[1].id)  # in the school, not on an ILT
        assert not assessments.can_rate(a.facilitator, a.schools[0].id)  # no school
        # a teacher leader on a PLC (not an ILT) of their school does not rate
        plc_member = make_member(a.network, "teacher_leader", a.schools[1], make_user("plc@alpha.org", "PLC Person"))
        make_team(a.schools[1], "Alphaville math PLC", kind="plc", members=[plc_member.user])
        assert not assessments.can_rate(plc_member, a.schools[1].id)
        make_team(a.schools[1], "Alphaville middle ILT", kind="ilt", members=[plc_member.user])
        assert assessments.can_rate(plc_member, a.schools[1].id)


def test_a_member_not_on_the_ilt_cannot_rate(tenants):
    a = tenants.a
    with use_network(a.network), pytest.raises(Forbidden):
        assessment_ratings.record_ratings(
            a.member, a.round.id, a.schools[1].id, [{"practice_id": practice(a).id, "level": levels(a)[0]}]
        )


# --- my ratings ----------------------------------------------------------------------------------


def test_i_record_and_change_my_own_rating(tenants):
    a = tenants.a
    p1 = practice(a, 1)
    with use_network(a.network):
        assessment_ratings.record_ratings(
            a.principal,
            a.round.id,
            a.schools[0].id,
            [{"practice_id": p1.id, "level": levels(a)[0], "note": "first look"}],
        )
        assessment_ratings.record_ratings(
            a.principal,
            a.round.id,
            a.schools[0].id,
            [{"practice_id": p1.id, "level": levels(a)[2], "note": "on reflection"}],
        )
        mine = assessment_ratings.my_ratings(a.round, a.principal.user_id)
        assert mine[p1.id].level_key == levels(a)[2] and mine[p1.id].level_rank == 2
        assert mine[p1.id].note == "on reflection"
        assert db.session.query(AssessmentRating).filter_by(practice_id=p1.id).count() == 1


def test_a_level_outside_the_framework_names_level_and_writes_nothing(tenants):
    a = tenants.a
    with use_network(a.network):
        before = db.session.query(AssessmentRating).count()
        with pytest.raises(ValidationFailed) as caught:
            assessment_ratings.record_ratings(
                a.principal,
                a.round.id,
                a.schools[0].id,
                [
                    {"practice_id": practice(a, 1).id, "level": levels(a)[1]},
                    {"practice_id": practice(a, 2).id, "level": "superb"},
                ],
            )
        assert "ratings.1.level" in caught.value.fields
        assert (
            "superb" not in caught.value.fields["ratings.1.level"]
            and levels(a)[0] in caught.value.fields["ratings.1.level"]
        )
        assert db.session.query(AssessmentRating).count() == before


def test_a_practice_of_another_framework_is_refused(tenants):
    a, b = tenants.a, tenants.b
    with use_network(a.network):
        with pytest.raises(ValidationFailed) as caught:
            assessment_ratings.record_ratings(
                a.principal, a.round.id, a.schools[0].id, [{"practice_id": practice(b).id, "level": levels(a)[0]}]
            )
        assert "ratings.0.practice_id" in caught.value.fields
        with pytest.raises(NotFound):
            assessment_ratings.get_consensus(a.round.id, a.schools[0].id, practice(b).id)


def test_individual_ratings_stay_inside_the_school(tenants):
    a = tenants.a
    with use_network(a.network):
        _round, ratings = assessment_ratings.school_ratings(a.principal, a.round.id, a.schools[0].id)
        assert [r.note for r in ratings] == ["Alphaville private note"]
        for outsider in (a.member, a.facilitator):  # another school's member; the network's facilitator
            with pytest.raises(NotFound):
                assessment_ratings.school_ratings(outsider, a.round.id, a.schools[0].id)
            with pytest.raises(NotFound):
                assessment_ratings.record_ratings(
                    outsider, a.round.id, a.schools[0].id, [{"practice_id": practice(a).id, "level": levels(a)[0]}]
                )


def test_team_view_lines_up_everyones_ratings_with_the_spread(tenants):
    a = tenants.a
    with use_network(a.network):
        make_rating(a.round, a.schools[0], a.principal.user, practice(a), 0)
        _round, ratings = assessment_ratings.school_ratings(a.principal, a.round.id, a.schools[0].id)
        spread = assessment_ratings.team_view(ratings)[practice(a).id]
        assert spread.counts == {0: 1, 1: 1} and spread.spread == 1
        assert {r.user_id for r in spread.ratings} == {a.principal.user_id, a.teacher_leader.user_id}


# --- consensus ----------------------------------------------------------------------------------


def test_consensus_with_evidence_and_a_version(tenants):
    a = tenants.a
    p1 = practice(a, 1)
    with use_network(a.network):
        first = assessment_ratings.record_consensus(
            a.principal,
            a.round.id,
            a.schools[0].id,
            p1.id,
            levels(a)[1],
            "We saw it in walkthroughs",
            [
                {"kind": "cycle", "id": a.cycle.id},
                {"kind": "artifact", "id": a.artifact.id},
                {"kind": "measure", "id": a.measure.id},
                {"kind": "cycle", "id": a.cycle.id},
            ],
            None,
        )
        assert first.version == 1
        assert [(e.kind, e.target_id) for e in first.evidence] == [
            ("cycle", a.cycle.id),
            ("artifact", a.artifact.id),
            ("measure", a.measure.id),
        ]
        second = assessment_ratings.record_consensus(
            a.teacher_leader,
            a.round.id,
            a.schools[0].id,
            p1.id,
            levels(a)[2],
            "Stronger now",
            [{"kind": "cycle", "id": a.private_cycle.id}],
            1,
        )
        assert second.id == first.id and second.version == 2 and second.level_rank == 2
        assert [(e.kind, e.target_id) for e in second.evidence] == [("cycle", a.private_cycle.id)]
        # a stale version changes nothing
        with pytest.raises(Conflict):
            assessment_ratings.record_consensus(
                a.principal, a.round.id, a.schools[0].id, p1.id, levels(a)[0], "stale", [], 1
            )
        db.session.expire_all()
        row = db.session.get(AssessmentConsensus, first.id)
        assert row.version == 2 and row.notes == "Stronger now"
        # changing a recorded consensus needs the version read
        with pytest.raises(ValidationFailed) as caught:
            assessment_ratings.record_consensus(a.principal, a.round.id, a.schools[0].id, p1.id, levels(a)[0])
        assert "version" in caught.value.fields


def test_consensus_refuses_bad_level_and_evidence_from_elsewhere(tenants):
    a, b = tenants.a, tenants.b
    p1 = practice(a, 1)
    with use_network(a.network):
        with pytest.raises(ValidationFailed) as caught:
            assessment_ratings.record_consensus(a.principal, a.round.id, a.schools[0].id, p1.id, "excellent")
        assert "level" in caught.value.fields
        for bad in (
            [{"kind": "cycle", "id": b.cycle.id}],
            [{"kind": "artifact", "id": b.artifact.id}],
            [{"kind": "measure", "id": b.measure.id}],
            [{"kind": "photo", "id": 1}],
            [{"kind": "cycle", "id": "abc"}],
        ):
            with pytest.raises(ValidationFailed) as caught:
                assessment_ratings.record_consensus(
                    a.principal, a.round.id, a.schools[0].id, p1.id, levels(a)[0], "", bad
                )
            assert set(caught.value.fields) == {"evidence"}
        # another school's private cycle is not evidence this team can see
        other_private = make_cycle(a.schools[1], a.member.user, "Alphaville middle private", visibility="school")
        with pytest.raises(ValidationFailed):
            assessment_ratings.record_consensus(
                a.principal,
                a.round.id,
                a.schools[0].id,
                p1.id,
                levels(a)[0],
                "",
                [{"kind": "cycle", "id": other_private.id}],
            )
        assert db.session.query(AssessmentConsensus).filter_by(practice_id=p1.id).count() == 0


def test_private_evidence_is_hidden_from_other_readers(tenants):
    a = tenants.a
    with use_network(a.network):
        consensus = assessment_ratings.record_consensus(
            a.principal,
            a.round.id,
            a.schools[0].id,
            practice(a, 1).id,
            levels(a)[1],
            "",
            [{"kind": "cycle", "id": a.private_cycle.id}, {"kind": "cycle", "id": a.cycle.id}],
        )
        items, hidden = assessment_evidence.visible_evidence(a.member, [consensus])[consensus.id]
        assert [i.id for i in items] == [a.cycle.id] and hidden == 1
        items, hidden = assessment_evidence.visible_evidence(a.teacher_leader, [consensus])[consensus.id]
        assert {i.id for i in items} == {a.cycle.id, a.private_cycle.id} and hidden == 0


def test_only_the_leadership_team_records_consensus(tenants):
    a = tenants.a
    with use_network(a.network):
        for outsider in (a.member, a.facilitator):
            with pytest.raises(Forbidden):
                assessment_ratings.record_consensus(
                    outsider, a.round.id, a.schools[0].id, practice(a, 1).id, levels(a)[0]
                )


def test_finishing_needs_every_practice_agreed(tenants):
    a = tenants.a
    with use_network(a.network):
        with pytest.raises(ValidationFailed) as caught:
            assessment_ratings.set_finished(a.principal, a.round.id, a.schools[0].id)
        assert "19 practices have no consensus yet" in caught.value.fields["consensus"]
        for p in a.framework.practices[1:]:
            make_consensus(a.round, a.schools[0], p, 2)
        row = assessment_ratings.set_finished(a.principal, a.round.id, a.schools[0].id)
        assert row.submitted_at is not None and row.submitted_by_id == a.principal.user_id
        assert assessment_ratings.set_finished(a.principal, a.round.id, a.schools[0].id, False).submitted_at is None


def test_writes_queue_the_schools_rollup(app, tenants):
    a = tenants.a
    app.config["ROLLUP_ON_CHANGE"] = True
    try:
        with use_network(a.network):
            assessment_ratings.record_ratings(
                a.principal, a.round.id, a.schools[0].id, [{"practice_id": practice(a, 3).id, "level": levels(a)[0]}]
            )
            job = db.session.query(RollupJob).filter_by(scope="school", school_id=a.schools[0].id).one()
            assert job.state in ("queued", "running", "done")
    finally:
        app.config["ROLLUP_ON_CHANGE"] = False


# --- rounds: open, progress, close --------------------------------------------------------------


def test_facilitators_open_rounds_on_the_networks_live_frameworks(tenants):
    a, b = tenants.a, tenants.b
    with use_network(a.network):
        with pytest.raises(Forbidden):
            assessments.open_round(a.principal, a.framework.id, "Spring")
        with pytest.raises(ValidationFailed) as caught:
            assessments.open_round(a.facilitator, b.framework.id, " ", "not a date")
        assert set(caught.value.fields) == {"framework_id", "name", "due_on"}
        spring = assessments.open_round(a.facilitator, a.framework.id, "Spring 2027", "2027-05-01")
        again = assessments.open_round(a.facilitator, a.framework.id, "Fall 2027")  # several rounds per framework
        assert spring.is_open and spring.due_on.isoformat() == "2027-05-01" and again.id != spring.id
        from nic.clock import utcnow

        a.framework.archived_at = utcnow()
        db.session.flush()
        with pytest.raises(ValidationFailed) as caught:
            assessments.open_round(a.facilitator, a.framework.id, "Archived")
        assert "archived" in caught.value.fields["framework_id"]


def test_progress_counts_every_school_in_one_query(tenants):
    a = tenants.a
    with use_network(a.network):
        make_rating(a.round, a.schools[0], a.principal.user, practice(a, 1), 2)
        rows = {r.school_id: r for r in assessments.progress(a.round)}
        first, second = rows[a.schools[0].id], rows[a.schools[1].id]
        assert (first.raters, first.ratings, first.agreed, first.total) == (2, 2, 1, 20)
        assert (second.raters, second.ratings, second.agreed) == (0, 0, 0)
        assert first.state == "started" and second.state == "not_started"


def test_closing_mid_way_keeps_and_marks_partial(tenants):
    a = tenants.a
    extra_school_rated_only = a.schools[1]
    with use_network(a.network):
        complete_round = make_round(a.framework, "Complete round")
        for p in a.framework.practices:
            make_consensus(complete_round, a.schools[0], p, 1)
        make_rating(a.round, extra_school_rated_only, a.member.user, practice(a), 0)  # ratings, no consensus
        with pytest.raises(Forbidden):
            assessments.close_round(a.principal, a.round.id)
        closed = assessments.close_round(a.facilitator, a.round.id)
        assert not closed.is_open and closed.closed_by_id == a.facilitator.user_id
        standing = {r.school_id: r for r in db.session.query(AssessmentRoundSchool).filter_by(round_id=a.round.id)}
        assert standing[a.schools[0].id].close_state == "partial"
        assert (standing[a.schools[0].id].agreed_practices, standing[a.schools[0].id].total_practices) == (1, 20)
        assert standing[a.schools[1].id].close_state == "partial"  # its ratings count as started
        # kept as they were
        assert db.session.get(AssessmentRating, a.rating.id).note == "Alphaville private note"
        assert db.session.get(AssessmentConsensus, a.consensus.id).level_rank == 1
        # and nothing changes any more
        with pytest.raises(Conflict, match="round is closed"):
            assessment_ratings.record_ratings(
                a.principal, a.round.id, a.schools[0].id, [{"practice_id": practice(a).id, "level": levels(a)[0]}]
            )
        with pytest.raises(Conflict, match="round is closed"):
            assessment_ratings.record_consensus(
                a.principal, a.round.id, a.schools[0].id, practice(a).id, levels(a)[0], "", [], 1
            )
        with pytest.raises(Conflict):
            assessment_ratings.set_finished(a.principal, a.round.id, a.schools[0].id)
        with pytest.raises(Conflict):
            assessments.close_round(a.facilitator, a.round.id)
        assessments.close_round(a.facilitator, complete_round.id)
        states = {
            r.school_id: r.close_state
            for r in db.session.query(AssessmentRoundSchool).filter_by(round_id=complete_round.id)
        }
        assert states == {a.schools[0].id: "complete", a.schools[1].id: "not_started"}


# --- suggested evidence -------------------------------------------------------------------------


def test_the_schools_cycles_on_linked_change_ideas_are_suggested_newest_first(tenants):
    a = tenants.a
    from nic.models.assessment import practice_change_ideas, practice_drivers

    p_direct, p_driver, p_none = practice(a, 0), practice(a, 1), practice(a, 2)
    with use_network(a.network):
        direct_idea = make_change_idea(a.network, "Alphaville learning walks")
        older = make_cycle(a.schools[0], a.teacher_leader.user, "Alphaville walks one", change_idea=direct_idea)
        newer = make_cycle(a.schools[0], a.teacher_leader.user, "Alphaville walks two", change_idea=direct_idea)
        make_cycle(a.schools[1], a.member.user, "Alphaville walks elsewhere", change_idea=direct_idea)  # other school
        walk_notes = make_artifact(a.schools[0], a.teacher_leader.user, "Alphaville walk notes", cycle=older)
        db.session.execute(
            practice_change_ideas.insert().values(practice_id=p_direct.id, change_idea_id=direct_idea.id)
        )
        # a.change_idea hangs off a.secondary_driver; a.cycle tests it
        db.session.execute(practice_drivers.insert().values(practice_id=p_driver.id, driver_id=a.secondary_driver.id))
        db.session.flush()
        suggested = assessment_evidence.suggestions(a.teacher_leader, a.round, a.schools[0].id)
        assert [c.id for c in suggested[p_direct.id].cycles] == [newer.id, older.id]
        assert [x.id for x in suggested[p_direct.id].artifacts] == [walk_notes.id]
        assert [c.id for c in suggested[p_driver.id].cycles] == [a.cycle.id]
        assert a.artifact.id in [x.id for x in suggested[p_driver.id].artifacts]  # used by a.cycle
        assert suggested[p_none.id].cycles == [] and suggested[p_none.id].artifacts == []
        everything = assessment_evidence.choices(a.teacher_leader, a.round, a.schools[0].id)
        assert {c.id for c in everything.recent_cycles} >= {older.id, newer.id, a.cycle.id, a.private_cycle.id}
        assert [m.id for m in everything.measures] == [a.measure.id]
