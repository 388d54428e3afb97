"""The roll-up pipeline on the embedded default (SQLite, no Redis, eager Celery): a change
rolls its school up right after the commit, a full roll-up asked over the API runs at
once, `latest` reads it, the sweep and the weekly digest work there too."""

from datetime import timedelta

from sqlalchemy import select

from nic.clock import utcnow
from nic.extensions import db
from nic.models import OutboxMessage, RollupJob, RollupSchool
from nic.services.cycles import cycles
from nic.services.rollups import digest as rollup_digest
from nic.services.rollups import rollups
from nic.tenancy import use_network
from tests import factories


def test_the_pipeline_on_sqlite(sqlite_app):
    app = sqlite_app
    app.config["ROLLUP_ON_CHANGE"] = True
    tenants = factories.two_networks()
    db.session.commit()
    a = tenants.a
    with use_network(a.network):
        a.cycle.plan_objective = "Flag students at risk"
        db.session.commit()
        cycles.move_phase(a.teacher_leader, a.cycle.id, "do")  # eager: rolled up after the commit
        row = db.session.scalar(select(RollupSchool).where(RollupSchool.school_id == a.schools[0].id))
        assert row.in_do == 1
        assert [j.state for j in db.session.scalars(select(RollupJob))] == ["done"]

    client = app.test_client()
    headers = {"Authorization": f"Bearer {a.api_secret}"}
    asked = client.post("/api/v1/networks/alpha/rollups", headers=headers)
    assert asked.status_code == 202
    latest = client.get("/api/v1/networks/alpha/rollups/latest", headers=headers).get_json()
    assert latest["stale"] is False and len(latest["schools"]) == len(a.schools)
    assert client.get("/api/v1/networks/beta/rollups/latest", headers=headers).status_code == 404

    with use_network(a.network):
        job = RollupJob(scope="network", state="queued", requested_at=utcnow() - timedelta(hours=1))
        db.session.add(job)
        db.session.commit()
        job_id = job.id
    assert rollups.requeue_stale() == 1  # sent again, and (eager) run at once
    with use_network(a.network):
        assert db.session.scalar(select(RollupJob.state).where(RollupJob.id == job_id)) == "done"

        assert rollup_digest.send_weekly() == 2
        assert rollup_digest.send_weekly() == 0
    assert db.session.scalar(select(OutboxMessage).where(OutboxMessage.to_address == "principal@alpha.org"))
