"""Small, real sample files made in code, for the storage, sniffing and upload tests
(and anyone testing uploads): every allowed type, and the hostile ones."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib


def pdf(text: str = "Hello from a protocol") -> bytes:
    """A one-page PDF with `text` on it, offsets computed so strict readers accept it."""
    content = f"BT /F1 18 Tf 72 720 Td ({text}) Tj ET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def png(width: int = 2, height: int = 2) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + b"\xff\x80\x00" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def _pillow(fmt: str) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (4, 4), (200, 40, 40)).save(out, format=fmt)
    return out.getvalue()


def jpeg() -> bytes:
    return _pillow("JPEG")


def gif() -> bytes:
    return _pillow("GIF")


def webp() -> bytes:
    return _pillow("WEBP")


_OOXML = {
    "docx": (
        "word/document.xml",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r>'
        "<w:t>{text}</w:t></w:r></w:p></w:body></w:document>",
    ),
    "xlsx": (
        "xl/workbook.xml",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheets/></workbook>',
    ),
    "pptx": (
        "ppt/presentation.xml",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml",
        '<p:presentation xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main"/>',
    ),
    "docm": ("word/document.xml", "application/vnd.ms-word.document.macroEnabled.main+xml", "<w:document/>"),
}


def content_types(part: str, content_type: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/{part}" ContentType="{content_type}"/>'
        "</Types>"
    )


def ooxml(kind: str = "docx", text: str = "Observation protocol") -> bytes:
    """A minimal Office Open XML package (docx, xlsx, pptx or the macro-enabled docm)."""
    part, content_type, body = _OOXML[kind]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", content_types(part, content_type))
        archive.writestr(
            "_rels/.rels",
            '<?xml version="1.0"?><Relationships '
            'xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
            f'2006/relationships/officeDocument" Target="{part}"/></Relationships>',
        )
        archive.writestr(part, '<?xml version="1.0" encoding="UTF-8"?>' + body.format(text=text))
    return out.getvalue()


def zip_bomb_docx(expanded_mb: int = 600) -> bytes:
    """Looks like a .docx ([Content_Types].xml declares a Word main part) but its main
    part inflates to `expanded_mb` MB of zeros from about 1/1000 of that."""
    part, content_type, _ = _OOXML["docx"]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", content_types(part, content_type))
        zeros = bytes(1024 * 1024)
        with archive.open(part, "w") as member:
            for _ in range(expanded_mb):
                member.write(zeros)
    return out.getvalue()


def plain_zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("notes.txt", "hello")
    return out.getvalue()


def ole(stream_names: tuple[str, ...] = ("WordDocument",)) -> bytes:
    """A minimal OLE2 compound file (MS-CFB v3, 512-byte sectors) whose directory holds
    the given (empty) streams: "WordDocument" for .doc, "Workbook" for .xls,
    "PowerPoint Document" for .ppt, "!_StringPool" or the like for an installer."""
    free, end, fat_sector, no_stream = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF
    header = bytearray(512)
    header[0:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    struct.pack_into("<HHHHH", header, 0x18, 0x3E, 3, 0xFFFE, 9, 6)
    struct.pack_into("<I", header, 0x2C, 1)  # one FAT sector
    struct.pack_into("<I", header, 0x30, 1)  # the directory starts at sector 1
    struct.pack_into("<IIIII", header, 0x38, 4096, end, 0, end, 0)
    difat = [0] + [free] * 108
    struct.pack_into("<109I", header, 0x4C, *difat)
    # Four 128-byte entries per sector; the directory is chained through sectors 1..n.
    dir_sectors = (len(stream_names) + 1 + 3) // 4
    chain = [*range(2, dir_sectors + 1), end]
    fat = struct.pack("<128I", fat_sector, *chain, *([free] * (127 - len(chain))))

    def entry(name: str, kind: int, child: int = no_stream, right: int = no_stream) -> bytes:
        encoded = (name + "\0").encode("utf-16-le")
        raw = bytearray(128)
        raw[0 : len(encoded)] = encoded
        struct.pack_into("<HBBIII", raw, 0x40, len(encoded), kind, 1, no_stream, right, child)
        struct.pack_into("<II", raw, 0x74, end, 0)  # start sector, size
        return bytes(raw)

    entries = [entry("Root Entry", 5, child=1 if stream_names else no_stream)]
    for index, name in enumerate(stream_names, start=1):
        entries.append(entry(name, 2, right=index + 1 if index < len(stream_names) else no_stream))
    directory = b"".join(entries)
    directory += bytes(-len(directory) % 512)
    return bytes(header) + fat + directory


def exe() -> bytes:
    """The start of a Windows PE file: the DOS header and stub."""
    header = bytearray(b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + bytes(48))
    return bytes(header) + b"This program cannot be run in DOS mode.\r\r\n$" + bytes(64) + b"PE\x00\x00"


def elf() -> bytes:
    return b"\x7fELF\x02\x01\x01" + bytes(9) + b"\x02\x00\x3e\x00" + bytes(100)


HTML = b"<!DOCTYPE html>\n<html><body><script>alert(document.cookie)</script></body></html>\n"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><circle r="4"/></svg>'
SVG_XML = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n<!-- made by hand -->\n'
    b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
)
CSV = b'school,week,attendance\nLincoln,2024-09-02,0.93\n"Roosevelt, East",2024-09-02,0.88\n'
MARKDOWN = "# Protocol\n\n1. Gather the team\n2. Look at **student work** — together\n".encode()
TEXT = b"Plain notes from the meeting.\nNext steps: try the new protocol.\n"
