"""Read and write frameworks as YAML or JSON files.

``load`` is the one entry point for a file a person uploads, so it carries the defences:
a size cap before any parsing; YAML screened event by event before anything is built,
refusing anchors and aliases (how a "billion laughs" file turns a few hundred bytes into
billions of nodes), explicit tags and deep nesting at the first offending event; then a
safe loader that builds only text, lists and mappings, never Python objects. Duplicate
keys are refused as well, since YAML and JSON would otherwise keep the last one silently
and drop the rest of a person's text. Every refusal is a FrameworkInvalid naming the
line, or the path, of each problem.
"""

from __future__ import annotations

import json
from typing import ClassVar

import yaml

from nic.frameworks.schema import MAX_FILE_BYTES, Framework, FrameworkInvalid, to_dict
from nic.frameworks.validate import from_dict

FORMATS = ("yaml", "json")


def load(text: str | bytes, format: str = "yaml") -> Framework:
    """Parse and validate a framework file; FrameworkInvalid lists every problem."""
    return from_dict(parse(text, format))


def dump(framework: Framework, format: str = "yaml") -> str:
    """The framework as a file that ``load`` reads back to an equal Framework."""
    _check_format(format)
    data = to_dict(framework)
    if format == "json":
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=88)


def parse(text: str | bytes, format: str = "yaml") -> object:
    """The plain data in a YAML or JSON file, unvalidated; FrameworkInvalid if unreadable."""
    _check_format(format)
    if isinstance(text, bytes):
        _check_size(len(text))
        try:
            text = text.decode("utf-8-sig")  # tolerate the BOM some Windows editors add
        except UnicodeDecodeError as exc:
            raise FrameworkInvalid([f"(file): not UTF-8 text (bad byte at offset {exc.start:,})"]) from None
    else:
        # Characters never outnumber UTF-8 bytes, so a long string is refused before
        # paying for an encode just to measure it.
        _check_size(len(text) if len(text) > MAX_FILE_BYTES else len(text.encode("utf-8")))
        text = text.removeprefix("\ufeff")
    if not text.strip():
        raise FrameworkInvalid(["(file): the file is empty"])
    try:
        return _parse_json(text) if format == "json" else _parse_yaml(text)
    except RecursionError:
        # Thousands of nested JSON brackets exhaust the decoder's recursion (YAML is
        # screened for depth first); no framework nests more than six levels.
        raise FrameworkInvalid(["(file): nested too deeply to be a framework"]) from None


def _check_format(format: str) -> None:
    if format not in FORMATS:
        # A caller's mistake, not the uploader's: a plain ValueError, not FrameworkInvalid.
        raise ValueError(f"format must be one of {FORMATS}, not {format!r}")


def _check_size(size: int) -> None:
    if size > MAX_FILE_BYTES:
        raise FrameworkInvalid([f"(file): too large ({size:,} bytes; at most {MAX_FILE_BYTES:,}, 1 MB)"])


# --- JSON --------------------------------------------------------------------------------


def _parse_json(text: str) -> object:
    duplicates: list[str] = []

    def keep_pairs(pairs: list[tuple[str, object]]) -> dict:
        seen: dict[str, object] = {}
        for key, value in pairs:
            if key in seen:
                duplicates.append(key)
            seen[key] = value
        return seen

    try:
        data = json.loads(text, object_pairs_hook=keep_pairs)
    except json.JSONDecodeError as exc:
        raise FrameworkInvalid([f"line {exc.lineno}, column {exc.colno}: not valid JSON: {exc.msg}"]) from None
    if duplicates:
        # The hook sees no positions; naming the key is enough to find it with a search.
        raise FrameworkInvalid([f'(file): duplicate key "{key}" in one object' for key in duplicates])
    return data


# --- YAML --------------------------------------------------------------------------------

