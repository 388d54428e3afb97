"""Text and previews from real files made in the test (nic.services.artifacts.extraction): the
words come out, and hostile files fail fast, with a short message and bounded memory."""

from __future__ import annotations

import io
import time
import tracemalloc

import pytest
from PIL import Image

from nic.services.artifacts import extraction
from nic.services.artifacts.extraction import ExtractionFailed, Limits, extract_text, make_preview
from tests.extraction import samples

PDF = "application/pdf"


def test_pdf_text_comes_from_every_page(tmp_path):
    data = samples.pdf_bytes(
        "The ninth-grade huddle protocol asks each teacher for three names.", "Follow up within two school days."
    )
    path = tmp_path / "protocol.pdf"
    path.write_bytes(data)
    for source in (str(path), io.BytesIO(data)):
        text = extract_text(source, PDF)
        assert "The ninth-grade huddle protocol asks each teacher for three names." in text
        assert "Follow up within two school days." in text


def test_pdf_pages_past_the_limit_are_not_read():
    data = samples.pdf_bytes("alpha page", "bravo page", "charlie page")
    text = extract_text(io.BytesIO(data), PDF, Limits(max_pages=2))
    assert "alpha" in text and "bravo" in text and "charlie" not in text


def test_text_is_cut_at_the_character_limit():
    text = extract_text(io.BytesIO(b"word " * 10_000), "text/plain", Limits(max_chars=1000))
    assert len(text) == 1000
    assert text.startswith("word word")


def test_docx_paragraphs_in_order():
    data = samples.docx_bytes("Advisory grade check", "Students open the gradebook & note one missing task.")
    assert extract_text(io.BytesIO(data), samples.DOCX_TYPE) == (
        "Advisory grade check\nStudents open the gradebook & note one missing task."
    )


def test_pptx_and_xlsx_text():
    assert extract_text(io.BytesIO(samples.pptx_bytes("Why huddles", "Our first month")), samples.PPTX_TYPE) == (
        "Why huddles\nOur first month"
    )
    xlsx = samples.xlsx_bytes(["Student", "Credits earned"], inline="recovery plan")
    text = extract_text(io.BytesIO(xlsx), samples.XLSX_TYPE)
    assert "Credits earned" in text and "recovery plan" in text


@pytest.mark.parametrize(
    "content_type, data, expected",
    [
        ("text/plain", b"Call home the same day.\r\nThen log it.", "Call home the same day.\nThen log it."),
        ("text/markdown", b"# Huddle agenda\n\n- Names\n- Owners\n", "# Huddle agenda\n\n- Names\n- Owners"),
        ("text/csv", "\ufeffstudent,grade\nAna,D\n".encode(), "student,grade\nAna,D"),
        ("text/csv; charset=utf-8", "école,café\n".encode(), "école,café"),
        ("text/plain", "naïve résumé".encode("cp1252"), "naïve résumé"),  # Windows-saved text
        ("text/plain", b"tab\there\x00nul", "tab here nul"),  # no NUL reaches PostgreSQL
    ],
)
def test_text_files_are_decoded(content_type, data, expected):
    assert extract_text(io.BytesIO(data), content_type) == expected


def test_types_without_text_are_refused_up_front():
    assert not extraction.extracts("image/png")
    assert not extraction.extracts("application/msword")
    assert extraction.extracts("application/pdf") and extraction.extracts("text/csv; charset=utf-8")
    with pytest.raises(ValueError):
        extract_text(io.BytesIO(b"x"), "image/png")


# --- hostile and broken files ---------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 9 0 R >> endobj\ngarbage\n",
        b"%PDF-1.4\n" + bytes(range(256)) * 20,
    ],
)
def test_a_corrupt_pdf_fails_with_a_short_message(data):
    with pytest.raises(ExtractionFailed) as failure:
        extract_text(io.BytesIO(data), PDF)
    assert "PDF" in str(failure.value) and len(str(failure.value)) < 100


def _peak_memory_mib(call) -> tuple[float, float, Exception | None]:
    tracemalloc.start()
    started = time.monotonic()
    error = None
    try:
        call()
    except Exception as exc:  # noqa: BLE001
        error = exc
    elapsed = time.monotonic() - started
    peak = tracemalloc.get_traced_memory()[1] / (1024 * 1024)
    tracemalloc.stop()
    return elapsed, peak, error


