"""The cycle API per docs/INTERFACE.md: POST, GET, PATCH (with the version check and
phase rules) and DELETE, and another network's ids answering 404."""

import pytest
from sqlalchemy import select

from nic.extensions import db
from nic.models import CyclePhaseMove
from nic.tenancy import UNSCOPED
from tests.cycles.conftest import cycle_count, history_of, reload
from tests.factories import make_change_idea, make_token

CONTRACT_KEYS = {
    "id",
    "school_id",
    "title",
    "change_idea_id",
    "parent_id",
    "phase",
    "visibility",
    "plan",
    "do",
    "study",
    "act",
    "version",
    "created_at",
    "updated_at",
}


@pytest.fixture
def lead(a):
    _, secret = make_token(a.teacher_leader.user)
    db.session.commit()
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def facilitator(a):
    return {"Authorization": f"Bearer {a.api_secret}"}


def url(cycle_id=None, slug="alpha"):
    return f"/api/v1/networks/{slug}/cycles" + (f"/{cycle_id}" if cycle_id else "")


def test_get_answers_the_contract_object(client, a, lead):
    body = client.get(url(a.cycle.id), headers=lead).get_json()
    assert set(body) >= CONTRACT_KEYS
    assert body["id"] == a.cycle.id and body["school_id"] == a.schools[0].id and body["phase"] == "plan"
    assert body["visibility"] == "network" and body["version"] == 1 and body["parent_id"] is None
    assert body["change_idea_id"] == a.change_idea.id and body["team_id"] == a.team.id
    assert set(body["plan"]) == {
        "objective",
        "questions",
        "who",
        "what",
        "when",
        "where",
        "data",
        "measure",
        "measure_id",
    }
    assert body["plan"]["questions"] == [
        {"question": "Alphaville will teachers flag students?", "prediction": "Yes, most will"}
    ]
    assert body["do"] == {"as_planned": None, "observations": "", "problems": ""}
    assert body["study"] == {
        "results": [
            {"question": "Alphaville will teachers flag students?", "prediction": "Yes, most will", "result": ""}
        ],
        "learned": "",
    }
    assert body["act"] == {"decision": None, "reason": "", "next": ""}
    assert body["created_at"].endswith(("Z", "+00:00"))


def test_post_creates_and_answers_201(client, a, lead):
    response = client.post(
        url(),
        headers=lead,
        json={
            "title": "Warm calls home",
            "change_idea_id": a.change_idea.id,
            "team_id": a.team.id,
            "visibility": "network",
            "scale": {"count": 5, "unit": "students"},
            "start_date": "2026-10-05",
            "coauthor_ids": [a.principal.user.id],
            "plan": {
                "objective": "Reach families",
                "questions": [{"question": "Will families pick up?", "prediction": "Half will"}],
                "measure": "Attendance",
            },
        },
    )
    assert response.status_code == 201
    body = response.get_json()
    assert response.headers["Location"].endswith(f"/api/v1/networks/alpha/cycles/{body['id']}")
    assert body["title"] == "Warm calls home" and body["phase"] == "plan" and body["version"] == 1
    assert body["owner_id"] == a.teacher_leader.user.id and body["coauthor_ids"] == [a.principal.user.id]
    assert body["scale"] == {"count": 5, "unit": "students"} and body["start_date"] == "2026-10-05"
    assert body["plan"]["questions"][0]["prediction"] == "Half will"
    assert client.get(url(body["id"]), headers=lead).get_json() == body
    assert [e.action for e in history_of(a, body["id"])] == ["create"]


def test_post_may_start_past_plan_only_with_what_each_phase_needs(client, a, lead):
    response = client.post(url(), headers=lead, json={"title": "Backfilled", "phase": "do"})
    assert response.status_code == 422
    assert set(response.get_json()["error"]["fields"]) == {"plan.objective", "plan.questions"}
    response = client.post(
        url(),
        headers=lead,
        json={
            "title": "Backfilled",
            "phase": "do",
            "plan": {"objective": "o", "questions": [{"question": "q", "prediction": "p"}]},
        },
    )
    assert response.status_code == 201 and response.get_json()["phase"] == "do"


