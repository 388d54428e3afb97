"""Download names: never a path, never hidden characters, never the wrong extension."""

from __future__ import annotations

import pytest

from nic.storage.sniff import safe_filename


@pytest.mark.parametrize(
    "name, expected",
    [
        ("../../etc/passwd", "passwd"),
        ("..\\..\\Windows\\win.ini", "win.ini"),
        ("/var/www/report.pdf", "report.pdf"),
        ("C:\\Users\\ms\\Desktop\\plan.docx", "plan.docx"),
        ("..", "artifact"),
        ("../", "artifact"),
        (".bashrc", "bashrc"),
        ("...hidden.txt", "hidden.txt"),
        ("  lots   of\t\nspace  .md", "lots of space.md"),
        ("tab\there.txt", "tab here.txt"),
        ("bell\x07and\x00nul\x1b[31m.txt", "bellandnul[31m.txt"),
        ("invoice\u202efdp.exe", "invoicefdp.exe"),  # the right-to-left override is gone
        ("zero\u200bwidth\u2066.pdf", "zerowidth.pdf"),
        ('quote"s <and> pipes|?.csv', "quote_s _and_ pipes__.csv"),
        ("CON.txt", "_CON.txt"),
        ("trailing dots...", "trailing dots"),
        ("", "artifact"),
        (None, "artifact"),
        ("\x00\x01", "artifact"),
        ("Plan de leçon – été.docx", "Plan de leçon – été.docx"),
    ],
)
def test_names_are_cleaned(name, expected):
    assert safe_filename(name, "artifact") == expected


@pytest.mark.parametrize(
    "name, extension, expected",
    [
        ("report.exe", "pdf", "report.pdf"),
        ("report.PDF", "pdf", "report.PDF"),
        ("photo.jpeg", "jpg", "photo.jpeg"),
        ("readme.markdown", "md", "readme.markdown"),
        ("notes", "txt", "notes.txt"),
        ("minutes v2.1", "docx", "minutes v2.1.docx"),
        ("evil.html", "txt", "evil.txt"),
        ("logo.svg", "png", "logo.png"),
        ("", "pdf", "artifact.pdf"),
        ("../.htaccess", "txt", "htaccess.txt"),
    ],
)
def test_the_sniffed_extension_wins(name, extension, expected):
    assert safe_filename(name, "artifact", extension) == expected


def test_long_names_keep_their_extension_within_200_characters():
    name = safe_filename("a" * 500 + ".xlsx", "artifact", "xlsx")
    assert len(name) == 200 and name.endswith(".xlsx")
    wide = safe_filename("é" * 300 + ".pdf", "artifact", "pdf")
    assert wide.endswith(".pdf") and len(wide.encode()) <= 240


def test_the_fallback_is_cleaned_too():
    assert safe_filename("", "../Team plan") == "Team plan"
    assert safe_filename("", "") == "file"
