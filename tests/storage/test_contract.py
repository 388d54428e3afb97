"""The storage contract, run on both backends: local disk and S3 over HTTP (SeaweedFS).
Content-addressed, deduplicated, streamed within a size limit, nothing half-stored."""

from __future__ import annotations

import hashlib
import io
import os
import tracemalloc

import pytest

from nic.storage import CHUNK_SIZE, HEAD_SIZE, BlobNotFound, EmptyFile, TooLarge
from nic.storage.local import LocalStorage
from nic.storage.s3 import S3Storage

MB = 1024 * 1024

# Half of these run against SeaweedFS, whose S3 signatures carry the real time.
pytestmark = pytest.mark.real_clock


class GeneratedStream:
    """A file-like upload of `total` bytes made on the fly (never held whole), counting
    how much the reader asked for; optionally failing after `fail_after` bytes, as a
    client that disconnects mid-upload does."""

    def __init__(self, total: int, fail_after: int | None = None):
        self.total, self.fail_after, self.consumed = total, fail_after, 0
        self._pattern = hashlib.sha256(b"seed").digest() * 2048  # 64 KiB, not compressible

    def read(self, size: int = -1) -> bytes:
        if self.fail_after is not None and self.consumed >= self.fail_after:
            raise OSError("client went away")
        if size is None or size < 0:
            size = self.total - self.consumed
        size = min(size, self.total - self.consumed, len(self._pattern))
        offset = self.consumed % len(self._pattern)
        chunk = (self._pattern[offset:] + self._pattern)[:size]
        self.consumed += len(chunk)
        return chunk

    def expected_sha256(self) -> str:
        digest, replay = hashlib.sha256(), GeneratedStream(self.total)
        while chunk := replay.read(CHUNK_SIZE):
            digest.update(chunk)
        return digest.hexdigest()


def stored_keys(storage) -> list[str]:
    """Every blob the backend holds, and (local) the proof no temp file was left."""
    if isinstance(storage, LocalStorage):
        keys = []
        for folder, _dirs, files in os.walk(storage.root):
            if os.path.abspath(folder) == os.path.abspath(storage.tmp_dir):
                assert files == [], f"temp files left behind: {files}"
                continue
            keys.extend(files)
        return sorted(keys)
    assert isinstance(storage, S3Storage)
    listing = storage.client.list_objects_v2(Bucket=storage.bucket)
    return sorted(item["Key"] for item in listing.get("Contents", []))


def test_put_open_exists_delete(storage):
    data = os.urandom(3 * CHUNK_SIZE + 123)
    blob = storage.put_stream(io.BytesIO(data), max_bytes=MB)

    assert blob.sha256 == hashlib.sha256(data).hexdigest()
    assert blob.size == len(data)
    assert blob.head == data[:HEAD_SIZE]
    assert storage.exists(blob.sha256)
    with storage.open(blob.sha256) as stream:
        assert stream.read() == data
    assert stored_keys(storage) == [blob.sha256]

    storage.delete(blob.sha256)
    assert not storage.exists(blob.sha256)
    assert stored_keys(storage) == []
    with pytest.raises(BlobNotFound):
        storage.open(blob.sha256)
    storage.delete(blob.sha256)  # deleting what is gone is not an error


def test_the_same_bytes_twice_are_stored_once(storage):
    data = b"the same protocol, uploaded by two schools\n" * 100
    first = storage.put_stream(io.BytesIO(data), max_bytes=MB)
    second = storage.put_stream(io.BytesIO(data), max_bytes=MB)
    other = storage.put_stream(io.BytesIO(data + b"!"), max_bytes=MB)

    assert first == second
    assert other.sha256 != first.sha256
    assert stored_keys(storage) == sorted([first.sha256, other.sha256])


def test_a_small_file_has_its_whole_content_as_head(storage):
    blob = storage.put_stream(io.BytesIO(b"%PDF-1.4 tiny"), max_bytes=MB)
    assert blob.head == b"%PDF-1.4 tiny"
    assert blob.size == 13


def test_an_empty_file_is_refused_and_leaves_nothing(storage):
    with pytest.raises(EmptyFile, match="empty"):
        storage.put_stream(io.BytesIO(b""), max_bytes=MB)
    assert stored_keys(storage) == []


