"""Charts on the embedded default (SQLite): the pooled series' GROUP BY, the markers'
subquery and the pages and API render the same as on PostgreSQL."""
from datetime import date, timedelta

import pytest

from nic.extensions import db
from nic.models import Cycle, Measure, MeasurePoint
from nic.services.accounts import accounts, networks
from nic.tenancy import use_network
from nic.transaction import commit


@pytest.fixture
def sqlite_app(sqlite_app):
    network = networks.create_network("lake", "Lake NIC")
    with use_network(network):
        shore = networks.create_school("Shore High")
        bay = networks.create_school("Bay High")
        lead = accounts.new_user("lead@lake.org", "Lee Lead", "lake password 1")
        networks.add_member(lead, "principal", shore.id)
        measure = Measure(name="On track", kind="outcome", chart="p", unit="%", frequency="weekly", goal=0.8)
        db.session.add(measure)
        db.session.flush()
        monday = date(2026, 3, 2)
        for i in range(12):
            period = monday + timedelta(weeks=i)
            db.session.add(MeasurePoint(measure_id=measure.id, school_id=shore.id, period=period,
                                        numerator=10 + (8 if i >= 6 else 0) + i % 2, denominator=30))
            if i % 3:
                db.session.add(MeasurePoint(measure_id=measure.id, school_id=bay.id, period=period,
                                            numerator=12, denominator=30))
        db.session.add(Cycle(school_id=shore.id, owner_id=lead.id, title="Morning check-in", visibility="network",
                             start_date=date(2026, 4, 8), measure_id=measure.id))
        commit()
    return sqlite_app, measure.id, shore.id


def test_charts_work_on_sqlite(sqlite_app):
    app, measure_id, shore_id = sqlite_app
    client = app.test_client()
    assert client.post("/login", data={"email": "lead@lake.org", "password": "lake password 1"}).status_code == 302

    school = client.get(f"/api/v1/networks/lake/measures/{measure_id}/chart?school_id={shore_id}").get_json()
    assert len(school["points"]) == 12 and school["points"][0]["value"] == pytest.approx(10 / 30)
    assert school["shift"] and school["cycles"][0]["title"] == "Morning check-in"

    pooled = client.get(f"/api/v1/networks/lake/measures/{measure_id}/chart").get_json()
    assert pooled["points"][0]["value"] == pytest.approx(10 / 30)  # only Shore reported week 1
    first = pooled["points"][0]
    assert (first["schools_reporting"], first["schools_expected"], first["excluded"]) == (1, 2, True)
    assert first["center"] is not None and first["lower"] is None  # drawn, not judged
    assert pooled["points"][1]["value"] == pytest.approx((11 + 12) / 60)
    assert pooled["points"][1]["excluded"] is False

    page = client.get(f"/n/lake/measures/{measure_id}/chart").get_data(as_text=True)
    # A p chart: 6 in a row above the center line is an IHI pattern, not a Data Guide shift (8).
    assert "Shore High" in page and "6 points in a row above the center line since" in page
    assert "a pattern worth watching, not a signal" in page
    network = client.get(f"/n/lake/measures/{measure_id}/network")
    assert network.status_code == 200 and "Bay High" in network.get_data(as_text=True)
    split = client.post(f"/n/lake/measures/{measure_id}/splits",
                        data={"school_id": str(shore_id), "start_date": "2026-04-06", "label": "Adopted"})
    assert split.status_code == 302
    school = client.get(f"/api/v1/networks/lake/measures/{measure_id}/chart?school_id={shore_id}").get_json()
    assert school["points"][0]["center"] != school["points"][-1]["center"]
