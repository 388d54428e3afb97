"""Turn an untrusted, already-parsed document (dicts, lists, scalars) into a Framework.

Validation walks the whole document and collects every problem before deciding, so a
facilitator fixing an import sees all of them at once instead of one per upload; only
when the list is empty is a Framework built, so nothing half-valid ever leaves here.
Each problem names its place as a path (``domains[1].practices[0].descriptors``) because
the same rules serve YAML, JSON and (later) form edits, where line numbers do not exist.
"""

from __future__ import annotations

import difflib
import re
from datetime import date

from nic.frameworks.schema import (
    MAX_DOMAINS,
    MAX_KEY_CHARS,
    MAX_LEVELS,
    MAX_NAME_CHARS,
    MAX_PRACTICES,
    MAX_QUESTIONS,
    MAX_TEXT_CHARS,
    Domain,
    Framework,
    FrameworkInvalid,
    Level,
    Practice,
    Source,
)

# Keys end up in URLs, API payloads and ratings rows, so they are slugs.
_KEY = re.compile(r"[a-z0-9]+(?:[-_][a-z0-9]+)*\Z")
# Control characters break PostgreSQL text (NUL) or hide content; names are one line.
_NAME_BAD = re.compile(r"[\x00-\x1f\x7f]")
_TEXT_BAD = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

_FRAMEWORK_KEYS = ("key", "name", "description", "source", "levels", "domains")
_SOURCE_KEYS = ("organisation", "title", "note")
_LEVEL_KEYS = ("key", "name", "descriptor")
_DOMAIN_KEYS = ("name", "description", "practices")
_PRACTICE_KEYS = ("key", "name", "description", "descriptors", "guiding_questions")


def from_dict(data: object) -> Framework:
    """The Framework described by ``data``, or FrameworkInvalid listing every problem."""
    checker = _Checker()
    framework = checker.framework(data)
    if checker.errors:
        raise FrameworkInvalid(checker.errors)
    assert framework is not None  # no errors means every part was built
    return framework


def _kind(value: object) -> str:
    """How a value reads to a person who wrote YAML or JSON, for 'found ...' messages."""
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"{str(value).lower()} (a yes/no value)"
    if isinstance(value, (int, float)):
        return f"the number {value!r}"
    if isinstance(value, date):
        return f"the date {value.isoformat()}"
    if isinstance(value, str):
        return "text"
    if isinstance(value, (list, tuple)):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return f"a {type(value).__name__}"


def _normal(name: str) -> str:
    """Names compare without case or spacing differences: 'Shared ILT' == 'shared  ilt'."""
    return " ".join(name.casefold().split())


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.casefold()).strip("-")[:MAX_KEY_CHARS]