def test_patch_changes_only_what_is_sent_and_bumps_the_version(client, a, lead):
    response = client.patch(
        url(a.cycle.id),
        headers=lead,
        json={"version": 1, "plan": {"objective": "Find out"}, "do": {"as_planned": True}},
    )
    assert response.status_code == 200
    body = response.get_json()
    assert body["version"] == 2 and body["plan"]["objective"] == "Find out" and body["do"]["as_planned"] is True
    assert body["plan"]["questions"][0]["question"] == "Alphaville will teachers flag students?"
    assert body["title"] == a.cycle.title


def test_a_stale_patch_is_409_and_changes_nothing(client, a, lead):
    assert client.patch(url(a.cycle.id), headers=lead, json={"version": 1, "title": "First"}).status_code == 200
    second = client.patch(url(a.cycle.id), headers=lead, json={"version": 1, "title": "Second"})
    assert second.status_code == 409
    assert second.get_json()["error"]["code"] == "conflict"
    stored = reload(a, a.cycle.id)
    assert (stored.title, stored.version) == ("First", 2)
    assert len(history_of(a, a.cycle.id)) == 1


def test_patch_needs_the_version(client, a, lead):
    response = client.patch(url(a.cycle.id), headers=lead, json={"title": "No version"})
    assert response.status_code == 422 and "version" in response.get_json()["error"]["fields"]
    assert reload(a, a.cycle.id).title == a.cycle.title


def test_patch_phase_checks_required_fields(client, a, lead):
    response = client.patch(url(a.cycle.id), headers=lead, json={"version": 1, "phase": "do", "title": "Renamed"})
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert set(error["fields"]) == {"plan.objective"} and "objective" in error["message"]
    stored = reload(a, a.cycle.id)
    assert (stored.phase, stored.title, stored.version) == ("plan", a.cycle.title, 1)  # all or nothing

    response = client.patch(
        url(a.cycle.id), headers=lead, json={"version": 1, "phase": "do", "plan": {"objective": "Now there is one"}}
    )
    assert response.status_code == 200 and response.get_json()["phase"] == "do"
    with_moves = db.session.scalars(
        select(CyclePhaseMove).where(CyclePhaseMove.cycle_id == a.cycle.id).execution_options(**UNSCOPED)
    ).all()
    assert [(m.from_phase, m.to_phase) for m in with_moves] == [("plan", "do")]

    response = client.patch(url(a.cycle.id), headers=lead, json={"version": 2, "phase": "act"})
    assert set(response.get_json()["error"]["fields"]) == {
        "do.as_planned",
        "do.observations",
        "study.results",
        "study.learned",
    }
    response = client.patch(url(a.cycle.id), headers=lead, json={"version": 2, "phase": "plan"})
    assert response.status_code == 200 and response.get_json()["phase"] == "plan"


def test_study_results_go_with_the_questions(client, a, lead):
    bad = client.patch(url(a.cycle.id), headers=lead, json={"version": 1, "study": {"results": []}})
    assert bad.status_code == 422 and "study.results" in bad.get_json()["error"]["fields"]
    body = client.patch(
        url(a.cycle.id),
        headers=lead,
        json={"version": 1, "study": {"results": [{"result": "Most did"}], "learned": "Huddles work"}},
    ).get_json()
    assert body["study"]["results"][0] == {
        "question": "Alphaville will teachers flag students?",
        "prediction": "Yes, most will",
        "result": "Most did",
    }
    # replacing the questions keeps the result of the question at the same position
    body = client.patch(
        url(a.cycle.id),
        headers=lead,
        json={
            "version": 2,
            "plan": {
                "questions": [{"question": "Reworded?", "prediction": "Yes"}, {"question": "New?", "prediction": "No"}]
            },
        },
    ).get_json()
    assert [r["result"] for r in body["study"]["results"]] == ["Most did", ""]


def test_unknown_keys_and_bad_values_are_422_naming_them(client, a, lead):
    response = client.patch(
        url(a.cycle.id),
        headers=lead,
        json={"version": 1, "titel": "typo", "act": {"decision": "maybe"}, "phase": "later"},
    )
    fields = response.get_json()["error"]["fields"]
    assert response.status_code == 422 and {"titel", "act.decision", "phase"} <= set(fields)


