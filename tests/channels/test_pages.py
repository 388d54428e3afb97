"""Facilitators create and edit channels in the browser (no JavaScript needed): the
channel comes with its thread, renaming keeps it, a duplicate name or an unknown role is
refused beside its field with nothing stored, and other roles get 403. A role-limited
channel is invisible to everyone else, in the list and at its thread (404)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from nic.extensions import db
from nic.models import Channel, Message, Thread
from nic.tenancy import use_network
from tests.factories import make_message, make_thread


@pytest.fixture
def a(tenants):
    return tenants.a


def channel_named(tenant, name) -> Channel | None:
    db.session.expire_all()
    with use_network(tenant.network):
        return db.session.scalar(select(Channel).where(Channel.name == name))


def threads_of(tenant, channel) -> list[Thread]:
    with use_network(tenant.network):
        return list(
            db.session.scalars(select(Thread).where(Thread.subject == "channel", Thread.subject_id == channel.id))
        )


def counts(tenant) -> tuple[int, int]:
    db.session.expire_all()
    with use_network(tenant.network):
        return (db.session.scalar(select(func.count(Channel.id))), db.session.scalar(select(func.count(Thread.id))))


def test_a_facilitator_creates_a_principals_circle(a, login_as):
    client = login_as(a.facilitator.user)
    listing = client.get("/n/alpha/channels").get_data(as_text=True)
    assert 'href="/n/alpha/channels/new"' in listing and f'href="/n/alpha/channels/{a.channel.id}/edit"' in listing
    assert client.get("/n/alpha/channels/new").status_code == 200
    response = client.post(
        "/n/alpha/channels/new",
        data={
            "name": "  principals   circle ",
            "description": "For **principals**.",
            "audience": "roles",
            "roles": ["principal"],
        },
    )
    assert response.status_code == 302
    channel = channel_named(a, "principals circle")
    assert channel.roles == "facilitator,principal" and channel.created_by_id == a.facilitator.user_id
    assert response.headers["Location"].endswith(f"/n/alpha/channels#channel-{channel.id}")
    [thread] = threads_of(a, channel)
    assert thread.title == "principals circle" and thread.created_by_id == a.facilitator.user_id
    listing = client.get("/n/alpha/channels").get_data(as_text=True)
    assert f'href="/n/alpha/threads/{thread.id}"># principals circle</a>' in listing
    assert "<strong>principals</strong>" in listing

    # who may read it
    login_as(a.principal.user)
    assert "principals circle" in client.get("/n/alpha/channels").get_data(as_text=True)
    assert client.get(f"/n/alpha/threads/{thread.id}").status_code == 200
    for outsider in (a.teacher_leader, a.member):
        login_as(outsider.user)
        assert "principals circle" not in client.get("/n/alpha/channels").get_data(as_text=True)
        assert client.get(f"/n/alpha/threads/{thread.id}").status_code == 404
        assert client.post(f"/n/alpha/threads/{thread.id}/messages", data={"body": "hi"}).status_code == 404


def test_everyone_channel_and_facilitators_only(a, login_as):
    client = login_as(a.facilitator.user)
    assert (
        client.post(
            "/n/alpha/channels/new", data={"name": "open", "audience": "everyone", "roles": ["principal"]}
        ).status_code
        == 302
    )
    assert channel_named(a, "open").roles == ""
    assert client.post("/n/alpha/channels/new", data={"name": "facilitators", "audience": "roles"}).status_code == 302
    assert channel_named(a, "facilitators").roles == "facilitator"


@pytest.mark.parametrize(
    "data, field, message",
    [
        ({"name": "GENERAL", "audience": "everyone"}, "name", "already the name of another channel"),
        ({"name": "", "audience": "everyone"}, "name", "is required"),
        ({"name": "x" * 101, "audience": "everyone"}, "name", "at most 100 characters"),
        ({"name": "wizards", "audience": "roles", "roles": ["wizard"]}, "roles", "unknown role wizard"),
        ({"name": "wizards", "audience": "sometimes"}, "audience", "Choose who may read"),
    ],
)
def test_bad_input_is_refused_beside_its_field_and_stores_nothing(a, login_as, data, field, message):
    before = counts(a)
    response = login_as(a.facilitator.user).post("/n/alpha/channels/new", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in html
    assert f'href="#{field}"' in html  # the error summary links to the field
    assert counts(a) == before


def test_editing_renames_and_changes_readers_keeping_the_thread(a, login_as):
    with use_network(a.network):
        thread = make_thread(a.network, "channel", a.channel.id, "general", a.facilitator.user)
        custom = make_thread(a.network, "channel", a.channel.id, "Summer reading", a.facilitator.user)
        make_message(thread, a.member.user, "Still here after the rename")
    db.session.commit()
    client = login_as(a.facilitator.user)
    form = client.get(f"/n/alpha/channels/{a.channel.id}/edit").get_data(as_text=True)
    assert 'value="general"' in form
    response = client.post(
        f"/n/alpha/channels/{a.channel.id}/edit",
        data={
            "name": "town-square",
            "description": "Everything else",
            "audience": "roles",
            "roles": ["principal", "teacher_leader"],
        },
    )
    assert response.status_code == 302
    channel = channel_named(a, "town-square")
    assert channel.id == a.channel.id and channel.roles == "facilitator,principal,teacher_leader"
    titles = {t.id: t.title for t in threads_of(a, channel)}
    assert titles == {thread.id: "town-square", custom.id: "Summer reading"}
    with use_network(a.network):
        assert db.session.scalar(select(func.count(Message.id)).where(Message.thread_id == thread.id)) == 1
    login_as(a.member.user)
    assert client.get(f"/n/alpha/threads/{thread.id}").status_code == 404  # members are no longer readers


def test_renaming_onto_another_channel_is_refused(a, login_as):
    with use_network(a.network):
        db.session.add(Channel(name="staff-room"))
        db.session.commit()
    response = login_as(a.facilitator.user).post(
        f"/n/alpha/channels/{a.channel.id}/edit", data={"name": "Staff-Room", "audience": "everyone"}
    )
    assert response.status_code == 422 and "already the name of another channel" in response.get_data(as_text=True)
    assert channel_named(a, "general") is not None


def test_other_roles_may_not_manage_channels(a, login_as, client):
    for member in (a.principal, a.teacher_leader, a.member):
        login_as(member.user)
        assert "/n/alpha/channels/new" not in client.get("/n/alpha/channels").get_data(as_text=True)
        assert client.get("/n/alpha/channels/new").status_code == 403
        assert client.post("/n/alpha/channels/new", data={"name": "mine", "audience": "everyone"}).status_code == 403
        assert client.get(f"/n/alpha/channels/{a.channel.id}/edit").status_code == 403
        assert (
            client.post(
                f"/n/alpha/channels/{a.channel.id}/edit", data={"name": "mine", "audience": "everyone"}
            ).status_code
            == 403
        )
    assert channel_named(a, "mine") is None


def test_another_networks_channel_is_a_404(tenants, login_as, client):
    login_as(tenants.a.facilitator.user)
    assert client.get(f"/n/alpha/channels/{tenants.b.channel.id}/edit").status_code == 404
    assert client.get(f"/n/beta/channels/{tenants.b.channel.id}/edit").status_code == 404
