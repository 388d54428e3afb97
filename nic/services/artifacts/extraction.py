"""Text and previews from uploaded files: the words inside PDFs, Word, PowerPoint and
Excel files and text files (so the library's search finds them), and a small PNG of an
image or of a PDF's first page.

Pure functions of bytes: no Flask, no database. They run in a Celery task on files that
anyone in a network may have uploaded, so every one is bounded: pages, characters, a time
budget, the sizes a ZIP's directory declares and the bytes it really inflates, pixels.
Anything wrong with a file raises `ExtractionFailed` with a short message a person can
read; the caller records it and the artifact stays usable.
"""
from __future__ import annotations

import io
import os
import re
import time
import warnings
from dataclasses import dataclass
from typing import BinaryIO

from nic.services.artifacts.ooxml import OOXML_TYPES, ooxml_text

PDF = "application/pdf"
TEXT_TYPES = frozenset({"text/plain", "text/csv", "text/markdown"})
IMAGE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})
_PIL_FORMATS = ["PNG", "JPEG", "GIF", "WEBP"]  # Pillow may open only what the sniffer allows

PREVIEW_MAX_PX = 480


class ExtractionFailed(Exception):
    """A file could not be read, or reading it would cross a limit. The message is shown
    to people (the version's extraction_error): short, plain, no internals."""


@dataclass(frozen=True)
class Limits:
    max_pages: int = 200               # PDF pages read
    # Characters kept; the rest is not searched. PostgreSQL refuses a tsvector over 1 MB,
    # which 550,000 characters of distinct words reach: 400,000 leaves room for the title,
    # description and tags indexed with it.
    max_chars: int = 400_000
    seconds: float = 60.0              # wall-clock budget for one file
    # OOXML (a ZIP of XML parts): checked against the ZIP directory before reading, and
    # again against the bytes really inflated, which a crafted file can make differ.
    max_zip_members: int = 5_000
    max_member_bytes: int = 32 * 1024 * 1024
    max_total_bytes: int = 64 * 1024 * 1024
    max_ratio: int = 200               # uncompressed / compressed, for members over 1 MiB
    max_image_pixels: int = 50_000_000  # about 7,000 x 7,000


DEFAULT_LIMITS = Limits()


def normalise_type(content_type: str | None) -> str:
    """'Text/CSV; charset=utf-8' -> 'text/csv'."""
    return (content_type or "").split(";", 1)[0].strip().lower()


def extracts(content_type: str | None) -> bool:
    """Whether `extract_text` reads this type (images and legacy Office files: no)."""
    kind = normalise_type(content_type)
    return kind == PDF or kind in TEXT_TYPES or kind in OOXML_TYPES


def previews(content_type: str | None) -> bool:
    kind = normalise_type(content_type)
    return kind == PDF or kind in IMAGE_TYPES


class Budget:
    """A deadline shared by every step of one file."""

    def __init__(self, seconds: float):
        self.deadline = time.monotonic() + seconds

    def check(self) -> None:
        if time.monotonic() > self.deadline:
            raise ExtractionFailed("Reading the file took too long.")


# --- text ---------------------------------------------------------------------------------

def extract_text(source, content_type: str, limits: Limits = DEFAULT_LIMITS) -> str:
    """The searchable text of a file at a path or in a binary stream, at most
    `limits.max_chars` characters. Raises ValueError for a type with no text to extract
    (check `extracts()` first) and ExtractionFailed for a file that cannot be read."""
    kind = normalise_type(content_type)
    budget = Budget(limits.seconds)
    if kind == PDF:
        text = _pdf_text(source, limits, budget)
    elif kind in TEXT_TYPES:
        text = _plain_text(source, limits)
    elif kind in OOXML_TYPES:
        text = ooxml_text(source, kind, limits, budget, ExtractionFailed)
    else:
        raise ValueError(f"no text extraction for {kind or 'an unknown type'}")
    return clean_text(text, limits.max_chars)


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SPACES = re.compile(r"[ \t\u00a0]+")
_BLANK_LINES = re.compile(r"\n{3,}")


def clean_text(text: str, max_chars: int) -> str:
    """Drop control characters (PostgreSQL text refuses NUL), squeeze runs of spaces and
    blank lines, and cut at max_chars."""
    text = _CONTROL.sub(" ", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = _BLANK_LINES.sub("\n\n", _SPACES.sub(" ", text))
    return "\n".join(line.strip() for line in text.split("\n")).strip()[:max_chars]


def _pdf_text(source, limits: Limits, budget: Budget) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(_seekable(source))
        if reader.is_encrypted:
            # Many PDFs are "encrypted" with an empty user password only to stop editing.
            try:
                if not reader.decrypt(""):
                    raise ExtractionFailed("The PDF is protected by a password.")
            except ExtractionFailed:
                raise
            except Exception as exc:
                raise ExtractionFailed("The PDF is protected by a password.") from exc
        parts, total = [], 0
        for index, page in enumerate(reader.pages):
            if index >= limits.max_pages or total >= limits.max_chars:
                break
            budget.check()
            text = page.extract_text() or ""
            parts.append(text)
            total += len(text)
        return "\n\n".join(parts)
    except ExtractionFailed:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, IndexError,
            AssertionError, RecursionError, ZeroDivisionError) as exc:
        # pypdf reports a damaged file through many exception types.
        raise ExtractionFailed("The PDF could not be read; it may be damaged.") from exc