def test_an_oversized_stream_stops_at_the_limit_and_leaves_nothing(storage):
    upload = GeneratedStream(30 * MB)
    with pytest.raises(TooLarge, match="25 MB"):
        storage.put_stream(upload, max_bytes=25 * MB)
    # It stopped reading right after the limit instead of draining the 30 MB.
    assert 25 * MB < upload.consumed <= 25 * MB + CHUNK_SIZE
    assert stored_keys(storage) == []


@pytest.mark.parametrize("extra, accepted", [(0, True), (1, False)])
def test_the_limit_is_inclusive(storage, extra, accepted):
    data = b"x" * (100_000 + extra)
    if accepted:
        assert storage.put_stream(io.BytesIO(data), max_bytes=100_000).size == 100_000
    else:
        with pytest.raises(TooLarge):
            storage.put_stream(io.BytesIO(data), max_bytes=100_000)
        assert stored_keys(storage) == []


def test_a_client_that_disconnects_mid_upload_leaves_nothing(storage):
    with pytest.raises(OSError, match="went away"):
        storage.put_stream(GeneratedStream(5 * MB, fail_after=2 * MB), max_bytes=25 * MB)
    assert stored_keys(storage) == []


def test_a_10_mb_upload_and_download_stream_with_bounded_memory(storage):
    upload = GeneratedStream(10 * MB)
    expected = upload.expected_sha256()
    tracemalloc.start()
    try:
        blob = storage.put_stream(upload, max_bytes=25 * MB)
        upload_peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.reset_peak()
        digest = hashlib.sha256()
        with storage.open(blob.sha256) as stream:
            while chunk := stream.read(CHUNK_SIZE):
                digest.update(chunk)
        download_peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()

    assert blob.sha256 == expected == digest.hexdigest()
    assert blob.size == 10 * MB
    # Well below the file's 10 MB: a few chunks and the client's own buffers.
    assert upload_peak < 3 * MB, f"upload peak {upload_peak} bytes"
    assert download_peak < 3 * MB, f"download peak {download_peak} bytes"


def test_open_is_seekable(storage):
    data = bytes(range(256)) * 1000
    blob = storage.put_stream(io.BytesIO(data), max_bytes=MB)
    with storage.open(blob.sha256) as stream:
        assert stream.seekable()
        assert stream.read(10) == data[:10]
        stream.seek(-20, io.SEEK_END)
        assert stream.read() == data[-20:]
        stream.seek(100_000)
        assert stream.tell() == 100_000
        assert stream.read(5) == data[100_000:100_005]
        stream.seek(0)
        assert stream.read() == data


@pytest.mark.parametrize("key", ["../../etc/passwd", "A" * 64, "abc", "0" * 63 + "/", "0" * 65, ""])
def test_keys_are_only_hashes(storage, key):
    for call in (storage.open, storage.exists, storage.delete, storage.local_path):
        with pytest.raises(ValueError):
            call(key)


def test_missing_blobs(storage):
    missing = "0" * 64
    assert not storage.exists(missing)
    assert storage.local_path(missing) is None
    with pytest.raises(BlobNotFound):
        storage.open(missing)


def test_local_blobs_live_under_their_hash(tmp_path):
    storage = LocalStorage(str(tmp_path))
    blob = storage.put_stream(io.BytesIO(b"hello"), max_bytes=MB)
    expected = tmp_path / "blobs" / blob.sha256[:2] / blob.sha256[2:4] / blob.sha256
    assert storage.local_path(blob.sha256) == str(expected)
    assert expected.read_bytes() == b"hello"


def test_s3_has_no_local_path_and_checks_credentials(s3_server):
    storage = s3_server.storage("nic-test-credentials")
    blob = storage.put_stream(io.BytesIO(b"hello"), max_bytes=MB)
    assert storage.local_path(blob.sha256) is None

    from botocore.exceptions import ClientError

    intruder = S3Storage(
        bucket="nic-test-credentials",
        endpoint_url=s3_server.endpoint,
        access_key="nic-test-access",
        secret_key="not-the-secret",
    )
    with pytest.raises(ClientError):
        intruder.open(blob.sha256)
    with pytest.raises(ClientError):
        intruder.put_stream(io.BytesIO(b"planted"), max_bytes=MB)
