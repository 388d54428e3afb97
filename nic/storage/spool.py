"""Copy an incoming stream to a file while hashing it, within a size limit: the one
place the upload bytes pass through, shared by both backends."""

from __future__ import annotations

import hashlib
from typing import BinaryIO

from nic.storage import CHUNK_SIZE, HEAD_SIZE, EmptyFile, TooLarge


def spool(stream: BinaryIO, target: BinaryIO, max_bytes: int) -> tuple[str, int, bytes]:
    """Write `stream` to `target` in CHUNK_SIZE pieces; return (sha256, size, head).

    Never asks the stream for more than max_bytes + 1 bytes in all, so an oversized
    upload is noticed after reading at most one byte past the limit (TooLarge), whatever
    the client claimed. EmptyFile when nothing came. The caller removes `target` on error.
    """
    if max_bytes < 0:
        raise ValueError("max_bytes must be >= 0")
    digest = hashlib.sha256()
    head = bytearray()
    size = 0
    while True:
        # One byte more than allowed is how we know the limit was passed.
        wanted = min(CHUNK_SIZE, max_bytes + 1 - size)
        chunk = stream.read(wanted)
        if not chunk:
            break
        size += len(chunk)
        if size > max_bytes:
            raise TooLarge(max_bytes)
        digest.update(chunk)
        if len(head) < HEAD_SIZE:
            head += chunk[: HEAD_SIZE - len(head)]
        target.write(chunk)
    if size == 0:
        raise EmptyFile()
    return digest.hexdigest(), size, bytes(head)
