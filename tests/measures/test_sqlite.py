"""Measures on the embedded default (SQLite): define, enter by form, grid, CSV and API,
read the list with its latest values, the audit trail, and a refused upload writing
nothing. The grouped queries and the upsert run on SQLite as they do on PostgreSQL."""
import io

import pytest
from sqlalchemy import func, select

from nic.extensions import db
from nic.models import MeasurePoint, PointChange
from nic.services.accounts import accounts, networks
from nic.tenancy import UNSCOPED, use_network
from nic.transaction import commit
from tests.factories import make_token
from tests.measures.conftest import grid_page_of, monday


@pytest.fixture
def sqlite_app(sqlite_app):
    network = networks.create_network("lake", "Lake NIC")
    with use_network(network):
        school = networks.create_school("Shore High")
        networks.add_member(accounts.new_user("fac@lake.org", "Fac", "lake password 1"), "facilitator")
        lead = accounts.new_user("lead@lake.org", "Lead", "lake password 2")
        networks.add_member(lead, "teacher_leader", school.id)
        _, secret = make_token(lead)
        commit()
    return sqlite_app, school.id, secret


def counts():
    return (db.session.scalar(select(func.count()).select_from(MeasurePoint).execution_options(**UNSCOPED)),
            db.session.scalar(select(func.count()).select_from(PointChange).execution_options(**UNSCOPED)))


def test_measures_end_to_end_on_sqlite(sqlite_app):
    app, school_id, secret = sqlite_app
    client = app.test_client()
    assert client.post("/login", data={"email": "fac@lake.org", "password": "lake password 1"}).status_code == 302
    response = client.post("/n/lake/measures/new", data={
        "name": "Ninth graders on track", "kind": "outcome", "chart": "p", "direction": "up", "frequency": "weekly",
        "goal": "80%", "unit": "%"})
    assert response.status_code == 302
    measure_id = int(response.headers["Location"].rsplit("/", 1)[1])
    client.post("/logout")

    assert client.post("/login", data={"email": "lead@lake.org", "password": "lake password 2"}).status_code == 302
    base = f"/n/lake/measures/{measure_id}"
    # Weeks counted back from the clock's today, so the first two share a grid page on any date.
    w6, w5, w4, w3, w2 = (monday(weeks_ago).isoformat() for weeks_ago in (6, 5, 4, 3, 2))
    assert client.post(f"{base}/points", data={"period": w6, "numerator": "14",
                                                "denominator": "20"}).status_code == 302
    upload = client.post(f"{base}/upload", content_type="multipart/form-data", data={
        "file": (io.BytesIO(f"period,numerator,denominator\n{w5},15,20\n{w6},16,20\n".encode()), "v.csv")})
    assert upload.status_code == 302
    token = {"Authorization": f"Bearer {secret}"}
    api = client.post(f"/api/v1/networks/lake/measures/{measure_id}/points", headers=token, json={
        "school_id": school_id, "points": [{"period": w4, "numerator": 17, "denominator": 20}]})
    assert api.status_code == 201, api.get_json()
    assert api.get_json() == {"created": 1, "updated": 0, "unchanged": 0}
    with app.app_context():
        assert counts() == (3, 4)
    refused = client.post(f"{base}/upload", content_type="multipart/form-data", data={
        "file": (io.BytesIO(f"period,numerator,denominator\n{w3},5,4\n{w2},1,2\n".encode()), "bad.csv")})
    assert refused.status_code == 422 and "is above its denominator" in refused.get_data(as_text=True)
    with app.app_context():
        assert counts() == (3, 4)

    listing = client.get("/n/lake/measures").get_data(as_text=True)
    assert "<strong>85.0%</strong>" in listing and "1 of 1" in listing
    history = client.get(f"{base}/audit").get_data(as_text=True)
    assert "CSV upload" in history and "API" in history and "Quick form" in history
    grid = client.get(f"{base}/data?page={grid_page_of(monday(6))}").get_data(as_text=True)
    assert 'value="16"' in grid and 'value="15"' in grid
    measure = client.get(f"/api/v1/networks/lake/measures/{measure_id}", headers=token).get_json()
    assert measure["goal"] == 0.8 and measure["chart"] == "p"
