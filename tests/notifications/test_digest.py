"""The email digest for people who were away: notifications unread and not emailed after
NIC_DIGEST_DELAY_MINUTES go out once, in one email per person and network, with an HTML
and a plain-text part and a link to each; read in time, nothing is sent."""

from datetime import timedelta

import pytest
from sqlalchemy import Interval, bindparam, select, update

from nic.clock import utcnow
from nic.extensions import db
from nic.models import Notification, OutboxMessage
from nic.services.discussion import discussion
from nic.services.notifications import digest as notification_digest
from nic.tenancy import UNSCOPED, use_network
from tests.factories import make_member, make_message, make_notification, make_user


def age(minutes: float) -> None:
    """Make every notification `minutes` older (the test's clock for the delay)."""
    shift = bindparam("shift", timedelta(minutes=minutes), type_=Interval())
    db.session.execute(
        update(Notification)
        .values(created_at=Notification.created_at - shift)
        .execution_options(**UNSCOPED, synchronize_session=False)
    )
    db.session.commit()


def outbox() -> list[OutboxMessage]:
    db.session.expire_all()
    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def emailed(tenant) -> dict[int, bool]:
    db.session.expire_all()
    with use_network(tenant.network):
        return {n.id: n.emailed_at is not None for n in db.session.scalars(select(Notification))}


@pytest.fixture
def mention(tenants, pushed):
    """The member mentions the principal in the teacher's thread (which also tells the
    teacher, as the thread's creator)."""
    a = tenants.a
    with use_network(a.network):
        return discussion.post_message(a.member, a.thread.id, f"@{a.principal.user.name} can you share the **agenda**?")


def test_nothing_is_sent_before_the_delay(tenants, mention):
    age(29)
    assert notification_digest.schedule_digests() == 0
    assert outbox() == []


def test_after_the_delay_each_person_gets_one_email_with_html_and_text(app, tenants, mention):
    a, b = tenants.a, tenants.b
    age(31)
    # a: facilitator (fixture), principal (mention), teacher (reply); b: facilitator (fixture).
    assert notification_digest.schedule_digests() == 4
    mails = {m.to_address: m for m in outbox()}
    assert set(mails) == {
        a.facilitator.user.email,
        a.principal.user.email,
        a.teacher_leader.user.email,
        b.facilitator.user.email,
    }
    mail = mails[a.principal.user.email]
    assert mail.subject == "1 notification waiting in Alphaville Network"
    link = f"http://nic.test/n/alpha/threads/{a.thread.id}#message-{mention.id}"
    assert f"{a.member.user.name} mentioned you in “{a.thread.title}”" in mail.body_text
    assert link in mail.body_text and "can you share the agenda?" in mail.body_text
    assert f'href="{link}"' in mail.body_html and "http://nic.test/n/alpha/notifications" in mail.body_html
    assert mail.sent_at is not None  # delivered by the (eager) mail.send task
    # Each network's email shows only that network's notifications.
    assert "Betatown" not in mails[a.facilitator.user.email].body_html
    assert "Betatown Teacher mentioned you" in mails[b.facilitator.user.email].body_text
    assert all(emailed(a).values()) and all(emailed(b).values())


def test_read_in_time_means_no_email(tenants, mention):
    a = tenants.a
    with use_network(a.network):
        discussion.mark_read(a.principal, a.thread)  # the principal read the thread in the app
    age(45)
    notification_digest.schedule_digests()
    assert a.principal.user.email not in {m.to_address for m in outbox()}


def test_each_notification_is_emailed_once(tenants, mention):
    a = tenants.a
    age(31)
    notification_digest.schedule_digests()
    first = len(outbox())
    assert notification_digest.schedule_digests() == 0
    with use_network(a.network):
        assert notification_digest.send_digest(a.principal.user_id) is None  # a retried task sends nothing
        later = discussion.post_message(a.member, a.thread.id, f"@{a.principal.user.name} one more thing")
    age(31)
    notification_digest.schedule_digests()
    mails = outbox()[first:]
    assert [m.to_address for m in mails if m.to_address == a.principal.user.email] == [a.principal.user.email]
    principal_mail = next(m for m in mails if m.to_address == a.principal.user.email)
    assert "one more thing" in principal_mail.body_text and "agenda" not in principal_mail.body_text
    assert later.id


def test_someone_in_two_networks_gets_one_email_for_each(tenants, pushed):
    a, b = tenants.a, tenants.b
    both = make_user(name="Dana Both")
    make_member(a.network, "member", a.schools[1], both)
    make_member(b.network, "member", b.schools[1], both)
    make_notification(a.message, both, text="Alphaville thing")
    make_notification(b.message, both, text="Betatown thing")
    db.session.commit()
    age(60)
    notification_digest.schedule_digests()
    mails = [m for m in outbox() if m.to_address == both.email]
    assert sorted(m.subject for m in mails) == [
        "1 notification waiting in Alphaville Network",
        "1 notification waiting in Betatown Network",
    ]
    for mail in mails:
        mine, other = ("Alphaville", "Betatown") if "Alphaville" in mail.subject else ("Betatown", "Alphaville")
        assert f"{mine} thing" in mail.body_text and other not in mail.body_text + mail.body_html


def test_deleted_messages_and_threads_no_longer_readable_are_not_sent(tenants, pushed):
    a = tenants.a
    with use_network(a.network):
        gone = make_message(a.thread, a.teacher_leader.user, "Never mind")
        make_notification(gone, a.member.user)
        discussion.delete_message(a.teacher_leader, gone.id)
        hidden = make_message(a.thread, a.teacher_leader.user, "Was visible")
        make_notification(hidden, a.principal.user)
        a.cycle.visibility = "school"  # the principal is of this school: still readable
        db.session.commit()
    age(31)
    notification_digest.schedule_digests()
    to = [m.to_address for m in outbox()]
    assert a.member.user.email not in to and a.principal.user.email in to
    assert all(emailed(a).values())  # dealt with, sent or not: never looked at again


def test_hostile_names_are_escaped_in_the_email(tenants, pushed):
    a = tenants.a
    with use_network(a.network):
        a.member.user.name = '<script>alert("x")</script>'
        db.session.commit()
        discussion.post_message(a.member, a.thread.id, f"@{a.principal.user.name} <img src=x onerror=alert(1)>")
    age(31)
    notification_digest.schedule_digests()
    mail = next(m for m in outbox() if m.to_address == a.principal.user.email)
    assert "<script>" not in mail.body_html and "&lt;script&gt;" in mail.body_html
    assert "<img" not in mail.body_html


def test_the_delay_is_configurable(app, tenants, mention, monkeypatch):
    monkeypatch.setitem(app.config, "NIC_DIGEST_DELAY_MINUTES", 5)
    age(6)
    assert notification_digest.schedule_digests() == 4
    assert utcnow()


def test_beat_schedules_the_digest(app):
    from worker.schedule import beat_schedule_for

    entry = beat_schedule_for({"NIC_DIGEST_EVERY_MINUTES": 10})["notifications.send_digests"]
    assert entry["task"] == "notifications.send_digests" and entry["schedule"] == timedelta(minutes=10)
    celery = app.extensions["celery"]
    celery.loader.import_default_modules()
    assert {"notifications.send_digests", "notifications.digest", "notifications.for_message"} <= set(celery.tasks)
