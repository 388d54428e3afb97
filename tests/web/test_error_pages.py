"""A service's NotFound / Forbidden that a view lets through is the 404 / 403 page, as
abort(404) / abort(403) would give (nic.web's handler); under /api/ the same errors keep
the API's JSON answer with the service's own message."""
from __future__ import annotations

from nic.services.errors import Forbidden, NotFound, ServiceError
from nic.web.forms import is_page_error


def test_another_networks_cycle_is_the_404_page(client, tenants, login_as):
    login_as(tenants.a.facilitator.user)
    response = client.get(f"/n/alpha/cycles/{tenants.b.cycle.id}")
    body = response.get_data(as_text=True)
    assert response.status_code == 404 and response.mimetype == "text/html"
    assert "Error 404" in body and "<h1>Not found</h1>" in body
    assert tenants.b.marker not in body


def test_a_role_that_may_not_edit_gets_the_403_page(client, tenants, login_as):
    login_as(tenants.a.facilitator.user)  # facilitators read and comment on cycles, they do not edit them
    response = client.get(f"/n/alpha/cycles/{tenants.a.cycle.id}/edit")
    body = response.get_data(as_text=True)
    assert response.status_code == 403 and response.mimetype == "text/html"
    assert "Error 403" in body and "<h1>Not allowed</h1>" in body


def test_the_api_keeps_its_json_with_the_services_message(client, tenants):
    headers = {"Authorization": f"Bearer {tenants.a.api_secret}"}  # the facilitator's token
    missing = client.get(f"/api/v1/networks/alpha/cycles/{tenants.b.cycle.id}", headers=headers)
    assert missing.status_code == 404
    assert missing.get_json() == {"error": {"code": "not_found", "message": "No such cycle."}}
    refused = client.patch(f"/api/v1/networks/alpha/cycles/{tenants.a.cycle.id}", headers=headers,
                           json={"version": 1, "title": "x"})
    assert refused.status_code == 403
    error = refused.get_json()["error"]
    assert error["code"] == "forbidden" and error["message"].startswith("Your role does not allow editing this cycle")


def test_only_fieldless_not_found_and_forbidden_are_the_pages():
    assert is_page_error(NotFound("No such cycle."))
    assert is_page_error(Forbidden("Not yours."))
    assert not is_page_error(NotFound("No such team.", {"team_id": "is not a team of this network"}))
    assert not is_page_error(ServiceError("Something else."))
