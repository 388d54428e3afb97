"""nic.services.discussion.discussion: who may read a thread, posting (stored, then broadcast only
after the commit), de-duplicated resends, edit/delete traces, unread counts."""

import pytest

from nic.events import publish
from nic.events.rooms import thread_room
from nic.extensions import db
from nic.models import Message
from nic.services.discussion import discussion
from nic.services.errors import Forbidden, NotFound, ValidationFailed
from nic.tenancy import use_network
from tests.factories import make_artifact, make_channel, make_message, make_thread


@pytest.fixture
def sent(monkeypatch):
    """Every broadcast, as (event, payload), instead of reaching Socket.IO."""
    calls = []
    monkeypatch.setattr(publish, "emit_message", lambda payload, event="message": calls.append((event, payload)))
    return calls


def test_cycle_threads_follow_the_cycle(tenants):
    a = tenants.a
    with use_network(a.network):
        private = make_thread(a.network, "cycle", a.private_cycle.id, "Private", a.teacher_leader.user)
        # Same school as the private cycle: readable.
        assert discussion.readable_thread(a.principal, private.id).id == private.id
        # Another school of the network, and a facilitator (no school): not found.
        for outsider in (a.member, a.facilitator):
            with pytest.raises(NotFound):
                discussion.readable_thread(outsider, private.id)
        assert discussion.readable_thread(a.member, a.thread.id).id == a.thread.id


def test_another_networks_thread_is_not_found(tenants):
    with use_network(tenants.a.network):
        with pytest.raises(NotFound):
            discussion.readable_thread(tenants.a.facilitator, tenants.b.thread.id)
        with pytest.raises(NotFound):
            discussion.readable_thread(tenants.a.facilitator, "not-an-id")


def test_artifact_idea_and_channel_threads(tenants):
    a = tenants.a
    with use_network(a.network):
        hidden = make_artifact(a.schools[0], a.teacher_leader.user, "School only", visibility="school")
        on_hidden = make_thread(a.network, "artifact", hidden.id, "About it", a.teacher_leader.user)
        on_idea = make_thread(a.network, "change_idea", a.change_idea.id, "Idea", a.facilitator.user)
        leads = make_channel(a.network, "leads", roles="facilitator, principal")
        on_leads = make_thread(a.network, "channel", leads.id, "Leads only", a.facilitator.user)
        on_general = make_thread(a.network, "channel", a.channel.id, "Everyone", a.facilitator.user)
        assert discussion.readable_thread(a.teacher_leader, on_hidden.id)
        with pytest.raises(NotFound):
            discussion.readable_thread(a.member, on_hidden.id)
        assert discussion.readable_thread(a.member, on_idea.id)
        assert discussion.readable_thread(a.principal, on_leads.id)
        with pytest.raises(NotFound):
            discussion.readable_thread(a.member, on_leads.id)
        assert discussion.readable_thread(a.member, on_general.id)
        # The list applies the same rules in SQL.
        listed = set(db.session.scalars(discussion.threads_stmt(a.member)).all())
        assert {t.id for t in listed} == {a.thread.id, on_idea.id, on_general.id}
        listed = {t.id for t in db.session.scalars(discussion.threads_stmt(a.principal))}
        assert listed == {a.thread.id, on_hidden.id, on_idea.id, on_leads.id, on_general.id}


def test_create_thread_validates_and_hides(tenants):
    a, b = tenants.a, tenants.b
    with use_network(a.network):
        with pytest.raises(ValidationFailed) as bad:
            discussion.create_thread(a.member, "gossip", "x", "")
        assert set(bad.value.fields) == {"subject", "subject_id", "title"}
        for subject, subject_id in (
            ("cycle", a.private_cycle.id),
            ("cycle", b.cycle.id),
            ("change_idea", b.change_idea.id),
            ("channel", 999_999),
        ):
            with pytest.raises(NotFound):
                discussion.create_thread(a.member, subject, subject_id, "Hello")
        thread = discussion.create_thread(a.member, "change_idea", a.change_idea.id, "  How did it go?  ")
        assert thread.title == "How did it go?" and thread.created_by_id == a.member.user_id
        assert [t.id for t in discussion.threads_for("change_idea", a.change_idea.id)] == [thread.id]


