"""A change idea's page shows when the idea was proposed and decided as recorded: the
dates of the idea itself, which are the dates of the revisions that proposed and decided
it (its status history). Issue 14: the demo's ideas said "Proposed 5 Dec 2026" (the day
the demo was seeded) while their status history, back-dated to the story, began in
September."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from nic.demo.seed import DEMO_SLUG, _people, seed_demo
from nic.extensions import db
from nic.models import ChangeIdea, Cycle, User
from nic.services.accounts.networks import network_by_slug
from nic.services.theory import ideas as theory_ideas
from nic.tenancy import use_network
from tests.factories import make_change_idea


def shown_date(body: str, label: str) -> str:
    """The ISO date of the first <time> after `label` in the page's header or history."""
    match = re.search(rf"{label}\s*<time datetime=\"(\d{{4}}-\d\d-\d\d)", body)
    assert match, label
    return match.group(1)


def test_every_demo_idea_shows_the_dates_its_history_records(client, db_session, login_as, clock):
    seed_demo()
    network = network_by_slug(DEMO_SLUG)
    facilitator = next(p[0] for p in _people() if p[2] == "facilitator")
    login_as(db.session.scalar(select(User).where(User.email == facilitator)))
    with use_network(network):
        ideas = list(db.session.scalars(select(ChangeIdea).order_by(ChangeIdea.id)))
        histories = {idea.id: theory_ideas.status_history(idea) for idea in ideas}
        first_cycle = dict(
            db.session.execute(
                select(Cycle.change_idea_id, func.min(Cycle.created_at)).group_by(Cycle.change_idea_id)
            ).all()
        )
    listing = client.get(f"/n/{DEMO_SLUG}/change-ideas").get_data(as_text=True)
    decided = 0
    for idea in ideas:
        history = histories[idea.id]
        proposed = history[0]
        assert proposed["status"] == "proposed"
        # The recorded creation is the proposal's revision, and it is in the story's past.
        assert idea.created_at == proposed["at"] < clock.now() - timedelta(days=7), idea.title
        body = client.get(f"/n/{DEMO_SLUG}/change-ideas/{idea.id}").get_data(as_text=True)
        assert shown_date(body, "Proposed") == idea.created_at.date().isoformat(), idea.title
        row = re.search(rf">{re.escape(idea.title)}</a>.*?</tr>", listing, flags=re.S).group(0)
        assert f'<time datetime="{idea.created_at.isoformat()}"' in row, idea.title
        if idea.decided_at is not None:
            decided += 1
            entry = next(e for e in history if e["status"] == idea.status)
            assert idea.decided_at == entry["at"], idea.title
            label = "Accepted" if idea.status != "declined" else "Declined"
            assert shown_date(body, f"<strong>{label}</strong>") == idea.decided_at.date().isoformat()
        # The story holds together: no cycle tested an idea before it was proposed.
        if idea.id in first_cycle:
            assert first_cycle[idea.id] > idea.created_at, idea.title
        # Nothing about the idea was recorded after its last revision.
        assert idea.updated_at == history[-1]["at"], idea.title
    assert decided == 2  # the accepted postcard and the declined homework lab


def test_the_page_shows_the_ideas_recorded_creation_date(client, tenants, login_as):
    a = tenants.a
    idea = make_change_idea(a.network, "Alphaville older idea")
    with use_network(a.network):
        idea.created_at = datetime(2026, 9, 15, 9, tzinfo=UTC)
        db.session.commit()
    login_as(a.facilitator.user)
    body = client.get(f"/n/{a.network.slug}/change-ideas/{idea.id}").get_data(as_text=True)
    assert shown_date(body, "Proposed") == "2026-09-15"
