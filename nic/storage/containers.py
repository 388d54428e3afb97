"""Look inside the two container formats Office uses, reading as little as possible:
OLE2 compound files (legacy .doc/.xls/.ppt) and ZIP packages (.docx/.xlsx/.pptx).

Both read only directories and, for ZIP, one small member with a hard size cap, so a
crafted file (a zip bomb, a looping sector chain, a giant central directory) costs a few
kilobytes and a few reads, never the file's claimed size.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
from typing import BinaryIO

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_END_OF_CHAIN = 0xFFFFFFFE
_MAX_SECTOR = 0xFFFFFFFA  # above this a sector number is a marker, not a sector
_MAX_DIR_SECTORS = 1024  # 4 096+ directory entries: far beyond any real document
_MAX_DIFAT_SECTORS = 1024

MAX_ZIP_ENTRIES = 10_000
MAX_CONTENT_TYPES_BYTES = 1024 * 1024
# A real Office file of at most a few tens of MB does not expand past this; a zip bomb does.
MAX_EXPANDED_BYTES = 512 * 1024 * 1024
MAX_MEMBER_BYTES = 64 * 1024 * 1024
MAX_RATIO = 200


class ContainerError(Exception):
    """The container is damaged, hostile or unusual; str() says what it looks like, as a
    noun phrase for people ("a zip bomb (...)")."""


# --- OLE2 (MS-CFB) -----------------------------------------------------------------------


def ole_entry_names(fp: BinaryIO) -> set[str]:
    """Names of the streams and storages in an OLE2 file's directory."""
    fp.seek(0)
    header = fp.read(512)
    if len(header) < 512 or not header.startswith(OLE_MAGIC):
        raise ContainerError("a damaged Office 97-2003 file")
    sector_shift = struct.unpack_from("<H", header, 0x1E)[0]
    if sector_shift not in (9, 12):
        raise ContainerError("a damaged Office 97-2003 file")
    sector_size = 1 << sector_shift
    per_sector = sector_size // 4
    (first_dir,) = struct.unpack_from("<I", header, 0x30)
    first_difat, difat_count = struct.unpack_from("<II", header, 0x44)
    fat_sectors = [s for s in struct.unpack_from("<109I", header, 0x4C) if s <= _MAX_SECTOR]

    def read_sector(number: int) -> bytes:
        fp.seek((number + 1) * sector_size)
        data = fp.read(sector_size)
        if len(data) != sector_size:
            raise ContainerError("a damaged Office 97-2003 file")
        return data

    # Files past ~7 MB (512-byte sectors) list the rest of their FAT in DIFAT sectors.
    difat, seen = first_difat, set()
    while difat <= _MAX_SECTOR and len(seen) < min(difat_count, _MAX_DIFAT_SECTORS):
        if difat in seen:
            raise ContainerError("a damaged Office 97-2003 file")
        seen.add(difat)
        entries = struct.unpack(f"<{per_sector}I", read_sector(difat))
        fat_sectors.extend(s for s in entries[:-1] if s <= _MAX_SECTOR)
        difat = entries[-1]

    def next_sector(number: int) -> int:
        index, slot = divmod(number, per_sector)
        if index >= len(fat_sectors):
            raise ContainerError("a damaged Office 97-2003 file")
        fp.seek((fat_sectors[index] + 1) * sector_size + slot * 4)
        data = fp.read(4)
        if len(data) != 4:
            raise ContainerError("a damaged Office 97-2003 file")
        return struct.unpack("<I", data)[0]

    names: set[str] = set()
    sector, visited = first_dir, set()
    while sector != _END_OF_CHAIN:
        if sector > _MAX_SECTOR or sector in visited or len(visited) >= _MAX_DIR_SECTORS:
            raise ContainerError("a damaged Office 97-2003 file")
        visited.add(sector)
        data = read_sector(sector)
        for offset in range(0, sector_size, 128):
            entry = data[offset : offset + 128]
            name_length, kind = struct.unpack_from("<HB", entry, 0x40)
            if kind in (1, 2, 5) and 2 <= name_length <= 64:
                names.add(entry[: name_length - 2].decode("utf-16-le", errors="replace"))
        sector = next_sector(sector)
    return names


# --- ZIP / OOXML -------------------------------------------------------------------------