def test_a_read_object_can_be_sent_back(client, a, lead):
    body = client.get(url(a.cycle.id), headers=lead).get_json()
    body["plan"]["who"] = "Grade 9"
    response = client.patch(url(a.cycle.id), headers=lead, json=body)
    assert response.status_code == 200 and response.get_json()["plan"]["who"] == "Grade 9"


def test_delete_is_soft_and_204(client, a, lead):
    response = client.delete(url(a.cycle.id), headers=lead)
    assert response.status_code == 204 and response.data == b""
    assert client.get(url(a.cycle.id), headers=lead).status_code == 404
    assert client.delete(url(a.cycle.id), headers=lead).status_code == 404
    assert reload(a, a.cycle.id).deleted_at is not None


def test_facilitators_read_but_cannot_write(client, a, facilitator):
    assert client.get(url(a.cycle.id), headers=facilitator).status_code == 200
    assert client.get(url(a.private_cycle.id), headers=facilitator).status_code == 404
    assert client.patch(url(a.cycle.id), headers=facilitator, json={"version": 1, "title": "x"}).status_code == 403
    assert client.patch(url(a.private_cycle.id), headers=facilitator, json={"version": 1}).status_code == 404
    assert client.delete(url(a.cycle.id), headers=facilitator).status_code == 403
    assert client.post(url(), headers=facilitator, json={"title": "x"}).status_code == 403


def test_another_networks_cycles_are_404(client, a, b, lead):
    for cycle_id in (b.cycle.id, b.private_cycle.id):
        assert client.get(url(cycle_id), headers=lead).status_code == 404
        assert client.patch(url(cycle_id), headers=lead, json={"version": 1, "title": "x"}).status_code == 404
        assert client.delete(url(cycle_id), headers=lead).status_code == 404
    assert client.get(url(a.cycle.id, slug="beta"), headers=lead).status_code == 404
    assert client.post(url(slug="beta"), headers=lead, json={"title": "x"}).status_code == 404
    assert reload(b, b.cycle.id).title == b.cycle.title and reload(b, b.cycle.id).deleted_at is None


@pytest.mark.parametrize("field", ["change_idea_id", "team_id", "parent_id", "school_id"])
def test_ids_from_another_network_in_a_body_are_404_and_write_nothing(client, a, b, lead, field):
    other = {
        "change_idea_id": b.change_idea.id,
        "team_id": b.team.id,
        "parent_id": b.cycle.id,
        "school_id": b.schools[0].id,
    }[field]
    before = cycle_count()
    response = client.post(url(), headers=lead, json={"title": "Sneaky", field: other})
    assert response.status_code == 404 and b.marker not in response.get_data(as_text=True)
    assert cycle_count() == before
    if field in ("change_idea_id", "team_id"):
        response = client.patch(url(a.cycle.id), headers=lead, json={"version": 1, field: other})
        assert response.status_code == 404
        assert reload(a, a.cycle.id).version == 1


def test_ids_that_do_not_fit_are_field_errors(client, a, b, lead):
    proposed = make_change_idea(a.network, "Just an idea", status="proposed")
    db.session.commit()
    response = client.post(
        url(),
        headers=lead,
        json={
            "title": "x",
            "change_idea_id": proposed.id,
            "owner_id": b.teacher_leader.user.id,
            "coauthor_ids": [a.member.user.id],
        },
    )
    assert response.status_code == 422
    assert set(response.get_json()["error"]["fields"]) == {"change_idea_id", "owner_id", "coauthor_ids"}
    other_school = client.post(url(), headers=lead, json={"title": "x", "school_id": a.schools[1].id})
    assert other_school.status_code == 403


def test_openapi_documents_the_cycle_routes(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert {"post"} <= set(paths["/api/v1/networks/{slug}/cycles"])
    single = paths["/api/v1/networks/{slug}/cycles/{cycle_id}"]
    assert {"get", "patch", "delete"} <= set(single)
    assert "409" in single["patch"]["responses"] and "requestBody" in single["patch"]
