"""What a file IS, from its bytes, against an allow-list; and safe download names.

The name and the declared type of an upload are never trusted: `sniff` looks at the
content (magic numbers; the directory of OLE2 and ZIP containers; UTF-8 validity for
text) and answers with one of the allowed types, or raises UnsupportedType with a
message for the person uploading. The name is only a hint to tell CSV and Markdown
from plain text, which look alike.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import BinaryIO

from nic.storage import CHUNK_SIZE, EmptyFile
from nic.storage.containers import (
    OLE_MAGIC,
    ContainerError,
    content_type_overrides,
    has_member,
    ole_entry_names,
    open_zip,
)
from nic.storage.names import safe_filename  # noqa: F401  (re-exported: the documented home)

ALLOWED_SUMMARY = "only documents, spreadsheets, presentations, images and text can be shared."


class UnsupportedType(Exception):
    """Not on the allow-list (-> 415). str(exc) is a message to show the user; `.what`
    is the short description of what the file looks like."""

    def __init__(self, what: str, hint: str = ""):
        self.what = what
        message = f"This file looks like {what}; {ALLOWED_SUMMARY}"
        super().__init__(f"{message} {hint}".strip())


@dataclass(frozen=True)
class Sniffed:
    content_type: str  # e.g. "application/pdf"; never text/html or image/svg+xml
    extension: str  # e.g. "pdf" (no dot)
    kind_label: str  # e.g. "PDF document", for people

    @property
    def previewable(self) -> bool:
        """Images (PNG/JPEG/GIF/WebP) and PDF may be shown inline through the safe route."""
        return self.content_type in PREVIEWABLE_TYPES


PDF = Sniffed("application/pdf", "pdf", "PDF document")
PNG = Sniffed("image/png", "png", "PNG image")
JPEG = Sniffed("image/jpeg", "jpg", "JPEG image")
GIF = Sniffed("image/gif", "gif", "GIF image")
WEBP = Sniffed("image/webp", "webp", "WebP image")
DOC = Sniffed("application/msword", "doc", "Word document (97-2003)")
XLS = Sniffed("application/vnd.ms-excel", "xls", "Excel spreadsheet (97-2003)")
PPT = Sniffed("application/vnd.ms-powerpoint", "ppt", "PowerPoint presentation (97-2003)")
DOCX = Sniffed("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx", "Word document")
XLSX = Sniffed("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx", "Excel spreadsheet")
PPTX = Sniffed(
    "application/vnd.openxmlformats-officedocument.presentationml.presentation", "pptx", "PowerPoint presentation"
)
CSV = Sniffed("text/csv; charset=utf-8", "csv", "CSV spreadsheet")
MARKDOWN = Sniffed("text/markdown; charset=utf-8", "md", "Markdown text")
TEXT = Sniffed("text/plain; charset=utf-8", "txt", "Text file")

ALLOWED = (PDF, PNG, JPEG, GIF, WEBP, DOC, XLS, PPT, DOCX, XLSX, PPTX, CSV, MARKDOWN, TEXT)
ALLOWED_TYPES = frozenset(s.content_type for s in ALLOWED)
PREVIEWABLE_TYPES = frozenset({"application/pdf", "image/png", "image/jpeg", "image/gif", "image/webp"})
BY_CONTENT_TYPE = {s.content_type: s for s in ALLOWED}

_IMAGE_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", PNG),
    (b"\xff\xd8\xff", JPEG),
    (b"GIF87a", GIF),
    (b"GIF89a", GIF),
)
_OOXML_MAIN = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": DOCX,
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": XLSX,
    "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml": PPTX,
}
_OOXML_MACROS = (
    "application/vnd.ms-word.document.macroEnabled.main+xml",
    "application/vnd.ms-excel.sheet.macroEnabled.main+xml",
    "application/vnd.ms-powerpoint.presentation.macroEnabled.main+xml",
)
# Recognised only to say clearly what a refused file is.
_REFUSED_MAGIC = (
    (b"MZ", "a Windows program (EXE)", ""),
    (b"\x7fELF", "a Linux program (ELF)", ""),
    (b"\xfe\xed\xfa\xce", "a macOS program", ""),
    (b"\xfe\xed\xfa\xcf", "a macOS program", ""),
    (b"\xce\xfa\xed\xfe", "a macOS program", ""),
    (b"\xcf\xfa\xed\xfe", "a macOS program", ""),
    (b"\xca\xfe\xba\xbe", "a program (Java class or macOS binary)", ""),
    (b"\x00asm", "a WebAssembly program", ""),
    (b"#!", "a script", ""),
    (b"Rar!\x1a\x07", "a RAR archive", "Share the files inside it one by one."),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive", "Share the files inside it one by one."),
    (b"\x1f\x8b", "a gzip archive", "Share the files inside it one by one."),
    (b"{\\rtf", "a Rich Text (RTF) file", "Save it as a Word document or PDF first."),
    (b"II*\x00", "a TIFF image", "Export it as PNG or JPEG first."),
    (b"MM\x00*", "a TIFF image", "Export it as PNG or JPEG first."),
)
_MARKUP = re.compile(r"<(!doctype\s+(html|svg)|html|head|body|script|iframe|svg|object|embed)\b")


def sniff(head: bytes, blob_reader: Callable[[], BinaryIO], filename: str = "") -> Sniffed:
    """Sniffed type from CONTENT. `head` is the first 8 KiB (StoredBlob.head); `blob_reader`
    opens the whole blob when the head is not enough (ZIP-based Office files, whose
    [Content_Types].xml is read with a size cap; OLE2 directories; CSV/text validation).
    `filename` is only a hint to tell CSV / Markdown / plain text apart for text that is
    valid UTF-8. Raises UnsupportedType for anything else (executables, HTML, SVG,
    scripts, archives...), EmptyFile for no bytes."""
    if not head:
        raise EmptyFile()
    if head.startswith(b"%PDF-"):
        return PDF
    for magic, sniffed in _IMAGE_MAGIC:
        if head.startswith(magic):
            return sniffed
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    if head.startswith(OLE_MAGIC):
        return _with_reader(blob_reader, _sniff_ole)
    if head.startswith(b"PK\x03\x04"):
        return _with_reader(blob_reader, _sniff_zip)
    if head.startswith(b"PK\x05\x06"):
        raise UnsupportedType("an empty ZIP archive")
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in (b"heic", b"heix", b"mif1", b"msf1", b"avif"):
            raise UnsupportedType("a HEIC/AVIF photo", "Export it as JPEG or PNG first.")
        raise UnsupportedType("a video or audio file (MP4/MOV)", "Share a link to it instead.")
    for magic, what, hint in _REFUSED_MAGIC:
        if head.startswith(magic):
            raise UnsupportedType(what, hint)
    return _sniff_text(head, blob_reader, filename)


def _with_reader(blob_reader: Callable[[], BinaryIO], check: Callable[[BinaryIO], Sniffed]) -> Sniffed:
    with blob_reader() as fp:
        if not fp.seekable():
            # Both storages give seekable streams; a plain pipe is copied to disk first.
            with tempfile.TemporaryFile() as copy:
                shutil.copyfileobj(fp, copy, CHUNK_SIZE)
                return check(copy)
        return check(fp)


def _sniff_ole(fp: BinaryIO) -> Sniffed:
    try:
        names = {name.lower() for name in ole_entry_names(fp)}
    except ContainerError as exc:
        raise UnsupportedType(str(exc)) from None
    if "encryptedpackage" in names or "encryptioninfo" in names:
        raise UnsupportedType("a password-protected Office file", "Remove the password and upload it again.")
    if "worddocument" in names:
        return DOC
    if "workbook" in names or "book" in names:
        return XLS
    if "powerpoint document" in names:
        return PPT
    raise UnsupportedType(
        "an OLE compound file that is not a Word, Excel or PowerPoint document (for example a Windows installer)"
    )


def _sniff_zip(fp: BinaryIO) -> Sniffed:
    try:
        archive = open_zip(fp)
    except ContainerError as exc:
        raise UnsupportedType(str(exc)) from None
    with archive:
        names = archive.namelist()
        if any(n.lower() == "[content_types].xml" for n in names):
            try:
                overrides = content_type_overrides(archive)
            except ContainerError as exc:
                raise UnsupportedType(str(exc)) from None
            for content_type, sniffed in _OOXML_MAIN.items():
                part = overrides.get(content_type)
                if part is not None:
                    if not has_member(archive, part):
                        raise UnsupportedType(f"a damaged {sniffed.kind_label} (its main part is missing)")
                    return sniffed
            if any(t in overrides for t in _OOXML_MACROS):
                raise UnsupportedType(
                    "an Office file with macros (.docm, .xlsm or .pptm)",
                    "Macros can run programs: save it as .docx, .xlsx or .pptx first.",
                )
            raise UnsupportedType(
                "an Office file of a kind that cannot be shared (for example a template)",
                "Save it as a .docx, .xlsx or .pptx first.",
            )
        if "mimetype" in names:
            raise UnsupportedType(
                "an OpenDocument file (.odt, .ods or .odp)", "Save it in Word, Excel or PowerPoint format first."
            )
    raise UnsupportedType("a ZIP archive", "Share the files inside it one by one.")


def _sniff_text(head: bytes, blob_reader: Callable[[], BinaryIO], filename: str) -> Sniffed:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise UnsupportedType("a UTF-16 text file", "Save it as UTF-8 text first.")
    if b"\x00" in head or not _utf8_prefix_ok(head):
        raise UnsupportedType("a file of a type that could not be recognised")
    start = head.decode("utf-8", errors="ignore").lstrip("\ufeff \t\r\n").lower()
    if start.startswith("<?xml"):
        if "<svg" in start:
            raise UnsupportedType("an SVG image (SVG can carry scripts)", "Export it as PNG first.")
        if "<html" in start:
            raise UnsupportedType("a web page (HTML)")
        raise UnsupportedType("an XML file")
    if start.startswith("<") and (match := _MARKUP.search(start[:1024])):
        if "svg" in match.group(0):
            raise UnsupportedType("an SVG image (SVG can carry scripts)", "Export it as PNG first.")
        raise UnsupportedType("a web page (HTML)", "Share a link to it instead.")
    with blob_reader() as fp:
        if not _all_utf8_without_nul(fp):
            raise UnsupportedType("a file of a type that could not be recognised", "Text files must be saved as UTF-8.")
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in (filename or "") else ""
    if suffix in ("md", "markdown"):
        return MARKDOWN
    if suffix == "csv":
        with blob_reader() as fp:
            if _parses_as_csv(fp):
                return CSV
    return TEXT


def _utf8_prefix_ok(head: bytes) -> bool:
    """The head may end in the middle of a character: decode it incrementally."""
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return False
    return True


def _all_utf8_without_nul(fp: BinaryIO) -> bool:
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        while chunk := fp.read(CHUNK_SIZE):
            if b"\x00" in chunk:
                return False
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _parses_as_csv(fp: BinaryIO) -> bool:
    text = io.TextIOWrapper(fp, encoding="utf-8-sig", newline="")
    try:
        for _row in csv.reader(text, strict=True):
            pass
    except csv.Error:
        return False
    finally:
        text.detach()  # the caller closes the underlying stream
    return True
