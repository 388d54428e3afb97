"""A mention in the browser, end to end: Paula types "@Te" in a thread's composer, picks
Tess from the suggestions with the keyboard and sends; a real Celery worker makes the
notification and emits it through the Redis queue; Tess's bell, on another page in
another browser, counts it live; she opens the bell, follows the item to the message,
and the count goes back to zero; mentioned again while reading that thread, she has
nothing left unread."""
from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from playwright.sync_api import expect

from nic.extensions import db
from tests import factories
from tests.e2e.support import sign_in
from tests.live.conftest import celery_worker  # noqa: F401  (fixture: a real worker)

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("clean_live_db")]


@dataclass
class Seed:
    slug: str
    thread_id: int


@pytest.fixture
def seed(live_app) -> Seed:
    with live_app.app_context():
        network = factories.make_network("lakeside", "Lakeside Schools Network")
        school = factories.make_school(network, "Lakeside High")
        tess = factories.make_member(network, "teacher_leader", school,
                                     factories.make_user("tess@lakeside.org", "Tess Teacher"))
        factories.make_member(network, "principal", school, factories.make_user("paula@lakeside.org", "Paula Principal"))
        factories.make_member(network, "member", school, factories.make_user("ted@lakeside.org", "Ted Tran"))
        general = factories.make_channel(network, "general")
        thread = factories.make_thread(network, "channel", general.id, "Exit tickets", tess.user)
        seeded = Seed(network.slug, thread.id)
        db.session.commit()
    return seeded


def test_a_mention_picked_from_suggestions_rings_the_other_persons_bell(serve, celery_worker, seed, new_page):  # noqa: F811
    server = serve()
    celery_worker()
    tess, paula = new_page(), new_page()
    sign_in(tess, server.url, "tess@lakeside.org")
    tess.goto(f"{server.url}/n/{seed.slug}/")
    bell = tess.locator("[data-notification-bell]")
    expect(bell.get_by_role("button", name=re.compile("Notifications"))).to_have_attribute("aria-expanded", "false")
    expect(bell.locator("[data-bell-number]")).to_have_text("0")

    sign_in(paula, server.url, "paula@lakeside.org")
    paula.goto(f"{server.url}/n/{seed.slug}/threads/{seed.thread_id}")
    expect(paula.locator("#discussion-thread.is-live")).to_have_count(1)
    box = paula.get_by_role("textbox", name="Message")
    box.press_sequentially("Thanks @Te")
    options = paula.get_by_role("listbox", name="People to mention").get_by_role("option")
    expect(options).to_have_text(["Tess Teacher", "Ted Tran"])
    expect(box).to_have_attribute("aria-expanded", "true")
    box.press("ArrowDown")
    box.press("ArrowUp")
    expect(options.first).to_have_attribute("aria-selected", "true")
    box.press("Enter")  # picks the name; does not send
    expect(box).to_have_value("Thanks @Tess Teacher ")
    expect(box).to_have_attribute("aria-expanded", "false")
    box.press_sequentially("can you share the tickets?")
    box.press("Enter")  # now it sends
    expect(box).to_have_value("")
    mention = paula.locator("#thread-messages .mention")
    expect(mention).to_have_text("@Tess Teacher")

    # Tess, on another page, hears of it live: the worker emitted through the queue.
    expect(bell.locator("[data-bell-number]")).to_have_text("1", timeout=20_000)
    bell.get_by_role("button", name=re.compile("Notifications")).click()
    item = bell.locator(".bell__item.is-unread .bell__link")
    expect(item).to_contain_text("Paula Principal mentioned you in “Exit tickets”")
    expect(item).to_contain_text("can you share the tickets?")
    item.click()
    expect(tess).to_have_url(re.compile(rf"/threads/{seed.thread_id}#message-\d+$"))
    expect(tess.locator("[data-bell-number]")).to_have_text("0")
    expect(tess.locator("#discussion-thread.is-live")).to_have_count(1)

    # Mentioned again while looking at that very thread: the message appears, and its
    # notification is read at once (no bell, no email later).
    with tess.expect_response(lambda r: r.url.endswith("/read") and r.request.method == "POST", timeout=20_000):
        box.press_sequentially("@Tess Teacher one more thing")
        box.press("Escape")
        box.press("Enter")
        expect(tess.locator("#thread-messages > li")).to_have_count(2)
    expect(tess.locator("[data-bell-number]")).to_have_text("0")
    tess.goto(f"{server.url}/n/{seed.slug}/notifications")
    expect(tess.locator(".notification")).to_have_count(2)
    expect(tess.locator(".notification--unread")).to_have_count(0)
