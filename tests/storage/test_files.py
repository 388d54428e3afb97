"""send_download / send_preview: attachments with the sniffed type, nosniff and a
sandboxing CSP; inline only for images and PDFs; streamed from either backend."""

from __future__ import annotations

import io
from types import SimpleNamespace

import pytest
from flask import Flask
from werkzeug.wsgi import FileWrapper

from nic.storage import BlobNotFound
from nic.storage.downloads import send_download, send_preview
from tests.storage import samples

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@pytest.fixture
def web(storage):
    """A bare Flask app whose routes send whatever `web.version` is, from `storage`."""
    app = Flask(__name__)
    app.config["TESTING"] = True
    state = SimpleNamespace(storage=storage, version=None, app=app)

    @app.get("/download")
    def download():
        return send_download(state.storage, state.version)

    @app.get("/preview")
    def preview():
        return send_preview(state.storage, state.version)

    @app.get("/thumbnail/<sha>")
    def thumbnail(sha):
        return send_preview(state.storage, sha, content_type="image/png")

    state.client = app.test_client()
    return state


def put(web, data: bytes, content_type: str, filename: str):
    blob = web.storage.put_stream(io.BytesIO(data), max_bytes=50 * 1024 * 1024)
    web.version = SimpleNamespace(sha256=blob.sha256, size=blob.size, content_type=content_type, filename=filename)
    return blob


def test_a_download_is_a_safe_streamed_attachment(web):
    data = samples.ooxml("docx") * 3
    blob = put(web, data, DOCX_TYPE, "Plan de leçon.docx")

    response = web.client.get("/download")

    assert response.status_code == 200
    assert response.data == data
    assert response.headers["Content-Type"] == DOCX_TYPE
    assert response.headers["Content-Length"] == str(len(data))
    assert response.headers["Content-Disposition"] == (
        "attachment; filename=\"Plan de lecon.docx\"; filename*=UTF-8''Plan%20de%20le%C3%A7on.docx"
    )
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert response.headers["ETag"] == f'"{blob.sha256}"'
    assert "private" in response.headers["Cache-Control"]


def test_the_download_body_is_streamed_not_loaded(web):
    put(web, b"x" * 300_000, "text/plain; charset=utf-8", "notes.txt")
    with web.app.test_request_context("/download"):
        response = send_download(web.storage, web.version)
        assert response.is_streamed
        assert isinstance(response.response, FileWrapper)
        response.close()


@pytest.mark.parametrize(
    "filename, content_type, expected",
    [
        ("../../etc/passwd", "application/pdf", "filename*=UTF-8''passwd.pdf"),
        ("invoice\u202efdp.exe", "application/pdf", "filename*=UTF-8''invoicefdp.pdf"),
        ('a"b\r\nSet-Cookie: x=1.txt', "text/plain; charset=utf-8", "filename*=UTF-8''a_b%20Set-Cookie_%20x%3D1.txt"),
        ("", "image/png", "filename*=UTF-8''download.png"),
    ],
)
def test_download_names_are_sanitised_again(web, filename, content_type, expected):
    put(web, b"bytes", content_type, filename)
    disposition = web.client.get("/download").headers["Content-Disposition"]
    assert disposition.startswith("attachment; ")
    assert disposition.endswith(expected)
    assert "\r" not in disposition and "\n" not in disposition and "/" not in disposition


@pytest.mark.parametrize("stored_type", ["text/html", "image/svg+xml", "application/x-msdownload", ""])
def test_a_type_off_the_allow_list_is_never_sent_as_itself(web, stored_type):
    put(web, samples.HTML, stored_type, "page.html")
    response = web.client.get("/download")
    assert response.headers["Content-Type"] == "application/octet-stream"
    assert response.headers["Content-Disposition"].startswith("attachment;")


def test_text_downloads_say_their_charset(web):
    put(web, samples.CSV, "text/csv; charset=utf-8", "data.csv")
    assert web.client.get("/download").headers["Content-Type"] == "text/csv; charset=utf-8"


def test_a_matching_etag_answers_304_without_touching_storage(web):
    blob = put(web, b"cached", "application/pdf", "a.pdf")

    class NoOpen:
        def open(self, sha256):
            raise AssertionError("storage opened for a 304")

    web.storage = NoOpen()
    response = web.client.get("/download", headers={"If-None-Match": f'"{blob.sha256}"'})
    assert response.status_code == 304
    assert response.data == b""


def test_a_missing_blob_is_404(web):
    web.version = SimpleNamespace(sha256="0" * 64, size=1, content_type="application/pdf", filename="a.pdf")
    assert web.client.get("/download").status_code == 404
    assert web.client.get("/preview").status_code == 404


@pytest.mark.parametrize(
    "make, content_type",
    [
        (samples.png, "image/png"),
        (samples.jpeg, "image/jpeg"),
        (samples.gif, "image/gif"),
        (samples.webp, "image/webp"),
    ],
)
def test_images_preview_inline_sandboxed(web, make, content_type):
    data = make()
    put(web, data, content_type, "picture")
    response = web.client.get("/preview")
    assert response.status_code == 200
    assert response.data == data
    assert response.headers["Content-Type"] == content_type
    assert response.headers["Content-Disposition"].startswith("inline; ")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    csp = response.headers["Content-Security-Policy"]
    assert csp.startswith("default-src 'none'") and "sandbox" in csp and "script-src" not in csp


def test_a_pdf_previews_inline_without_scripts(web):
    put(web, samples.pdf(), "application/pdf", "protocol.pdf")
    response = web.client.get("/preview")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["Content-Disposition"].startswith('inline; filename="protocol.pdf"')
    csp = response.headers["Content-Security-Policy"]
    assert csp.startswith("default-src 'none'") and "script-src" not in csp
    assert "frame-ancestors 'self'" in csp


@pytest.mark.parametrize(
    "content_type",
    [
        DOCX_TYPE,
        "text/plain; charset=utf-8",
        "text/csv; charset=utf-8",
        "text/html",
        "image/svg+xml",
        "application/msword",
        "application/octet-stream",
    ],
)
def test_everything_else_has_no_preview(web, content_type):
    put(web, samples.SVG, content_type, "x")
    assert web.client.get("/preview").status_code == 404


def test_a_thumbnail_blob_previews_by_hash(web):
    blob = put(web, samples.png(), "image/png", "ignored")
    response = web.client.get(f"/thumbnail/{blob.sha256}")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "image/png"
    assert response.headers["Content-Disposition"] == "inline; filename=\"preview.png\"; filename*=UTF-8''preview.png"


def test_a_thumbnail_of_an_unpreviewable_type_is_404(web):
    blob = put(web, samples.png(), "image/png", "x")
    with web.app.test_request_context("/"):
        with pytest.raises(Exception) as refused:
            send_preview(web.storage, blob.sha256, content_type="image/svg+xml")
        assert getattr(refused.value, "code", None) == 404
        with pytest.raises(Exception) as refused:
            send_preview(web.storage, blob.sha256)
        assert getattr(refused.value, "code", None) == 404


def test_blob_not_found_is_a_storage_error():
    assert issubclass(BlobNotFound, Exception)
