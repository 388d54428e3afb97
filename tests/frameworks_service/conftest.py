"""Helpers for the framework service, page and API tests: tests/factories.two_networks
gives each network an adopted built-in (`tenant.framework`) with an open round, one
teacher's rating and one consensus on its first practice."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from nic.extensions import db
from nic.models import Framework, FrameworkPractice
from nic.tenancy import use_network
from tests.factories import make_token


def counts(tenant) -> tuple[int, int]:
    """(frameworks, practice rows) in the tenant's network, read fresh."""
    db.session.expire_all()
    with use_network(tenant.network):
        return (db.session.scalar(select(func.count(Framework.id))),
                db.session.scalar(select(func.count(FrameworkPractice.id))))


def small_document(key: str = "small", name: str = "Small framework") -> dict:
    """A valid two-level, one-domain, two-practice framework."""
    return {
        "key": key, "name": name,
        "source": {"organisation": "Our network"},
        "levels": [{"key": "low", "name": "Low"}, {"key": "high", "name": "High"}],
        "domains": [{"name": "Vision", "practices": [
            {"key": "shared-vision", "name": "Shared vision", "descriptors": {"low": "Rare", "high": "Everywhere"},
             "guiding_questions": ["Who wrote the vision?"]},
            {"key": "goals", "name": "Goals", "descriptors": {"low": "Vague", "high": "Clear"}},
        ]}],
    }


@pytest.fixture
def auth():
    def headers(membership):
        return {"Authorization": f"Bearer {make_token(membership.user)[1]}"}
    return headers
