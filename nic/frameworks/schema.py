"""The shape of a leadership-practice framework, as plain immutable values.

A framework is ordered levels (lowest first), domains, and practices inside the domains;
each practice has a descriptor for every level and optional guiding questions. The
values are frozen (tuples, read-only mappings) because built-in frameworks are parsed
once and shared: a caller that wants an edited copy builds a new one
(``dataclasses.replace``, or ``to_dict`` -> edit -> ``validate.from_dict``), so nobody can
change the built-ins under another request's feet.

Only :mod:`nic.frameworks.validate` builds these from untrusted input; constructing them
directly skips validation, which is fine for code but never for a file a person sent.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

# Limits, shared by validation and by callers that want to tell people the rules up front.
# They bound the work and memory one import can cost, and keep a framework usable as a
# self-assessment (a 1,000-practice rubric is not something a team can rate in a meeting).
MAX_FILE_BYTES = 1024 * 1024
MAX_LEVELS = 10
MAX_DOMAINS = 50
MAX_PRACTICES = 300
MAX_QUESTIONS = 30
MAX_NAME_CHARS = 200
MAX_TEXT_CHARS = 2000
MAX_KEY_CHARS = 64

# More than this many problems in one message is noise; the full list stays on the error.
_MESSAGE_ERRORS = 20


class FrameworkInvalid(ValueError):
    """A framework document was refused; ``errors`` names every problem and where it is.

    Each entry reads ``<place>: <problem>``, the place being a path such as
    ``domains[1].practices[0].descriptors`` (or ``line 3, column 5`` for a file that does
    not parse), so a page can list them and a person can find each one.
    """

    def __init__(self, errors: list[str]):
        self.errors = list(errors)
        shown = self.errors[:_MESSAGE_ERRORS]
        more = len(self.errors) - len(shown)
        lines = [f"framework refused ({len(self.errors)} problem{'s' if len(self.errors) != 1 else ''}):"]
        lines += [f"  - {error}" for error in shown]
        if more:
            lines.append(f"  ... and {more} more")
        super().__init__("\n".join(lines))


@dataclass(frozen=True)
class Source:
    """Whose work a framework is based on: shown wherever the framework is."""

    organisation: str
    title: str = ""
    note: str = ""


@dataclass(frozen=True)
class Level:
    key: str
    name: str
    descriptor: str = ""


@dataclass(frozen=True)
class Practice:
    key: str
    name: str
    description: str = ""
    # level key -> what the practice looks like at that level; one entry per level.
    descriptors: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    guiding_questions: tuple[str, ...] = ()

    def __post_init__(self):
        # Accept a plain dict from code and freeze it, so equality and immutability hold.
        if not isinstance(self.descriptors, MappingProxyType):
            object.__setattr__(self, "descriptors", MappingProxyType(dict(self.descriptors)))
        object.__setattr__(self, "guiding_questions", tuple(self.guiding_questions))

    # A mappingproxy cannot be pickled or deep-copied; hand over a plain dict instead, so
    # copy.deepcopy and caches that pickle keep working.
    def __getstate__(self):
        return {**self.__dict__, "descriptors": dict(self.descriptors)}

    def __setstate__(self, state):
        for name, value in state.items():
            object.__setattr__(self, name, value)
        self.__post_init__()


@dataclass(frozen=True)
class Domain:
    name: str
    description: str = ""
    practices: tuple[Practice, ...] = ()

    def __post_init__(self):
        object.__setattr__(self, "practices", tuple(self.practices))


@dataclass(frozen=True)
class Framework:
    key: str
    name: str
    levels: tuple[Level, ...]
    domains: tuple[Domain, ...]
    description: str = ""
    source: Source | None = None

    def __post_init__(self):
        object.__setattr__(self, "levels", tuple(self.levels))
        object.__setattr__(self, "domains", tuple(self.domains))

    @property
    def level_keys(self) -> tuple[str, ...]:
        """Level keys lowest first: the order ratings are compared in."""
        return tuple(level.key for level in self.levels)

    def practices(self) -> list[Practice]:
        """Every practice in document order, across domains."""
        return [practice for domain in self.domains for practice in domain.practices]

    def practice(self, key: str) -> Practice | None:
        return next((p for p in self.practices() if p.key == key), None)

    def level(self, key: str) -> Level | None:
        return next((level for level in self.levels if level.key == key), None)


def to_dict(framework: Framework) -> dict:
    """Plain dicts and lists in the document's key order: what dump writes and a database
    JSON column can hold. Optional empty fields are left out so exports stay short."""
    data: dict = {"key": framework.key, "name": framework.name}
    if framework.description:
        data["description"] = framework.description
    if framework.source is not None:
        source = {"organisation": framework.source.organisation}
        if framework.source.title:
            source["title"] = framework.source.title
        if framework.source.note:
            source["note"] = framework.source.note
        data["source"] = source
    data["levels"] = [_level_dict(level) for level in framework.levels]
    data["domains"] = [_domain_dict(domain) for domain in framework.domains]
    return data


def _level_dict(level: Level) -> dict:
    data = {"key": level.key, "name": level.name}
    if level.descriptor:
        data["descriptor"] = level.descriptor
    return data


def _domain_dict(domain: Domain) -> dict:
    data: dict = {"name": domain.name}
    if domain.description:
        data["description"] = domain.description
    data["practices"] = [_practice_dict(practice) for practice in domain.practices]
    return data


def _practice_dict(practice: Practice) -> dict:
    data: dict = {"key": practice.key, "name": practice.name}
    if practice.description:
        data["description"] = practice.description
    data["descriptors"] = dict(practice.descriptors)
    if practice.guiding_questions:
        data["guiding_questions"] = list(practice.guiding_questions)
    return data
