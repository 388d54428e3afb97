"""Download names made safe. The stored name of a blob is its hash; this is only the
name offered to the person downloading, so it must not carry paths, control or bidi
characters (which can disguise `evil.exe` as `evil<U+202E>fdp.exe`), or an extension that
disagrees with what the file really is."""

from __future__ import annotations

import re
import unicodedata

MAX_LENGTH = 200  # characters, extension included
_MAX_BYTES = 240  # UTF-8 bytes: most file systems stop at 255
_WHITESPACE = re.compile(r"\s+")
_EXTENSION = re.compile(r"[A-Za-z0-9]{1,10}")
# Reserved on Windows, where many teachers download; also keeps quoting trivial.
_RESERVED_CHARS = re.compile(r'[<>:"|?*]')
_WINDOWS_DEVICES = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))}
_SAME_EXTENSION = {"jpeg": "jpg", "jpe": "jpg", "markdown": "md", "text": "txt"}


def safe_filename(name: str | None, fallback: str, extension: str | None = None) -> str:
    """A download name: no directories (../, ..\\, absolute paths), no control or bidi
    characters, no leading dots, whitespace collapsed, <= 200 characters with the
    extension, never empty (`fallback`). When `extension` (the sniffed one, no dot) is
    given and the name's extension disagrees, the sniffed one is used."""
    stem, ext = _split(_clean(name or ""))
    if not stem:
        stem, fallback_ext = _split(_clean(fallback or "")) if fallback else ("", "")
        stem = stem or "file"
        ext = ext or fallback_ext
    if extension:
        extension = extension.lower().lstrip(".")
        if _normal(ext) != _normal(extension):
            # A real-looking extension that disagrees is replaced ("report.exe" that is a
            # PDF -> "report.pdf"); anything else stays part of the name ("v2.1" -> "v2.1.pdf").
            if ext and not ext.isalpha():
                stem = f"{stem}.{ext}"
            ext = extension
    if stem.lower() in _WINDOWS_DEVICES:
        stem = f"_{stem}"
    return _fit(stem, ext)


def _clean(name: str) -> str:
    name = unicodedata.normalize("NFC", name)
    # Both separators, whatever the server's OS: only the last segment is a name.
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = _WHITESPACE.sub(" ", name)  # tabs and newlines become spaces, not nothing
    # Cc: control characters; Cf: format characters, including the bidi overrides and
    # zero-width characters; Cs/Co: surrogates and private use.
    name = "".join(ch for ch in name if unicodedata.category(ch) not in {"Cc", "Cf", "Cs", "Co"})
    name = _RESERVED_CHARS.sub("_", name)
    name = _WHITESPACE.sub(" ", name).strip()  # again: removals may have joined spaces
    # No hidden files, no "..": leading dots go; trailing dots and spaces vanish on Windows.
    return name.lstrip(". ").rstrip(". ")


def _split(name: str) -> tuple[str, str]:
    stem, dot, ext = name.rpartition(".")
    if dot and stem and _EXTENSION.fullmatch(ext):
        return stem.rstrip(" ."), ext
    return name, ""


def _normal(ext: str) -> str:
    ext = ext.lower()
    return _SAME_EXTENSION.get(ext, ext)


def _fit(stem: str, ext: str) -> str:
    suffix = f".{ext}" if ext else ""
    stem = stem[: MAX_LENGTH - len(suffix)]
    while len((stem + suffix).encode("utf-8")) > _MAX_BYTES:
        stem = stem[:-1]
    stem = stem.rstrip(" .") or "file"
    return stem + suffix
