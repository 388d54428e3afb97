"""Every leadership route with another network's round, school or practice answers 404,
as for one that does not exist; another network's slug too. Individual ratings never
appear in any of these outputs: a marker in their notes (and each rater's name as a
rater) is looked for everywhere."""

import json

import pytest

from nic.extensions import db
from tests.factories import make_token
from tests.leadership.world import PRIVATE_MARKER


def api_headers(user):
    _, secret = make_token(user)
    db.session.commit()
    return {"Authorization": f"Bearer {secret}"}


def page_urls(w, round_id, school_id, practice_id, slug="alpha"):
    return [
        f"/n/{slug}/leadership?round_id={round_id}",
        f"/n/{slug}/leadership/schools/{school_id}?round_id={round_id}",
        f"/n/{slug}/leadership/rounds/{round_id}/schools/{school_id}/practices/{practice_id}",
    ]


def api_urls(round_id, school_id, slug="alpha"):
    return [
        f"/api/v1/networks/{slug}/leadership?round_id={round_id}",
        f"/api/v1/networks/{slug}/leadership/schools/{school_id}?round_id={round_id}",
    ]


def test_another_networks_round_school_or_practice_is_404_on_pages(client, world, login_as):
    w, b = world, world.b
    login_as(w.a.facilitator.user)
    # Beta's round with an alpha school, alpha's round with a beta school, beta's practice.
    for url in page_urls(w, b.round.id, w.s0.id, w.p0.id) + [
        f"/n/alpha/leadership/schools/{b.schools[0].id}",
        f"/n/alpha/leadership/rounds/{w.fall.id}/schools/{b.schools[0].id}/practices/{w.p0.id}",
        f"/n/alpha/leadership/rounds/{w.fall.id}/schools/{w.s0.id}/practices/{b.framework.practices[0].id}",
        "/n/alpha/leadership/rounds/999999/schools/1/practices/1",
        "/n/alpha/leadership?round_id=nonsense",
    ]:
        assert client.get(url).status_code == 404, url
    for data in (
        {"peer_id": b.schools[0].id, "practice_id": w.p0.id},
        {"peer_id": w.s1.id, "practice_id": b.framework.practices[0].id},
    ):
        assert client.post(f"/n/alpha/leadership/schools/{w.s0.id}/discuss", data=data).status_code == 404
    assert (
        client.post(
            f"/n/alpha/leadership/schools/{b.schools[0].id}/discuss", data={"peer_id": w.s1.id, "practice_id": w.p0.id}
        ).status_code
        == 404
    )
    # Beta's own pages, from an alpha member: 404 by tenancy.
    for url in page_urls(w, b.round.id, b.schools[0].id, b.framework.practices[0].id, slug="beta"):
        assert client.get(url).status_code == 404, url


def test_another_networks_ids_are_404_over_the_api(client, world):
    w, b = world, world.b
    headers = api_headers(w.a.facilitator.user)
    for url in (
        api_urls(b.round.id, w.s0.id)
        + [f"/api/v1/networks/alpha/leadership/schools/{b.schools[0].id}"]
        + api_urls(b.round.id, b.schools[0].id, slug="beta")
    ):
        assert client.get(url, headers=headers).status_code == 404, url
    post = client.post(
        f"/api/v1/networks/alpha/leadership/schools/{w.s0.id}/discussions",
        json={"peer_id": b.schools[0].id, "practice_id": w.p0.id},
        headers=headers,
    )
    assert post.status_code == 404


@pytest.mark.parametrize("who", ["facilitator", "principal", "teacher_leader", "member"])
def test_individual_ratings_never_appear(client, world, login_as, who):
    w = world
    membership = getattr(w.a, who)
    login_as(membership.user)
    urls = [f"/n/alpha/leadership?round_id={r.id}" for r in (w.fall, w.spring)] + [
        "/n/alpha/leadership?fragment=1",
        *[
            f"/n/alpha/leadership/schools/{s.id}?round_id={r.id}"
            for s in (w.s0, w.s1, w.s2)
            for r in (w.fall, w.spring)
        ],
        f"/n/alpha/leadership/rounds/{w.fall.id}/schools/{w.s0.id}/practices/{w.p0.id}",
        f"/n/alpha/leadership/rounds/{w.fall.id}/schools/{w.s0.id}/practices/{w.p1.id}",
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.get_data(as_text=True)
        assert PRIVATE_MARKER not in body and "Alphaville private note" not in body, url
    headers = api_headers(membership.user)
    for url in [f"/api/v1/networks/alpha/leadership?round_id={r.id}" for r in (w.fall, w.spring)] + [
        f"/api/v1/networks/alpha/leadership/schools/{s.id}?round_id={r.id}"
        for s in (w.s0, w.s1, w.s2)
        for r in (w.fall, w.spring)
    ]:
        body = json.dumps(client.get(url, headers=headers).get_json())
        assert PRIVATE_MARKER not in body and "Alphaville private note" not in body, url
