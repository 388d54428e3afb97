"""Sending stored files to browsers safely.

Downloads are always attachments with the sniffed type and `nosniff`, so a browser
never renders an uploaded file as a page of ours; a sandboxing CSP is a second lock in
case one does. Only images and PDFs are ever shown inline, through `send_preview`.
Both stream from storage in chunks (on local disk the server may use sendfile).
"""

from __future__ import annotations

import unicodedata
from urllib.parse import quote

from flask import Response, abort, request
from werkzeug.wsgi import wrap_file

from nic.storage import CHUNK_SIZE, BlobNotFound
from nic.storage.names import safe_filename
from nic.storage.sniff import ALLOWED_TYPES, BY_CONTENT_TYPE, PREVIEWABLE_TYPES

DOWNLOAD_CSP = "default-src 'none'; sandbox"
# Images open as a plain image document: no script, no plugin, and only our pages may
# frame them. Chromium refuses to run its PDF viewer in a sandboxed document, so a PDF
# gets the same policy without `sandbox` (PDF viewers run their own sandbox).
IMAGE_PREVIEW_CSP = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'self'; sandbox"
PDF_PREVIEW_CSP = (
    "default-src 'none'; img-src 'self' data: blob:; style-src 'unsafe-inline'; object-src 'self'; "
    "frame-ancestors 'self'"
)


def send_download(storage, version) -> Response:
    """Stream `version` (an ArtifactVersion: sha256, size, content_type, filename) as an
    attachment: Content-Disposition attachment with a sanitised filename*=UTF-8''...,
    X-Content-Type-Options: nosniff, Content-Security-Policy: default-src 'none'; sandbox,
    and the sniffed content type (never text/html or image/svg+xml)."""
    content_type = version.content_type if version.content_type in ALLOWED_TYPES else "application/octet-stream"
    sniffed = BY_CONTENT_TYPE.get(content_type)
    filename = safe_filename(version.filename, "download", sniffed.extension if sniffed else None)
    response = _stream(storage, version.sha256, content_type, getattr(version, "size", None))
    response.headers["Content-Disposition"] = content_disposition("attachment", filename)
    response.headers["Content-Security-Policy"] = DOWNLOAD_CSP
    return response


def send_preview(storage, version_or_blob, content_type: str | None = None, filename: str | None = None) -> Response:
    """Inline view ONLY for PNG/JPEG/GIF/WebP images and PDF, with nosniff and a
    restrictive CSP; anything else aborts 404. `version_or_blob` is an ArtifactVersion
    or a sha256 string (then give content_type, e.g. "image/png" for a thumbnail)."""
    if isinstance(version_or_blob, str):
        sha256, size = version_or_blob, None
    else:
        sha256, size = version_or_blob.sha256, getattr(version_or_blob, "size", None)
        content_type = version_or_blob.content_type
        filename = filename or version_or_blob.filename
    if content_type not in PREVIEWABLE_TYPES:
        abort(404)
    response = _stream(storage, sha256, content_type, size)
    sniffed = BY_CONTENT_TYPE[content_type]
    name = safe_filename(filename, "preview", sniffed.extension)
    response.headers["Content-Disposition"] = content_disposition("inline", name)
    response.headers["Content-Security-Policy"] = (
        PDF_PREVIEW_CSP if content_type == "application/pdf" else IMAGE_PREVIEW_CSP
    )
    return response


def content_disposition(disposition: str, filename: str) -> str:
    """RFC 6266: an ASCII `filename` for old clients and the exact UTF-8 name in
    `filename*`. safe_filename already removed quotes, backslashes and controls."""
    ascii_name = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode("ascii")
    ascii_name = "".join(ch for ch in ascii_name if ch.isprintable() and ch not in '"\\').strip() or "download"
    return f"{disposition}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"


def _stream(storage, sha256: str, content_type: str, size: int | None) -> Response:
    # Blobs never change under a key, so the hash is a perfect ETag; answer 304 without
    # opening storage at all.
    if request.if_none_match.contains(sha256):
        response = Response(status=304)
    else:
        try:
            stream = storage.open(sha256)
        except BlobNotFound:
            abort(404)
        response = Response(wrap_file(request.environ, stream, CHUNK_SIZE), direct_passthrough=True)
        if size is not None:
            response.content_length = size
    if content_type.startswith("text/") and "charset" not in content_type:
        content_type = f"{content_type}; charset=utf-8"  # sniffing only accepts UTF-8 text
    response.headers["Content-Type"] = content_type
    response.set_etag(sha256)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cross-Origin-Resource-Policy"] = "same-origin"
    response.headers["Referrer-Policy"] = "no-referrer"
    # Access is per person (visibility rules): shared caches must not keep a copy.
    response.headers["Cache-Control"] = "private, no-cache"
    return response
