"""Triggered incremental roll-ups: a change to a school's cycles, points, artifacts or
messages queues that school's roll-up in the same transaction; a burst of edits coalesces
into one or two jobs; the incremental run rewrites that school's rows and the network's
rows from `since` only, and its numbers equal a full recompute's. Jobs whose message was
lost are sent again."""

from datetime import date, timedelta

import pytest
from flask import current_app
from sqlalchemy import select

from nic.clock import utcnow
from nic.extensions import db
from nic.models import Cycle, CycleChange, RollupJob, RollupNetworkPeriod, RollupSchool, RollupSchoolPeriod
from nic.services.artifacts import artifacts
from nic.services.cycles import cycles
from nic.services.discussion import discussion
from nic.services.measures import points
from nic.services.rollups import rollups
from nic.tenancy import use_network
from tests.factories import make_cycle, make_measure, make_points
from tests.rollups.pipeline_support import broker, jobs_of, rollups_on, snapshot  # noqa: F401  (fixtures)


def today():
    """Read at each use, not once at import: a run that passes midnight UTC must compare
    with the day the code under test sees."""
    return utcnow().date()


def _school_jobs(network, school_id):
    return [j for j in jobs_of(network) if j.scope == "school" and j.school_id == school_id]


def _edit(tenant, cycle_id, objective):
    with use_network(tenant.network):
        version = db.session.scalar(select(Cycle.version).where(Cycle.id == cycle_id))
        cycles.update_cycle(tenant.teacher_leader, cycle_id, {"plan_objective": objective}, version)


@pytest.fixture(autouse=True)
def movable(tenants):
    """alpha's shared cycle, ready to move into Do (it has a question with a prediction)."""
    with use_network(tenants.a.network):
        tenants.a.cycle.plan_objective = "Flag students at risk every Monday"
        db.session.commit()


# --- the hooks ---------------------------------------------------------------------------


def test_every_cycle_change_queues_its_school(tenants, broker):
    a = tenants.a
    school_id = a.schools[0].id
    with use_network(a.network):
        created = cycles.create_cycle(a.teacher_leader, {"title": "Exit tickets", "plan_objective": "Try"})
        [job] = _school_jobs(a.network, school_id)
        assert job.state == "queued" and job.since == today()
        assert broker.runs() == [{"network_id": a.network.id, "job_id": job.id}]
        assert broker.sent[-1][2] == rollups.INCREMENTAL_DELAY_SECONDS  # waits for more edits to join

        # An edit moving the start date back widens the waiting job to that date's periods.
        back = today() - timedelta(days=60)
        cycles.update_cycle(a.teacher_leader, created.id, {"start_date": back.isoformat()}, created.version)
        [job] = _school_jobs(a.network, school_id)
        assert job.since == back
        # ...and one moving it forward again still covers the periods it leaves.
        cycles.update_cycle(a.teacher_leader, created.id, {"start_date": today().isoformat()}, created.version)
        assert _school_jobs(a.network, school_id)[0].since == back

        for step in (
            lambda: cycles.move_phase(a.teacher_leader, a.cycle.id, "do"),
            lambda: cycles.delete_cycle(a.principal, created.id),
            lambda: cycles.restore_cycle(a.principal, created.id),
        ):
            db.session.execute(RollupJob.__table__.update().values(state="done"))  # the worker took the last one
            step()
            queued = [j for j in _school_jobs(a.network, school_id) if j.state == "queued"]
            assert len(queued) == 1, step
    assert len(broker.runs()) == 4  # one per job; every other change joined a waiting one


def test_points_artifacts_and_messages_queue_their_school(tenants, broker):
    a = tenants.a
    school_id = a.schools[0].id
    measure = a.measure
    with use_network(a.network):
        old_period = date(2026, 3, 2)
        points.save(
            measure,
            school_id,
            [points.PointIn(old_period, numerator=3, denominator=10)],
            a.teacher_leader.user.id,
            "api",
        )
        [job] = _school_jobs(a.network, school_id)
        assert job.since == min(old_period, today())  # the pooled value of that old period changes
        db.session.execute(RollupJob.__table__.update().values(state="done"))

        artifact = artifacts.create_artifact(
            a.teacher_leader, a.teacher_leader.user, {"title": "Huddle agenda", "url": "https://example.org/agenda"}
        )
        assert [j.state for j in _school_jobs(a.network, school_id)] == ["done", "queued"]
        db.session.execute(RollupJob.__table__.update().values(state="done"))
        artifacts.delete_artifact(a.teacher_leader, artifact.id)
        assert _school_jobs(a.network, school_id)[-1].state == "queued"
        db.session.execute(RollupJob.__table__.update().values(state="done"))

        discussion.post_message(a.teacher_leader, a.thread.id, "How did it go?")
        assert _school_jobs(a.network, school_id)[-1].state == "queued"
        before = len(jobs_of(a.network))
        # A facilitator has no school: their message changes only network-wide figures,
        # which the nightly run catches up; no school job is queued.
        discussion.post_message(a.facilitator, a.thread.id, "Thanks, everyone")
        assert len(jobs_of(a.network)) == before


