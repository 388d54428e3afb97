"""Who may open which dashboard (documented in nic/web/dashboard/views.py):
facilitators see everything; a principal's dashboard is their own school (the network page
takes them there, another school's page is a 404 like a school that does not exist);
teacher leaders and members have no dashboard (403, inside their own network); another
network's slug or school id is a 404."""

from __future__ import annotations

import pytest

DASHBOARD_URLS = (
    "dashboard",
    "dashboard/report",
    "dashboard/export/schools.csv",
    "dashboard/status",
    "dashboard/school/{school}",
)


@pytest.mark.parametrize("role", ["teacher_leader", "member"])
def test_teachers_and_members_have_no_dashboard(client, rolled, login_as, role):
    a = rolled.a
    login_as(getattr(a, role).user)
    for path in DASHBOARD_URLS:
        url = f"/n/{a.network.slug}/" + path.format(school=a.schools[0].id)
        assert client.get(url).status_code == 403, url
    assert client.post(f"/n/{a.network.slug}/dashboard/refresh").status_code == 403
    assert client.post(f"/n/{a.network.slug}/dashboard/nudge/{rolled.stalled.id}").status_code == 403


def test_a_principal_is_taken_to_their_school(client, rolled, login_as):
    a = rolled.a
    login_as(a.principal.user)
    response = client.get(f"/n/{a.network.slug}/dashboard?group=Cohort+1")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/n/{a.network.slug}/dashboard/school/{a.schools[0].id}")
    assert client.get(f"/n/{a.network.slug}/dashboard/school/{a.schools[0].id}").status_code == 200


def test_a_principal_cannot_open_another_schools_page(client, rolled, login_as):
    a = rolled.a
    login_as(a.principal.user)  # principal of schools[0]
    for school in (a.schools[1], rolled.group_school):
        assert client.get(f"/n/{a.network.slug}/dashboard/school/{school.id}").status_code == 404
    login_as(rolled.other_principal.user)  # principal of schools[1]
    body = client.get(f"/n/{a.network.slug}/dashboard/school/{a.schools[0].id}")
    assert body.status_code == 404


def test_a_principal_has_no_network_report_export_or_refresh(client, rolled, login_as):
    a = rolled.a
    login_as(a.principal.user)
    for path in ("dashboard/report", "dashboard/export/schools.csv"):
        assert client.get(f"/n/{a.network.slug}/{path}").status_code == 403
    assert client.post(f"/n/{a.network.slug}/dashboard/refresh").status_code == 403


def test_another_networks_slug_and_school_are_404(client, rolled, login_as):
    a, b = rolled.a, rolled.b
    login_as(a.facilitator.user)
    for path in DASHBOARD_URLS:
        url = f"/n/{b.network.slug}/" + path.format(school=b.schools[0].id)
        response = client.get(url)
        assert response.status_code == 404, url
        assert "Betatown" not in response.get_data(as_text=True)
    # the other network's school id under the facilitator's own slug
    response = client.get(f"/n/{a.network.slug}/dashboard/school/{b.schools[0].id}")
    assert response.status_code == 404 and "Betatown" not in response.get_data(as_text=True)
    assert client.get(f"/n/{a.network.slug}/dashboard/school/999999").status_code == 404
    assert client.post(f"/n/{b.network.slug}/dashboard/refresh").status_code == 404


def test_facilitators_open_every_school(client, rolled, login_as):
    a = rolled.a
    login_as(a.facilitator.user)
    for school in (*a.schools, rolled.group_school):
        assert client.get(f"/n/{a.network.slug}/dashboard/school/{school.id}").status_code == 200
