"""Two people open the same cycle's thread in two browsers and talk: each message shows
up live on the other's page (Socket.IO through the Redis message queue), once, in order,
with no reload; and the message is stored, so a reload shows it too."""
from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from playwright.sync_api import Page, expect

from nic.extensions import db
from tests import factories

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("clean_live_db")]


@pytest.fixture
def server(serve):
    return serve()  # REDIS_URL is set for served apps: Socket.IO uses the message queue


@dataclass
class Seed:
    slug: str
    thread_id: int
    teacher_email: str
    principal_email: str


@pytest.fixture
def seed(live_app) -> Seed:
    with live_app.app_context():
        network = factories.make_network("lakeside", "Lakeside Schools Network")
        school = factories.make_school(network, "Lakeside High")
        teacher = factories.make_member(network, "teacher_leader", school,
                                        factories.make_user("tess@lakeside.org", "Tess Teacher"))
        principal = factories.make_member(network, "principal", school,
                                          factories.make_user("paula@lakeside.org", "Paula Principal"))
        cycle = factories.make_cycle(school, teacher.user, "Exit tickets in algebra", visibility="school")
        thread = factories.make_thread(network, "cycle", cycle.id, "How did day one go?", teacher.user)
        factories.make_message(thread, teacher.user, "Kicking off: what did you notice?")
        seeded = Seed(network.slug, thread.id, teacher.user.email, principal.user.email)
        db.session.commit()
    return seeded


def open_thread(page: Page, base: str, seed: Seed, email: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).not_to_have_url(re.compile(r"/login$"))
    page.goto(f"{base}/n/{seed.slug}/threads/{seed.thread_id}")
    expect(page.get_by_role("heading", level=1)).to_have_text("How did day one go?")
    # The script marks the thread live once it is wired up; give the join a moment.
    expect(page.locator("#discussion-thread.is-live")).to_have_count(1)


def messages(page: Page):
    return page.locator("#thread-messages > li")


def test_two_people_see_each_others_messages_live(server, seed, new_page):
    tess, paula = new_page(), new_page()
    open_thread(tess, server.url, seed, seed.teacher_email)
    open_thread(paula, server.url, seed, seed.principal_email)
    expect(messages(tess)).to_have_count(1)
    expect(paula.locator("#thread-connection")).to_have_text("")  # joined, nothing wrong

    # Tess types and presses Enter: no reload, and Paula sees it arrive.
    box = tess.get_by_role("textbox", name="Message")
    box.fill("Most students finished the **exit ticket**")
    box.press("Enter")
    expect(box).to_have_value("")
    expect(messages(paula)).to_have_count(2)
    expect(messages(paula).nth(1)).to_contain_text("Tess Teacher")
    expect(messages(paula).nth(1).locator("strong", has_text="exit ticket")).to_have_count(1)
    # On Tess's own page the pending bubble gives way to the stored message: shown once.
    expect(messages(tess)).to_have_count(2)
    expect(tess.locator("#thread-pending > li")).to_have_count(0)

    # Shift+Enter is a new line, not a send; then Paula answers.
    reply = paula.get_by_role("textbox", name="Message")
    reply.fill("Great.")
    reply.press("Shift+Enter")
    reply.type("Which class struggled?")
    expect(messages(tess)).to_have_count(2)
    paula.get_by_role("button", name="Send").click()
    expect(messages(tess)).to_have_count(3)
    expect(messages(tess).nth(2)).to_contain_text("Which class struggled?")
    expect(messages(tess).nth(2)).to_contain_text("Paula Principal")
    expect(messages(paula)).to_have_count(3)

    # Stored for real, in order: a fresh load shows the same three.
    tess.reload()
    expect(messages(tess)).to_have_count(3)
    texts = messages(tess).all_inner_texts()
    assert "Kicking off" in texts[0] and "exit ticket" in texts[1] and "Which class struggled?" in texts[2]


def test_a_dropped_connection_catches_up_and_sends_what_waited(server, seed, new_page):
    tess, paula = new_page(), new_page()
    open_thread(tess, server.url, seed, seed.teacher_email)
    open_thread(paula, server.url, seed, seed.principal_email)

    # Tess's network drops; the page says so and keeps what she writes.
    tess.context.set_offline(True)
    expect(tess.locator("#thread-connection")).to_contain_text("Reconnecting", timeout=30_000)
    box = tess.get_by_role("textbox", name="Message")
    box.fill("Written on the bus")
    box.press("Enter")
    expect(tess.locator("#thread-pending > li")).to_contain_text("Waiting for the connection")

    # Meanwhile Paula posts; Tess's page cannot hear the broadcast.
    reply = paula.get_by_role("textbox", name="Message")
    reply.fill("Posted while Tess was away")
    reply.press("Enter")
    expect(messages(paula)).to_have_count(2)

    # Back online: Tess catches up on what she missed, then her waiting message goes out.
    tess.context.set_offline(False)
    expect(messages(tess)).to_have_count(3, timeout=30_000)
    expect(messages(tess).nth(1)).to_contain_text("Posted while Tess was away")
    expect(messages(tess).nth(2)).to_contain_text("Written on the bus")
    expect(tess.locator("#thread-pending > li")).to_have_count(0)
    expect(messages(paula)).to_have_count(3)
    expect(messages(paula).nth(2)).to_contain_text("Written on the bus")