def test_post_broadcasts_only_after_the_commit(tenants, sent, monkeypatch):
    a = tenants.a
    with use_network(a.network):
        seen_at_broadcast = []
        monkeypatch.setattr(
            publish,
            "emit_message",
            lambda payload, event="message": seen_at_broadcast.append(
                (event, payload, not db.session.new and not db.session.dirty)
            ),
        )
        message = discussion.post_message(a.member, a.thread.id, "**Went well**")
        assert len(seen_at_broadcast) == 1
        event, payload, flushed_and_committed = seen_at_broadcast[0]
        assert flushed_and_committed
        assert event == "message"
        assert payload == {
            "id": message.id,
            "thread_id": a.thread.id,
            "author": {"id": a.member.user.id, "name": a.member.user.name},
            "body_html": "<p><strong>Went well</strong></p>\n",
            "created_at": message.created_at.isoformat(),
        }
        assert a.thread.last_message_id == message.id


def test_a_rolled_back_post_broadcasts_nothing(tenants, sent, monkeypatch):
    a = tenants.a
    import nic.services.discussion.discussion as module

    def failing_commit():
        db.session.rollback()
        raise RuntimeError("database went away")

    monkeypatch.setattr(module, "commit", failing_commit)
    with use_network(a.network):
        with pytest.raises(RuntimeError):
            discussion.post_message(a.member, a.thread.id, "Lost")
        assert sent == []
        assert db.session.scalar(db.select(Message).where(Message.body == "Lost")) is None


def test_body_is_validated(tenants, sent):
    a = tenants.a
    with use_network(a.network):
        for body in ("", "   ", None, "x" * 10_001):
            with pytest.raises(ValidationFailed) as bad:
                discussion.post_message(a.member, a.thread.id, body)
            assert "body" in bad.value.fields
        assert discussion.post_message(a.member, a.thread.id, "x" * 10_000).id
        with pytest.raises(NotFound):
            discussion.post_message(a.member, tenants.b.thread.id, "Hi")
    assert len(sent) == 1


def test_a_resend_with_the_same_client_id_is_not_stored_twice(tenants, sent):
    a = tenants.a
    with use_network(a.network):
        first = discussion.post_message(a.member, a.thread.id, "Once", client_id="c-1")
        again = discussion.post_message(a.member, a.thread.id, "Once", client_id="c-1")
        other_author = discussion.post_message(a.principal, a.thread.id, "Once", client_id="c-1")
        assert again.id == first.id and other_author.id != first.id
        count = db.session.scalar(db.select(db.func.count(Message.id)).where(Message.body == "Once"))
        assert count == 2
    assert [p["id"] for _, p in sent] == [first.id, other_author.id]


def test_edit_and_delete_by_the_author_leave_a_trace(tenants, sent):
    a = tenants.a
    with use_network(a.network):
        message = discussion.post_message(a.member, a.thread.id, "Frist")
        with pytest.raises(Forbidden):
            discussion.edit_message(a.principal, message.id, "Hijack")
        edited = discussion.edit_message(a.member, message.id, "First")
        assert edited.body == "First" and edited.edited_at is not None
        deleted = discussion.delete_message(a.member, message.id)
        assert deleted.body == "" and deleted.deleted_at is not None
        assert db.session.get(Message, message.id) is not None  # the row stays
        with pytest.raises(NotFound):
            discussion.edit_message(a.member, message.id, "Back")
    events = [(event, payload["body_html"]) for event, payload in sent]
    assert events == [("message", "<p>Frist</p>\n"), ("message_changed", "<p>First</p>\n"), ("message_changed", "")]
    assert sent[-1][1]["deleted_at"] is not None


def test_unread_counts_in_one_grouped_query(tenants, sent):
    a = tenants.a
    with use_network(a.network):
        other = make_thread(a.network, "change_idea", a.change_idea.id, "Idea", a.facilitator.user)
        quiet = make_thread(a.network, "change_idea", a.change_idea.id, "Quiet", a.facilitator.user)
        make_message(other, a.principal.user, "one")
        make_message(other, a.principal.user, "two")
        make_message(other, a.member.user, "mine")  # one's own messages are not unread
        ids = [a.thread.id, other.id, quiet.id]
        assert discussion.unread_counts(a.member, ids) == {a.thread.id: 1, other.id: 2, quiet.id: 0}
        discussion.mark_read(a.member, other)
        discussion.mark_read(a.member, a.thread, last_id=0)  # never moves back
        assert discussion.unread_counts(a.member, ids) == {a.thread.id: 1, other.id: 0, quiet.id: 0}
        discussion.mark_read(a.member, a.thread)
        assert discussion.unread_counts(a.member, ids)[a.thread.id] == 0


def test_rooms_are_named_in_one_place():
    assert thread_room(7) == thread_room("7") == "thread:7"
