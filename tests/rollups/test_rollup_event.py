"""The `rollup` event: when a roll-up finishes it reaches every member of that network
(facilitators, as docs/INTERFACE.md says, and the others, whose leadership view and school page
refresh on it), and nobody in another network."""

from flask_socketio import SocketIOTestClient

from nic.extensions import socketio
from nic.services.rollups import rollups
from nic.tenancy import use_network
from tests.factories import make_token


def _rollups(client) -> list[dict]:
    return [event["args"][0] for event in client.get_received() if event["name"] == "rollup"]


def test_a_finished_roll_up_reaches_the_networks_members_and_no_one_else(app, tenants):
    a, b = tenants.a, tenants.b
    people = {
        "facilitator": a.facilitator.user,
        "principal": a.principal.user,
        "member": a.member.user,
        "other network": b.facilitator.user,
    }
    clients = {
        who: SocketIOTestClient(app, socketio, auth={"token": make_token(user)[1]}) for who, user in people.items()
    }
    try:
        for client in clients.values():
            assert client.is_connected()
            client.get_received()
        with use_network(a.network):
            computed_at, _ = rollups.run_now()
        heard = {who: _rollups(client) for who, client in clients.items()}
        expected = [{"network": "alpha", "computed_at": computed_at.isoformat()}]
        assert heard == {"facilitator": expected, "principal": expected, "member": expected, "other network": []}
    finally:
        for client in clients.values():
            client.disconnect()
