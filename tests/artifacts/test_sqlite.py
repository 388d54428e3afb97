"""The artifact library on the embedded default (SQLite, tasks in-process): share from a
cycle's Do step, search a word inside the PDF, filter, sort by use, new version, delete a
linked version after confirming, download, the API."""
import io

import pytest

from nic.services.accounts import accounts, networks
from nic.tenancy import use_network
from nic.transaction import commit
from tests.artifacts.conftest import pdf_bytes


@pytest.fixture
def sqlite_app(sqlite_app):
    network = networks.create_network("lake", "Lake NIC")
    with use_network(network):
        shore = networks.create_school("Shore High")
        hill = networks.create_school("Hill Middle")
        lead = accounts.new_user("lead@lake.org", "Lee Lead", "lake password 1")
        networks.add_member(lead, "teacher_leader", shore.id)
        principal = accounts.new_user("pat@lake.org", "Pat Principal", "lake password 2")
        networks.add_member(principal, "principal", hill.id)
        _, secret = accounts.create_api_token(principal, "sqlite test")
        commit()
    return sqlite_app, secret


def test_the_library_works_on_sqlite(sqlite_app):
    app, secret = sqlite_app
    client = app.test_client()
    assert client.post("/login", data={"email": "lead@lake.org", "password": "lake password 1"}).status_code == 302
    cycle = client.post("/n/lake/cycles/new", data={"title": "Warm greetings", "visibility": "network",
                                                    "scale_unit": "classes", "scale_count": "1"})
    cycle_id = int(cycle.headers["Location"].split("/")[-1])
    shared = client.post(f"/n/lake/artifacts/new?cycle_id={cycle_id}", content_type="multipart/form-data", data={
        "title": "Door greeting protocol", "kind": "protocol", "tags": "climate", "cycle_id": str(cycle_id),
        "file": (io.BytesIO(pdf_bytes("Greet every student by name at the threshold.")), "greeting.pdf")})
    assert shared.status_code == 302
    client.post("/n/lake/artifacts/new", data={"title": "Unused link", "url": "https://example.org/x"})
    assert "Door greeting protocol" in client.get(f"/n/lake/cycles/{cycle_id}").get_data(as_text=True)

    client.post("/logout")
    assert client.post("/login", data={"email": "pat@lake.org", "password": "lake password 2"}).status_code == 302
    found = client.get("/n/lake/artifacts?q=threshold&tag=climate&sort=used").get_data(as_text=True)
    assert "Door greeting protocol" in found and "Used in 1 cycle at 1 school" in found
    assert "Unused link" not in found
    used_first = client.get("/n/lake/artifacts?sort=used").get_data(as_text=True)
    assert used_first.index("Door greeting protocol") < used_first.index("Unused link")

    token = {"Authorization": f"Bearer {secret}"}
    [item] = client.get("/api/v1/networks/lake/artifacts?q=threshold", headers=token).get_json()["items"]
    assert item["used_in"] == {"cycles": 1, "schools": 1} and item["cycle_ids"] == [cycle_id]
    download = client.get(f"/api/v1/networks/lake/artifacts/{item['id']}/download", headers=token)
    assert download.status_code == 200 and download.data.startswith(b"%PDF")

    client.post("/logout")
    client.post("/login", data={"email": "lead@lake.org", "password": "lake password 1"})
    artifact_id = item["id"]
    assert client.post(f"/n/lake/artifacts/{artifact_id}/versions/new", content_type="multipart/form-data", data={
        "note": "Shorter", "file": (io.BytesIO(b"Greet by name.\n"), "v2.txt")}).status_code == 302
    first_id = item["versions"][0]["id"]
    ask = client.post(f"/n/lake/artifacts/{artifact_id}/versions/{first_id}/delete")
    assert ask.status_code == 200 and "Warm greetings" in ask.get_data(as_text=True)
    assert client.post(f"/n/lake/artifacts/{artifact_id}/versions/{first_id}/delete",
                       data={"confirm": "yes"}).status_code == 302
    body = client.get(f"/api/v1/networks/lake/artifacts/{artifact_id}").get_json()
    assert [v["number"] for v in body["versions"]] == [2] and body["cycle_ids"] == [cycle_id]
    # the searched text is the current version's: v2's words, no longer v1's
    assert "Door greeting protocol" in client.get("/n/lake/artifacts?q=name").get_data(as_text=True)
    assert "Door greeting protocol" not in client.get("/n/lake/artifacts?q=threshold").get_data(as_text=True)