def test_nothing_is_queued_when_roll_ups_on_change_are_off(tenants, broker, app, monkeypatch):
    monkeypatch.setitem(app.config, "ROLLUP_ON_CHANGE", False)
    a = tenants.a
    with use_network(a.network):
        cycles.move_phase(a.teacher_leader, a.cycle.id, "do")
    assert jobs_of(a.network) == [] and broker.runs() == []


def test_a_change_rolled_back_queues_nothing(tenants, broker):
    a = tenants.a
    with use_network(a.network):
        with pytest.raises(cycles.CycleConflict):
            cycles.update_cycle(a.teacher_leader, a.cycle.id, {"plan_objective": "Stale"}, a.cycle.version + 5)
        db.session.rollback()
    assert jobs_of(a.network) == [] and broker.runs() == []


# --- coalescing --------------------------------------------------------------------------


def test_a_hundred_edits_cause_at_most_two_jobs(tenants, broker):
    a = tenants.a
    for i in range(60):
        _edit(a, a.cycle.id, f"Objective, take {i}")
    [first] = jobs_of(a.network)
    assert first.state == "queued" and len(broker.runs()) == 1

    # The worker picks the job up in the middle of the burst...
    with use_network(a.network):
        db.session.execute(
            RollupJob.__table__.update().where(RollupJob.__table__.c.id == first.id).values(state="running")
        )
        # ...and the edits made while it runs queue exactly one more.
        for i in range(60, 100):
            _edit(a, a.cycle.id, f"Objective, take {i}")
        assert rollups.run_job(first.id) == "done"
    jobs = jobs_of(a.network)
    assert [j.state for j in jobs] == ["done", "queued"] and len(broker.runs()) == 2
    with use_network(a.network):
        assert rollups.run_job(jobs[1].id) == "done"
        assert rollups.run_job(jobs[1].id) == "done"  # a second delivery changes nothing
    assert [j.attempts for j in jobs_of(a.network)] == [1, 1]


def test_a_second_full_request_answers_the_waiting_or_running_job(tenants, broker):
    a = tenants.a
    with use_network(a.network):
        first = rollups.request_full()
        assert rollups.request_full().id == first.id
        db.session.execute(RollupJob.__table__.update().values(state="running", started_at=utcnow()))
        assert rollups.request_full().id == first.id
        db.session.execute(RollupJob.__table__.update().values(state="done"))
        assert rollups.request_full().id != first.id
    assert len(broker.runs()) == 2


# --- the incremental run -------------------------------------------------------------------


@pytest.fixture
def history(tenants):
    """Both schools of alpha with cycles months back, so the network has old periods an
    incremental run must leave alone."""
    a = tenants.a
    long_ago = today() - timedelta(days=120)
    for school in a.schools:
        make_cycle(
            school,
            a.teacher_leader.user,
            phase="done",
            act_decision="adopt",
            start_date=long_ago,
            change_idea=a.change_idea,
            created_at=utcnow() - timedelta(days=120),
            phase_changed_at=utcnow() - timedelta(days=100),
            updated_at=utcnow() - timedelta(days=100),
        )
        make_cycle(
            school,
            a.teacher_leader.user,
            phase="study",
            start_date=long_ago,
            created_at=utcnow() - timedelta(days=120),
            updated_at=utcnow() - timedelta(days=40),
        )
    run = make_measure(a.network, "Attendance", chart="run")
    make_points(run, a.schools[1], [(date(2026, 1, 5) + timedelta(weeks=i), float(i % 3)) for i in range(10)])
    db.session.commit()
    return a


