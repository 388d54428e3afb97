"""The measure pages render for each role, with and without data (smoke level; the
behaviour is tested in the other modules)."""

import pytest


@pytest.mark.parametrize("role", ["facilitator", "principal", "teacher_leader", "member"])
def test_pages_render_for_every_role(client, a, login_as, role):
    login_as(getattr(a, role).user)
    m = a.measure.id
    for url in (
        "/n/alpha/measures",
        f"/n/alpha/measures/{m}",
        f"/n/alpha/measures/{m}/data",
        f"/n/alpha/measures/{m}/audit",
        f"/n/alpha/measures/{m}/template.csv",
        f"/n/alpha/measures/{m}/data?school_id={a.schools[0].id}",
        f"/n/alpha/measures/{m}/audit?school_id={a.schools[0].id}",
    ):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
