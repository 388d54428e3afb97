"""The demo network still seeds, and its activity page and home page render a full feed
(every kind it has) for a facilitator and for a school's principal."""

from __future__ import annotations

from sqlalchemy import select

from nic.demo.seed import DEMO_SLUG, seed_demo
from nic.extensions import db
from nic.models import Membership
from nic.services.accounts.networks import network_by_slug
from nic.services.discussion import activity
from nic.tenancy import use_network


def test_the_demo_feed_renders(db_session, login_as):
    seed_demo()
    db_session.commit()
    network = network_by_slug(DEMO_SLUG)
    with use_network(network):
        people = {m.role: m for m in db.session.scalars(select(Membership).order_by(Membership.id))}
        kinds = {i.kind for i in activity.feed(people["principal"], limit=200).items}
    assert {"cycle_created", "phase_changed", "artifact_created", "thread_started", "message_posted"} <= kinds
    for role in ("facilitator", "principal"):
        client = login_as(people[role].user)
        page = client.get(f"/n/{DEMO_SLUG}/activity")
        assert page.status_code == 200
        html = page.get_data(as_text=True)
        assert html.count('class="activity-item ') == 30 and "Older →" in html
        home = client.get(f"/n/{DEMO_SLUG}/").get_data(as_text=True)
        assert home.count('class="activity-item ') == 5