def _plain_text(source, limits: Limits) -> str:
    # UTF-8 takes at most 4 bytes a character: reading 4x max_chars bytes is enough.
    data = _read_at_most(source, limits.max_chars * 4)
    return decode_text(data)


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without a BOM), UTF-16 with a BOM, else Windows-1252, which every
    byte decodes in: spreadsheets saved as CSV on Windows are often that."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if exc.start >= len(data) - 3:  # cut in the middle of the last character
            return data[:exc.start].decode("utf-8-sig", errors="replace")
        return data.decode("cp1252", errors="replace")


# --- previews -----------------------------------------------------------------------------

def make_preview(source, content_type: str, limits: Limits = DEFAULT_LIMITS) -> bytes | None:
    """A PNG at most PREVIEW_MAX_PX on its longer side: an image scaled down, or a PDF's
    first page. None for types with no preview."""
    kind = normalise_type(content_type)
    if kind in IMAGE_TYPES:
        return _image_preview(source, limits)
    if kind == PDF:
        return _pdf_preview(source)
    return None


def _image_preview(source, limits: Limits) -> bytes:
    from PIL import Image, ImageOps, UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            # Pillow warns (then raises) past Image.MAX_IMAGE_PIXELS, a process-wide
            # setting: make its warning an error, and check our own, lower, limit
            # from the header before a single pixel is decoded.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(_seekable(source), formats=_PIL_FORMATS) as image:
                width, height = image.size
                if width <= 0 or height <= 0:
                    raise ExtractionFailed("The image has no size.")
                if width * height > limits.max_image_pixels:
                    raise ExtractionFailed("The image is too large to preview.")
                image.draft("RGB", (PREVIEW_MAX_PX, PREVIEW_MAX_PX))  # JPEG: decode scaled down
                image.seek(0)  # the first frame of an animation
                frame = ImageOps.exif_transpose(image)
                frame = frame.convert("RGBA" if _has_alpha(frame) else "RGB")
                frame.thumbnail((PREVIEW_MAX_PX, PREVIEW_MAX_PX))
                return _png(frame)
    except ExtractionFailed:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ExtractionFailed("The image is too large to preview.") from exc
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError) as exc:
        raise ExtractionFailed("The image could not be read; it may be damaged.") from exc


def _has_alpha(image) -> bool:
    return image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info)


def _pdf_preview(source) -> bytes:
    import pypdfium2 as pdfium

    try:
        document = pdfium.PdfDocument(_pdfium_input(source))
    except pdfium.PdfiumError as exc:
        raise ExtractionFailed("The PDF could not be read; it may be damaged.") from exc
    try:
        if len(document) == 0:
            raise ExtractionFailed("The PDF has no pages.")
        page = document[0]
        try:
            width, height = page.get_size()
            if width <= 0 or height <= 0:
                raise ExtractionFailed("The PDF's first page has no size.")
            scale = PREVIEW_MAX_PX / max(width, height)
            bitmap = page.render(scale=scale, may_draw_forms=False)
            try:
                image = bitmap.to_pil()
                image.thumbnail((PREVIEW_MAX_PX, PREVIEW_MAX_PX))  # rounding may add a pixel
                return _png(image.convert("RGB"))
            finally:
                bitmap.close()
        finally:
            page.close()
    except pdfium.PdfiumError as exc:
        raise ExtractionFailed("The PDF's first page could not be drawn.") from exc
    finally:
        document.close()


def _png(image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


# --- sources ------------------------------------------------------------------------------

def _seekable(source):
    """A path as is; a seekable stream as is; anything else read into memory (callers
    bound the size: uploads are capped)."""
    if isinstance(source, (str, os.PathLike)):
        return source
    if _is_seekable(source):
        return source
    return io.BytesIO(source.read())


def _is_seekable(stream) -> bool:
    try:
        return bool(stream.seekable())
    except (AttributeError, OSError, ValueError):
        return False


def _pdfium_input(source):
    if isinstance(source, (str, os.PathLike)):
        return os.fspath(source)
    stream = _seekable(source)
    stream.seek(0)
    return stream.read()  # pdfium wants a path or bytes; the upload cap bounds this


def _read_at_most(source, limit: int) -> bytes:
    if isinstance(source, (str, os.PathLike)):
        with open(source, "rb") as handle:
            return handle.read(limit)
    stream: BinaryIO = source
    return stream.read(limit)
