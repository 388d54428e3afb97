"""Types come from the bytes, against an allow-list; the hostile files are refused with
a message a teacher can act on, and crafted containers cost next to nothing to inspect."""

from __future__ import annotations

import io
import time
import tracemalloc

import pytest

from nic.storage import EmptyFile
from nic.storage.sniff import ALLOWED_TYPES, UnsupportedType, sniff
from tests.storage import samples


class CountingReader(io.BytesIO):
    opened = 0


def run(data: bytes, filename: str = ""):
    def reader():
        CountingReader.opened += 1
        return CountingReader(data)

    return sniff(data[:8192], reader, filename)


@pytest.mark.parametrize(
    "make, name, content_type, extension",
    [
        (samples.pdf, "protocol.pdf", "application/pdf", "pdf"),
        (samples.png, "chart.png", "image/png", "png"),
        (samples.jpeg, "photo.jpg", "image/jpeg", "jpg"),
        (samples.gif, "loop.gif", "image/gif", "gif"),
        (samples.webp, "pic.webp", "image/webp", "webp"),
        (
            lambda: samples.ooxml("docx"),
            "plan.docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "docx",
        ),
        (
            lambda: samples.ooxml("xlsx"),
            "data.xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "xlsx",
        ),
        (
            lambda: samples.ooxml("pptx"),
            "deck.pptx",
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
            "pptx",
        ),
        (lambda: samples.ole(("WordDocument", "1Table")), "old.doc", "application/msword", "doc"),
        (lambda: samples.ole(("Workbook",)), "old.xls", "application/vnd.ms-excel", "xls"),
        (
            lambda: samples.ole(("Current User", "PowerPoint Document")),
            "old.ppt",
            "application/vnd.ms-powerpoint",
            "ppt",
        ),
        (lambda: samples.CSV, "attendance.csv", "text/csv; charset=utf-8", "csv"),
        (lambda: samples.MARKDOWN, "README.MD", "text/markdown; charset=utf-8", "md"),
        (lambda: samples.TEXT, "notes.txt", "text/plain; charset=utf-8", "txt"),
        (lambda: samples.TEXT, "", "text/plain; charset=utf-8", "txt"),
    ],
)
def test_every_allowed_type_is_recognised_from_its_bytes(make, name, content_type, extension):
    sniffed = run(make(), name)
    assert (sniffed.content_type, sniffed.extension) == (content_type, extension)
    assert sniffed.content_type in ALLOWED_TYPES
    assert sniffed.kind_label


