"""Shared by the notification tests: every push, as (user_id, event, payload), instead
of reaching Socket.IO (tests that want the real socket use SocketIOTestClient)."""
import pytest

from nic.events import publish


@pytest.fixture
def pushed(monkeypatch):
    calls = []
    monkeypatch.setattr(publish, "emit_to_user", lambda user_id, event, payload: calls.append((user_id, event, payload)))
    return calls