class _Checker:
    def __init__(self):
        self.errors: list[str] = []

    def add(self, place: str, problem: str) -> None:
        self.errors.append(f"{place}: {problem}")

    # --- building blocks -----------------------------------------------------------------

    def mapping(self, value: object, place: str, allowed: tuple[str, ...]) -> dict | None:
        if not isinstance(value, dict):
            self.add(place, f"must be a mapping of keys to values, found {_kind(value)}")
            return None
        for key in value:
            if not isinstance(key, str):
                self.add(place, f"keys must be text, found {_kind(key)}")
            elif key not in allowed:
                close = difflib.get_close_matches(key, allowed, n=1)
                hint = f' (did you mean "{close[0]}"?)' if close else f" (allowed: {', '.join(allowed)})"
                self.add(place, f'unknown key "{key}"{hint}')
        return value

    def text(self, parent: dict, field: str, place: str, *, required: bool, limit: int, one_line: bool) -> str:
        """The stripped text at parent[field], or "" after recording what is wrong with it."""
        where = f"{place}.{field}" if place else field
        if parent.get(field) is None:
            if required:
                self.add(where, "missing")
            return ""
        return self.value_text(parent[field], where, required=required, limit=limit, one_line=one_line)

    def value_text(self, value: object, where: str, *, required: bool, limit: int, one_line: bool) -> str:
        if not isinstance(value, str):
            # YAML reads bare 2024, yes or 2024-01-01 as a number, a boolean or a date.
            hint = " (put it in quotes)" if isinstance(value, (bool, int, float, date)) else ""
            self.add(where, f"must be text, found {_kind(value)}{hint}")
            return ""
        value = value.strip()
        if required and not value:
            self.add(where, "must not be empty")
        if len(value) > limit:
            self.add(where, f"too long ({len(value):,} characters; at most {limit:,})")
        bad = _NAME_BAD if one_line else _TEXT_BAD
        if bad.search(value):
            self.add(where, "must be a single line" if one_line and "\n" in value else "contains control characters")
        return value

    def key(self, parent: dict, place: str) -> str:
        value = self.text(parent, "key", place, required=True, limit=MAX_KEY_CHARS, one_line=True)
        if value and not _KEY.match(value):
            suggestion = _slug(value)
            hint = f' (for example "{suggestion}")' if suggestion else ""
            self.add(
                f"{place}.key" if place else "key",
                f'"{value}" is not a valid key: use lowercase letters and digits, joined by "-" or "_"{hint}',
            )
        return value

    def items(self, parent: dict, field: str, place: str) -> list | None:
        where = f"{place}.{field}" if place else field
        if field not in parent or parent[field] is None:
            self.add(where, "missing")
            return None
        value = parent[field]
        if not isinstance(value, list):
            self.add(where, f"must be a list, found {_kind(value)}")
            return None
        return value

    # --- the document ----------------------------------------------------------------------

    def framework(self, data: object) -> Framework | None:
        doc = self.mapping(data, "(document)", _FRAMEWORK_KEYS)
        if doc is None:
            return None
        key = self.key(doc, "")
        name = self.text(doc, "name", "", required=True, limit=MAX_NAME_CHARS, one_line=True)
        description = self.text(doc, "description", "", required=False, limit=MAX_TEXT_CHARS, one_line=False)
        source = self.source(doc["source"]) if doc.get("source") is not None else None
        levels = self.levels(doc)
        known_levels = [level.key for level in levels or () if level.key]
        domains = self.domains(doc, known_levels)
        if self.errors:
            return None
        return Framework(key=key, name=name, description=description, source=source, levels=levels, domains=domains)

    def source(self, value: object) -> Source | None:
        source = self.mapping(value, "source", _SOURCE_KEYS)
        if source is None:
            return None
        return Source(
            organisation=self.text(
                source, "organisation", "source", required=True, limit=MAX_NAME_CHARS, one_line=True
            ),
            title=self.text(source, "title", "source", required=False, limit=MAX_NAME_CHARS, one_line=True),
            note=self.text(source, "note", "source", required=False, limit=MAX_TEXT_CHARS, one_line=False),
        )

    def levels(self, doc: dict) -> list[Level]:
        raw = self.items(doc, "levels", "")
        if raw is None:
            return []
        if len(raw) < 2:
            self.add("levels", f"at least 2 levels are needed, found {len(raw)}")
        if len(raw) > MAX_LEVELS:
            self.add("levels", f"at most {MAX_LEVELS} levels, found {len(raw)}")
        placed: list[tuple[str, Level]] = []
        for i, item in enumerate(raw):
            place = f"levels[{i}]"
            entry = self.mapping(item, place, _LEVEL_KEYS)
            if entry is None:
                continue
            placed.append(
                (
                    place,
                    Level(
                        key=self.key(entry, place),
                        name=self.text(entry, "name", place, required=True, limit=MAX_NAME_CHARS, one_line=True),
                        descriptor=self.text(
                            entry, "descriptor", place, required=False, limit=MAX_TEXT_CHARS, one_line=False
                        ),
                    ),
                )
            )
        self.unique([(place, level.key) for place, level in placed], "level key", exact=True)
        self.unique([(place, level.name) for place, level in placed], "level name", exact=False)
        return [level for _, level in placed]

    def domains(self, doc: dict, level_keys: list[str]) -> list[Domain]:
        raw = self.items(doc, "domains", "")
        if raw is None:
            return []
        if not raw:
            self.add("domains", "at least one domain is needed")
        if len(raw) > MAX_DOMAINS:
            self.add("domains", f"at most {MAX_DOMAINS} domains, found {len(raw)}")
        domains: list[Domain] = []
        names, practice_keys, practice_names = [], [], []
        total = 0
        for i, item in enumerate(raw):
            place = f"domains[{i}]"
            entry = self.mapping(item, place, _DOMAIN_KEYS)
            if entry is None:
                continue
            name = self.text(entry, "name", place, required=True, limit=MAX_NAME_CHARS, one_line=True)
            names.append((place, name))
            description = self.text(entry, "description", place, required=False, limit=MAX_TEXT_CHARS, one_line=False)
            practices = []
            raw_practices = self.items(entry, "practices", place)
            if raw_practices is not None and not raw_practices:
                self.add(f"{place}.practices", "at least one practice is needed")
            for j, raw_practice in enumerate(raw_practices or []):
                practice_place = f"{place}.practices[{j}]"
                practice = self.practice(raw_practice, practice_place, level_keys)
                if practice is not None:
                    practices.append(practice)
                    practice_keys.append((practice_place, practice.key))
                    practice_names.append((practice_place, practice.name))
            total += len(raw_practices or [])
            domains.append(Domain(name=name, description=description, practices=practices))
        if total > MAX_PRACTICES:
            self.add("domains", f"at most {MAX_PRACTICES} practices in all, found {total}")
        self.unique(names, "domain name", exact=False)
        self.unique(practice_keys, "practice key", exact=True)
        self.unique(practice_names, "practice name", exact=False)
        return domains

    def practice(self, item: object, place: str, level_keys: list[str]) -> Practice | None:
        entry = self.mapping(item, place, _PRACTICE_KEYS)
        if entry is None:
            return None
        key = self.key(entry, place)
        name = self.text(entry, "name", place, required=True, limit=MAX_NAME_CHARS, one_line=True)
        description = self.text(entry, "description", place, required=False, limit=MAX_TEXT_CHARS, one_line=False)
        descriptors = self.descriptors(entry, place, level_keys)
        questions = self.questions(entry, place)
        return Practice(
            key=key, name=name, description=description, descriptors=descriptors, guiding_questions=questions
        )

    def descriptors(self, entry: dict, place: str, level_keys: list[str]) -> dict[str, str]:
        where = f"{place}.descriptors"
        if entry.get("descriptors") is None:
            self.add(where, "missing (each practice needs a descriptor for every level)")
            return {}
        raw = entry["descriptors"]
        if not isinstance(raw, dict):
            self.add(where, f"must be a mapping of level key to text, found {_kind(raw)}")
            return {}
        for level_key in raw:
            if isinstance(level_key, str) and level_key not in level_keys and level_keys:
                listed = ", ".join(f'"{k}"' for k in level_keys)
                self.add(where, f'unknown level "{level_key}" (the levels are {listed})')
            elif not isinstance(level_key, str):
                self.add(where, f"level keys must be text, found {_kind(level_key)} (put it in quotes)")
        texts = {}
        # Built in level order, so a dump lists descriptors lowest level first whatever
        # order the file used, and a round trip is stable.
        for level_key in dict.fromkeys(level_keys):  # a duplicated level is reported once, elsewhere
            if level_key not in raw:
                self.add(where, f'missing level "{level_key}"')
                continue
            texts[level_key] = self.text(raw, level_key, where, required=True, limit=MAX_TEXT_CHARS, one_line=False)
        return texts

    def questions(self, entry: dict, place: str) -> list[str]:
        if entry.get("guiding_questions") is None:
            return []
        raw = self.items(entry, "guiding_questions", place)
        if raw is None:
            return []
        where = f"{place}.guiding_questions"
        if len(raw) > MAX_QUESTIONS:
            self.add(where, f"at most {MAX_QUESTIONS} questions, found {len(raw)}")
        return [
            self.value_text(question, f"{where}[{i}]", required=True, limit=MAX_TEXT_CHARS, one_line=False)
            for i, question in enumerate(raw)
        ]

    def unique(self, places_and_values: list[tuple[str, str]], what: str, *, exact: bool) -> None:
        """One error per repeat, naming the first place the value appeared and the repeat."""
        first: dict[str, str] = {}
        for place, value in places_and_values:
            if not value:
                continue  # already reported as missing or empty
            seen = value if exact else _normal(value)
            if seen in first:
                self.add(place, f'duplicate {what} "{value}" ({first[seen]} and {place})')
            else:
                first[seen] = place
