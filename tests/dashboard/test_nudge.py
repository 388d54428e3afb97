"""The one-click nudge on a stalled cycle: a friendly message in the cycle's discussion,
posted as the person who clicked; once per cycle, person and day; never on a cycle they
may not see (404, like a cycle that does not exist)."""

from __future__ import annotations

from sqlalchemy import func, select

from nic.extensions import db
from nic.models import Message, Thread
from nic.tenancy import use_network
from tests.factories import make_cycle


def messages_on(network, cycle_id):
    with use_network(network):
        return list(
            db.session.scalars(
                select(Message)
                .join(Thread, Thread.id == Message.thread_id)
                .where(Thread.subject == "cycle", Thread.subject_id == cycle_id)
                .order_by(Message.id)
            )
        )


def nudge(client, slug, cycle_id, next_url=None):
    data = {"next": next_url} if next_url else {}
    return client.post(f"/n/{slug}/dashboard/nudge/{cycle_id}", data=data)


def test_a_nudge_starts_a_thread_and_says_hello(client, rolled, login_as):
    a = rolled.a
    login_as(a.facilitator.user)
    response = nudge(client, a.network.slug, rolled.stalled.id, f"/n/{a.network.slug}/dashboard?group=Cohort+1")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/n/{a.network.slug}/dashboard?group=Cohort+1")
    [message] = messages_on(a.network, rolled.stalled.id)
    assert message.author_id == a.facilitator.user.id
    assert "checking in" in message.body and "in Study for 40 days" in message.body
    with use_network(a.network):
        thread = db.session.get(Thread, message.thread_id)
        assert thread.title == "Checking in"
    follow = client.get(response.headers["Location"])
    assert "Nudge sent" in follow.get_data(as_text=True)


def test_a_nudge_joins_the_cycles_first_thread(client, rolled, login_as):
    a = rolled.a
    login_as(a.facilitator.user)
    assert nudge(client, a.network.slug, a.cycle.id).status_code == 302
    nudges = [m for m in messages_on(a.network, a.cycle.id) if m.author_id == a.facilitator.user.id]
    assert [m.thread_id for m in nudges] == [a.thread.id]


def test_a_second_nudge_the_same_day_sends_nothing_new(client, rolled, login_as):
    a = rolled.a
    login_as(a.facilitator.user)
    nudge(client, a.network.slug, rolled.stalled.id)
    response = nudge(client, a.network.slug, rolled.stalled.id)
    assert response.status_code == 302
    assert len(messages_on(a.network, rolled.stalled.id)) == 1
    assert "already nudged this cycle today" in client.get(response.headers["Location"]).get_data(as_text=True)


def test_no_nudge_on_a_cycle_the_facilitator_cannot_see(client, rolled, login_as):
    a, b = rolled.a, rolled.b
    login_as(a.facilitator.user)
    assert nudge(client, a.network.slug, rolled.private_stalled.id).status_code == 404
    assert messages_on(a.network, rolled.private_stalled.id) == []
    assert nudge(client, a.network.slug, b.cycle.id).status_code == 404  # another network's id
    assert nudge(client, a.network.slug, 999999).status_code == 404
    done = make_cycle(a.schools[0], a.teacher_leader.user, phase="done")
    db.session.commit()
    assert nudge(client, a.network.slug, done.id).status_code == 404


def test_principals_nudge_their_own_schools_cycles_only(client, rolled, login_as):
    a = rolled.a
    login_as(a.principal.user)  # schools[0]; the stalled cycle is at schools[1], shared with the network
    assert nudge(client, a.network.slug, rolled.stalled.id).status_code == 404
    login_as(rolled.other_principal.user)  # schools[1]
    assert nudge(client, a.network.slug, rolled.stalled.id).status_code == 302
    [message] = messages_on(a.network, rolled.stalled.id)
    assert message.author_id == rolled.other_principal.user.id


def test_the_back_link_stays_on_the_dashboard(client, rolled, login_as):
    a = rolled.a
    login_as(a.facilitator.user)
    for evil in ("https://evil.example/", "//evil.example/n/alpha/dashboard", f"/n/{a.network.slug}/cycles"):
        response = nudge(client, a.network.slug, a.cycle.id, evil)
        assert response.headers["Location"].endswith(f"/n/{a.network.slug}/dashboard#stalled"), evil


def test_nudge_is_counted_once_in_the_database(client, rolled, login_as):
    a = rolled.a
    login_as(a.facilitator.user)
    nudge(client, a.network.slug, rolled.stalled.id)
    with use_network(a.network):
        threads = db.session.scalar(
            select(func.count())
            .select_from(Thread)
            .where(Thread.subject == "cycle", Thread.subject_id == rolled.stalled.id)
        )
    assert threads == 1
