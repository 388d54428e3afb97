"""The live thread, in two browsers: Paula sees Tess typing, Tess's reaction, her edit
and her deletion as they happen, and both of them under "Viewing now". And a send
that fails is marked with a Retry button; Retry stores it exactly once, even when the
first attempt had in fact been stored (the client_id dedupes)."""
from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import func, select

from nic.extensions import db
from nic.models import Message
from nic.tenancy import use_network
from tests import factories
from tests.e2e.support import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("clean_live_db")]


@pytest.fixture
def server(serve):
    return serve()  # REDIS_URL is set for served apps: Socket.IO and presence use Redis


@dataclass
class Seed:
    slug: str
    network_id: int
    thread_id: int
    first_message_id: int


@pytest.fixture
def seed(live_app) -> Seed:
    with live_app.app_context():
        network = factories.make_network("lakeside", "Lakeside Schools Network")
        school = factories.make_school(network, "Lakeside High")
        tess = factories.make_member(network, "teacher_leader", school,
                                     factories.make_user("tess@lakeside.org", "Tess Teacher"))
        paula = factories.make_member(network, "principal", school,
                                      factories.make_user("paula@lakeside.org", "Paula Principal"))
        cycle = factories.make_cycle(school, tess.user, "Exit tickets in algebra")
        thread = factories.make_thread(network, "cycle", cycle.id, "How did day one go?", tess.user)
        first = factories.make_message(thread, paula.user, "Day one: what did you notice?")
        seeded = Seed(network.slug, network.id, thread.id, first.id)
        db.session.commit()
    return seeded


def open_thread(page: Page, base: str, seed: Seed, email: str) -> None:
    sign_in(page, base, email)
    page.goto(f"{base}/n/{seed.slug}/threads/{seed.thread_id}")
    expect(page.locator("#discussion-thread.is-live")).to_have_count(1)


def messages(page: Page):
    return page.locator("#thread-messages > li")


def stored_count(live_app, seed: Seed, body: str) -> int:
    with live_app.app_context():
        with use_network(seed.network_id):
            return db.session.scalar(select(func.count(Message.id)).where(Message.body == body))


def test_typing_reactions_edits_and_viewers_show_live(server, seed, new_page):
    tess, paula = new_page(), new_page()
    open_thread(tess, server.url, seed, "tess@lakeside.org")
    open_thread(paula, server.url, seed, "paula@lakeside.org")

    # Both are listed as viewing, on both pages (people, by name; "(you)" for oneself).
    expect(paula.locator("#thread-viewers")).to_have_text("Viewing now: Paula Principal (you), Tess Teacher")
    expect(tess.locator("#thread-viewers")).to_have_text("Viewing now: Paula Principal, Tess Teacher (you)")

    # Tess starts typing: Paula sees it; Tess does not see herself typing.
    tess.get_by_role("textbox", name="Message").press_sequentially("Most of them fin")
    expect(paula.locator("#thread-typing")).to_have_text("Tess Teacher is typing…")
    expect(tess.locator("#thread-typing")).to_have_text("")
    # Nothing more for a few seconds: the line goes by itself.
    expect(paula.locator("#thread-typing")).to_have_text("", timeout=8_000)

    # Tess reacts to Paula's message: the count appears on Paula's page, without a reload.
    tess_thumb = tess.locator(f"#message-{seed.first_message_id} button[value='👍']")
    tess_thumb.click()
    expect(tess_thumb).to_have_attribute("aria-pressed", "true")
    paula_thumb = paula.locator(f"#message-{seed.first_message_id} button[value='👍']")
    expect(paula_thumb.locator(".reaction__count")).to_have_text("1")
    expect(paula_thumb).to_have_attribute("aria-pressed", "false")  # it is Tess's, not Paula's
    expect(paula_thumb).to_have_attribute("aria-label", "thumbs up: 1")

    # Tess sends, then edits inline: Paula sees the new text marked "(edited)".
    box = tess.get_by_role("textbox", name="Message")
    box.fill("Most of them finished")
    box.press("Enter")
    expect(messages(paula)).to_have_count(2)
    expect(messages(tess)).to_have_count(2)
    # Once the send is acknowledged the page knows the Markdown, and Edit opens in place
    # (before that, Edit is a plain link to the edit page).
    expect(tess.locator("#thread-pending > li")).to_have_count(0)
    new_id = messages(tess).nth(1).get_attribute("data-message-id")
    expect(paula.locator(f"#message-{new_id} a.message__edit")).to_have_count(0)  # not Paula's to edit
    # Paula reacts to it; Tess sees the count.
    paula.locator(f"#message-{new_id} button[value='🎉']").click()
    expect(tess.locator(f"#message-{new_id} button[value='🎉'] .reaction__count")).to_have_text("1")
    tess.locator(f"#message-{new_id} a.message__edit").click()
    editor = tess.get_by_label("Edit your message")
    expect(editor).to_have_value("Most of them finished")
    editor.fill("Most of them finished **early**")
    tess.locator(f"#message-{new_id} .message-edit").get_by_role("button", name="Save").click()
    expect(paula.locator(f"#message-{new_id}")).to_contain_text("(edited)")
    expect(paula.locator(f"#message-{new_id} strong", has_text="early")).to_have_count(1)
    expect(tess.locator(f"#message-{new_id}")).to_contain_text("(edited)")
    # The edit redrew the message in place and kept its reactions.
    expect(paula.locator(f"#message-{new_id} button[value='🎉'] .reaction__count")).to_have_text("1")
    expect(paula.locator(f"#message-{new_id} button[value='🎉']")).to_have_attribute("aria-pressed", "true")

    # Tess deletes it (the page asks first): Paula sees the trace in its place.
    tess.once("dialog", lambda dialog: dialog.accept())
    tess.locator(f"#message-{new_id} a.message__delete").click()
    expect(paula.locator(f"#message-{new_id}")).to_contain_text("This message was deleted")
    expect(paula.locator(f"#message-{new_id}")).not_to_contain_text("finished")
    expect(paula.locator(f"#message-{new_id} form.reactions")).to_have_count(0)

    # Tess leaves: Paula is the only one viewing.
    tess.close()
    expect(paula.locator("#thread-viewers")).to_have_text("Viewing now: Paula Principal (you)")

    # All of it was stored: a fresh load shows the reaction, the trace and no edit text.
    paula.reload()
    expect(paula.locator(f"#message-{seed.first_message_id} button[value='👍'] .reaction__count")).to_have_text("1")
    expect(paula.locator(f"#message-{new_id}")).to_contain_text("This message was deleted")
    # Live again (joined) before the test ends, so no request is still running when the
    # next test empties the tables.
    expect(paula.locator("#thread-viewers")).to_have_text("Viewing now: Paula Principal (you)")


