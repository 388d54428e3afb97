"""Walks every registered URL rule with the second network's ids, signed in as the
first network's facilitator (the most privileged role), and finds none answering with
the second network's data. A new route with a new kind of URL argument fails here until
the argument is mapped below, so no route escapes the walk."""

from __future__ import annotations

import pytest

from tests.factories import make_token

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")

# URL arguments that are credentials in themselves (emailed links), not object ids:
# a made-up value must simply find nothing.
CREDENTIAL_ARGS = {"token": "not-a-real-token"}


def ids_of(tenant, other_user_token_id) -> dict:
    return {
        "slug": tenant.network.slug,
        "school_id": tenant.schools[0].id,
        "membership_id": tenant.principal.id,
        "invitation_id": tenant.invitation.id,
        "token_id": other_user_token_id,
        "aim_id": tenant.aim.id,
        "driver_id": tenant.primary_driver.id,
        "change_idea_id": tenant.change_idea.id,
        "revision_id": tenant.revision.id,
        "team_id": tenant.team.id,
        "cycle_id": tenant.cycle.id,
        "measure_id": tenant.measure.id,
        "split_id": tenant.split.id,
        "artifact_id": tenant.artifact.id,
        "version_id": tenant.artifact.versions[-1].id,
        "channel_id": tenant.channel.id,
        "thread_id": tenant.thread.id,
        "message_id": tenant.message.id,
        "table": "schools",  # the dashboard's CSV exports: a name, not an id
        "notification_id": tenant.notification.id,
        "job_id": _rollup_job_id(tenant),
        "framework_id": tenant.framework.id,
        "practice_id": tenant.framework.practices[0].id,
        "round_id": tenant.round.id,
        # Routes take ids under these names only: a new name fails the walk until mapped here.
    }


def _rollup_job_id(tenant) -> int:
    """A roll-up job of the tenant's (the factories make none: jobs come from requests)."""
    from nic.clock import utcnow
    from nic.extensions import db
    from nic.models import RollupJob
    from nic.tenancy import use_network

    with use_network(tenant.network):
        job = RollupJob(scope="network", state="done", requested_at=utcnow())
        db.session.add(job)
        db.session.flush()
        return job.id


SCHOOL_PRIVATE_ENDPOINTS = {"api.school_ratings"}


def walkable_rules(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        yield rule


def build(rule, values: dict) -> str:
    args = {}
    for name in rule.arguments:
        if name in values:
            args[name] = values[name]
        elif name in CREDENTIAL_ARGS:
            args[name] = CREDENTIAL_ARGS[name]
        else:
            pytest.fail(f"route {rule.rule} has URL argument {name!r} that this walk does not map: add it to ids_of()")
    return rule.build(args, append_unknown=False)[1]


def test_every_route_hides_the_other_network(app, client, tenants, login_as):
    a, b = tenants.a, tenants.b
    login_as(a.facilitator.user)
    other_ids = ids_of(b, b.api_token.id)
    checked = 0
    for rule in walkable_rules(app):
        url = build(rule, other_ids)
        for method in sorted(rule.methods & set(METHODS)):
            login_as(a.facilitator.user)  # again each time: the walk passes /logout too
            response = client.open(url, method=method)
            body = response.get_data(as_text=True)
            assert b.marker not in body, f"{method} {url} shows {b.network.slug}'s data"
            if set(rule.arguments) & set(other_ids):
                assert response.status_code == 404, (
                    f"{method} {url} answered {response.status_code} {response.headers.get('Location')}, not 404"
                )
            checked += 1
    assert checked >= 20


def test_the_api_hides_the_other_network_from_tokens(app, client, tenants):
    a, b = tenants.a, tenants.b
    headers = {"Authorization": f"Bearer {a.api_secret}"}
    other_ids = ids_of(b, b.api_token.id)
    for rule in walkable_rules(app):
        if not rule.rule.startswith("/api/"):
            continue
        url = build(rule, other_ids)
        for method in sorted(rule.methods & set(METHODS)):
            response = client.open(url, method=method, headers=headers, json={})
            assert b.marker not in response.get_data(as_text=True)
            if set(rule.arguments) & set(other_ids):
                assert response.status_code == 404, f"{method} {url} answered {response.status_code}"


def test_the_walk_reaches_real_pages_with_own_ids(app, client, tenants, login_as):
    """The same walk with the first network's own ids finds its pages: proof that the
    404s above come from tenancy, not from a walk that builds broken URLs."""
    a = tenants.a
    login_as(a.facilitator.user)
    own_token, _ = make_token(a.facilitator.user)
    own_ids = ids_of(a, own_token.id)
    found = 0
    for rule in walkable_rules(app):
        if "GET" not in rule.methods or not (set(rule.arguments) & set(own_ids)):
            continue
        # A school's individual self-assessment ratings are its members' alone (a
        # facilitator gets 404 by design): walked as that school's principal.
        login_as(a.principal.user if rule.endpoint in SCHOOL_PRIVATE_ENDPOINTS else a.facilitator.user)
        response = client.get(build(rule, own_ids))
        # 403: a page of the facilitator's own network that the role may not use (say,
        # editing a school's cycle): reached, and refused for the role, not hidden.
        assert response.status_code in (200, 403), f"GET {rule.rule} with own ids answered {response.status_code}"
        found += response.status_code == 200
    assert found >= 4