def test_the_incremental_run_rewrites_one_school_and_recent_periods_and_matches_a_full_run(history, broker):
    a = history
    changed, other = a.schools
    with use_network(a.network):
        first_at = rollups.compute()
        db.session.commit()
        # Today's change at one school: a phase move and a point.
        cycles.move_phase(a.teacher_leader, a.cycle.id, "do")
        points.save(
            a.measure,
            changed.id,
            [points.PointIn(today() - timedelta(days=today().weekday()), numerator=9, denominator=20)],
            a.teacher_leader.user.id,
            "api",
        )
    [job] = jobs_of(a.network)
    assert job.school_id == changed.id
    with use_network(a.network):
        assert rollups.run_job(job.id) == "done"
        db.session.expire_all()
        second_at = db.session.scalar(select(RollupSchool.computed_at).where(RollupSchool.school_id == changed.id))
        assert second_at > first_at
        # The other school's rows were not touched.
        assert db.session.scalar(select(RollupSchool.computed_at).where(RollupSchool.school_id == other.id)) == first_at
        assert set(
            db.session.scalars(select(RollupSchoolPeriod.computed_at).where(RollupSchoolPeriod.school_id == other.id))
        ) == {first_at}
        assert set(
            db.session.scalars(select(RollupSchoolPeriod.computed_at).where(RollupSchoolPeriod.school_id == changed.id))
        ) == {second_at}
        # Network periods: recomputed from (about) `since` on, the older ones kept.
        network_rows = list(
            db.session.execute(select(RollupNetworkPeriod.period_start, RollupNetworkPeriod.computed_at))
        )
        old = {at for start, at in network_rows if start < today() - timedelta(days=45)}
        recent = {at for start, at in network_rows if start >= today() - timedelta(days=6)}
        assert old == {first_at} and recent == {second_at}

    incremental = snapshot(a.network)
    with use_network(a.network):
        rollups.compute()
        db.session.commit()
    assert snapshot(a.network) == incremental


def test_incremental_then_full_agree_after_a_delete_that_empties_old_periods(history, broker):
    """Deleting a cycle started months ago changes old network periods: `since` reaches
    back to its start."""
    a = history
    with use_network(a.network):
        rollups.compute()
        db.session.commit()
        old_cycle = db.session.scalar(select(Cycle).where(Cycle.school_id == a.schools[0].id, Cycle.phase == "done"))
        cycles.delete_cycle(a.principal, old_cycle.id)
    [job] = jobs_of(a.network)
    assert job.since == old_cycle.start_date
    with use_network(a.network):
        rollups.run_job(job.id)
    incremental = snapshot(a.network)
    with use_network(a.network):
        rollups.compute()
        db.session.commit()
    assert snapshot(a.network) == incremental


def test_eager_mode_rolls_up_right_after_the_change(tenants, rollups_on):
    """The embedded default (no Redis): the change's roll-up runs in-process after commit."""
    a = tenants.a
    with use_network(a.network):
        cycles.move_phase(a.teacher_leader, a.cycle.id, "do")
        row = db.session.scalar(select(RollupSchool).where(RollupSchool.school_id == a.schools[0].id))
    assert row is not None and row.in_do == 1
    assert [j.state for j in jobs_of(a.network)] == ["done"]


# --- lost messages -------------------------------------------------------------------------


def test_a_broker_that_is_down_does_not_fail_the_change_and_the_job_is_sent_later(tenants, broker):
    a = tenants.a
    broker.down = True
    with use_network(a.network):
        cycle, moved = cycles.move_phase(a.teacher_leader, a.cycle.id, "do")
    assert moved and cycle.phase == "do"  # saved, although nothing could be sent
    [job] = jobs_of(a.network)
    assert job.state == "queued" and broker.runs() == []

    broker.down = False
    assert rollups.requeue_stale() == 0  # not stale yet: its message may still be on its way
    later = utcnow() + timedelta(seconds=current_app.config["ROLLUP_REQUEUE_QUEUED_SECONDS"] + 1)
    assert rollups.requeue_stale(now=later) == 1
    assert broker.runs() == [{"network_id": a.network.id, "job_id": job.id}]


