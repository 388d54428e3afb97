"""Blob storage behind one small interface.

Blobs are content-addressed: the key of a stored file IS the SHA-256 of its bytes, so a
stored name never comes from a user and the same bytes uploaded twice are kept once.
Two implementations: local disk under NIC_DATA_DIR/blobs (the default, `local.py`) and
S3-compatible object storage (`s3.py`), which several web servers on several machines
can share. What a file *is* (the allow-list) lives in `sniff.py`; sending files to
browsers safely in `nic/storage/downloads.py`.

Callers own the bookkeeping: a blob may be shared by several versions (dedup), so
delete it only when no row references its sha256 any more.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import BinaryIO, Protocol

from nic.words import plural

CHUNK_SIZE = 64 * 1024
HEAD_SIZE = 8 * 1024
_SHA256 = re.compile(r"[0-9a-f]{64}")


class StorageError(Exception):
    """Base of the storage errors callers turn into answers."""


class TooLarge(StorageError):
    """More than max_bytes arrived; nothing was stored (-> 413)."""

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        super().__init__(f"The file is larger than the upload limit ({_human(max_bytes)}).")


class EmptyFile(StorageError):
    """The upload had no bytes; nothing was stored (-> 422)."""

    def __init__(self):
        super().__init__("The file is empty.")


class BlobNotFound(StorageError):
    """open() on a sha256 that is not stored."""


@dataclass(frozen=True)
class StoredBlob:
    sha256: str  # hex, lower case: the key
    size: int  # bytes
    head: bytes  # the first HEAD_SIZE (8 KiB) bytes, for sniffing


class Storage(Protocol):
    def put_stream(self, stream: BinaryIO, max_bytes: int) -> StoredBlob:
        """Read `stream` in CHUNK_SIZE chunks to a temp file (never whole in memory) while
        hashing; raise TooLarge as soon as more than max_bytes were read and EmptyFile on 0
        bytes (no trace left either way); else store under key = sha256 (a no-op when that
        blob already exists) and return it."""
        ...

    def open(self, sha256: str) -> BinaryIO:
        """A readable, seekable binary stream of the blob (the caller closes it);
        BlobNotFound if absent."""
        ...

    def exists(self, sha256: str) -> bool: ...

    def delete(self, sha256: str) -> None:
        """Remove the blob (no error if absent). Callers delete only when no version
        references it any more."""
        ...

    def local_path(self, sha256: str) -> str | None:
        """A path on disk when the backend has one (local storage), else None."""
        ...


def check_key(sha256: str) -> str:
    """Keys are 64 lower-case hex digits, nothing else: a key never becomes a path or an
    object name that a caller could steer."""
    if not isinstance(sha256, str) or not _SHA256.fullmatch(sha256):
        raise ValueError(f"not a sha256 key: {sha256!r}")
    return sha256


def get_storage(app=None) -> Storage:
    """The storage configured for `app` (default: current_app): NIC_STORAGE=local (default;
    NIC_DATA_DIR/blobs/ab/cd/<sha256>) or s3 (NIC_S3_ENDPOINT, NIC_S3_BUCKET,
    NIC_S3_ACCESS_KEY, NIC_S3_SECRET_KEY, NIC_S3_REGION). One instance per app, made on
    first use (no I/O when the app is built)."""
    if app is None:
        from flask import current_app

        app = current_app._get_current_object()
    storage = app.extensions.get("nic_storage")
    if storage is None:
        storage = _build(app.config)
        app.extensions["nic_storage"] = storage
    return storage


def max_upload_bytes(app=None) -> int:
    """The per-file limit to pass to put_stream: NIC_MAX_UPLOAD_MB (default 25) in bytes."""
    if app is None:
        from flask import current_app

        app = current_app
    return int(app.config.get("NIC_MAX_UPLOAD_MB") or 25) * 1024 * 1024


def _build(config) -> Storage:
    kind = (config.get("NIC_STORAGE") or "local").lower()
    if kind == "local":
        from nic.storage.local import LocalStorage

        return LocalStorage(config["NIC_DATA_DIR"])
    if kind == "s3":
        from nic.storage.s3 import S3Storage

        return S3Storage(
            bucket=config.get("NIC_S3_BUCKET"),
            endpoint_url=config.get("NIC_S3_ENDPOINT"),
            access_key=config.get("NIC_S3_ACCESS_KEY"),
            secret_key=config.get("NIC_S3_SECRET_KEY"),
            region=config.get("NIC_S3_REGION"),
        )
    raise ValueError(f"NIC_STORAGE must be 'local' or 's3', not {kind!r}")


def _human(size: int) -> str:
    mib = size / (1024 * 1024)
    return f"{mib:g} MB" if mib >= 1 else plural(size, "byte")


__all__ = [
    "CHUNK_SIZE",
    "HEAD_SIZE",
    "BlobNotFound",
    "EmptyFile",
    "Storage",
    "StorageError",
    "StoredBlob",
    "TooLarge",
    "check_key",
    "get_storage",
    "max_upload_bytes",
]
