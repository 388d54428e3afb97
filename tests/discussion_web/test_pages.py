"""The discussion pages: a thread page that works without JavaScript, starting a thread
on a subject, the subject panel on cycle/artifact/change-idea pages, and the channel list.
What a member may not read answers 404, like something that does not exist."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from nic.extensions import db
from nic.models import Message, Thread, ThreadRead
from nic.tenancy import use_network
from tests.factories import make_channel, make_message, make_thread


@pytest.fixture
def a(tenants):
    return tenants.a


@pytest.fixture
def b(tenants):
    return tenants.b


def stored_messages(tenant, thread_id) -> list[Message]:
    db.session.expire_all()
    with use_network(tenant.network):
        return list(db.session.scalars(select(Message).where(Message.thread_id == thread_id).order_by(Message.id)))


def test_thread_page_shows_messages_oldest_first_with_markdown_and_traces(a, login_as):
    make_message(a.thread, a.principal.user, "Second: **bold** point")
    gone = make_message(a.thread, a.principal.user, "Secret that was removed")
    with use_network(a.network):
        gone = db.session.merge(gone)
        gone.body, gone.deleted_at = "", gone.created_at
        db.session.commit()
    html = login_as(a.member.user).get(f"/n/alpha/threads/{a.thread.id}").get_data(as_text=True)
    first = html.index("Alphaville asks: how did the huddle go?")
    second = html.index("<strong>bold</strong>")
    assert first < second < html.index("This message was deleted")
    assert "Secret that was removed" not in html
    assert "Alphaville Principal" in html and "Alphaville Teacher" in html
    assert "Alphaville huddle test one" in html  # the subject, linked back
    assert 'aria-live="polite"' in html and "socket.io.min.js" in html


def test_opening_a_thread_marks_it_read(a, login_as):
    login_as(a.member.user).get(f"/n/alpha/threads/{a.thread.id}")
    db.session.expire_all()
    with use_network(a.network):
        read = db.session.scalar(select(ThreadRead).where(ThreadRead.user_id == a.member.user_id))
        assert read.last_read_id == a.message.id


def test_posting_without_javascript_stores_and_redirects_back(a, login_as):
    client = login_as(a.member.user)
    response = client.post(
        f"/n/alpha/threads/{a.thread.id}/messages", data={"body": "We tried it *twice*", "client_id": "form-1"}
    )
    assert response.status_code == 302
    stored = stored_messages(a, a.thread.id)[-1]
    assert stored.body == "We tried it *twice*" and stored.author_id == a.member.user_id
    assert response.headers["Location"].endswith(f"/n/alpha/threads/{a.thread.id}#message-{stored.id}")
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "We tried it <em>twice</em>" in html


def test_the_same_form_sent_twice_is_stored_once(a, login_as):
    client = login_as(a.member.user)
    for _ in range(2):
        assert (
            client.post(
                f"/n/alpha/threads/{a.thread.id}/messages", data={"body": "Only once", "client_id": "same"}
            ).status_code
            == 302
        )
    assert [m.body for m in stored_messages(a, a.thread.id)].count("Only once") == 1


def test_an_empty_message_is_refused_next_to_the_field(a, login_as):
    response = login_as(a.member.user).post(f"/n/alpha/threads/{a.thread.id}/messages", data={"body": "  "})
    assert response.status_code == 422
    assert "Write a message first." in response.get_data(as_text=True)
    assert len(stored_messages(a, a.thread.id)) == 1


def test_panel_on_cycle_and_artifact_pages(a, login_as):
    client = login_as(a.principal.user)
    cycle_html = client.get(f"/n/alpha/cycles/{a.cycle.id}").get_data(as_text=True)
    assert 'id="discussion-title">Discussion' in cycle_html
    assert f'href="/n/alpha/threads/{a.thread.id}"' in cycle_html
    assert "1 unread" in cycle_html  # the teacher's message, not yet seen by the principal
    assert "Start a discussion" in cycle_html
    response = client.get(f"/n/alpha/artifacts/{a.artifact.id}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Start a discussion" in html and "No discussions yet" in html


def test_change_idea_page_has_the_panel(a, login_as, app):
    from flask import url_for

    with app.test_request_context():
        path = url_for("theory.change_idea", slug="alpha", change_idea_id=a.change_idea.id)
    html = login_as(a.member.user).get(path).get_data(as_text=True)
    assert "Start a discussion" in html


def test_starting_a_thread_on_a_cycle(a, login_as):
    response = login_as(a.member.user).post(
        "/n/alpha/threads", data={"subject": "cycle", "subject_id": str(a.cycle.id), "title": "Data question"}
    )
    assert response.status_code == 302
    with use_network(a.network):
        thread = db.session.scalar(select(Thread).where(Thread.title == "Data question"))
    assert thread.subject == "cycle" and thread.subject_id == a.cycle.id
    assert response.headers["Location"].endswith(f"/n/alpha/threads/{thread.id}")


def test_starting_a_thread_needs_a_topic(a, login_as):
    response = login_as(a.member.user).post(
        "/n/alpha/threads", data={"subject": "cycle", "subject_id": str(a.cycle.id), "title": ""}
    )
    assert response.status_code == 422
    assert "Give the discussion a topic." in response.get_data(as_text=True)


def count_threads(tenant) -> int:
    with use_network(tenant.network):
        return db.session.scalar(select(func.count(Thread.id)))


def test_another_schools_private_cycle_is_hidden(a, login_as):
    private_thread = make_thread(a.network, "cycle", a.private_cycle.id, "Private notes", a.teacher_leader.user)
    make_message(private_thread, a.teacher_leader.user, "Only our school")
    client = login_as(a.member.user)  # school 1; the private cycle is school 0's
    assert client.get(f"/n/alpha/threads/{private_thread.id}").status_code == 404
    assert client.post(f"/n/alpha/threads/{private_thread.id}/messages", data={"body": "hi"}).status_code == 404
    before = count_threads(a)
    assert (
        client.post(
            "/n/alpha/threads", data={"subject": "cycle", "subject_id": str(a.private_cycle.id), "title": "Peek"}
        ).status_code
        == 404
    )
    assert count_threads(a) == before
    assert len(stored_messages(a, private_thread.id)) == 1
    # Its own school's people do see it.
    assert login_as(a.principal.user).get(f"/n/alpha/threads/{private_thread.id}").status_code == 200


def test_another_networks_thread_and_subjects_are_404(a, b, login_as):
    client = login_as(a.facilitator.user)
    assert client.get(f"/n/alpha/threads/{b.thread.id}").status_code == 404
    assert client.post(f"/n/alpha/threads/{b.thread.id}/messages", data={"body": "hi"}).status_code == 404
    assert client.get(f"/n/beta/threads/{b.thread.id}").status_code == 404  # not a member of beta
    before = count_threads(b)
    assert (
        client.post(
            "/n/alpha/threads", data={"subject": "cycle", "subject_id": str(b.cycle.id), "title": "Cross"}
        ).status_code
        == 404
    )
    assert count_threads(b) == before
    assert len(stored_messages(b, b.thread.id)) == 1


def test_channels_list_and_role_restriction(a, login_as):
    leads = make_channel(a.network, "facilitators-only", roles="facilitator")
    leads_thread = make_thread(a.network, "channel", leads.id, "facilitators-only", a.facilitator.user)
    general_thread = make_thread(a.network, "channel", a.channel.id, "general", a.facilitator.user)
    make_message(general_thread, a.facilitator.user, "Welcome, everyone")

    member = login_as(a.member.user)
    html = member.get("/n/alpha/channels").get_data(as_text=True)
    assert "# general" in html and "1 unread" in html
    assert "facilitators-only" not in html
    assert member.get(f"/n/alpha/threads/{leads_thread.id}").status_code == 404
    assert member.post(f"/n/alpha/threads/{leads_thread.id}/messages", data={"body": "x"}).status_code == 404

    facilitator = login_as(a.facilitator.user)
    assert "facilitators-only" in facilitator.get("/n/alpha/channels").get_data(as_text=True)
    assert facilitator.get(f"/n/alpha/threads/{leads_thread.id}").status_code == 200


def test_a_channel_without_a_thread_can_be_opened(a, login_as):
    client = login_as(a.member.user)
    html = client.get("/n/alpha/channels").get_data(as_text=True)
    assert "Open the conversation" in html
    response = client.post(
        "/n/alpha/threads", data={"subject": "channel", "subject_id": str(a.channel.id), "title": "general"}
    )
    assert response.status_code == 302
    assert re.search(r"/n/alpha/threads/\d+$", response.headers["Location"])


def test_empty_channel_list(b, login_as, a):
    with use_network(a.network):
        db.session.delete(db.session.merge(a.channel))
        db.session.commit()
    html = login_as(a.member.user).get("/n/alpha/channels").get_data(as_text=True)
    assert "No channels yet" in html


def test_a_long_thread_opens_on_its_latest_messages(a, login_as, monkeypatch):
    from nic.services.discussion import lists as discussion_lists

    monkeypatch.setattr(discussion_lists, "PAGE_SIZE", 2)
    for n in (2, 3, 4):
        make_message(a.thread, a.principal.user, f"Note number {n}")
    client = login_as(a.member.user)
    html = client.get(f"/n/alpha/threads/{a.thread.id}").get_data(as_text=True)
    assert "Note number 3" in html and "Note number 4" in html and "Note number 2" not in html
    earlier = re.search(r'href="([^"]+before=\d+)">← Earlier messages', html).group(1).replace("&amp;", "&")
    older = client.get(earlier).get_data(as_text=True)
    assert "how did the huddle go?" in older and "Note number 2" in older and "Note number 3" not in older
    assert "Earlier messages" not in older
