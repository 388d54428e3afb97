"""The size limit at the HTTP level: Werkzeug answers 413 from Content-Length before
the body is read (MAX_CONTENT_LENGTH from NIC_MAX_UPLOAD_MB), in the API's JSON shape
under /api/ and as a page elsewhere; and the storage limit catches what gets past it."""

from __future__ import annotations

import io
import socket

import pytest
from flask import Flask, abort, request

from nic import create_app
from nic.config import load_config
from nic.storage import TooLarge, get_storage, max_upload_bytes
from nic.storage.local import LocalStorage
from nic.storage.s3 import S3Storage
from tests.conftest import app_config
from tests.live.conftest import live_db, serve  # noqa: F401  (the live server fixtures)

MB = 1024 * 1024


class RecordingInput(io.BytesIO):
    """A request body that remembers whether anyone read it."""

    bytes_read = 0

    def read(self, size=-1):
        data = super().read(size)
        RecordingInput.bytes_read += len(data)
        return data

    readline = None  # nothing should parse line by line either


@pytest.fixture(scope="module")
def upload_app(tmp_path_factory):
    """The real app (error pages, API errors) with a 1 MB file limit and two probe
    routes that do what an upload view does: stream the file into storage."""
    data_dir = tmp_path_factory.mktemp("uploads")
    app = create_app(app_config(NIC_MAX_UPLOAD_MB=1, MAX_CONTENT_LENGTH=2 * MB, NIC_DATA_DIR=str(data_dir)))

    def probe():
        upload = request.files["file"]
        try:
            blob = get_storage().put_stream(upload.stream, max_upload_bytes())
        except TooLarge:
            abort(413)
        return {"sha256": blob.sha256, "size": blob.size}

    app.add_url_rule("/upload-probe", "upload_probe", probe, methods=["POST"])
    app.add_url_rule("/api/v1/upload-probe", "api_upload_probe", probe, methods=["POST"])
    return app


@pytest.mark.parametrize("path", ["/upload-probe", "/api/v1/upload-probe"])
def test_a_too_large_content_length_is_refused_before_reading_the_body(upload_app, path):
    RecordingInput.bytes_read = 0
    body = RecordingInput(b"--x\r\n" + b"a" * 1000)
    response = upload_app.test_client().post(
        path,
        input_stream=body,
        content_type="multipart/form-data; boundary=x",
        # What the client claims; the test client would otherwise measure the stream.
        environ_overrides={"CONTENT_LENGTH": str(100 * MB)},
    )

    assert response.status_code == 413
    assert RecordingInput.bytes_read == 0
    if path.startswith("/api/"):
        assert response.get_json()["error"]["code"] == "too_large"
    else:
        assert response.mimetype == "text/html"
        assert "File too large" in response.get_data(as_text=True)


def test_a_file_within_the_request_limit_but_over_the_file_limit_is_413(upload_app):
    client = upload_app.test_client()
    over = client.post("/api/v1/upload-probe", data={"file": (io.BytesIO(b"x" * (MB + 1)), "big.pdf")})
    assert over.status_code == 413
    assert over.get_json()["error"]["code"] == "too_large"
    at_limit = client.post("/api/v1/upload-probe", data={"file": (io.BytesIO(b"x" * MB), "ok.pdf")})
    assert at_limit.status_code == 200
    assert at_limit.get_json()["size"] == MB


def test_a_chunked_body_without_length_is_cut_off_at_the_limit(upload_app):
    body = b'--x\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\r\n\r\n' + b"x" * (3 * MB)
    RecordingInput.bytes_read = 0
    response = upload_app.test_client().post(
        "/upload-probe",
        input_stream=RecordingInput(body),
        content_type="multipart/form-data; boundary=x",
        environ_overrides={"wsgi.input_terminated": True, "HTTP_TRANSFER_ENCODING": "chunked"},
    )
    assert response.status_code == 413
    assert RecordingInput.bytes_read <= 2 * MB + 64 * 1024


@pytest.mark.live
def test_a_live_server_answers_413_from_the_headers_alone(serve):
    """A real `nic serve` (limit 25 MB + 1 MB of form): a request announcing 100 MB gets
    its 413 without the client sending one byte of the body."""
    server = serve()
    with socket.create_connection(("127.0.0.1", server.port), timeout=15) as conn:
        conn.sendall(
            b"POST /login HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Type: multipart/form-data; boundary=x\r\n"
            b"Content-Length: %d\r\nConnection: close\r\n\r\n" % (100 * MB)
        )
        answer = b""
        while chunk := conn.recv(65536):
            answer += chunk
    status_line = answer.split(b"\r\n", 1)[0]
    assert b" 413 " in status_line, answer[:500]
    assert b"File too large" in answer


def test_config_reads_the_limit_and_storage_from_the_environment(monkeypatch, tmp_path):
    for name in ("NIC_MAX_UPLOAD_MB", "NIC_STORAGE", "NIC_S3_ENDPOINT", "NIC_S3_BUCKET", "NIC_S3_REGION"):
        monkeypatch.delenv(name, raising=False)
    defaults = load_config(str(tmp_path))
    assert defaults["NIC_MAX_UPLOAD_MB"] == 25
    assert defaults["MAX_CONTENT_LENGTH"] == 26 * MB
    assert defaults["NIC_STORAGE"] == "local"
    assert defaults["NIC_S3_REGION"] == "us-east-1"

    monkeypatch.setenv("NIC_MAX_UPLOAD_MB", "7")
    monkeypatch.setenv("NIC_STORAGE", "S3")
    monkeypatch.setenv("NIC_S3_BUCKET", "artifacts")
    monkeypatch.setenv("NIC_S3_ENDPOINT", "http://127.0.0.1:9000")
    configured = load_config(str(tmp_path))
    assert configured["NIC_MAX_UPLOAD_MB"] == 7
    assert configured["MAX_CONTENT_LENGTH"] == 8 * MB
    assert (configured["NIC_STORAGE"], configured["NIC_S3_BUCKET"]) == ("s3", "artifacts")
    assert configured["NIC_S3_ENDPOINT"] == "http://127.0.0.1:9000"


def test_get_storage_builds_one_backend_per_app_from_config(tmp_path):
    local_app = Flask(__name__)
    local_app.config.update(NIC_DATA_DIR=str(tmp_path), NIC_MAX_UPLOAD_MB=3)
    storage = get_storage(local_app)
    assert isinstance(storage, LocalStorage)
    assert storage.root == str(tmp_path / "blobs")
    assert get_storage(local_app) is storage
    assert max_upload_bytes(local_app) == 3 * MB
    with local_app.app_context():
        assert get_storage() is storage

    s3_app = Flask(__name__)
    s3_app.config.update(
        NIC_STORAGE="s3",
        NIC_S3_BUCKET="artifacts",
        NIC_S3_ENDPOINT="http://127.0.0.1:1",
        NIC_S3_ACCESS_KEY="a",
        NIC_S3_SECRET_KEY="b",
        NIC_S3_REGION="eu-west-1",
    )
    s3 = get_storage(s3_app)  # no connection is made until it is used
    assert isinstance(s3, S3Storage) and s3.bucket == "artifacts"

    for broken in ({"NIC_STORAGE": "ftp"}, {"NIC_STORAGE": "s3"}):
        app = Flask(__name__)
        app.config.update(NIC_DATA_DIR=str(tmp_path), **broken)
        with pytest.raises(ValueError):
            get_storage(app)
