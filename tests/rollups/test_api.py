"""The roll-up API (docs/INTERFACE.md): POST answers 202 {"job"} at once and coalesces; latest
reads the snapshot exactly in the contract's shape (plus documented extras), before any
roll-up, for a principal, with a measure without data and a school without cycles, and
after a failed job (the last good snapshot with its age); jobs/<id> for polling; another
network's slug or a network that does not exist is a 404."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from nic.clock import utcnow
from nic.extensions import db
from nic.models import RollupJob
from nic.services.rollups import rollups
from nic.tenancy import use_network
from tests.factories import make_cycle, make_measure, make_school, make_token
from tests.rollups.pipeline_support import broker, jobs_of, task  # noqa: F401  (fixtures)

BASE = "/api/v1/networks/alpha/rollups"


def _auth(user) -> dict:
    _, secret = make_token(user)
    db.session.commit()
    return {"Authorization": f"Bearer {secret}"}


def _rolled_up(tenant):
    with use_network(tenant.network):
        computed_at = rollups.compute()
        db.session.commit()
    return computed_at


def test_post_answers_202_with_the_job_and_a_second_post_gets_the_same_job(client, tenants, broker):
    a = tenants.a
    headers = _auth(a.facilitator.user)
    first = client.post(BASE, headers=headers)
    assert first.status_code == 202
    assert first.get_json() == {"job": first.get_json()["job"]}  # exactly the contract's body
    job_id = first.get_json()["job"]
    assert first.headers["Location"].endswith(f"/rollups/jobs/{job_id}")
    assert client.post(BASE, headers=headers).get_json() == {"job": job_id}
    assert [r["job_id"] for r in broker.runs()] == [job_id]  # sent once, not twice

    polled = client.get(f"{BASE}/jobs/{job_id}", headers=headers)
    assert polled.status_code == 200
    body = polled.get_json()
    assert (body["id"], body["scope"], body["state"], body["attempts"]) == (job_id, "network", "queued", 0)

    # The worker runs it; polling shows it done, and the next POST is a new job.
    with use_network(a.network):
        assert rollups.run_job(job_id) == "done"
    body = client.get(f"{BASE}/jobs/{job_id}", headers=headers).get_json()
    assert body["state"] == "done" and body["seconds"] >= 0 and body["finished_at"] and body["error"] is None
    assert client.post(BASE, headers=headers).get_json()["job"] != job_id


def test_eager_mode_runs_the_requested_roll_up_at_once(client, tenants):
    a = tenants.a
    headers = _auth(a.facilitator.user)
    job_id = client.post(BASE, headers=headers).get_json()["job"]
    assert client.get(f"{BASE}/jobs/{job_id}", headers=headers).get_json()["state"] == "done"
    latest = client.get(f"{BASE}/latest", headers=headers).get_json()
    assert latest["computed_at"] is not None and latest["stale"] is False


@pytest.mark.parametrize("role", ["principal", "teacher_leader", "member"])
def test_only_facilitators_ask_for_roll_ups(client, tenants, role):
    a = tenants.a
    response = client.post(BASE, headers=_auth(getattr(a, role).user))
    assert response.status_code == 403
    assert jobs_of(a.network) == []


def test_another_networks_slug_and_a_missing_network_are_404(client, tenants):
    a, b = tenants.a, tenants.b
    headers = _auth(a.facilitator.user)
    with use_network(b.network):
        other_job = rollups.request_full()
    for url in ("/api/v1/networks/beta/rollups", "/api/v1/networks/nowhere/rollups"):
        assert client.post(url, headers=headers).status_code == 404
        assert client.get(f"{url}/latest", headers=headers).status_code == 404
        assert client.get(f"{url}/jobs/{other_job.id}", headers=headers).status_code == 404
    # beta's job id under alpha's slug: not alpha's job.
    assert client.get(f"{BASE}/jobs/{other_job.id}", headers=headers).status_code == 404
    assert [j.id for j in jobs_of(b.network)] == [other_job.id]
    assert jobs_of(a.network) == []


def test_latest_before_any_roll_up_is_empty_and_stale(client, tenants):
    a = tenants.a
    response = client.get(f"{BASE}/latest", headers=_auth(a.facilitator.user))
    assert response.status_code == 200
    body = response.get_json()
    assert body["computed_at"] is None and body["age_seconds"] is None and body["stale"] is True
    assert body["schools"] == [] and body["change_ideas"] == [] and body["measures"] == []


def test_latest_in_the_contracts_shape(client, tenants):
    a = tenants.a
    empty_school = make_school(a.network, "No Cycles Academy")
    silent = make_measure(a.network, "Nobody reports this", chart="i")
    # alpha's idea: one school testing it (a cycle not done), one that adopted it.
    make_cycle(a.schools[1], a.member.user, phase="done", change_idea=a.change_idea, act_decision="adopt")
    db.session.commit()
    computed_at = _rolled_up(a)

    body = client.get(f"{BASE}/latest", headers=_auth(a.facilitator.user)).get_json()
    assert body["computed_at"] == computed_at.isoformat()
    assert body["stale"] is False and 0 <= body["age_seconds"] < 60 and body["pending_job"] is None
    schools = {s["school_id"]: s for s in body["schools"]}
    assert set(schools) == {s.id for s in a.schools} | {empty_school.id}
    first = schools[a.schools[0].id]
    assert {"school_id", "cycles_by_phase", "cycles_completed", "stalled"} <= set(first)
    # alpha's first school has its two tenant cycles, both in Plan.
    assert first["cycles_by_phase"] == {"plan": 2, "do": 0, "study": 0, "act": 0, "done": 0}
    assert first["cycles_completed"] == 0 and first["stalled"] == 0
    assert schools[a.schools[1].id]["cycles_completed"] == 1
    # A school with no cycles: a row of zeros, no error.
    nothing = schools[empty_school.id]
    assert nothing["cycles_by_phase"] == {"plan": 0, "do": 0, "study": 0, "act": 0, "done": 0}
    assert nothing["median_days"] is None and nothing["stalled"] == 0

    [idea] = [i for i in body["change_ideas"] if i["id"] == a.change_idea.id]
    assert (idea["schools_testing"], idea["schools_adopted"]) == (1, 1)
    measures = {m["id"]: m for m in body["measures"]}
    assert {"id", "schools_reporting", "schools_with_signal"} <= set(measures[a.measure.id])
    assert measures[a.measure.id]["schools_reporting"] == 1
    # A measure nobody reported: zeros and nulls, no error.
    assert measures[silent.id] == {
        "id": silent.id,
        "name": "Nobody reports this",
        "schools_reporting": 0,
        "schools_with_signal": 0,
        "latest_period": None,
        "pooled_value": None,
    }


def test_a_principal_sees_the_network_beside_their_own_school_only(client, tenants):
    a = tenants.a
    _rolled_up(a)
    body = client.get(f"{BASE}/latest", headers=_auth(a.principal.user)).get_json()
    assert [s["school_id"] for s in body["schools"]] == [a.schools[0].id]
    assert body["change_ideas"] and body["measures"]
    for role in ("teacher_leader", "member"):
        assert client.get(f"{BASE}/latest", headers=_auth(getattr(a, role).user)).status_code == 403
    # Jobs are the facilitators' business.
    assert client.get(f"{BASE}/jobs/1", headers=_auth(a.principal.user)).status_code == 403


def test_a_failed_job_leaves_the_last_good_snapshot_served_with_its_age(app, client, tenants, broker, monkeypatch):
    a = tenants.a
    headers = _auth(a.facilitator.user)
    good_at = _rolled_up(a)
    before = client.get(f"{BASE}/latest", headers=headers).get_json()

    job_id = client.post(BASE, headers=headers).get_json()["job"]

    def broken(*args, **kwargs):
        raise RuntimeError("division by zero in a roll-up statement")

    monkeypatch.setattr(rollups, "compute", broken)
    with use_network(a.network):
        assert task(app, "rollups.run").apply(kwargs={"network_id": a.network.id, "job_id": job_id}).get() == "failed"

    job = client.get(f"{BASE}/jobs/{job_id}", headers=headers).get_json()
    assert job["state"] == "failed" and "division by zero" in job["error"]
    after = client.get(f"{BASE}/latest", headers=headers)
    assert after.status_code == 200
    body = after.get_json()
    assert body["computed_at"] == good_at.isoformat() and body["stale"] is True
    assert body["last_failure"]["job"] == job_id and body["age_seconds"] >= before["age_seconds"]
    assert body["schools"] == before["schools"] and body["measures"] == before["measures"]

    # The next good run clears the flag.
    monkeypatch.undo()
    _rolled_up(a)
    assert client.get(f"{BASE}/latest", headers=headers).get_json()["stale"] is False


def test_a_queued_job_shows_as_pending(client, tenants, broker):
    a = tenants.a
    headers = _auth(a.facilitator.user)
    _rolled_up(a)
    job_id = client.post(BASE, headers=headers).get_json()["job"]
    assert client.get(f"{BASE}/latest", headers=headers).get_json()["pending_job"] == job_id


def test_the_routes_are_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert "post" in paths["/api/v1/networks/{slug}/rollups"]
    assert "202" in paths["/api/v1/networks/{slug}/rollups"]["post"]["responses"]
    assert "get" in paths["/api/v1/networks/{slug}/rollups/latest"]
    assert "get" in paths["/api/v1/networks/{slug}/rollups/jobs/{job_id}"]


def test_the_session_needs_csrf_to_ask(app, tenants, login_as):
    """A browser session (not a token) posting without the CSRF token is refused."""
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = str(tenants.a.facilitator.user.id)
            session["_fresh"] = True
        assert client.post(BASE).status_code in (400, 403)
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert jobs_of(tenants.a.network) == []


def test_job_age_uses_the_snapshot_time(client, tenants):
    a = tenants.a
    _rolled_up(a)
    with use_network(a.network):
        from nic.models import RollupState

        state = db.session.scalar(select(RollupState))
        state.computed_at = utcnow() - timedelta(hours=3)
        db.session.commit()
    body = client.get(f"{BASE}/latest", headers=_auth(a.facilitator.user)).get_json()
    assert 3 * 3600 - 5 < body["age_seconds"] < 3 * 3600 + 60


def test_job_ids_are_whole_numbers(client, tenants):
    headers = _auth(tenants.a.facilitator.user)
    assert client.get(f"{BASE}/jobs/abc", headers=headers).status_code == 404
    with use_network(tenants.a.network):
        assert db.session.scalar(select(RollupJob)) is None
