"""The artifact API per docs/INTERFACE.md: the object, the list (search inside files,
filters, keyset pages), one artifact, the download, and what is hidden answering 404."""

from nic.clock import utcnow
from nic.extensions import db
from nic.tenancy import use_network
from tests.artifacts.conftest import file_part, pdf_bytes
from tests.factories import make_artifact, make_cycle

API = "/api/v1/networks/alpha/artifacts"
CONTRACT_KEYS = {
    "id",
    "title",
    "description",
    "kind",
    "tags",
    "grade_band",
    "subject",
    "school_id",
    "author_id",
    "visibility",
    "url",
    "versions",
    "change_idea_ids",
    "cycle_ids",
    "used_in",
    "created_at",
    "updated_at",
}


def test_get_answers_the_contract_object(client, a, lead_api):
    body = client.get(f"{API}/{a.artifact.id}", headers=lead_api).get_json()
    assert set(body) == CONTRACT_KEYS
    assert body["id"] == a.artifact.id and body["school_id"] == a.schools[0].id and body["kind"] == "protocol"
    assert body["author_id"] == a.teacher_leader.user.id and body["visibility"] == "network" and body["url"] is None
    assert [v["number"] for v in body["versions"]] == [1, 2]
    assert set(body["versions"][0]) == {"id", "number", "size", "content_type", "filename", "note", "created_at"}
    assert body["cycle_ids"] == [a.cycle.id] and body["used_in"] == {"cycles": 1, "schools": 1}
    assert body["created_at"].endswith(("Z", "+00:00")) and body["tags"] == []


def test_cycle_ids_and_counts_leave_out_cycles_the_caller_may_not_see(client, a, member_api):
    with use_network(a.network):
        private = make_cycle(a.schools[0], a.teacher_leader.user, "First school only", visibility="school")
        make_artifact(a.schools[0], a.teacher_leader.user, "Second link", cycle=private)
        from nic.models import ArtifactCycleLink

        db.session.add(ArtifactCycleLink(artifact_id=a.artifact.id, cycle_id=private.id))
        db.session.commit()
    body = client.get(f"{API}/{a.artifact.id}", headers=member_api).get_json()
    assert body["cycle_ids"] == [a.cycle.id] and body["used_in"] == {"cycles": 1, "schools": 1}


def test_list_searches_inside_files_and_pages_by_cursor(client, a, lead_api):
    for i in range(3):
        client.post(
            API,
            headers=lead_api,
            content_type="multipart/form-data",
            data={"title": f"Plan {i}", "file": file_part(pdf_bytes(f"Unit {i} covers the water cycle"), f"p{i}.pdf")},
        )
    client.post(API, headers=lead_api, data={"title": "Unrelated link", "url": "https://example.org"})
    found = client.get(f"{API}?q=water+cycle&limit=2", headers=lead_api).get_json()
    assert [item["title"] for item in found["items"]] == ["Plan 0", "Plan 1"] and found["next"]
    rest = client.get(f"{API}?q=water+cycle&limit=2&cursor={found['next']}", headers=lead_api).get_json()
    assert [item["title"] for item in rest["items"]] == ["Plan 2"] and rest["next"] is None
    everything = client.get(API, headers=lead_api).get_json()
    assert len(everything["items"]) == 5 and everything["next"] is None


def test_list_filters_and_names_bad_ones(client, a, lead_api):
    make_artifact(a.schools[1], a.member.user, "Walkthrough form", kind="observation_tool", tags="coaching")
    db.session.commit()
    body = client.get(f"{API}?kind=observation_tool", headers=lead_api).get_json()
    assert [item["title"] for item in body["items"]] == ["Walkthrough form"]
    assert [i["title"] for i in client.get(f"{API}?tag=coaching", headers=lead_api).get_json()["items"]] == [
        "Walkthrough form"
    ]
    assert (
        client.get(f"{API}?school_id={a.schools[1].id}", headers=lead_api).get_json()["items"][0]["title"]
        == "Walkthrough form"
    )
    bad = client.get(f"{API}?kind=poem&school_id=x", headers=lead_api)
    assert bad.status_code == 422 and set(bad.get_json()["error"]["fields"]) == {"kind", "school_id"}
    assert client.get(f"{API}?limit=0", headers=lead_api).status_code == 422


def test_hidden_and_deleted_artifacts_answer_404(client, a, member_api, lead_api):
    private = make_artifact(a.schools[0], a.teacher_leader.user, "First school only", visibility="school")
    deleted = make_artifact(a.schools[1], a.member.user, "Gone")
    with use_network(a.network):
        deleted.deleted_at = utcnow()
        db.session.commit()
    for path in (f"{API}/{private.id}", f"{API}/{private.id}/download", f"{API}/{deleted.id}"):
        assert client.get(path, headers=member_api).status_code == 404, path
    titles = [i["title"] for i in client.get(API, headers=member_api).get_json()["items"]]
    assert "First school only" not in titles and "Gone" not in titles
    assert client.get(f"{API}/{private.id}", headers=lead_api).status_code == 200


def test_download_is_an_attachment_with_safe_headers(client, a, lead_api):
    data = pdf_bytes("Download me")
    created = client.post(
        API,
        headers=lead_api,
        content_type="multipart/form-data",
        data={"title": "Downloadable", "file": file_part(data, "Plan for Ms. O'Brien.pdf")},
    ).get_json()
    response = client.get(f"{API}/{created['id']}/download", headers=lead_api)
    assert response.status_code == 200 and response.data == data and response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert "filename*=UTF-8''" in response.headers["Content-Disposition"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Security-Policy"].startswith("default-src 'none'")


def test_a_link_has_nothing_to_download(client, lead_api):
    created = client.post(API, headers=lead_api, data={"title": "Link", "url": "https://example.org"}).get_json()
    response = client.get(f"{API}/{created['id']}/download", headers=lead_api)
    assert response.status_code == 404 and "link" in response.get_json()["error"]["message"]


def test_the_openapi_document_describes_the_routes(client):
    document = client.get("/api/v1/openapi.json").get_json()
    post = document["paths"]["/api/v1/networks/{slug}/artifacts"]["post"]
    assert {"413", "415", "422"} <= set(post["responses"])
    listed = document["paths"]["/api/v1/networks/{slug}/artifacts"]["get"]
    assert {"q", "limit", "cursor", "kind"} <= {p["name"] for p in listed["parameters"]}
    assert "/api/v1/networks/{slug}/artifacts/{artifact_id}/download" in document["paths"]


def test_session_calls_need_the_csrf_token_on_post(client, app, a, login_as, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    login_as(a.teacher_leader.user)
    response = client.post(API, data={"title": "No token", "url": "https://example.org"})
    assert response.status_code == 400
