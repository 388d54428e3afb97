"""Text from Word, PowerPoint and Excel files (OOXML: a ZIP of XML parts), read with
the standard library so that every byte inflated and every XML construct is ours to
bound. A ZIP bomb is refused from its directory (sizes, ratios, member count) before a
byte is inflated, and again while inflating, since a crafted directory can lie. XML with
a DOCTYPE is refused outright: Office never writes one, and entity expansion lives there.
"""
from __future__ import annotations

import io
import os
import re
import struct
import zipfile
from xml.parsers import expat

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
OOXML_TYPES = frozenset({DOCX, PPTX, XLSX})

_CHUNK = 64 * 1024
_ONE_MIB = 1024 * 1024


def _number(name: str) -> int:
    found = re.search(r"(\d+)\.xml$", name)
    return int(found.group(1)) if found else 0


# Which parts hold the text, in reading order, and which elements in them.
def _docx_parts(names):
    extras = [n for n in names if re.fullmatch(r"word/(header\d*|footer\d*|footnotes|endnotes)\.xml", n)]
    return [n for n in ["word/document.xml"] if n in names] + sorted(extras)


def _pptx_parts(names):
    slides = [n for n in names if re.fullmatch(r"ppt/slides/slide\d+\.xml", n)]
    return sorted(slides, key=_number)


def _xlsx_parts(names):
    sheets = sorted((n for n in names if re.fullmatch(r"xl/worksheets/sheet\d+\.xml", n)), key=_number)
    return [n for n in ["xl/sharedStrings.xml"] if n in names] + sheets


# Local element names: text runs, and the elements that end a line or add a gap.
_FORMATS = {
    DOCX: (_docx_parts, {"t"}, {"p", "tr"}, {"tab", "br", "cr", "tc"}),
    PPTX: (_pptx_parts, {"t"}, {"p"}, {"br"}),
    XLSX: (_xlsx_parts, {"t"}, {"si", "row"}, {"c"}),
}


class _Refused(Exception):
    pass


def ooxml_text(source, kind: str, limits, budget, failure: type[Exception]) -> str:
    """The text of an OOXML file; raises `failure` with a short message when the file is
    damaged or crosses a limit."""
    parts_of, text_tags, line_tags, gap_tags = _FORMATS[kind]
    try:
        stream = _open(source)
        try:
            _check_entry_count(stream, limits.max_zip_members)
            with zipfile.ZipFile(stream) as archive:
                members = archive.infolist()
                if len(members) > limits.max_zip_members:
                    raise _Refused("The file has too many parts to read safely.")
                by_name = {member.filename: member for member in members}
                wanted = [by_name[name] for name in parts_of(list(by_name))]
                _check_directory(wanted, limits)
                collector = _TextCollector(text_tags, line_tags, gap_tags, limits.max_chars)
                inflated = 0
                for member in wanted:
                    budget.check()
                    inflated = _parse_member(archive, member, collector, limits, budget, inflated)
                    if collector.full:
                        break
                return collector.text()
        finally:
            if stream is not source:
                stream.close()
    except _Refused as exc:
        raise failure(str(exc)) from exc
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError, OSError,
            expat.ExpatError, KeyError, ValueError, RuntimeError) as exc:
        # RuntimeError: an encrypted member; NotImplementedError: an unknown compression.
        raise failure("The file could not be read; it may be damaged.") from exc


def _open(source):
    if isinstance(source, (str, os.PathLike)):
        return open(source, "rb")
    try:
        if source.seekable():
            return source
    except (AttributeError, OSError, ValueError):
        pass
    return io.BytesIO(source.read())  # bounded by the upload size cap


def _check_entry_count(stream, max_members: int) -> None:
    """Read the member count from the end-of-central-directory record before zipfile
    builds an object per entry (a 25 MB file can declare half a million)."""
    stream.seek(0, os.SEEK_END)
    size = stream.tell()
    tail_len = min(size, 22 + 65535)
    stream.seek(size - tail_len)
    tail = stream.read(tail_len)
    stream.seek(0)
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or at + 22 > len(tail):
        raise _Refused("The file could not be read; it may be damaged.")
    (entries,) = struct.unpack("<H", tail[at + 10:at + 12])
    if entries != 0xFFFF and entries > max_members:
        raise _Refused("The file has too many parts to read safely.")


def _check_directory(members, limits) -> None:
    total = 0
    for member in members:
        if member.file_size > limits.max_member_bytes:
            raise _Refused("A part of the file is too large to read safely.")
        if member.file_size > _ONE_MIB and member.file_size > limits.max_ratio * max(member.compress_size, 1):
            raise _Refused("The file is compressed suspiciously well (a ZIP bomb?); it was not read.")
        total += member.file_size
    if total > limits.max_total_bytes:
        raise _Refused("The file's text parts are too large to read safely.")


def _parse_member(archive, member, collector, limits, budget, inflated: int) -> int:
    """Stream one XML part through expat, counting the bytes really inflated."""
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartDoctypeDeclHandler = _refuse_doctype
    parser.EntityDeclHandler = _refuse_doctype
    parser.StartElementHandler = collector.start
    parser.EndElementHandler = collector.end
    parser.CharacterDataHandler = collector.data
    allowed = min(member.file_size, limits.max_member_bytes)
    read = 0
    with archive.open(member) as part:
        while chunk := part.read(_CHUNK):
            read += len(chunk)
            inflated += len(chunk)
            if read > allowed or inflated > limits.max_total_bytes:
                raise _Refused("A part of the file is larger than it claims; it was not read.")
            budget.check()
            parser.Parse(chunk, False)
            if collector.full:
                return inflated
    parser.Parse(b"", True)
    return inflated


def _refuse_doctype(*_args):
    raise _Refused("The file contains an XML document type declaration; it was not read.")


class _TextCollector:
    def __init__(self, text_tags, line_tags, gap_tags, max_chars: int):
        self.text_tags, self.line_tags, self.gap_tags = text_tags, line_tags, gap_tags
        self.max_chars = max_chars
        self.parts: list[str] = []
        self.size = 0
        self.depth_in_text = 0

    @property
    def full(self) -> bool:
        return self.size >= self.max_chars

    def _add(self, text: str) -> None:
        self.parts.append(text)
        self.size += len(text)

    @staticmethod
    def _local(name: str) -> str:
        return name.rsplit(" ", 1)[-1]

    def start(self, name, _attrs):
        local = self._local(name)
        if local in self.text_tags:
            self.depth_in_text += 1
        elif local in self.gap_tags:
            self._add(" ")

    def end(self, name):
        local = self._local(name)
        if local in self.text_tags:
            self.depth_in_text -= 1
        elif local in self.line_tags:
            self._add("\n")

    def data(self, text):
        if self.depth_in_text > 0:
            self._add(text)

    def text(self) -> str:
        return "".join(self.parts)
