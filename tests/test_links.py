"""Links that leave the site (emails, digests, notifications) are absolute and built one
way, by nic.links: NIC_BASE_URL, else the request's host, else SERVER_NAME, else a local
default. For a configured base URL every email's links are exactly the site's paths
under it, in a request or in a task."""
from __future__ import annotations

import logging
import re

import pytest
from sqlalchemy import select

from nic import links
from nic.extensions import db
from nic.models import OutboxMessage
from nic.services.accounts import accounts, invitations
from nic.services.discussion import discussion
from nic.services.notifications import digest as notification_digest
from nic.tenancy import use_network

BASE = "https://nic.example"
URL = re.compile(r"https?://[^\s\"<>]+")


@pytest.fixture
def configured(app, monkeypatch):
    monkeypatch.setitem(app.config, "NIC_BASE_URL", BASE + "/")  # the trailing slash is dropped
    return BASE


def urls_in(message: OutboxMessage) -> set[str]:
    return set(URL.findall(message.body_text)) | {u.replace("&amp;", "&") for u in URL.findall(message.body_html)}


def last_mail() -> OutboxMessage:
    db.session.expire_all()
    return db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(1)).one()


def test_a_password_reset_link_outside_a_request(tenants, configured):
    accounts.request_password_reset(tenants.a.principal.user.email)
    found = urls_in(last_mail())
    assert len(found) == 1
    assert re.fullmatch(r"https://nic\.example/reset/[\w-]+", found.pop())


def test_a_password_reset_link_in_a_request_is_the_same(app, tenants, configured):
    with app.test_request_context("/forgot", base_url="http://other-host.test"):
        accounts.request_password_reset(tenants.a.principal.user.email)
    [found] = urls_in(last_mail())
    assert re.fullmatch(r"https://nic\.example/reset/[\w-]+", found)


def test_an_invitation_link(tenants, configured):
    a = tenants.a
    with use_network(a.network):
        invitations.invite("new.person@example.org", "member", None, a.facilitator.user)
    found = urls_in(last_mail())
    assert len(found) == 1
    assert re.fullmatch(r"https://nic\.example/invite/[\w-]+", found.pop())


def test_a_notification_digests_links(tenants, configured, monkeypatch):
    a = tenants.a
    monkeypatch.setattr(notification_digest, "delay", lambda: __import__("datetime").timedelta(0))
    with use_network(a.network):
        message = discussion.post_message(a.member, a.thread.id, f"@{a.principal.user.name} the agenda?")
        notification_digest.send_digest(a.principal.user_id)
    assert urls_in(last_mail()) == {
        f"{BASE}/n/alpha/threads/{a.thread.id}#message-{message.id}",
        f"{BASE}/n/alpha/notifications",
    }


# --- the helper itself ---------------------------------------------------------------------

def test_the_base_url_is_the_configured_one_without_its_slash(app, configured):
    with app.app_context():
        assert links.base_url() == BASE
        assert links.absolute("networks.home", slug="alpha") == f"{BASE}/n/alpha/"
    with app.test_request_context("/", base_url="http://other-host.test"):
        assert links.base_url() == BASE


def test_unconfigured_a_request_uses_its_host(app, monkeypatch):
    monkeypatch.setitem(app.config, "NIC_BASE_URL", None)
    with app.test_request_context("/", base_url="https://school.example"):
        assert links.absolute("cycles.show", slug="alpha", cycle_id=7) == "https://school.example/n/alpha/cycles/7"


def test_unconfigured_a_task_uses_server_name_then_a_local_default(app, monkeypatch, caplog):
    monkeypatch.setitem(app.config, "NIC_BASE_URL", None)
    monkeypatch.setitem(app.config, "PREFERRED_URL_SCHEME", "https")
    with app.app_context():
        assert links.absolute("measures.index", slug="alpha") == "https://nic.test/n/alpha/measures"
        monkeypatch.setitem(app.config, "SERVER_NAME", None)
        with caplog.at_level(logging.WARNING, logger="nic.links"):
            assert links.base_url() == links.DEFAULT_BASE_URL
        assert "NIC_BASE_URL is not set" in caplog.text
        assert links.path("measures.show", slug="alpha", measure_id=3) == "/n/alpha/measures/3"
