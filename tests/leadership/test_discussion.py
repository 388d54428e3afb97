""" "Start a discussion with that school": one POST makes a thread in the network's open
channel titled "<school> ↔ <peer>: <practice>", opened by a message that mentions the
peer's principal (who is notified), and redirects to it; asking again goes to the same
thread; the API does the same."""

from sqlalchemy import select

from nic.extensions import db
from nic.models import Channel, Message, Notification, Thread
from nic.services.assessments import leadership_school
from nic.tenancy import use_network
from tests.factories import make_token


def threads_titled(network, title):
    with use_network(network):
        return list(db.session.scalars(select(Thread).where(Thread.title == title)))


def test_one_click_starts_the_thread_and_notifies_the_peers_principal(client, world, login_as):
    w = world
    login_as(w.a.principal.user)
    response = client.post(
        f"/n/alpha/leadership/schools/{w.s0.id}/discuss",
        data={"peer_id": w.s1.id, "practice_id": w.p1.id, "round_id": w.fall.id},
    )
    assert response.status_code == 302
    title = f"{w.s0.name} ↔ {w.s1.name}: {w.p1.name}"
    [thread] = threads_titled(w.a.network, title)
    assert response.headers["Location"].endswith(f"/n/alpha/threads/{thread.id}")
    assert thread.subject == "channel" and thread.subject_id == w.a.channel.id  # "general"
    with use_network(w.a.network):
        [message] = db.session.scalars(select(Message).where(Message.thread_id == thread.id)).all()
        assert message.author_id == w.a.principal.user_id
        assert message.body.startswith("@Alphaville Peer Principal")
        assert "“College- and career-ready”" in message.body and "“Meeting standards”" in message.body
        notes = db.session.scalars(select(Notification).where(Notification.message_id == message.id)).all()
        assert [(n.user_id, n.kind) for n in notes] == [(w.peer_principal.user_id, "mention")]
    # The thread page shows it (the peer's principal can read it too).
    login_as(w.peer_principal.user)
    page = client.get(f"/n/alpha/threads/{thread.id}").get_data(as_text=True)
    assert "would like to learn from" in page
    # A second click goes to the same thread and posts nothing new.
    login_as(w.a.principal.user)
    again = client.post(
        f"/n/alpha/leadership/schools/{w.s0.id}/discuss", data={"peer_id": w.s1.id, "practice_id": w.p1.id}
    )
    assert again.headers["Location"].endswith(f"/n/alpha/threads/{thread.id}")
    assert len(threads_titled(w.a.network, title)) == 1
    with use_network(w.a.network):
        assert (
            db.session.scalar(select(db.func.count()).select_from(Message).where(Message.thread_id == thread.id)) == 1
        )


def test_a_network_without_an_open_channel_gets_one(world):
    w = world
    with use_network(w.a.network):
        w.a.channel.roles = "facilitator,principal"
        db.session.commit()
        thread, started = leadership_school.start_discussion(w.a.principal, w.s0.id, w.s1.id, w.p0.id)
        assert started
        channel = db.session.get(Channel, thread.subject_id)
        assert channel.name == "leadership-practice" and channel.roles == ""


def test_the_same_school_or_unknown_ids_are_refused(client, world, login_as):
    w = world
    login_as(w.a.principal.user)
    url = f"/n/alpha/leadership/schools/{w.s0.id}/discuss"
    same = client.post(url, data={"peer_id": w.s0.id, "practice_id": w.p0.id})
    assert same.status_code == 302 and "/leadership/schools/" in same.headers["Location"]
    assert client.post(url, data={"peer_id": 999999, "practice_id": w.p0.id}).status_code == 404
    assert client.post(url, data={"peer_id": w.s1.id, "practice_id": "x"}).status_code == 404


def test_the_api_starts_it_too(client, world):
    w = world
    _, secret = make_token(w.a.teacher_leader.user)
    db.session.commit()
    headers = {"Authorization": f"Bearer {secret}"}
    url = f"/api/v1/networks/alpha/leadership/schools/{w.s0.id}/discussions"
    first = client.post(url, json={"peer_id": w.s1.id, "practice_id": w.p0.id}, headers=headers)
    assert first.status_code == 201 and first.get_json()["started"] is True
    again = client.post(url, json={"peer_id": w.s1.id, "practice_id": w.p0.id}, headers=headers)
    assert again.status_code == 200 and again.get_json() == {
        "thread_id": first.get_json()["thread_id"],
        "started": False,
    }
    bad = client.post(url, json={"peer_id": w.s0.id, "practice_id": w.p0.id}, headers=headers)
    assert bad.status_code == 422 and "peer_id" in bad.get_json()["error"]["fields"]
    assert client.post(url, data="x", headers=headers).status_code == 415
