"""Versions: a new upload keeps the old ones; the history shows who, when, note, size and
type; any version downloads; deleting a version a cycle links asks first; the last one
cannot go; the searched text follows the current version."""

from sqlalchemy import func, select

from nic.extensions import db
from nic.models import Artifact, ArtifactVersion
from nic.tenancy import UNSCOPED
from tests.artifacts.conftest import file_part, links_of, load, pdf_bytes, stored_blobs

NEW = "/n/alpha/artifacts/new"


def _share(client, text: str, name: str = "plan.pdf", **fields) -> int:
    response = client.post(
        NEW,
        data={"title": "Advisory lesson", "kind": "lesson_plan", "file": file_part(pdf_bytes(text), name), **fields},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    return db.session.scalar(select(func.max(Artifact.id)).execution_options(**UNSCOPED))


def _upload_version(client, artifact_id: int, data: bytes, name: str, note: str = ""):
    return client.post(
        f"/n/alpha/artifacts/{artifact_id}/versions/new",
        data={"note": note, "file": file_part(data, name)},
        content_type="multipart/form-data",
    )


def test_a_new_version_keeps_the_old_one_and_becomes_current(client, a, login_as, data_dir):
    login_as(a.teacher_leader.user)
    artifact_id = _share(client, "Version one talks about sunflowers.")
    login_as(a.principal.user)  # a lead of the same school may add versions too
    response = _upload_version(
        client, artifact_id, b"Version two talks about tulips.\n", "plan-v2.txt", "Rewrote it as a checklist"
    )
    assert response.status_code == 302
    artifact = load(a.network, artifact_id)
    first, second = artifact.versions
    assert (first.number, second.number) == (1, 2)
    assert second.content_type.startswith("text/plain") and second.filename == "plan-v2.txt"
    assert second.note == "Rewrote it as a checklist" and second.uploaded_by_id == a.principal.user.id
    assert "tulips" in artifact.extracted_text and "sunflowers" not in artifact.extracted_text
    assert {first.sha256, second.sha256} <= set(stored_blobs(data_dir))

    history = client.get(f"/n/alpha/artifacts/{artifact_id}/versions").get_data(as_text=True)
    assert history.index('data-version="2"') < history.index('data-version="1"')  # newest first
    assert "Rewrote it as a checklist" in history and a.principal.user.name in history
    assert a.teacher_leader.user.name in history and "text/plain" in history and "application/pdf" in history
    for version in (first, second):
        download = client.get(f"/n/alpha/artifacts/{artifact_id}/versions/{version.id}/download")
        assert download.status_code == 200
        assert download.headers["Content-Disposition"].startswith("attachment;")
        assert download.headers["X-Content-Type-Options"] == "nosniff"
        assert "default-src 'none'" in download.headers["Content-Security-Policy"]
        stored = data_dir / "blobs" / version.sha256[:2] / version.sha256[2:4] / version.sha256
        assert download.data == stored.read_bytes()
    api = client.get(f"/api/v1/networks/alpha/artifacts/{artifact_id}/download")
    assert api.data == b"Version two talks about tulips.\n"  # the API's download is the current version


def test_new_versions_are_for_the_author_and_the_schools_leads(client, a, login_as):
    login_as(a.teacher_leader.user)
    artifact_id = _share(client, "Mine")
    for user in (a.member.user, a.facilitator.user):
        login_as(user)
        assert client.get(f"/n/alpha/artifacts/{artifact_id}/versions/new").status_code == 403
        assert _upload_version(client, artifact_id, b"hijack\n", "x.txt").status_code == 403
    assert len(load(a.network, artifact_id).versions) == 1


def test_a_bad_new_version_changes_nothing(client, a, login_as, data_dir):
    login_as(a.teacher_leader.user)
    artifact_id = _share(client, "Original")
    before = set(stored_blobs(data_dir))
    assert _upload_version(client, artifact_id, b"MZ\x90\x00" + b"\x00" * 100, "v2.pdf").status_code == 415
    assert _upload_version(client, artifact_id, b"", "v2.pdf").status_code == 422
    missing = client.post(f"/n/alpha/artifacts/{artifact_id}/versions/new", data={"note": "no file"})
    assert missing.status_code == 422 and "choose the new version" in missing.get_data(as_text=True)
    assert len(load(a.network, artifact_id).versions) == 1 and set(stored_blobs(data_dir)) == before


def test_a_link_has_no_versions(client, a, login_as):
    login_as(a.teacher_leader.user)
    response = client.post(NEW, data={"title": "A link", "url": "https://example.org"})
    artifact_id = int(response.headers["Location"].split("/")[-1])
    assert client.get(f"/n/alpha/artifacts/{artifact_id}/versions/new").status_code == 404
    assert "A link has no versions" in client.get(f"/n/alpha/artifacts/{artifact_id}/versions").get_data(as_text=True)


def test_deleting_a_version_a_cycle_links_asks_first(client, a, login_as, data_dir):
    login_as(a.teacher_leader.user)
    artifact_id = _share(client, "Version one: apples", cycle_id=str(a.cycle.id))  # linked to v1 on creation
    assert _upload_version(client, artifact_id, pdf_bytes("Version two: pears"), "v2.pdf").status_code == 302
    first, second = load(a.network, artifact_id).versions
    assert links_of(a.network, artifact_id)[0].version_id == first.id

    ask = client.get(f"/n/alpha/artifacts/{artifact_id}/versions/{first.id}/delete")
    assert ask.status_code == 200 and a.cycle.title in ask.get_data(as_text=True)
    # a POST without confirm=yes is the question again, and deletes nothing
    again = client.post(f"/n/alpha/artifacts/{artifact_id}/versions/{first.id}/delete")
    assert again.status_code == 200 and a.cycle.title in again.get_data(as_text=True)
    assert len(load(a.network, artifact_id).versions) == 2

    done = client.post(f"/n/alpha/artifacts/{artifact_id}/versions/{first.id}/delete", data={"confirm": "yes"})
    assert done.status_code == 302
    artifact = load(a.network, artifact_id)
    assert [v.number for v in artifact.versions] == [2]
    [link] = links_of(a.network, artifact_id)
    assert link.cycle_id == a.cycle.id and link.version_id is None  # the cycle keeps the artifact
    assert first.sha256 not in stored_blobs(data_dir) and second.sha256 in stored_blobs(data_dir)
    assert client.get(f"/n/alpha/artifacts/{artifact_id}/versions/{first.id}/download").status_code == 404


def test_a_version_no_cycle_links_goes_at_once_and_the_text_follows(client, a, login_as, data_dir):
    login_as(a.teacher_leader.user)
    artifact_id = _share(client, "Version one: apples")
    assert _upload_version(client, artifact_id, pdf_bytes("Version two: pears"), "v2.pdf").status_code == 302
    first, second = load(a.network, artifact_id).versions
    assert "pears" in load(a.network, artifact_id).extracted_text
    response = client.post(f"/n/alpha/artifacts/{artifact_id}/versions/{second.id}/delete")
    assert response.status_code == 302
    artifact = load(a.network, artifact_id)
    assert [v.id for v in artifact.versions] == [first.id]
    assert "apples" in artifact.extracted_text and "pears" not in artifact.extracted_text
    assert second.sha256 not in stored_blobs(data_dir) and second.preview_sha256 not in stored_blobs(data_dir)


def test_the_last_version_cannot_be_deleted(client, a, login_as):
    login_as(a.teacher_leader.user)
    artifact_id = _share(client, "Only one")
    [only] = load(a.network, artifact_id).versions
    page = client.get(f"/n/alpha/artifacts/{artifact_id}/versions/{only.id}/delete").get_data(as_text=True)
    assert "cannot be deleted on its own" in page
    response = client.post(f"/n/alpha/artifacts/{artifact_id}/versions/{only.id}/delete", data={"confirm": "yes"})
    assert response.status_code == 302
    assert len(load(a.network, artifact_id).versions) == 1


def test_bytes_another_version_shares_stay_when_a_version_goes(client, a, login_as, data_dir):
    """The same file uploaded as two versions is stored once; deleting one keeps it."""
    login_as(a.teacher_leader.user)
    artifact_id = _share(client, "Same bytes")
    [first] = load(a.network, artifact_id).versions
    same = (data_dir / "blobs" / first.sha256[:2] / first.sha256[2:4] / first.sha256).read_bytes()
    assert _upload_version(client, artifact_id, same, "again.pdf").status_code == 302
    second = load(a.network, artifact_id).versions[1]
    assert second.sha256 == first.sha256 and stored_blobs(data_dir).count(first.sha256) == 1
    assert client.post(f"/n/alpha/artifacts/{artifact_id}/versions/{first.id}/delete").status_code == 302
    assert first.sha256 in stored_blobs(data_dir)
    assert (
        db.session.scalar(
            select(ArtifactVersion.id).where(ArtifactVersion.sha256 == first.sha256).execution_options(**UNSCOPED)
        )
        == second.id
    )


def test_only_editors_delete_versions(client, a, login_as):
    versions = a.artifact.versions
    for user in (a.member.user, a.facilitator.user):
        login_as(user)
        url = f"/n/alpha/artifacts/{a.artifact.id}/versions/{versions[0].id}/delete"
        assert client.get(url).status_code == 403
        assert client.post(url, data={"confirm": "yes"}).status_code == 403
    assert len(load(a.network, a.artifact.id).versions) == 2
