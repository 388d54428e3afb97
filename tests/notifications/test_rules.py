"""Who is notified of what: a mention, a reply to the thread's creator, activity on the
cycle's owner; one per person per message (mention, then reply, then cycle activity);
never the author; never someone who may not read the thread; a task that runs twice adds
nothing; phase moves by someone else tell the owner; reading the thread reads them."""

import pytest
from flask_socketio import SocketIOTestClient
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from nic.extensions import db, socketio
from nic.models import CyclePhaseMove, Notification
from nic.services.cycles import cycles
from nic.services.discussion import discussion
from nic.services.errors import ServiceError
from nic.services.notifications import notifications
from nic.tenancy import use_network
from tests.factories import make_cycle, make_message, make_thread, make_token


def stored(tenant, **where) -> dict[int, str]:
    """{user_id: kind} of the notifications about one message (or matching `where`)."""
    db.session.expire_all()
    with use_network(tenant.network):
        stmt = select(Notification).filter_by(**where)
        return {n.user_id: n.kind for n in db.session.scalars(stmt)}


def test_mention_beats_reply_beats_cycle_activity_and_the_author_is_left_out(tenants, pushed):
    a = tenants.a
    with use_network(a.network):
        # a.thread is on the teacher's cycle and was started by the teacher.
        message = discussion.post_message(a.member, a.thread.id, f"@{a.principal.user.name} and @{a.member.user.name}?")
    assert stored(a, message_id=message.id) == {a.principal.user_id: "mention", a.teacher_leader.user_id: "reply"}
    with use_network(a.network):
        started_by_principal = make_thread(a.network, "cycle", a.cycle.id, "Another", a.principal.user)
        second = discussion.post_message(a.member, started_by_principal.id, "A question for the school")
        third = discussion.post_message(
            a.principal, started_by_principal.id, f"@{a.teacher_leader.user.name} over to you"
        )
    assert stored(a, message_id=second.id) == {a.principal.user_id: "reply", a.teacher_leader.user_id: "cycle_activity"}
    assert stored(a, message_id=third.id) == {a.teacher_leader.user_id: "mention"}
    texts = {
        n.kind: n.text
        for n in db.session.scalars(
            select(Notification)
            .where(Notification.message_id.in_([message.id, second.id]))
            .execution_options(nic_unscoped=True)
        )
    }
    assert texts["mention"] == f"{a.member.user.name} mentioned you in “{a.thread.title}”"
    assert texts["reply"].startswith(f"{a.member.user.name} replied in")
    assert texts["cycle_activity"] == f"{a.member.user.name} posted in “Another” on your cycle “{a.cycle.title}”"


def test_nobody_hears_of_their_own_message(tenants, pushed):
    a = tenants.a
    with use_network(a.network):
        message = discussion.post_message(a.teacher_leader, a.thread.id, f"Note to self, @{a.teacher_leader.user.name}")
    assert stored(a, message_id=message.id) == {}
    assert pushed == []


def test_a_mention_in_a_thread_someone_may_not_read_tells_them_nothing(tenants, pushed):
    a, b = tenants.a, tenants.b
    with use_network(a.network):
        private = make_thread(a.network, "cycle", a.private_cycle.id, "School only", a.teacher_leader.user)
        body = f"@{a.member.user.name} @{a.facilitator.user.name} @{a.principal.user.name} @{b.principal.user.name}"
        message = discussion.post_message(a.teacher_leader, private.id, body)
    # The member (another school), the facilitator (no school) and the other network's
    # principal may not read it: only the principal of the cycle's school is told.
    assert stored(a, message_id=message.id) == {a.principal.user_id: "mention"}
    assert [user_id for user_id, _, _ in pushed] == [a.principal.user_id]
    assert stored(b) == {b.facilitator.user_id: "mention"}  # only b's own fixture notification


def test_the_task_is_idempotent_and_skips_deleted_messages(tenants, pushed):
    a = tenants.a
    with use_network(a.network):
        message = discussion.post_message(a.member, a.thread.id, f"@{a.principal.user.name} hello")
        assert len(stored(a, message_id=message.id)) == 2
        assert notifications.notify_for_message(message.id) == []
        assert len(stored(a, message_id=message.id)) == 2
        gone = make_message(a.thread, a.member.user, f"@{a.principal.user.name} oops")
        discussion.delete_message(a.member, gone.id)
        assert notifications.notify_for_message(gone.id) == []
        assert notifications.notify_for_message(999_999) == []
    assert len(pushed) == 2  # the first run's two, nothing from the reruns


def test_an_edit_tells_only_people_it_newly_mentions(tenants, pushed):
    a = tenants.a
    with use_network(a.network):
        message = discussion.post_message(a.member, a.thread.id, "Plain at first")
        assert stored(a, message_id=message.id) == {a.teacher_leader.user_id: "reply"}
        discussion.edit_message(a.member, message.id, f"Now @{a.principal.user.name} and @{a.teacher_leader.user.name}")
    # The teacher already heard of this message (as its thread's creator): not twice.
    assert stored(a, message_id=message.id) == {a.teacher_leader.user_id: "reply", a.principal.user_id: "mention"}


