"""Against a real `nic serve` (gunicorn gthread, CSRF on): Socket.IO connect is
authenticated by an API token or the browser session and refused otherwise; the HTTP
basics (sign-in redirect, wrong password, network membership) behave as served."""
from __future__ import annotations

from dataclasses import dataclass

import pytest
import requests
import socketio

from nic.extensions import db
from tests import factories
from tests.live.helpers import sign_in

pytestmark = [pytest.mark.live, pytest.mark.usefixtures("clean_live_db")]


@dataclass
class Seeded:
    slug: str
    network_name: str
    member_email: str
    outsider_email: str
    token: str


@pytest.fixture
def seeded(live_app, clean_live_db) -> Seeded:
    """One network with a member holding an API token, plus a user of another network.
    Committed for real: the server is another process."""
    with live_app.app_context():
        network = factories.make_network("riverside", "Riverside Learning Network")
        school = factories.make_school(network, "Riverside High")
        member = factories.make_member(network, "principal", school,
                                       factories.make_user("pat@riverside.org", "Pat Principal"))
        other = factories.make_network("hilltop", "Hilltop Network")
        outsider = factories.make_member(other, "facilitator", user=factories.make_user("out@hilltop.org", "Olu Outsider"))
        _, token = factories.make_token(member.user)
        seeded = Seeded(network.slug, network.name, member.user.email, outsider.user.email, token)
        db.session.commit()
    return seeded


@pytest.fixture
def server(serve):
    return serve()


@pytest.fixture
def sio():
    clients: list[socketio.Client] = []

    def make() -> socketio.Client:
        client = socketio.Client(reconnection=False)
        clients.append(client)
        return client

    yield make
    for client in clients:
        if client.connected:
            client.disconnect()


def _connect(client: socketio.Client, url: str, **kwargs) -> None:
    client.connect(url, transports=["websocket"], wait_timeout=5, **kwargs)


def _assert_refused(client: socketio.Client, url: str, **kwargs) -> None:
    """Connect, expecting the server itself to refuse (a connect_error for the default
    namespace, not a transport failure)."""
    errors = []
    client.on("connect_error", lambda data=None: errors.append(data))
    with pytest.raises(socketio.exceptions.ConnectionError, match="failed to connect: /"):
        _connect(client, url, **kwargs)
    assert not client.connected
    # The refusal is the connect handler's own, with its message.
    assert errors == [{"message": "unauthorized"}], errors


def test_connect_with_an_api_token(server, seeded, sio):
    client = sio()
    _connect(client, server.url, auth={"token": seeded.token})
    assert client.connected
    assert client.get_sid() is not None


@pytest.mark.parametrize("auth", [None, {"token": "nic_not-a-real-token"}, {"token": ""}, {}],
                         ids=["no-auth", "wrong-token", "empty-token", "empty-auth"])
def test_connect_without_valid_credentials_is_refused(server, seeded, sio, auth):
    _assert_refused(sio(), server.url, auth=auth)


def test_connect_with_the_browser_session_cookie(server, seeded, sio):
    http = requests.Session()
    signed_in = sign_in(http, server.url, seeded.member_email, factories.PASSWORD)
    assert signed_in.status_code == 302, signed_in.text[:500]
    cookie = "; ".join(f"{c.name}={c.value}" for c in http.cookies)
    assert "session=" in cookie

    client = sio()
    _connect(client, server.url, headers={"Cookie": cookie})
    assert client.connected


def test_a_signed_out_browser_cookie_is_refused(server, seeded, sio):
    """A session cookie with no one signed in in it (what GET /login hands out)."""
    http = requests.Session()
    assert http.get(f"{server.url}/login").status_code == 200
    cookie = "; ".join(f"{c.name}={c.value}" for c in http.cookies)

    assert "session=" in cookie
    _assert_refused(sio(), server.url, headers={"Cookie": cookie})


# --- plain HTTP smoke ------------------------------------------------------------------

def test_home_sends_the_signed_out_to_sign_in(server, seeded):
    response = requests.get(f"{server.url}/", allow_redirects=False)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/login")


def test_a_wrong_password_shows_an_error(server, seeded):
    http = requests.Session()
    response = sign_in(http, server.url, seeded.member_email, "not the password at all")
    assert response.status_code == 422
    assert "Wrong email or password." in response.text
    # Still signed out.
    assert http.get(f"{server.url}/", allow_redirects=False).headers["Location"].endswith("/login")


def test_a_sign_in_without_the_csrf_token_is_rejected(server, seeded):
    http = requests.Session()
    response = http.post(
        f"{server.url}/login", data={"email": seeded.member_email, "password": factories.PASSWORD},
        allow_redirects=False,
    )
    assert response.status_code == 400
    home = http.get(f"{server.url}/n/{seeded.slug}/", allow_redirects=False)
    assert home.status_code == 302 and "/login" in home.headers["Location"]


def test_network_home_answers_members_only(server, seeded):
    member = requests.Session()
    signed_in = sign_in(member, server.url, seeded.member_email, factories.PASSWORD)
    assert signed_in.status_code == 302
    assert signed_in.headers["Location"].endswith(f"/n/{seeded.slug}/")
    home = member.get(f"{server.url}/n/{seeded.slug}/")
    assert home.status_code == 200
    assert seeded.network_name in home.text

    outsider = requests.Session()
    assert sign_in(outsider, server.url, seeded.outsider_email, factories.PASSWORD).status_code == 302
    hidden = outsider.get(f"{server.url}/n/{seeded.slug}/", allow_redirects=False)
    assert hidden.status_code == 404
    assert seeded.network_name not in hidden.text
    # And a network that does not exist looks exactly the same.
    missing = outsider.get(f"{server.url}/n/no-such-network/", allow_redirects=False)
    assert missing.status_code == 404
