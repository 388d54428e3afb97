"""The feed on the embedded default (SQLite, no Redis): the same UNION ALL query, the
visibility rules, exact ties and keyset pages, over the service, the API and the page."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from nic.extensions import db
from nic.models import Channel, Cycle, CyclePhaseMove, Membership, Message, Thread
from nic.services.accounts import accounts, networks
from nic.services.discussion import activity
from nic.tenancy import use_network
from nic.transaction import commit
from tests.activity.helpers import T0


@pytest.fixture
def sqlite_app(sqlite_app):
    network = networks.create_network("lake", "Lake NIC")
    with use_network(network):
        shore, hill = networks.create_school("Shore High"), networks.create_school("Hill Middle")
        lead = accounts.new_user("lee@lake.org", "Lee Lead", "lake password 1")
        networks.add_member(lead, "principal", shore.id)
        other = accounts.new_user("oz@lake.org", "Oz Other", "lake password 1")
        networks.add_member(other, "member", hill.id)
        _, secret = accounts.create_api_token(other, "sqlite test")
        shared = Cycle(school_id=shore.id, owner_id=lead.id, title="Shared huddle", visibility="network",
                       created_at=T0)
        private = Cycle(school_id=shore.id, owner_id=lead.id, title="Private huddle", visibility="school",
                        created_at=T0)
        leads = Channel(name="leads", roles="facilitator,principal")
        db.session.add_all([shared, private, leads])
        db.session.flush()
        db.session.add_all([
            CyclePhaseMove(cycle_id=shared.id, from_phase="plan", to_phase="do", user_id=lead.id, created_at=T0),
            CyclePhaseMove(cycle_id=private.id, from_phase="plan", to_phase="do", user_id=lead.id, created_at=T0),
        ])
        threads = [Thread(subject="cycle", subject_id=shared.id, title="Shared talk", created_by_id=lead.id, created_at=T0),
                   Thread(subject="cycle", subject_id=private.id, title="Private talk", created_at=T0),
                   Thread(subject="channel", subject_id=leads.id, title="leads", created_at=T0)]
        db.session.add_all(threads)
        db.session.flush()
        db.session.add_all([Message(thread_id=t.id, author_id=lead.id, body=f"In {t.title}", created_at=T0)
                            for t in threads])
        commit()
    return sqlite_app, network, secret


def test_the_feed_works_on_sqlite(sqlite_app):
    app, network, secret = sqlite_app
    with use_network(network):
        memberships = {m.role: m for m in db.session.scalars(select(Membership))}
        everything = activity.feed(memberships["principal"], limit=100).items
        assert len(everything) == 2 + 2 + 3 + 3  # cycles, moves, threads, messages; all at the same instant
        assert [i.kind for i in everything[:3]] == ["message_posted"] * 3
        outsider = activity.feed(memberships["member"], limit=100).items
        assert {i.title for i in outsider} == {"Shared huddle", "Shared talk"}
        pages, before = [], None
        while True:
            page = activity.feed(memberships["principal"], limit=3, before=before)
            pages += [(i.kind, i.id) for i in page.items]
            if page.next is None:
                break
            before = activity.Cursor.decode(page.next.encode())
        assert pages == [(i.kind, i.id) for i in everything]
        school = activity.feed(memberships["principal"], school_id=memberships["member"].school_id, limit=100)
        assert school.items == []

    client = app.test_client()
    assert client.post("/login", data={"email": "lee@lake.org", "password": "lake password 1"}).status_code == 302
    html = client.get("/n/lake/activity").get_data(as_text=True)
    assert "Private huddle" in html and "# leads" in html
    # The token is Oz's (school Hill): only the shared cycle's thread.
    body = client.get("/api/v1/networks/lake/activity?kind=discussion",
                      headers={"Authorization": f"Bearer {secret}"}).get_json()
    assert [i["summary"] for i in body["items"]] == ["Lee Lead in “Shared talk”: In Shared talk",
                                                     "Lee Lead started the discussion “Shared talk”"]
    assert body["items"][0]["at"].startswith("2026-10-05T09:30:00")