def test_a_zip_bomb_docx_is_refused_from_its_directory_fast_and_small():
    bomb = samples.zip_bomb_docx(128)  # 128 MiB of XML in a ~130 KB file
    assert len(bomb) < 1024 * 1024
    elapsed, peak, error = _peak_memory_mib(lambda: extract_text(io.BytesIO(bomb), samples.DOCX_TYPE))
    assert isinstance(error, ExtractionFailed)
    assert "too large" in str(error)
    assert elapsed < 2 and peak < 10


def test_a_zip_bomb_that_lies_about_its_size_is_stopped_while_inflating():
    bomb = samples.lying_zip_bomb_docx(128)
    elapsed, peak, error = _peak_memory_mib(lambda: extract_text(io.BytesIO(bomb), samples.DOCX_TYPE))
    assert isinstance(error, ExtractionFailed)
    assert elapsed < 2 and peak < 10


def test_a_member_inflating_past_the_total_cap_is_stopped():
    # Honest sizes, each under the member cap, together over the total cap.
    limits = Limits(max_member_bytes=4 * 1024 * 1024, max_total_bytes=1024 * 1024, max_ratio=10**6)
    bomb = samples.zip_bomb_docx(2)
    with pytest.raises(ExtractionFailed, match="too large"):
        extract_text(io.BytesIO(bomb), samples.DOCX_TYPE, limits)


def test_entity_expansion_is_refused():
    with pytest.raises(ExtractionFailed, match="document type declaration"):
        extract_text(io.BytesIO(samples.doctype_docx()), samples.DOCX_TYPE)


@pytest.mark.parametrize("data", [b"PK\x03\x04 not really a zip", b"", b"\x00" * 100])
def test_a_damaged_office_file_fails_cleanly(data):
    with pytest.raises(ExtractionFailed, match="damaged"):
        extract_text(io.BytesIO(data), samples.DOCX_TYPE)


def test_the_time_budget_stops_a_long_read():
    data = samples.pdf_bytes(*[f"page {n}" for n in range(5)])
    with pytest.raises(ExtractionFailed, match="too long"):
        extract_text(io.BytesIO(data), PDF, Limits(seconds=-1))


# --- previews ----------------------------------------------------------------------------------


def _png_size(data: bytes) -> tuple[int, int]:
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    with Image.open(io.BytesIO(data)) as image:
        return image.size


def test_pdf_preview_is_the_first_page_in_480px():
    width, height = _png_size(make_preview(io.BytesIO(samples.pdf_bytes("Cover page", "Second")), PDF))
    assert max(width, height) == 480 and width < height  # US letter, portrait


@pytest.mark.parametrize(
    "fmt, content_type, size, expected",
    [
        ("JPEG", "image/jpeg", (2000, 1000), (480, 240)),
        ("PNG", "image/png", (300, 900), (160, 480)),
        ("GIF", "image/gif", (100, 50), (100, 50)),  # small images are not enlarged
        ("WEBP", "image/webp", (960, 960), (480, 480)),
    ],
)
def test_image_previews_fit_in_480px(fmt, content_type, size, expected):
    assert _png_size(make_preview(io.BytesIO(samples.image_bytes(*size, fmt=fmt)), content_type)) == expected


def test_a_decompression_bomb_image_is_refused_from_its_header():
    elapsed, peak, error = _peak_memory_mib(lambda: make_preview(io.BytesIO(samples.huge_png_header()), "image/png"))
    assert isinstance(error, ExtractionFailed) and "too large" in str(error)
    assert elapsed < 1 and peak < 10


def test_a_file_that_is_not_the_image_it_claims_fails_cleanly():
    with pytest.raises(ExtractionFailed, match="damaged"):
        make_preview(io.BytesIO(b"\x89PNG\r\n\x1a\n broken"), "image/png")
    # Pillow may only open the allowed formats, whatever the bytes are.
    with pytest.raises(ExtractionFailed):
        make_preview(io.BytesIO(samples.image_bytes(10, 10, fmt="BMP")), "image/png")


def test_a_corrupt_pdf_has_no_preview():
    with pytest.raises(ExtractionFailed, match="PDF"):
        make_preview(io.BytesIO(b"%PDF-1.4\nnothing here"), PDF)


def test_types_without_a_preview():
    assert make_preview(io.BytesIO(b"a,b\n"), "text/csv") is None
    assert not extraction.previews(samples.DOCX_TYPE)
