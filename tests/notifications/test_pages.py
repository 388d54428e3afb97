"""The notifications page and the bell: the caller's own notifications in the current
network, newest first and paged; marking one or all read with plain forms; the bell's
count in the top bar. Someone else's notification, or another network's, is a 404."""

import re

from sqlalchemy import select

from nic.extensions import db
from nic.models import Notification
from nic.tenancy import use_network
from tests.factories import make_message, make_notification


def unread_of(tenant, user) -> int:
    db.session.expire_all()
    with use_network(tenant.network):
        return len(
            db.session.scalars(
                select(Notification).where(Notification.user_id == user.id, Notification.read_at.is_(None))
            ).all()
        )


def bell_count(html: str) -> int:
    match = re.search(r"data-bell-number>(\d+)<", html)
    assert match, "no bell on the page"
    return int(match.group(1))


def test_the_bell_shows_the_unread_count_and_links_to_the_page(tenants, login_as):
    a = tenants.a
    html = login_as(a.facilitator.user).get("/n/alpha/").get_data(as_text=True)
    assert bell_count(html) == 1
    assert 'href="/n/alpha/notifications" data-bell-toggle' in html
    assert 'aria-live="polite"' in html and "js/notifications.js" in html
    # Someone with nothing unread sees a zero (drawn as no badge), and no bell outside a network.
    html = login_as(a.member.user).get("/n/alpha/").get_data(as_text=True)
    assert bell_count(html) == 0 and "bell__count is-zero" in html
    assert "data-notification-bell" not in login_as(a.member.user).get("/account").get_data(as_text=True)


def test_the_page_lists_newest_first_with_links_and_pages(tenants, login_as):
    a = tenants.a
    with use_network(a.network):
        messages = [make_message(a.thread, a.member.user, f"Message {i} for you") for i in range(30)]
        for i, message in enumerate(messages):
            make_notification(message, a.principal.user, text=f"Note {i:02d}")
    client = login_as(a.principal.user)
    html = client.get("/n/alpha/notifications").get_data(as_text=True)
    shown = re.findall(r'class="notification__link" href="[^"]+">Note (\d\d)', html)
    assert shown == [f"{i:02d}" for i in range(29, 4, -1)]  # 25 on the first page, newest first
    assert f'href="/n/alpha/threads/{a.thread.id}#message-{messages[29].id}"' in html
    assert "Message 29 for you" in html and "30 unread." in html
    second = client.get("/n/alpha/notifications?page=2").get_data(as_text=True)
    assert re.findall(r'notification__link" href="[^"]+">Note (\d\d)', second) == ["04", "03", "02", "01", "00"]


def test_marking_one_and_all_read_with_forms(tenants, login_as):
    a = tenants.a
    with use_network(a.network):
        first = make_notification(a.message, a.principal.user, text="First")
        second = make_notification(make_message(a.thread, a.member.user), a.principal.user, text="Second")
    client = login_as(a.principal.user)
    response = client.post(f"/n/alpha/notifications/{first.id}/read", data={"page": "1"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/n/alpha/notifications")
    assert unread_of(a, a.principal.user) == 1
    opened = client.post(f"/n/alpha/notifications/{second.id}/read", data={"open": "1"})
    assert opened.headers["Location"].endswith(f"/n/alpha/threads/{a.thread.id}#message-{second.message_id}")
    make_notification(a.message, a.principal.user, kind="reply", text="Third")
    assert client.post("/n/alpha/notifications/read").status_code == 302
    assert unread_of(a, a.principal.user) == 0
    html = client.get("/n/alpha/notifications").get_data(as_text=True)
    assert "Mark all read" not in html and "notification--unread" not in html


def test_someone_elses_or_another_networks_notification_is_not_found(tenants, login_as):
    a, b = tenants.a, tenants.b
    client = login_as(a.principal.user)
    # The facilitator's notification, in the same network: not the principal's.
    assert client.post(f"/n/alpha/notifications/{a.notification.id}/read").status_code == 404
    assert client.post(f"/n/alpha/notifications/{b.notification.id}/read").status_code == 404
    assert client.post("/n/beta/notifications/read").status_code == 404
    assert unread_of(a, a.facilitator.user) == 1 and unread_of(b, b.facilitator.user) == 1


def test_the_empty_page_explains_itself(tenants, login_as):
    html = login_as(tenants.a.member.user).get("/n/alpha/notifications").get_data(as_text=True)
    assert "No notifications yet" in html and 'aria-current="page"' in html


def test_opening_the_thread_marks_its_notifications_read(tenants, login_as):
    a = tenants.a
    client = login_as(a.facilitator.user)
    assert client.get(f"/n/alpha/threads/{a.thread.id}").status_code == 200
    assert unread_of(a, a.facilitator.user) == 0
