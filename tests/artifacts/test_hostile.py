"""Hostile input at the HTTP level: each is refused or contained with a clear message, and
nothing is stored half-way (no row, no blob, no temp file)."""

import io
import os

import pytest

from nic.extensions import db
from nic.storage import get_storage
from nic.tenancy import use_network
from tests.artifacts.conftest import ELF_BYTES, EXE_BYTES, counts, file_part, load, pdf_bytes, stored_blobs
from tests.factories import make_artifact

NEW = "/n/alpha/artifacts/new"
API = "/api/v1/networks/alpha/artifacts"


def _nothing_stored(a, before, data_dir):
    assert counts(a.network) == before
    assert stored_blobs(data_dir) == []
    tmp = data_dir / "blobs" / "tmp"
    assert not tmp.exists() or os.listdir(tmp) == []  # no half-written upload left behind


# --- size -------------------------------------------------------------------------------------------


@pytest.fixture
def one_mb_limit(app, monkeypatch):
    """A 1 MB file limit with no body limit, so the stream itself must stop the upload."""
    monkeypatch.setitem(app.config, "NIC_MAX_UPLOAD_MB", 1)
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", None)


def test_an_oversized_file_answers_413_on_the_page_and_stores_nothing(client, a, login_as, data_dir, one_mb_limit):
    login_as(a.teacher_leader.user)
    before = counts(a.network)
    big = b"word " * (1024 * 1024 // 5 + 100)  # just over 1 MB of plain text
    response = client.post(
        NEW,
        data={"title": "Too big", "file": file_part(big, "big.txt", "text/plain")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 413
    assert "File:</span> is larger than the 1 MB limit" in response.get_data(as_text=True)
    _nothing_stored(a, before, data_dir)


def test_an_oversized_file_answers_413_over_the_api(client, a, lead_api, data_dir, one_mb_limit):
    before = counts(a.network)
    response = client.post(
        API,
        headers=lead_api,
        content_type="multipart/form-data",
        data={"title": "Too big", "file": file_part(b"x" * (1024 * 1024 + 1), "big.txt")},
    )
    assert response.status_code == 413
    error = response.get_json()["error"]
    assert error["code"] == "too_large" and error["fields"] == {"file": "is larger than the 1 MB limit"}
    _nothing_stored(a, before, data_dir)


def test_a_body_past_the_request_limit_is_refused_before_it_is_read(
    client, app, a, lead_api, login_as, data_dir, monkeypatch
):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 2000)
    before = counts(a.network)
    response = client.post(
        API,
        headers=lead_api,
        content_type="multipart/form-data",
        data={"title": "Big body", "file": file_part(b"y" * 5000, "y.txt")},
    )
    assert response.status_code == 413 and response.get_json()["error"]["fields"]["file"].startswith("is larger")
    login_as(a.teacher_leader.user)
    page = client.post(
        NEW, data={"title": "Big body", "file": file_part(b"y" * 5000, "y.txt")}, content_type="multipart/form-data"
    )
    assert page.status_code == 413 and "is larger than the" in page.get_data(as_text=True)
    _nothing_stored(a, before, data_dir)


# --- type -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("data", [ELF_BYTES, EXE_BYTES], ids=["elf", "exe"])
def test_an_executable_renamed_pdf_answers_415(client, a, login_as, lead_api, data_dir, data):
    before = counts(a.network)
    response = client.post(
        API,
        headers=lead_api,
        content_type="multipart/form-data",
        data={"title": "Invoice", "file": file_part(data, "invoice.pdf", "application/pdf")},
    )
    assert response.status_code == 415
    error = response.get_json()["error"]
    assert error["code"] == "unsupported_media_type" and "file" in error["fields"]
    login_as(a.teacher_leader.user)
    page = client.post(
        NEW,
        data={"title": "Invoice", "file": file_part(data, "invoice.pdf", "application/pdf")},
        content_type="multipart/form-data",
    )
    assert page.status_code == 415 and "File:</span>" in page.get_data(as_text=True)
    _nothing_stored(a, before, data_dir)  # stored, sniffed, refused, deleted


@pytest.mark.parametrize(
    "data,name",
    [
        (b"<!doctype html><script>alert(1)</script>", "notes.txt"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "logo.png"),
        (b"#!/bin/sh\nrm -rf /\n", "run.md"),
    ],
    ids=["html", "svg", "script"],
)
def test_html_svg_and_scripts_are_refused_whatever_their_name(client, a, lead_api, data_dir, data, name):
    before = counts(a.network)
    response = client.post(
        API,
        headers=lead_api,
        content_type="multipart/form-data",
        data={"title": "Sneaky", "file": file_part(data, name)},
    )
    assert response.status_code == 415
    _nothing_stored(a, before, data_dir)


def test_a_refused_blob_another_version_still_uses_is_kept(client, a, lead_api, data_dir):
    """Bytes some (older) version already points at stay in storage after a refusal."""
    blob = get_storage().put_stream(io.BytesIO(ELF_BYTES), 10_000)
    artifact = make_artifact(a.schools[0], a.teacher_leader.user, "Old upload")
    with use_network(a.network):
        artifact.versions[0].sha256 = blob.sha256
        db.session.commit()
    response = client.post(
        API,
        headers=lead_api,
        content_type="multipart/form-data",
        data={"title": "Again", "file": file_part(ELF_BYTES, "again.pdf")},
    )
    assert response.status_code == 415
    assert blob.sha256 in stored_blobs(data_dir)


def test_an_empty_file_answers_422_naming_file(client, a, login_as, lead_api, data_dir):
    before = counts(a.network)
    response = client.post(
        API,
        headers=lead_api,
        content_type="multipart/form-data",
        data={"title": "Empty", "file": file_part(b"", "empty.pdf")},
    )
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"] == {"file": "is empty: choose a file with something in it"}
    login_as(a.teacher_leader.user)
    page = client.post(
        NEW, data={"title": "Empty", "file": file_part(b"", "empty.pdf")}, content_type="multipart/form-data"
    )
    assert page.status_code == 422 and "is empty" in page.get_data(as_text=True)
    _nothing_stored(a, before, data_dir)


def test_a_pdf_that_does_not_parse_is_kept_and_says_so(client, a, login_as, lead_api):
    broken = b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R >>\nthis is not a real pdf body\n%%EOF\n"
    response = client.post(
        API,
        headers=lead_api,
        content_type="multipart/form-data",
        data={"title": "Broken PDF", "file": file_part(broken, "broken.pdf")},
    )
    assert response.status_code == 201
    body = response.get_json()
    artifact = load(a.network, body["id"])
    assert artifact.versions[0].extraction_status == "failed" and artifact.extracted_text == ""
    login_as(a.principal.user)
    page = client.get(f"/n/alpha/artifacts/{body['id']}").get_data(as_text=True)
    assert "could not be read" in page
    download = client.get(f"/n/alpha/artifacts/{body['id']}/versions/{body['versions'][0]['id']}/download")
    assert download.status_code == 200 and download.data == broken


# --- names ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "hostile",
    [
        "../../../etc/passwd.pdf",
        "..\\..\\windows\\system32\\report.pdf",
        "re\x00port\x1b[31m\x07\t.pdf",
        "/absolute/path/plan.pdf",
        "...pdf",
        "\u202egnp.pdf",
    ],
    ids=["dotdot", "backslash", "controls", "absolute", "dots", "bidi"],
)
def test_hostile_file_names_never_reach_storage_or_headers(client, a, lead_api, data_dir, hostile):
    data = pdf_bytes(f"Named {hostile!r}")
    response = client.post(
        API,
        headers=lead_api,
        content_type="multipart/form-data",
        data={"title": "Named badly", "file": file_part(data, hostile)},
    )
    assert response.status_code == 201
    version = response.get_json()["versions"][0]
    artifact = load(a.network, response.get_json()["id"])
    sha = artifact.versions[0].sha256
    # stored under its hash (and the preview PNG under its own), never under the given name
    assert stored_blobs(data_dir) == sorted([sha, artifact.versions[0].preview_sha256])
    assert (data_dir / "blobs" / sha[:2] / sha[2:4] / sha).read_bytes() == data
    name = version["filename"]
    assert name.endswith(".pdf") and "/" not in name and "\\" not in name and ".." not in name
    assert not name.startswith(".") and all(ch.isprintable() for ch in name) and "\u202e" not in name
    download = client.get(f"{API}/{artifact.id}/download", headers=lead_api)
    disposition = download.headers["Content-Disposition"]
    assert disposition.startswith("attachment;") and "/" not in disposition.split("filename*=")[0]
    assert "\r" not in disposition and "\n" not in disposition and "\x00" not in disposition
    assert download.data == data


def test_a_file_name_that_breaks_its_header_is_no_file_at_all(client, a, lead_api, data_dir):
    """CR/LF inside the name splits the part's header: Werkzeug then sees a plain field,
    so there is no file, and the answer says which field is missing."""
    before = counts(a.network)
    response = client.post(
        API,
        headers=lead_api,
        content_type="multipart/form-data",
        data={"title": "Split", "file": file_part(pdf_bytes("x"), "a\r\nContent-Type: text/html\r\n.pdf")},
    )
    assert response.status_code == 422 and set(response.get_json()["error"]["fields"]) == {"file"}
    _nothing_stored(a, before, data_dir)


# --- links ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(document.cookie)",
        "JavaScript:alert(1)",
        "  javascript:alert(1)",
        "java\tscript:alert(1)",
        "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
        "vbscript:msgbox",
        "file:///etc/passwd",
        "ftp://example.org/x",
        "//example.org/no-scheme",
        "https://",
        "example.org",
    ],
)
def test_links_that_are_not_http_are_refused(client, a, login_as, lead_api, url):
    before = counts(a.network)
    response = client.post(API, headers=lead_api, data={"title": "Bad link", "url": url})
    assert response.status_code == 422, url
    assert set(response.get_json()["error"]["fields"]) == {"url"}
    login_as(a.teacher_leader.user)
    page = client.post(NEW, data={"title": "Bad link", "url": url})
    assert page.status_code == 422 and "Or a link:</span>" in page.get_data(as_text=True)
    assert counts(a.network) == before


