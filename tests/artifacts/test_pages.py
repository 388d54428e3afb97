"""The artifact page, editing details and deleting: who may do what, and what a reader
who may not see an artifact gets (the same 404 as for one that does not exist)."""

from nic.extensions import db
from tests.artifacts.conftest import file_part, load, pdf_bytes
from tests.factories import make_artifact


def test_the_page_shows_details_history_and_links(client, a, login_as):
    login_as(a.member.user)
    page = client.get(f"/n/alpha/artifacts/{a.artifact.id}").get_data(as_text=True)
    assert a.artifact.title in page and "Used in 1 cycle at 1 school" in page and a.cycle.title in page
    assert "History (2 versions)" in page and "Edit details" not in page and "Delete this artifact" not in page
    versions = a.artifact.versions
    assert f"/versions/{versions[1].id}/download" in page  # the current version
    assert f"/versions/{versions[1].id}/preview" in page  # a PDF may be viewed inline


def test_school_only_artifacts_are_404_outside_the_school(client, a, login_as):
    private = make_artifact(a.schools[0], a.teacher_leader.user, "Kept at home", visibility="school")
    db.session.commit()
    login_as(a.member.user)
    for path in ("", "/versions", f"/versions/{private.versions[0].id}/download", "/edit"):
        assert client.get(f"/n/alpha/artifacts/{private.id}{path}").status_code == 404
    login_as(a.facilitator.user)  # no school: sees what is shared with the network only
    assert client.get(f"/n/alpha/artifacts/{private.id}").status_code == 404
    login_as(a.principal.user)
    assert client.get(f"/n/alpha/artifacts/{private.id}").status_code == 200


def test_the_author_edits_the_details(client, a, login_as):
    login_as(a.teacher_leader.user)
    form = client.get(f"/n/alpha/artifacts/{a.artifact.id}/edit").get_data(as_text=True)
    assert a.artifact.title in form
    response = client.post(
        f"/n/alpha/artifacts/{a.artifact.id}/edit",
        data={
            "title": "Huddle protocol v2",
            "description": "New **notes**",
            "kind": "meeting_agenda",
            "tags": "Huddles, Grades",
            "grade_band": "9-12",
            "subject": "Advisory",
            "visibility": "school",
        },
    )
    assert response.status_code == 302
    artifact = load(a.network, a.artifact.id)
    assert (artifact.title, artifact.kind, artifact.tags, artifact.visibility) == (
        "Huddle protocol v2",
        "meeting_agenda",
        "huddles,grades",
        "school",
    )
    bad = client.post(
        f"/n/alpha/artifacts/{a.artifact.id}/edit", data={"title": "", "kind": "protocol", "visibility": "network"}
    )
    assert bad.status_code == 422 and load(a.network, a.artifact.id).title == "Huddle protocol v2"


def test_only_the_author_and_the_schools_leads_edit_and_delete(client, a, login_as):
    for user in (a.member.user, a.facilitator.user):
        login_as(user)
        assert client.get(f"/n/alpha/artifacts/{a.artifact.id}/edit").status_code == 403
        assert client.post(f"/n/alpha/artifacts/{a.artifact.id}/edit", data={"title": "Hijacked"}).status_code == 403
        assert client.post(f"/n/alpha/artifacts/{a.artifact.id}/delete").status_code == 403
    assert load(a.network, a.artifact.id).title == a.artifact.title
    login_as(a.principal.user)  # a lead of its school
    assert client.get(f"/n/alpha/artifacts/{a.artifact.id}/edit").status_code == 200


def test_deleting_is_soft_and_hides_it_everywhere(client, a, login_as):
    login_as(a.principal.user)
    response = client.post(f"/n/alpha/artifacts/{a.artifact.id}/delete")
    assert response.status_code == 302 and response.headers["Location"].endswith("/n/alpha/artifacts")
    artifact = load(a.network, a.artifact.id)
    assert artifact.deleted_at is not None and len(artifact.versions) == 2  # rows kept
    assert client.get(f"/n/alpha/artifacts/{a.artifact.id}").status_code == 404
    cycle_page = client.get(f"/n/alpha/cycles/{a.cycle.id}").get_data(as_text=True)
    assert a.artifact.title not in cycle_page


def test_the_file_routes_serve_a_stored_version_to_anyone_who_sees_it(client, a, login_as, lead_api):
    """With the bytes in storage, every file route answers a facilitator (network-wide
    reader) with 200; PDFs and images inline only through the preview route."""
    created = client.post(
        "/api/v1/networks/alpha/artifacts",
        headers=lead_api,
        content_type="multipart/form-data",
        data={"title": "Stored", "file": file_part(pdf_bytes("Stored bytes"), "stored.pdf")},
    )
    body = created.get_json()
    version_id = body["versions"][0]["id"]
    base = f"/n/alpha/artifacts/{body['id']}/versions/{version_id}"
    login_as(a.facilitator.user)
    download = client.get(f"{base}/download")
    assert download.status_code == 200 and download.headers["Content-Disposition"].startswith("attachment;")
    preview = client.get(f"{base}/preview")
    assert preview.status_code == 200 and preview.headers["Content-Disposition"].startswith("inline;")
    assert preview.mimetype == "application/pdf" and preview.headers["X-Content-Type-Options"] == "nosniff"
    thumbnail = client.get(f"{base}/thumbnail")
    assert thumbnail.status_code == 200 and thumbnail.mimetype == "image/png"
    assert client.get(f"/api/v1/networks/alpha/artifacts/{body['id']}/download").status_code == 200


def test_text_files_are_never_shown_inline(client, a, lead_api, login_as):
    created = client.post(
        "/api/v1/networks/alpha/artifacts",
        headers=lead_api,
        content_type="multipart/form-data",
        data={"title": "Notes", "file": file_part(b"# Notes\n\nPlain words.\n", "notes.md")},
    )
    body = created.get_json()
    base = f"/n/alpha/artifacts/{body['id']}/versions/{body['versions'][0]['id']}"
    login_as(a.principal.user)
    assert client.get(f"{base}/preview").status_code == 404
    assert client.get(f"{base}/thumbnail").status_code == 404  # no preview was made for text
    page = client.get(f"/n/alpha/artifacts/{body['id']}").get_data(as_text=True)
    assert f"{base}/preview" not in page and f"{base}/download" in page