def test_the_next_change_resends_a_stale_job_it_joins(tenants, broker):
    a = tenants.a
    with use_network(a.network):
        cycles.move_phase(a.teacher_leader, a.cycle.id, "do")
        db.session.execute(RollupJob.__table__.update().values(requested_at=utcnow() - timedelta(hours=1)))
        cycles.move_phase(a.teacher_leader, a.cycle.id, "plan")
        cycles.move_phase(a.teacher_leader, a.cycle.id, "do")
    [job] = jobs_of(a.network)
    # Sent when queued, sent again by the first change that found it stale; the one after
    # found it freshly sent.
    assert [r["job_id"] for r in broker.runs()] == [job.id, job.id]
    assert job.requested_at > utcnow() - timedelta(minutes=1)


def test_a_job_running_far_too_long_is_sent_again(tenants, broker):
    a = tenants.a
    with use_network(a.network):
        job = rollups.request_full()
        db.session.execute(
            RollupJob.__table__.update().values(
                state="running",
                started_at=utcnow() - timedelta(seconds=current_app.config["ROLLUP_REQUEUE_RUNNING_SECONDS"] + 5),
            )
        )
        db.session.commit()
    assert rollups.requeue_stale() == 1
    with use_network(a.network):
        assert rollups.run_job(job.id) == "done"  # the resent message finishes it
    assert rollups.requeue_stale() == 0


def test_a_full_request_that_finds_its_job_stale_sends_it_again(tenants, broker):
    a = tenants.a
    with use_network(a.network):
        job = rollups.request_full()
        db.session.execute(RollupJob.__table__.update().values(requested_at=utcnow() - timedelta(hours=1)))
        assert rollups.request_full().id == job.id
        assert rollups.request_full().id == job.id  # freshly sent now: not again
    assert [r["job_id"] for r in broker.runs()] == [job.id, job.id]


def test_a_second_delivery_that_waited_for_the_first_run_does_not_run_again(tenants, broker, monkeypatch):
    """Two deliveries of one job (the sweep sent it again while it ran): the second waits
    on the network's lock until the first commits, then finds the job done."""
    a = tenants.a
    with use_network(a.network):
        job = rollups.request_full()
        real_lock = rollups._lock_network

        def first_run_commits_while_we_wait(network_id):
            db.session.execute(
                RollupJob.__table__.update().where(RollupJob.__table__.c.id == job.id).values(state="done")
            )
            real_lock(network_id)

        computed = []
        monkeypatch.setattr(rollups, "_lock_network", first_run_commits_while_we_wait)
        monkeypatch.setattr(rollups, "compute", lambda *args, **kwargs: computed.append(args))
        assert rollups.run_job(job.id) == "done"
    assert computed == [] and jobs_of(a.network)[0].state == "done"


def test_people_active_in_two_schools_count_once_and_schoolless_messages_count_for_the_network(history, broker):
    """The network's periods are summed from the schools' rows; active members are the
    distinct people across schools (a co-author editing cycles of two schools in a week
    is one person), and messages by people with no school count for the network only.
    An incremental run of one school gives what a full run gives."""
    a = history
    facilitator, coauthor = a.facilitator, a.principal.user
    with use_network(a.network):
        for school in a.schools:
            cycle = make_cycle(school, a.teacher_leader.user, title=f"Shared {school.id}")
            db.session.add(
                CycleChange(
                    cycle_id=cycle.id,
                    user_id=coauthor.id,
                    version=2,
                    fields={"plan_objective": {"old": "", "new": "Try it"}},
                )
            )
        db.session.flush()
        discussion.post_message(facilitator, a.thread.id, "From the facilitator, no school")
        db.session.commit()
    with use_network(a.network):
        rollups.compute()
        db.session.commit()
        week = today() - timedelta(days=today().weekday())
        network_week = db.session.scalar(
            select(RollupNetworkPeriod).where(
                RollupNetworkPeriod.period_kind == "week", RollupNetworkPeriod.period_start == week
            )
        )
        school_weeks = db.session.scalars(
            select(RollupSchoolPeriod).where(
                RollupSchoolPeriod.period_kind == "week", RollupSchoolPeriod.period_start == week
            )
        ).all()
        # The co-author is active in both schools' rows but once in the network's.
        assert len(school_weeks) == 2
        assert sum(row.active_members for row in school_weeks) > network_week.active_members
        people = {a.teacher_leader.user.id, coauthor.id, facilitator.user.id}
        assert network_week.active_members == len(people)
        # The facilitator's message has no school: the network counts it, no school does.
        assert sum(row.messages for row in school_weeks) + 1 == network_week.messages
        full = snapshot(a.network)
        rollups.compute(school_id=a.schools[0].id, since=today())
        db.session.commit()
    assert snapshot(a.network) == full