def test_a_failed_send_gets_a_retry_that_stores_it_once(server, seed, page, live_app):
    """The page's socket goes through a route that spoils two sends: the first never
    reaches the server (an error ack comes back instead); the third (after the first's
    retry) is stored, but its ack is replaced by an error and its broadcast withheld, as
    if the answer was lost on the way. Every other frame passes untouched."""
    plan = {1: "drop", 3: "lose"}  # the n-th `send` frame from the page -> what goes wrong
    sends = {"n": 0}
    lost_acks: set[str] = set()
    withhold_messages = {"on": False}

    def route(ws):
        server_side = ws.connect_to_server()

        def from_page(frame):
            match = re.match(r'^42(\d+)\["send",', frame) if isinstance(frame, str) else None
            if match:
                sends["n"] += 1
                trouble = plan.get(sends["n"])
                if trouble == "drop":
                    ws.send(f'43{match.group(1)}[{{"ok":false,"error":"server_error","message":"Try again."}}]')
                    return
                lost_acks.discard(match.group(1))
                if trouble == "lose":
                    lost_acks.add(match.group(1))
                withhold_messages["on"] = trouble == "lose"  # a retry lets everything through again
            server_side.send(frame)

        def from_server(frame):
            if isinstance(frame, str):
                ack = re.match(r"^43(\d+)\[", frame)
                if ack and ack.group(1) in lost_acks:
                    lost_acks.discard(ack.group(1))
                    ws.send(f'43{ack.group(1)}[{{"ok":false,"error":"server_error","message":"Try again."}}]')
                    return
                if withhold_messages["on"] and frame.startswith('42["message",'):
                    return
            ws.send(frame)

        ws.on_message(from_page)
        server_side.on_message(from_server)

    page.route_web_socket(re.compile(r"/socket\.io/"), route)
    open_thread(page, server.url, seed, "tess@lakeside.org")
    # Sends go over the WebSocket once the client has upgraded from polling.
    page.wait_for_function("window.nicRealtime.socket().io.engine.transport.name === 'websocket'")
    box = page.get_by_role("textbox", name="Message")
    pending = page.locator("#thread-pending > li")

    # 1. The send never reached the server: failed, with Retry; Retry stores it.
    box.fill("Never reached the server")
    box.press("Enter")
    expect(pending).to_have_count(1)
    expect(pending).to_contain_text("Not sent: Try again.")
    assert stored_count(live_app, seed, "Never reached the server") == 0
    pending.get_by_role("button", name="Retry").click()
    expect(pending).to_have_count(0)
    expect(messages(page)).to_have_count(2)
    expect(messages(page).nth(1)).to_contain_text("Never reached the server")
    assert stored_count(live_app, seed, "Never reached the server") == 1

    # 2. Stored, but the answer was lost: failed on the page, one row on the server.
    box.fill("Stored but the answer was lost")
    box.press("Enter")
    expect(pending).to_contain_text("Not sent")
    retry = pending.get_by_role("button", name="Retry")
    expect(retry).to_be_visible()
    assert stored_count(live_app, seed, "Stored but the answer was lost") == 1
    expect(messages(page)).to_have_count(2)  # its broadcast was withheld
    retry.click()
    # The retry carries the same client_id: the server answers the stored message.
    expect(pending).to_have_count(0)
    expect(messages(page)).to_have_count(3)
    expect(messages(page).nth(2)).to_contain_text("Stored but the answer was lost")
    assert stored_count(live_app, seed, "Stored but the answer was lost") == 1
    # And after a reload, each message once.
    page.reload()
    texts = messages(page).all_inner_texts()
    assert sum("Never reached the server" in t for t in texts) == 1
    assert sum("Stored but the answer was lost" in t for t in texts) == 1
    expect(page.locator("#thread-viewers")).to_have_text("Viewing now: Tess Teacher (you)")
