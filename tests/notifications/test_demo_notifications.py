"""The demo has notifications to show: the first facilitator (the first demo login) is
mentioned in the general channel, and a cycle's owner in its discussion."""

from sqlalchemy import select

from nic.demo.seed import DEMO_SLUG, seed_demo
from nic.extensions import db
from nic.models import Membership, Notification
from nic.services.accounts.networks import network_by_slug
from nic.tenancy import use_network


def test_the_demo_seeds_mentions_and_their_notifications(db_session):
    seed_demo()
    with use_network(network_by_slug(DEMO_SLUG)):
        facilitator = db.session.scalar(
            select(Membership).where(Membership.role == "facilitator").order_by(Membership.id)
        )
        kinds = {(n.user_id, n.kind) for n in db.session.scalars(select(Notification))}
        assert (facilitator.user_id, "mention") in kinds
        assert sum(1 for _, kind in kinds if kind == "mention") >= 2
        assert all(n.actor_id != n.user_id for n in db.session.scalars(select(Notification)))
