"""A facilitator invites a principal to a school; the principal follows the emailed
link, creates an account and lands in the network. Real server, real browser."""
from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from playwright.sync_api import expect

from nic.extensions import db
from tests import factories

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("clean_live_db")]

INVITEE = "new.principal@example.org"


@dataclass
class Network:
    slug: str
    name: str
    school: str
    facilitator_email: str
    facilitator_name: str


@pytest.fixture
def network(live_app, clean_live_db) -> Network:
    with live_app.app_context():
        network = factories.make_network("lakeside", "Lakeside Improvement Network")
        school = factories.make_school(network, "Lakeside Elementary")
        # A second school, so choosing the right one in the form matters.
        factories.make_school(network, "Lakeside Middle")
        facilitator = factories.make_member(
            network, "facilitator", user=factories.make_user("fran@lakeside.org", "Fran Facilitator"),
        )
        seeded = Network(network.slug, network.name, school.name, facilitator.user.email, facilitator.user.name)
        db.session.commit()
    return seeded


@pytest.fixture
def server(serve):
    return serve()  # NIC_DEV_OUTBOX=1 and no SMTP: mail shows on /dev/outbox


def test_facilitator_invites_a_principal_who_joins(server, network, page, new_page):
    base = server.url

    # The facilitator signs in through the form and lands on the network's home.
    page.goto(f"{base}/")
    expect(page).to_have_url(re.compile(r"/login$"))
    page.get_by_label("Email").fill(network.facilitator_email)
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{base}/n/{network.slug}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(network.name)

    # Members -> invite someone as principal of one school.
    page.get_by_role("navigation", name=network.name).get_by_role("link", name="Members").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Members")
    page.get_by_label("Email", exact=True).fill(INVITEE)
    page.get_by_label("Role", exact=True).select_option(label="Principal")
    page.get_by_label("School", exact=True).select_option(label=network.school)
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_text(f"Invitation sent to {INVITEE}.")).to_be_visible()
    pending = page.get_by_role("region", name="Pending invitations")
    expect(pending.get_by_role("row", name=re.compile(re.escape(INVITEE)))).to_contain_text(network.school)

    # The email, as the dev outbox shows it.
    page.goto(f"{base}/dev/outbox")
    email = page.get_by_role("article").filter(has=page.get_by_text(INVITEE, exact=True))
    expect(email).to_have_count(1)
    expect(email.get_by_role("heading")).to_have_text(f"You're invited to {network.name} on nic")
    expect(email).to_contain_text(f"as Principal at {network.school}")
    link = email.get_by_role("link", name=re.compile(r"\/invite\/"))
    expect(link).to_have_count(1)
    invite_url = link.get_attribute("href")
    assert invite_url.startswith(f"{base}/invite/"), invite_url

    # The principal, in a browser of their own, follows the link and creates an account.
    principal = new_page()
    principal.goto(invite_url)
    expect(principal.get_by_role("heading", level=1)).to_have_text(f"Join {network.name}")
    expect(principal.get_by_label("Email")).to_have_value(INVITEE)
    principal.get_by_label("Your name").fill("Priya Principal")
    principal.get_by_label("Choose a password").fill("a long enough password")
    principal.get_by_label("Repeat the password").fill("a long enough password")
    principal.get_by_role("button", name="Create account and join").click()

    expect(principal).to_have_url(f"{base}/n/{network.slug}/")
    expect(principal.get_by_role("heading", level=1)).to_have_text(network.name)
    expect(principal.get_by_text(f"Welcome to {network.name}.")).to_be_visible()
    expect(principal.get_by_text(f"You are Principal at {network.school}.")).to_be_visible()

    # The link worked once: opening it again says so.
    principal.goto(invite_url)
    expect(principal.get_by_role("heading", level=1)).to_have_text("This invitation link no longer works")