def _check_end_record(fp: BinaryIO) -> None:
    """Refuse what would make zipfile itself expensive, before zipfile reads anything: it
    loads the whole central directory into objects, so the entry count is capped from
    the end-of-central-directory record first."""
    fp.seek(0, io.SEEK_END)
    size = fp.tell()
    tail_size = min(size, 22 + 65535)
    fp.seek(size - tail_size)
    tail = fp.read(tail_size)
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) - at < 22:
        raise ContainerError("a damaged ZIP file (no central directory)")
    entries, cd_size = struct.unpack_from("<HI", tail, at + 10)
    if entries == 0xFFFF or cd_size == 0xFFFFFFFF:
        raise ContainerError("a ZIP64 archive, which Office files of this size never are")
    if entries > MAX_ZIP_ENTRIES:
        raise ContainerError(f"a ZIP archive with {entries} entries")


def open_zip(fp: BinaryIO) -> zipfile.ZipFile:
    """A ZipFile after the cheap structural checks, and with the declared expanded size
    bounded (zip bomb). zipfile never inflates a member past its declared size, so a
    lying header cannot do better than the declared sizes checked here."""
    _check_end_record(fp)
    fp.seek(0)
    try:
        archive = zipfile.ZipFile(fp)
    except (zipfile.BadZipFile, ValueError, EOFError, OSError) as exc:
        raise ContainerError("a damaged ZIP file") from exc
    expanded = 0
    for info in archive.infolist():
        expanded += info.file_size
        # Real Office parts compress 5-20 times; a big member squeezed far more is a bomb.
        if info.file_size > MAX_MEMBER_BYTES and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            archive.close()
            raise ContainerError(f"a zip bomb ({info.filename} would expand to {_mb(info.file_size)})")
    if expanded > MAX_EXPANDED_BYTES:
        archive.close()
        raise ContainerError(f"a zip bomb (it would expand to {_mb(expanded)})")
    return archive


def _mb(size: int) -> str:
    return f"{size // (1024 * 1024)} MB"


def read_member(archive: zipfile.ZipFile, name: str, cap: int) -> bytes:
    """One member, refusing it when it is (or inflates to) more than `cap` bytes."""
    info = archive.getinfo(name)
    if info.file_size > cap:
        raise ContainerError(f"a damaged Office file ({name} is too large)")
    try:
        with archive.open(info) as member:
            data = member.read(cap + 1)
    except (zipfile.BadZipFile, RuntimeError, NotImplementedError, ValueError, EOFError, OSError) as exc:
        # RuntimeError: encrypted; NotImplementedError: an unusual compression method.
        raise ContainerError(f"a damaged Office file ({name} cannot be read)") from exc
    if len(data) > cap:
        raise ContainerError(f"a damaged Office file ({name} is too large)")
    return data


_OVERRIDE = re.compile(r"<(?:[\w.-]+:)?Override\b([^>]*)>")
_ATTRIBUTE = re.compile(r"""([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")


def content_type_overrides(archive: zipfile.ZipFile) -> dict[str, str]:
    """{content type: part name} from [Content_Types].xml, read with a size cap and
    scanned with regular expressions (no XML parser: no entities, no DTDs to expand)."""
    name = next((n for n in archive.namelist() if n.lower() == "[content_types].xml"), None)
    if name is None:
        raise ContainerError("a ZIP archive")
    raw = read_member(archive, name, MAX_CONTENT_TYPES_BYTES)
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = raw.decode("utf-16", errors="replace")
    else:
        text = raw.decode("utf-8-sig", errors="replace")
    if "<!DOCTYPE" in text.upper() or "<!ENTITY" in text.upper():
        raise ContainerError("an unusual Office file ([Content_Types].xml declares a DTD)")
    overrides: dict[str, str] = {}
    for match in _OVERRIDE.finditer(text):
        attributes = {key: a if a is not None else b for key, a, b in _ATTRIBUTE.findall(match.group(1))}
        if "ContentType" in attributes and "PartName" in attributes:
            overrides.setdefault(attributes["ContentType"].strip(), attributes["PartName"].strip())
    return overrides


def has_member(archive: zipfile.ZipFile, part_name: str) -> bool:
    """OPC part names are case-insensitive and start with '/'; zip names do not."""
    wanted = part_name.lstrip("/").lower()
    return any(name.lower() == wanted for name in archive.namelist())