def test_a_phase_move_by_someone_else_tells_the_owner(tenants, pushed):
    a = tenants.a
    with use_network(a.network):
        cycle = make_cycle(a.schools[0], a.teacher_leader.user, "Exit tickets", phase="study")
        db.session.commit()
        cycles.move_phase(a.principal, cycle.id, "do")  # the principal moves the teacher's cycle back
        cycles.move_phase(a.teacher_leader, cycle.id, "plan")  # the owner's own move: nobody told
    rows = stored(a, cycle_id=cycle.id)
    assert rows == {a.teacher_leader.user_id: "cycle_activity"}
    [note] = db.session.scalars(
        select(Notification).where(Notification.cycle_id == cycle.id).execution_options(nic_unscoped=True)
    )
    assert note.text == f"{a.principal.user.name} moved your cycle “Exit tickets” to Do"
    assert note.message_id is None and note.actor_id == a.principal.user_id
    [(user_id, event, payload)] = pushed
    assert (user_id, event) == (a.teacher_leader.user_id, "notification")
    assert payload["url"] == f"/n/alpha/cycles/{cycle.id}" and payload["unread_count"] == 1


def test_the_owner_is_told_after_the_commit_of_the_move(tenants, pushed):
    """The service calls cycle_phase_moved itself (no ORM listener): the row is written
    with the move, the push waits for the commit."""
    a = tenants.a
    order = []

    def committed(session):
        order.append("commit")

    with use_network(a.network):
        cycle = make_cycle(a.schools[0], a.teacher_leader.user, "Exit tickets", phase="study")
        db.session.commit()
        event.listen(Session, "after_commit", committed)
        try:
            original = notifications.push
            with pytest.MonkeyPatch.context() as mp:
                mp.setattr(notifications, "push", lambda *args: (order.append("push"), original(*args)))
                cycles.move_phase(a.principal, cycle.id, "do")
        finally:
            event.remove(Session, "after_commit", committed)
    assert order == ["commit", "push"]
    assert [user_id for user_id, _, _ in pushed] == [a.teacher_leader.user_id]


def test_a_cycle_started_past_plan_for_another_owner_tells_that_owner(tenants, pushed):
    a = tenants.a
    with use_network(a.network):
        cycle = cycles.create_cycle(a.principal, {
            "title": "Warm calls", "owner_id": a.teacher_leader.user_id, "phase": "do",
            "plan_objective": "Call every absent student's home the same day.",
            "questions": [{"question": "Do more come back?", "prediction": "Yes, within a week."}]})
    assert stored(a, cycle_id=cycle.id) == {a.teacher_leader.user_id: "cycle_activity"}
    assert [user_id for user_id, _, _ in pushed] == [a.teacher_leader.user_id]


def test_a_phase_move_written_outside_the_service_tells_nobody(tenants, pushed):
    """Only the service's explicit call notifies: a CyclePhaseMove added directly (the
    demo's history, a fixture) writes no notification."""
    a = tenants.a
    with use_network(a.network):
        cycle = make_cycle(a.schools[0], a.teacher_leader.user, "History", phase="do")
        db.session.add(CyclePhaseMove(cycle_id=cycle.id, from_phase="plan", to_phase="do",
                                      user_id=a.principal.user_id))
        db.session.flush()
    assert stored(a, cycle_id=cycle.id) == {}


def test_a_move_that_fails_leaves_no_notification(tenants, pushed):
    a = tenants.a
    with use_network(a.network):
        cycle = make_cycle(a.schools[0], a.teacher_leader.user, "Not ready", phase="plan")
        db.session.commit()
        with pytest.raises(ServiceError):
            cycles.move_phase(a.principal, cycle.id, "do")  # the plan is empty: refused
    assert stored(a, cycle_id=cycle.id) == {}
    assert pushed == []


def test_the_push_reaches_the_persons_socket(app, tenants):
    a = tenants.a
    sio = SocketIOTestClient(app, socketio, auth={"token": make_token(a.principal.user)[1]})
    try:
        assert sio.is_connected()
        with use_network(a.network):
            message = discussion.post_message(a.member, a.thread.id, f"@{a.principal.user.name} see this")
        received = [r for r in sio.get_received() if r["name"] == "notification"]
        assert len(received) == 1
        payload = received[0]["args"][0]
        assert payload["kind"] == "mention" and payload["network"] == "alpha" and payload["unread_count"] == 1
        assert payload["url"] == f"/n/alpha/threads/{a.thread.id}#message-{message.id}"
        assert payload["excerpt"] == f"@{a.principal.user.name} see this"
        assert set(payload) >= {"id", "kind", "text", "url", "created_at", "unread_count"}
    finally:
        sio.disconnect()


def test_reading_the_thread_reads_its_notifications(tenants, pushed):
    a = tenants.a
    with use_network(a.network):
        first = discussion.post_message(a.member, a.thread.id, f"@{a.principal.user.name} one")
        second = discussion.post_message(a.member, a.thread.id, f"@{a.principal.user.name} two")
        assert notifications.unread_count(a.principal.user_id) == 2
        discussion.mark_read(a.principal, a.thread, first.id)
        assert notifications.unread_count(a.principal.user_id) == 1
        discussion.mark_read(a.principal, a.thread)
        assert notifications.unread_count(a.principal.user_id) == 0
    reads = [payload for user_id, event, payload in pushed if event == "notifications_read"]
    assert [r["unread_count"] for r in reads] == [1, 0] and reads[0]["network"] == "alpha"
    assert second.id > first.id