@pytest.mark.parametrize(
    "make, misleading_name, expected",
    [
        (samples.pdf, "notes.txt", "application/pdf"),
        (samples.png, "report.pdf", "image/png"),
        (
            lambda: samples.ooxml("docx"),
            "data.zip",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
    ],
)
def test_the_name_does_not_decide_the_type(make, misleading_name, expected):
    assert run(make(), misleading_name).content_type == expected


def test_only_images_and_pdf_are_previewable():
    assert run(samples.pdf()).previewable and run(samples.png()).previewable and run(samples.webp()).previewable
    assert not run(samples.ooxml("docx")).previewable
    assert not run(samples.TEXT).previewable


def test_text_named_csv_that_does_not_parse_is_plain_text():
    broken = b'name,note\n"unclosed quote,1\nnext,"x"y\n'
    assert run(broken, "data.csv").content_type == "text/plain; charset=utf-8"


def test_text_with_a_bom_and_crlf_is_text():
    assert run("\ufeffa,b\r\n1,2\r\n".encode(), "x.csv").extension == "csv"


@pytest.mark.parametrize(
    "data, name, what",
    [
        (samples.exe(), "protocol.pdf", "a Windows program (EXE)"),
        (samples.elf(), "notes.txt", "a Linux program (ELF)"),
        (b"#!/bin/sh\nrm -rf ~\n", "script.txt", "a script"),
        (samples.HTML, "page.txt", "a web page (HTML)"),
        (b"  \n<html><body>hi</body></html>", "page.md", "a web page (HTML)"),
        (b"<script>alert(1)</script>", "x.txt", "a web page (HTML)"),
        (samples.SVG, "logo.png", "an SVG image"),
        (samples.SVG_XML, "logo.txt", "an SVG image"),
        (b'<?xml version="1.0"?><note/>', "a.txt", "an XML file"),
        (samples.plain_zip(), "plan.docx", "a ZIP archive"),
        (lambda: samples.ooxml("docm"), "plan.docx", "macros"),
        (lambda: samples.ole(("\u4840\u3b3f\u4577\u41ec",)), "setup.doc", "Windows installer"),
        (lambda: samples.ole(("EncryptionInfo", "EncryptedPackage")), "secret.docx", "password-protected"),
        (b"\x1f\x8b\x08\x00" + bytes(20), "a.pdf", "a gzip archive"),
        (b"{\\rtf1\\ansi hello}", "a.doc", "Rich Text"),
        (b"\x00\x00\x00\x18ftypheic" + bytes(20), "IMG_0001.jpg", "HEIC"),
        ("résumé".encode("utf-16"), "cv.txt", "UTF-16"),
        (b"\x01\x02\x03\x00binary junk", "a.txt", "could not be recognised"),
        (b"caf\xe9 au lait, latin-1 text", "a.txt", "could not be recognised"),
        (b"valid start " * 1000 + b"\xff\xfe then invalid", "a.txt", "could not be recognised"),
        (b"text" * 3000 + b"\x00", "a.txt", "could not be recognised"),
    ],
)
def test_hostile_and_unsupported_files_are_refused_clearly(data, name, what):
    data = data() if callable(data) else data
    with pytest.raises(UnsupportedType) as refused:
        run(data, name)
    message = str(refused.value)
    assert what in message
    assert message.startswith("This file looks like ")
    assert "only documents, spreadsheets, presentations, images and text can be shared" in message


def test_the_exe_message_reads_well():
    with pytest.raises(UnsupportedType) as refused:
        run(samples.exe(), "protocol.pdf")
    assert str(refused.value) == (
        "This file looks like a Windows program (EXE); only documents, spreadsheets, "
        "presentations, images and text can be shared."
    )


def test_an_empty_head_is_an_empty_file():
    with pytest.raises(EmptyFile):
        sniff(b"", lambda: io.BytesIO(b""))


@pytest.fixture(scope="module")
def zip_bomb():
    return samples.zip_bomb_docx(expanded_mb=600)


def test_a_zip_bomb_disguised_as_docx_is_refused_fast_and_small(zip_bomb):
    assert len(zip_bomb) < 2 * 1024 * 1024  # 600 MB inside
    tracemalloc.start()
    started = time.perf_counter()
    try:
        with pytest.raises(UnsupportedType, match="zip bomb"):
            run(zip_bomb, "lesson.docx")
        elapsed = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert elapsed < 0.5
    assert peak < 4 * len(zip_bomb)  # the sample itself is in memory here; nothing inflates


def test_a_smaller_bomb_in_one_member_is_refused_too():
    assert "zip bomb" in _refusal(samples.zip_bomb_docx(expanded_mb=100))


def test_a_huge_content_types_member_is_not_read():
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types>" + " " * (3 * 1024 * 1024) + "</Types>")
        archive.writestr("word/document.xml", "<w:document/>")
    assert "[Content_Types].xml is too large" in _refusal(out.getvalue())


def test_content_types_with_entities_are_refused():
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><!DOCTYPE t [<!ENTITY a "aaaa">]>'
            + samples.content_types(
                "word/document.xml", "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
            ),
        )
        archive.writestr("word/document.xml", "<w:document/>")
    assert "DTD" in _refusal(out.getvalue())


def test_a_docx_whose_main_part_is_missing_is_refused():
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(
            "[Content_Types].xml",
            samples.content_types(
                "word/document.xml", "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
            ),
        )
    assert "main part is missing" in _refusal(out.getvalue())


def test_truncated_and_damaged_containers_are_refused_not_crashing():
    docx = samples.ooxml("docx")
    assert "damaged" in _refusal(docx[: len(docx) // 2])
    doc = samples.ole(("WordDocument",))
    assert "damaged" in _refusal(doc[:700])


def test_an_ole_directory_that_loops_is_refused():
    import struct

    doc = bytearray(samples.ole(("WordDocument",)))
    struct.pack_into("<I", doc, 512 + 4, 1)  # FAT: the directory sector points to itself
    assert "damaged" in _refusal(bytes(doc))


def test_an_ole_directory_spread_over_several_sectors_is_followed():
    names = tuple(f"Stream{i}" for i in range(9)) + ("WordDocument",)
    assert run(samples.ole(names), "a.doc").extension == "doc"


def test_text_is_checked_to_the_end_but_only_read_in_chunks():
    CountingReader.opened = 0
    big = b"line of notes\n" * 200_000  # 2.8 MB
    assert run(big, "notes.txt").extension == "txt"
    assert CountingReader.opened == 1


def _refusal(data: bytes, name: str = "x.docx") -> str:
    with pytest.raises(UnsupportedType) as refused:
        run(data, name)
    return str(refused.value)
