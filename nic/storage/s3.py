"""Blobs in S3-compatible object storage (AWS S3, MinIO, SeaweedFS, Ceph RGW, ...):
what several web servers on several machines share.

An upload is spooled to a local temp file while it is hashed (the key is the hash, so
it is only known at the end), then sent with boto3's managed transfer, which switches to
a multipart upload for large files; nothing is sent when the key already exists.
`open` returns a seekable reader over ranged GETs: a sequential read is one streamed
request, and zipfile/pypdf can still seek (a new ranged request from the new position).
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import tempfile
from typing import BinaryIO

from nic.storage import CHUNK_SIZE, BlobNotFound, StoredBlob, check_key
from nic.storage.spool import spool

logger = logging.getLogger(__name__)


class S3Storage:
    def __init__(
        self,
        bucket: str | None,
        endpoint_url: str | None = None,
        access_key: str | None = None,
        secret_key: str | None = None,
        region: str | None = None,
        prefix: str = "",
    ):
        if not bucket:
            raise ValueError("NIC_STORAGE=s3 needs NIC_S3_BUCKET")
        self.bucket = bucket
        self.prefix = prefix
        self._settings = {
            "endpoint_url": endpoint_url or None,
            "aws_access_key_id": access_key or None,
            "aws_secret_access_key": secret_key or None,
            "region_name": region or "us-east-1",
        }
        self._client = None
        self._client_pid = None

    def __repr__(self) -> str:
        return f"S3Storage(bucket={self.bucket!r}, endpoint={self._settings['endpoint_url']!r})"

    @property
    def client(self):
        # Made on first use, and again in a forked child (a Celery or gunicorn worker):
        # connection pools must not be shared across fork.
        if self._client is None or self._client_pid != os.getpid():
            import boto3
            from botocore.config import Config

            s3_options = {
                # botocore would otherwise re-read every part in 1 MB blocks to sign its
                # hash over plain HTTP (up to a MB per part in flight); over HTTPS it
                # never does, so this also makes a test server behave like production.
                "payload_signing_enabled": False,
            }
            if self._settings["endpoint_url"]:
                # Path-style URLs work on every S3-compatible server (no wildcard DNS).
                s3_options["addressing_style"] = "path"
            config = Config(
                s3=s3_options,
                retries={"max_attempts": 3, "mode": "standard"},
                # Only the checksums S3 requires: several compatible servers reject the
                # newer default trailing checksums.
                request_checksum_calculation="when_required",
                response_checksum_validation="when_required",
            )
            self._client = boto3.session.Session().client("s3", config=config, **self._settings)
            self._client_pid = os.getpid()
        return self._client

    def _key(self, sha256: str) -> str:
        return self.prefix + check_key(sha256)

    def put_stream(self, stream: BinaryIO, max_bytes: int) -> StoredBlob:
        fd, tmp_path = tempfile.mkstemp(prefix="nic-upload-")
        try:
            with os.fdopen(fd, "wb") as spooled:
                sha256, size, head = spool(stream, spooled, max_bytes)
            if not self.exists(sha256):
                # By file name, not file object: s3transfer then reads each part lazily
                # from disk instead of holding whole 8 MB parts in memory.
                self.client.upload_file(
                    tmp_path,
                    self.bucket,
                    self._key(sha256),
                    # The type is decided when the file is served, from the sniffed type
                    # kept with the version; the object itself is opaque bytes.
                    ExtraArgs={"ContentType": "application/octet-stream"},
                    Config=_transfer_config(),
                )
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp_path)
        return StoredBlob(sha256=sha256, size=size, head=head)

    def open(self, sha256: str) -> BinaryIO:
        raw = _S3Reader(self.client, self.bucket, self._key(sha256))
        return io.BufferedReader(raw, buffer_size=CHUNK_SIZE)

    def exists(self, sha256: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            self.client.head_object(Bucket=self.bucket, Key=self._key(sha256))
        except ClientError as exc:
            if _is_missing(exc):
                return False
            raise
        return True

    def delete(self, sha256: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self._key(sha256))

    def local_path(self, sha256: str) -> str | None:
        check_key(sha256)
        return None

    def ensure_bucket(self) -> None:
        """Create the bucket if it is missing (set-up and tests; production buckets are
        usually made by whoever runs the object store)."""
        from botocore.exceptions import ClientError

        try:
            self.client.head_bucket(Bucket=self.bucket)
        except ClientError as exc:
            if not _is_missing(exc):
                raise
            self.client.create_bucket(Bucket=self.bucket)


def _transfer_config():
    from boto3.s3.transfer import TransferConfig

    # Multipart above 8 MB (the default), a few parts in flight at most.
    return TransferConfig(max_concurrency=4)


class _S3Reader(io.RawIOBase):
    """A seekable raw stream over one object. The first GET happens at open (so a missing
    blob fails there, as a missing file would); a seek drops the current response and
    the next read asks for `Range: bytes=<pos>-`."""

    def __init__(self, client, bucket: str, key: str):
        from botocore.exceptions import ClientError

        self._client, self._bucket, self._key = client, bucket, key
        try:
            response = client.get_object(Bucket=bucket, Key=key)
        except ClientError as exc:
            if _is_missing(exc):
                raise BlobNotFound(key) from None
            raise
        self._size = response["ContentLength"]
        self._body = response["Body"]
        self._pos = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        if whence == io.SEEK_SET:
            target = offset
        elif whence == io.SEEK_CUR:
            target = self._pos + offset
        elif whence == io.SEEK_END:
            target = self._size + offset
        else:
            raise ValueError(f"invalid whence {whence}")
        if target < 0:
            raise ValueError("negative seek position")
        if target != self._pos:
            self._drop_body()
            self._pos = target
        return self._pos

    def readinto(self, buffer) -> int:
        if self._pos >= self._size:
            return 0
        if self._body is None:
            response = self._client.get_object(Bucket=self._bucket, Key=self._key, Range=f"bytes={self._pos}-")
            self._body = response["Body"]
        data = self._body.read(len(buffer))
        n = len(data)
        if n == 0:
            raise OSError(f"s3 object {self._key} ended at {self._pos} of {self._size} bytes")
        buffer[:n] = data
        self._pos += n
        return n

    def close(self) -> None:
        self._drop_body()
        super().close()

    def _drop_body(self) -> None:
        if self._body is not None:
            self._body.close()
            self._body = None


def _is_missing(exc) -> bool:
    error = exc.response.get("Error", {})
    status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    return status == 404 or error.get("Code") in {"404", "NoSuchKey", "NoSuchBucket", "NotFound"}