def test_editing_a_link_into_javascript_is_refused(client, a, login_as):
    link = make_artifact(a.schools[0], a.teacher_leader.user, "Good link", url="https://example.org/ok")
    db.session.commit()
    login_as(a.teacher_leader.user)
    response = client.post(
        f"/n/alpha/artifacts/{link.id}/edit",
        data={"title": "Good link", "url": "javascript:x()", "kind": "other", "visibility": "network"},
    )
    assert response.status_code == 422
    assert load(a.network, link.id).url == "https://example.org/ok"


# --- another network --------------------------------------------------------------------------------


def test_another_networks_artifact_is_404_everywhere(client, a, b, login_as, lead_api):
    other, version = b.artifact, b.artifact.versions[0]
    login_as(a.teacher_leader.user)
    for path in (
        f"/n/alpha/artifacts/{other.id}",
        f"/n/alpha/artifacts/{other.id}/versions",
        f"/n/alpha/artifacts/{other.id}/edit",
        f"/n/alpha/artifacts/{other.id}/versions/{version.id}/download",
        f"/n/alpha/artifacts/{other.id}/versions/{version.id}/preview",
        f"/n/alpha/artifacts/{other.id}/versions/{version.id}/thumbnail",
        f"/n/alpha/artifacts/{a.artifact.id}/versions/{version.id}/download",
    ):  # a's artifact, b's version
        assert client.get(path).status_code == 404, path
    for path in (
        f"/n/alpha/artifacts/{other.id}/delete",
        f"/n/alpha/artifacts/{other.id}/versions/new",
        f"/n/alpha/artifacts/{other.id}/cycles",
        f"/n/alpha/artifacts/{other.id}/change-ideas",
        f"/n/alpha/artifacts/{other.id}/versions/{version.id}/delete",
    ):
        assert client.post(path, data={"cycle_id": str(a.cycle.id), "confirm": "yes"}).status_code == 404, path
    # attaching b's artifact to a's own cycle
    response = client.post(f"/n/alpha/artifacts/for-cycle/{a.cycle.id}", data={"artifact_id": str(other.id)})
    assert response.status_code == 404
    for path in (f"{API}/{other.id}", f"{API}/{other.id}/download"):
        response = client.get(path, headers=lead_api)
        assert response.status_code == 404 and response.get_json()["error"]["code"] == "not_found"
    assert load(b.network, other.id).deleted_at is None and len(load(b.network, other.id).versions) == 2
