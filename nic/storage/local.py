"""Blobs on local disk: NIC_DATA_DIR/blobs/<aa>/<bb>/<sha256>.

An upload is written to a temp file under blobs/tmp (the same file system, so the final
os.replace is atomic: a reader sees the whole blob or none), then renamed to its hash.
Two uploads of the same bytes racing each other both rename onto the same name with the
same content, which is harmless.
"""

from __future__ import annotations

import contextlib
import logging
import os
import tempfile
from typing import BinaryIO

from nic.storage import BlobNotFound, StoredBlob, check_key
from nic.storage.spool import spool

logger = logging.getLogger(__name__)


class LocalStorage:
    def __init__(self, data_dir: str):
        self.root = os.path.join(os.path.abspath(data_dir), "blobs")
        self.tmp_dir = os.path.join(self.root, "tmp")

    def __repr__(self) -> str:
        return f"LocalStorage({self.root!r})"

    def _path(self, sha256: str) -> str:
        check_key(sha256)
        return os.path.join(self.root, sha256[:2], sha256[2:4], sha256)

    def put_stream(self, stream: BinaryIO, max_bytes: int) -> StoredBlob:
        os.makedirs(self.tmp_dir, exist_ok=True)
        fd, tmp_path = tempfile.mkstemp(prefix="upload-", dir=self.tmp_dir)
        try:
            with os.fdopen(fd, "wb") as target:
                sha256, size, head = spool(stream, target, max_bytes)
                target.flush()
                os.fsync(target.fileno())
            final = self._path(sha256)
            if os.path.exists(final):
                os.unlink(tmp_path)  # already stored: keep the one copy
            else:
                os.makedirs(os.path.dirname(final), exist_ok=True)
                os.replace(tmp_path, final)
        except BaseException:
            _unlink_quietly(tmp_path)
            raise
        return StoredBlob(sha256=sha256, size=size, head=head)

    def open(self, sha256: str) -> BinaryIO:
        try:
            return open(self._path(sha256), "rb")
        except FileNotFoundError:
            raise BlobNotFound(sha256) from None

    def exists(self, sha256: str) -> bool:
        return os.path.isfile(self._path(sha256))

    def delete(self, sha256: str) -> None:
        _unlink_quietly(self._path(sha256))

    def local_path(self, sha256: str) -> str | None:
        path = self._path(sha256)
        return path if os.path.isfile(path) else None


def _unlink_quietly(path: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)