# libyaml when PyYAML was built with it (the PyPI wheels are): about seven times faster
# on a 1 MB file than the pure-Python parser, which is also quadratic in nesting depth.
_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# A framework nests six deep (document > domains > domain > practices > practice >
# descriptors); anything far deeper is an attack on the parsers' recursion, not a framework.
_MAX_DEPTH = 20
_CORE_TAGS = {"tag:yaml.org,2002:str", "tag:yaml.org,2002:seq", "tag:yaml.org,2002:map"}
_NULL = "tag:yaml.org,2002:null"


class _Loader(_BaseLoader):
    """A safe loader that reads every plain scalar as text (or null) and refuses
    duplicate keys.

    Frameworks hold only text, and YAML 1.1's implicit types surprise people: a level
    keyed ``no`` would become False, ``name: 2024`` a number and ``2024-13-01`` a crash
    in the date constructor. So only the null resolver is kept; explicit tags, anchors
    and aliases never get this far (see _screen).
    """

    yaml_implicit_resolvers: ClassVar[dict] = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag == _NULL]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }

    def construct_mapping(self, node, deep=False):
        seen = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if isinstance(key, str) and key in seen:
                raise yaml.constructor.ConstructorError(
                    "while reading a mapping", node.start_mark, f'duplicate key "{key}"', key_node.start_mark
                )
            if isinstance(key, str):
                seen.add(key)
        return super().construct_mapping(node, deep=deep)


def _screen(text: str) -> None:
    """Walk the event stream once, before anything is built, and stop at the first
    anchor, alias, explicit tag or excessive nesting. Events are produced lazily, so a
    billion-laughs file or a megabyte of ``[`` is refused after a few bytes."""
    depth = 0
    for event in yaml.parse(text, Loader=_BaseLoader):
        if isinstance(event, yaml.AliasEvent):
            _refuse(event, f"aliases (*{event.anchor}) are not allowed in a framework")
        if getattr(event, "anchor", None) is not None:
            _refuse(event, f"anchors (&{event.anchor}) are not allowed in a framework")
        tag = getattr(event, "tag", None)
        if tag is not None and tag not in _CORE_TAGS:
            _refuse(event, f"tags ({tag}) are not allowed in a framework: write plain text")
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > _MAX_DEPTH:
                _refuse(event, "nested too deeply to be a framework")
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


def _refuse(event, problem: str):
    raise yaml.MarkedYAMLError(problem=problem, problem_mark=event.start_mark)


def _parse_yaml(text: str) -> object:
    try:
        _screen(text)
        return yaml.load(text, Loader=_Loader)  # _Loader is a safe loader
    except yaml.MarkedYAMLError as exc:
        raise FrameworkInvalid([_describe(exc)]) from None
    except yaml.reader.ReaderError as exc:  # a character YAML forbids, such as NUL
        line = text.count("\n", 0, exc.position) + 1
        raise FrameworkInvalid(
            [f"line {line}: not valid YAML: {exc.reason} (character #x{exc.character:04x})"]
        ) from None
    except yaml.YAMLError as exc:
        raise FrameworkInvalid([f"(file): not valid YAML: {exc}"]) from None


def _describe(exc: yaml.MarkedYAMLError) -> str:
    """'line 3, column 7: not valid YAML: <problem> (<context> on line 2)', in people's
    terms: lines and columns counted from 1, and tags written as they are in the file."""
    mark = exc.problem_mark or exc.context_mark
    where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "(file)"
    problem = (exc.problem or exc.context or "unreadable").replace("tag:yaml.org,2002:", "!!")
    if exc.problem and exc.context and exc.context_mark and exc.context_mark.line != mark.line:
        problem += f" ({exc.context} on line {exc.context_mark.line + 1})"
    return f"{where}: not valid YAML: {problem}"


class _Dumper(yaml.SafeDumper):
    """Readable exports: multi-line text as ``|`` blocks, and never an anchor or alias
    (load refuses them, and a framework never needs them)."""

    def ignore_aliases(self, data):
        return True


def _represent_text(dumper: yaml.SafeDumper, text: str):
    style = "|" if "\n" in text else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


_Dumper.add_representer(str, _represent_text)
