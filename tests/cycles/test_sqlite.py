"""Cycles on the embedded default (SQLite): create, phases, a ramp chain (recursive CTEs),
history, the version conflict, delete and restore, the API."""
import pytest

from nic.services.accounts import accounts, networks
from nic.tenancy import use_network
from nic.transaction import commit


@pytest.fixture
def sqlite_app(sqlite_app):
    network = networks.create_network("lake", "Lake NIC")
    with use_network(network):
        school = networks.create_school("Shore High")
        lead = accounts.new_user("lead@lake.org", "Lee Lead", "lake password 1")
        networks.add_member(lead, "teacher_leader", school.id)
        _, secret = accounts.create_api_token(lead, "sqlite test")
        principal = accounts.new_user("pat@lake.org", "Pat Principal", "lake password 2")
        networks.add_member(principal, "principal", school.id)
        commit()
    return sqlite_app, secret


def test_cycles_work_on_sqlite(sqlite_app):
    app, secret = sqlite_app
    client = app.test_client()
    assert client.post("/login", data={"email": "lead@lake.org", "password": "lake password 1"}).status_code == 302
    created = client.post("/n/lake/cycles/new", data={
        "title": "Bell-ringer quiz", "visibility": "network", "scale_unit": "classes", "scale_count": "1",
        "plan_objective": "See if it *helps*", "questions-0-question": "Will they finish?",
        "questions-0-prediction": "Most will"})
    assert created.status_code == 302
    first = int(created.headers["Location"].split("/")[-1])
    api = f"/api/v1/networks/lake/cycles/{first}"
    body = client.get(api).get_json()
    assert body["plan"]["questions"] == [{"question": "Will they finish?", "prediction": "Most will"}]

    # walk to Act over the API
    token = {"Authorization": f"Bearer {secret}"}
    body = client.patch(api, headers=token, json={"version": body["version"], "phase": "do"}).get_json()
    body = client.patch(api, headers=token, json={"version": body["version"], "phase": "study",
                                   "do": {"as_planned": True, "observations": "Fine"}}).get_json()
    body = client.patch(api, headers=token, json={"version": body["version"], "phase": "act",
                                   "study": {"results": [{"result": "All did"}], "learned": "Quick wins"}}).get_json()
    assert body["phase"] == "act"
    stale = client.patch(api, headers=token, json={"version": body["version"] - 1, "title": "Late"})
    assert stale.status_code == 409 and client.get(api).get_json()["title"] == "Bell-ringer quiz"

    second = int(client.post(f"/n/lake/cycles/{first}/next", data={"kind": "adapt"}).headers["Location"].split("/")[-1])
    client.patch(f"/api/v1/networks/lake/cycles/{second}", headers=token, json={"version": 1, "phase": "act", "plan": {},
                                                                 "do": {"as_planned": False, "observations": "x"},
                                                                 "study": {"results": [{"result": "r"}], "learned": "l"}})
    third = int(client.post(f"/n/lake/cycles/{second}/next", data={"kind": "next"}).headers["Location"].split("/")[-1])
    page = client.get(f"/n/lake/cycles/{third}").get_data(as_text=True)
    chain = page[page.index('id="chain"'):]
    assert chain.index(f"/n/lake/cycles/{first}\"") < chain.index(f"/n/lake/cycles/{second}\"") < chain.index("aria-current=\"page\"")
    assert "<em>helps</em>" in client.get(f"/n/lake/cycles/{first}").get_data(as_text=True)
    history = client.get(f"/n/lake/cycles/{first}/history").get_data(as_text=True)
    assert "Created by Lee Lead" in history and "Phase moved by" in history

    assert client.delete(api, headers=token).status_code == 204
    client.post("/logout")
    client.post("/login", data={"email": "pat@lake.org", "password": "lake password 2"})
    assert "Bell-ringer quiz" in client.get("/n/lake/cycles/deleted").get_data(as_text=True)
    assert client.post(f"/n/lake/cycles/{first}/restore").status_code == 302
    assert client.get(api).status_code == 200
