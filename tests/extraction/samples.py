"""Real files made in the tests: PDFs by fpdf2, Office files as the ZIP of XML parts
Word and PowerPoint write (minimal but complete enough for Word to open), images by
Pillow. Nothing is committed to the repository as a binary."""

from __future__ import annotations

import io
import zipfile

from fpdf import FPDF

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PPTX_TYPE = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def pdf_bytes(*pages: str, title: str = "Sample") -> bytes:
    """A PDF with one page per argument, each page's text set in Helvetica."""
    pdf = FPDF(format="letter")
    pdf.set_title(title)
    pdf.set_font("Helvetica", size=12)
    for text in pages or ("",):
        pdf.add_page()
        pdf.multi_cell(0, 8, text)
    return bytes(pdf.output())


def _ooxml(parts: dict[str, str], content_types: str, compression=zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as archive:
        archive.writestr("[Content_Types].xml", content_types)
        for name, xml in parts.items():
            archive.writestr(name, xml)
    return out.getvalue()


_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="{target}"/>'
    "</Relationships>"
)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def document_xml(paragraphs: list[str]) -> str:
    body = "".join(f'<w:p><w:r><w:t xml:space="preserve">{_escape(p)}</w:t></w:r></w:p>' for p in paragraphs)
    return f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="{_W}"><w:body>{body}</w:body></w:document>'


DOCX_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
    "</Types>"
)


def docx_bytes(*paragraphs: str, document: str | None = None) -> bytes:
    return _ooxml(
        {
            "_rels/.rels": _RELS.format(target="word/document.xml"),
            "word/document.xml": document if document is not None else document_xml(list(paragraphs)),
        },
        DOCX_CONTENT_TYPES,
    )


def pptx_bytes(*slides: str) -> bytes:
    a = "http://schemas.openxmlformats.org/drawingml/2006/main"
    p = "http://schemas.openxmlformats.org/presentationml/2006/main"
    parts = {
        "_rels/.rels": _RELS.format(target="ppt/presentation.xml"),
        "ppt/presentation.xml": f'<p:presentation xmlns:p="{p}"/>',
    }
    for number, text in enumerate(slides, start=1):
        parts[f"ppt/slides/slide{number}.xml"] = (
            f'<p:sld xmlns:p="{p}" xmlns:a="{a}"><p:cSld><p:spTree><p:sp><p:txBody>'
            f"<a:p><a:r><a:t>{_escape(text)}</a:t></a:r></a:p></p:txBody></p:sp></p:spTree></p:cSld></p:sld>"
        )
    types = (
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/ppt/presentation.xml" ContentType="application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml"/>'
        "</Types>"
    )
    return _ooxml(parts, types)


def xlsx_bytes(shared: list[str], inline: str = "") -> bytes:
    s = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    strings = "".join(f"<si><t>{_escape(t)}</t></si>" for t in shared)
    cell = f'<c r="B1" t="inlineStr"><is><t>{_escape(inline)}</t></is></c>' if inline else ""
    types = (
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        "</Types>"
    )
    return _ooxml(
        {
            "_rels/.rels": _RELS.format(target="xl/workbook.xml"),
            "xl/workbook.xml": f'<workbook xmlns="{s}"/>',
            "xl/sharedStrings.xml": f'<sst xmlns="{s}">{strings}</sst>',
            "xl/worksheets/sheet1.xml": f'<worksheet xmlns="{s}"><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c>{cell}</row></sheetData></worksheet>',
        },
        types,
    )


def zip_bomb_docx(uncompressed_mib: int = 128) -> bytes:
    """A .docx whose document part inflates to `uncompressed_mib` MiB of spaces from a
    file of well under 1 MB: the directory tells the truth about the size."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", DOCX_CONTENT_TYPES)
        archive.writestr("_rels/.rels", _RELS.format(target="word/document.xml"))
        with archive.open("word/document.xml", "w") as part:
            part.write(f'<w:document xmlns:w="{_W}"><w:body><w:p><w:r><w:t>'.encode())
            block = b" " * (1024 * 1024)
            for _ in range(uncompressed_mib):
                part.write(block)
            part.write(b"</w:t></w:r></w:p></w:body></w:document>")
    return out.getvalue()


def lying_zip_bomb_docx(real_mib: int = 128) -> bytes:
    """Like zip_bomb_docx, but the ZIP's central directory claims the document part is
    1 KiB: only counting the bytes as they inflate (or the CRC) catches it."""
    data = bytearray(zip_bomb_docx(real_mib))
    name = b"word/document.xml"
    at = data.find(b"PK\x01\x02")
    while at >= 0:
        name_len = int.from_bytes(data[at + 28 : at + 30], "little")
        if data[at + 46 : at + 46 + name_len] == name:
            data[at + 24 : at + 28] = (1024).to_bytes(4, "little")  # uncompressed size
            return bytes(data)
        at = data.find(b"PK\x01\x02", at + 4)
    raise AssertionError("no central directory entry for the document part")


def doctype_docx() -> bytes:
    """The billion-laughs entity expansion inside a Word document part."""
    lol = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
        '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
        f'<w:document xmlns:w="{_W}"><w:body><w:p><w:r><w:t>&lol3;</w:t></w:r></w:p></w:body></w:document>'
    )
    return docx_bytes(document=lol)


def image_bytes(width: int, height: int, fmt: str = "PNG", color=(30, 120, 200)) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (width, height), color).save(out, format=fmt)
    return out.getvalue()


def huge_png_header(width: int = 60_000, height: int = 60_000) -> bytes:
    """A PNG whose header claims width x height pixels: a decompression bomb's calling
    card. Made with Pillow at 1x1, then the IHDR dimensions rewritten (and its CRC)."""
    import struct
    import zlib

    data = bytearray(image_bytes(1, 1))
    ihdr = data.find(b"IHDR")
    data[ihdr + 4 : ihdr + 12] = struct.pack(">II", width, height)
    crc = zlib.crc32(bytes(data[ihdr : ihdr + 17])) & 0xFFFFFFFF
    data[ihdr + 17 : ihdr + 21] = struct.pack(">I", crc)
    return bytes(data)
