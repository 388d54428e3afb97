"""Every assessment route, web and API, with another network's round, school or practice
id answers 404 and shows nothing of it; another school's private ratings answer 404 to
members of other schools and to facilitators alike."""

from __future__ import annotations

import pytest

from tests.factories import make_token

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def my_rules(app):
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        if rule.endpoint.startswith("assessments.") or view.__module__ in (
            "nic.api.assessments",
            "nic.api.assessment_ratings",
        ):
            yield rule


def combinations(a, b):
    """(label, ids) mixes where at least one id is the other network's."""
    own = {"round_id": a.round.id, "school_id": a.schools[0].id, "practice_id": a.framework.practices[0].id}
    other = {"round_id": b.round.id, "school_id": b.schools[0].id, "practice_id": b.framework.practices[0].id}
    yield "all other", other
    for name in own:
        yield f"other {name}", {**own, name: other[name]}


def test_my_routes_are_all_walked(app):
    endpoints = {rule.endpoint for rule in my_rules(app)}
    assert len(endpoints) >= 16, sorted(endpoints)


@pytest.mark.parametrize("who", ["facilitator", "principal"])
def test_every_route_hides_the_other_network(app, client, tenants, login_as, who):
    a, b = tenants.a, tenants.b
    user = getattr(a, who).user
    _token, secret = make_token(user)
    checked = 0
    for rule in my_rules(app):
        id_args = set(rule.arguments) - {"slug"}
        if not id_args:
            continue
        for label, ids in combinations(a, b):
            values = {name: ids[name] for name in id_args}
            if all(
                values[name]
                == {"round_id": a.round.id, "school_id": a.schools[0].id, "practice_id": a.framework.practices[0].id}[
                    name
                ]
                for name in values
            ):
                continue  # this mix changes no argument the route has
            url = rule.build({"slug": a.network.slug, **values}, append_unknown=False)[1]
            for method in sorted(rule.methods & set(METHODS)):
                if rule.rule.startswith("/api/"):
                    response = client.open(
                        url,
                        method=method,
                        headers={"Authorization": f"Bearer {secret}"},
                        json={"level": "x", "finished": True, "ratings": []},
                    )
                else:
                    login_as(user)
                    response = client.open(url, method=method, data={"level": "x"})
                body = response.get_data(as_text=True)
                assert response.status_code == 404, f"{who}: {method} {url} ({label}) answered {response.status_code}"
                assert b.marker not in body, f"{who}: {method} {url} shows the other network"
                checked += 1
    assert checked >= 40


def test_another_schools_private_ratings_are_404_for_members_and_facilitators(client, tenants, login_as):
    a = tenants.a
    slug, round_id, school_id = a.network.slug, a.round.id, a.schools[0].id
    for outsider in (a.member.user, a.facilitator.user):
        _token, secret = make_token(outsider)
        api = client.get(
            f"/api/v1/networks/{slug}/rounds/{round_id}/schools/{school_id}/ratings",
            headers={"Authorization": f"Bearer {secret}"},
        )
        assert api.status_code == 404 and "private note" not in api.get_data(as_text=True)
        login_as(outsider)
        page = client.get(f"/n/{slug}/assessments/rounds/{round_id}/schools/{school_id}?view=team")
        # the page falls back to the shared consensus view: never the team's own ratings
        assert page.status_code == 200
        text = page.get_data(as_text=True)
        assert "Alphaville private note" not in text and "Team view" not in text
        detail = client.get(
            f"/n/{slug}/assessments/rounds/{round_id}/schools/{school_id}/practices/{a.framework.practices[0].id}"
        )
        assert detail.status_code == 200 and "Alphaville private note" not in detail.get_data(as_text=True)
        assert "Alphaville agreed evidence" in detail.get_data(as_text=True)  # the consensus is shared
        post = client.post(
            f"/n/{slug}/assessments/rounds/{round_id}/schools/{school_id}/ratings",
            data={f"level-{a.framework.practices[0].id}": "x"},
        )
        assert post.status_code == 404
