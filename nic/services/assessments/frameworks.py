"""The network's leadership-practice frameworks: the library (the network's own and the
built-ins not adopted yet), adopting a built-in, copying, importing a YAML or JSON file,
editing, exporting, archiving.

A framework's text lives in one JSON document (`Framework.document`, the shape of
nic.frameworks.schema); every document that reaches the database has passed
nic.frameworks.validate, so the whole of a refused file or edit is reported at once
(FrameworkRefused, a 422 listing every problem by place) and nothing is written.
FrameworkPractice rows follow the document, matched by practice key (nic.services.
framework_sync), because ratings, consensus and links to the theory of improvement point
at them.

Edits carry the `version` they read: a stale one is a Conflict and changes nothing. An
edit may not take away a practice or a level that ratings or a consensus already use.
"""
from __future__ import annotations

import copy
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import exists, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from nic.clock import utcnow
from nic.extensions import db
from nic.frameworks import FORMATS, FrameworkInvalid, dump, from_dict, get_builtin, list_builtin, load, to_dict
from nic.frameworks import Framework as Document
from nic.frameworks.schema import MAX_NAME_CHARS
from nic.models import AssessmentRound, Framework
from nic.permissions import allowed
from nic.services.assessments import framework_sync
from nic.services.errors import Conflict, Forbidden, NotFound, ValidationFailed
from nic.transaction import commit
from nic.services.validation import clean_id
from nic.words import plural

MIME_TYPES = {"yaml": "application/yaml", "json": "application/json"}
_YAML_TYPES = ("application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml")


class FrameworkRefused(ValidationFailed):
    """A framework document with problems: `errors` is the ordered list, each
    '<place>: <problem>' (see nic.frameworks.schema.FrameworkInvalid); `fields` maps each
    place to its problems, so the API answers 422 naming every one."""

    def __init__(self, errors: list[str]):
        self.errors = list(errors)
        fields: dict[str, str] = {}
        for error in self.errors:
            place, sep, problem = error.partition(": ")
            if not sep:
                place, problem = "(document)", error
            fields[place] = f"{fields[place]}; {problem}" if place in fields else problem
        count = len(self.errors)
        super().__init__(fields, f"The framework was not saved: {plural(count, 'problem')} "
                         f"to fix ({self.errors[0]}{'; …' if count > 1 else ''}).")


def refused(exc: FrameworkInvalid) -> FrameworkRefused:
    return FrameworkRefused(exc.errors)


def _require_manage(membership) -> None:
    if membership is None or not allowed(membership.role, "frameworks.manage"):
        raise Forbidden("Only facilitators adopt, import and edit the network's frameworks.")


# --- reading ---------------------------------------------------------------------------------

@dataclass
class Library:
    frameworks: list[Framework]  # the network's: in use first, then archived; by name
    builtins: list[Document]  # the built-ins this network has not adopted yet


def library() -> Library:
    rows = list(db.session.scalars(
        select(Framework).options(selectinload(Framework.practices)).order_by(Framework.archived_at.is_not(None), func.lower(Framework.name), Framework.id)))
    adopted = {row.based_on for row in rows if row.origin == "builtin"}
    return Library(rows, [builtin for builtin in list_builtin() if builtin.key not in adopted])


def get_framework(framework_id) -> Framework:
    """The network's framework with this id; another network's (or none) is NotFound."""
    try:
        framework_id = clean_id(framework_id)
    except ValueError:
        raise NotFound("No such framework in this network.") from None
    framework = db.session.scalar(select(Framework).where(Framework.id == framework_id))
    if framework is None:
        raise NotFound("No such framework in this network.")
    return framework


def document_of(framework: Framework) -> Document:
    """The stored document as schema values (it was validated when it was saved)."""
    return from_dict(framework.document)


def has_rounds(framework: Framework) -> bool:
    return bool(db.session.scalar(select(exists().where(AssessmentRound.framework_id == framework.id))))


def open_rounds(framework: Framework) -> int:
    return db.session.scalar(select(func.count(AssessmentRound.id)).where(
        AssessmentRound.framework_id == framework.id, AssessmentRound.closed_at.is_(None))) or 0


# --- creating ----------------------------------------------------------------------------------

def _key_taken(key: str) -> ValidationFailed:
    other = db.session.scalar(select(Framework.name).where(Framework.key == key))
    named = f" (“{other}”)" if other else ""
    return ValidationFailed({"key": f'"{key}" is already the key of a framework in this network{named}: '
                                    "choose another"})


def _check_key_free(key: str, framework_id: int | None = None) -> None:
    stmt = select(Framework.id).where(Framework.key == key)
    if framework_id is not None:
        stmt = stmt.where(Framework.id != framework_id)
    if db.session.scalar(stmt.limit(1)) is not None:
        raise _key_taken(key)


@contextmanager
def _savepoint(key: str):
    """Flush the block's changes in a savepoint: losing a race for the key to another
    request undoes only them and answers like the check before it."""
    try:
        with db.session.begin_nested():
            yield
            db.session.flush()
    except IntegrityError:
        raise _key_taken(key) from None


def _create(membership, document: Document, origin: str, based_on: str = "") -> Framework:
    _check_key_free(document.key)
    framework = Framework(key=document.key, name=document.name, origin=origin, based_on=based_on,
                          document=to_dict(document), created_by_id=membership.user_id, version=1)
    framework_sync.sync_practices(framework, document)
    with _savepoint(document.key):
        db.session.add(framework)
    commit()
    return framework


def adopt(membership, builtin_key) -> Framework:
    """The network's own copy of a built-in framework (origin `builtin`)."""
    _require_manage(membership)
    builtin = get_builtin(builtin_key) if isinstance(builtin_key, str) else None
    if builtin is None:
        known = ", ".join(b.key for b in list_builtin())
        raise ValidationFailed({"builtin": f"is not a built-in framework (they are: {known})"})
    already = db.session.scalar(select(Framework).where(Framework.origin == "builtin",
                                                        Framework.based_on == builtin.key).limit(1))
    if already is not None:
        raise ValidationFailed({"builtin": f"is already adopted by this network as “{already.name}”: "
                                           "copy that one to make a variant"})
    return _create(membership, builtin, "builtin", based_on=builtin.key)


def copy_framework(membership, framework_id, key, name=None) -> Framework:
    """A new framework with the same content under a new key (origin `copy`), to edit
    without touching the original or the rounds run on it."""
    _require_manage(membership)
    source = get_framework(framework_id)
    data = copy.deepcopy(source.document)
    data["key"] = key.strip() if isinstance(key, str) else key
    if name is None or (isinstance(name, str) and not name.strip()):
        name = f"{source.name} (copy)"[:MAX_NAME_CHARS]
    data["name"] = name
    try:
        document = from_dict(data)
    except FrameworkInvalid as exc:
        raise refused(exc) from None
    return _create(membership, document, "copy", based_on=source.key)


def create_from_document(membership, data, origin: str = "custom") -> Framework:
    """A framework from a whole document sent as data (the API's JSON body)."""
    _require_manage(membership)
    try:
        document = from_dict(data)
    except FrameworkInvalid as exc:
        raise refused(exc) from None
    return _create(membership, document, origin)


def detect_format(filename: str | None = None, mimetype: str | None = None, content: bytes | str = b"") -> str:
    """yaml or json, from the file's name, else its declared type, else its first character."""
    name = (filename or "").lower()
    if name.endswith(".json"):
        return "json"
    if name.endswith((".yaml", ".yml")):
        return "yaml"
    mimetype = (mimetype or "").split(";")[0].strip().lower()
    if mimetype == "application/json":
        return "json"
    if mimetype in _YAML_TYPES:
        return "yaml"
    head = content[:64].lstrip() if content else content
    if isinstance(head, bytes):
        head = head.removeprefix(b"\xef\xbb\xbf").decode("utf-8", "replace")
    return "json" if head.lstrip("\ufeff").startswith("{") else "yaml"


def import_file(membership, content: bytes | str, format: str | None = None, filename: str | None = None,
                mimetype: str | None = None) -> Framework:
    """A framework from a YAML or JSON file (origin `import`). Any problem raises
    FrameworkRefused listing every one, each with its line or place; nothing is written."""
    _require_manage(membership)
    if format is None:
        format = detect_format(filename, mimetype, content)
    elif format not in FORMATS:
        raise ValidationFailed({"format": f"must be one of {', '.join(FORMATS)}"})
    try:
        document = load(content, format)
    except FrameworkInvalid as exc:
        raise refused(exc) from None
    return _create(membership, document, "import")


# --- editing -----------------------------------------------------------------------------------

def _clean_version(value) -> int:
    if isinstance(value, bool):
        value = None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ValidationFailed({"version": "is required: send the version you read"}) from None


def _stale(framework: Framework, expected: int) -> Conflict:
    return Conflict("Someone changed this framework after you opened it; nothing was saved. "
                    "Reload it and make your change again.",
                    {"version": f"is {expected}, but the framework is now at version {framework.version}"})


def check_version(framework: Framework, version) -> None:
    """Conflict unless `version` is the framework's current one (for changes, such as
    archiving from the API, that carry a version without editing the document)."""
    expected = _clean_version(version)
    if expected != framework.version:
        raise _stale(framework, expected)


def update_document(membership, framework_id, version, data) -> Framework:
    """Replace the whole document (levels, domains, practices and all)."""
    _require_manage(membership)
    framework = get_framework(framework_id)
    expected = _clean_version(version)
    try:
        document = from_dict(data)
    except FrameworkInvalid as exc:
        raise refused(exc) from None
    return _save(framework, expected, document)


def update_details(membership, framework_id, version, changes: dict) -> Framework:
    """Change the name and/or description only (the keys present in `changes`)."""
    _require_manage(membership)
    framework = get_framework(framework_id)
    expected = _clean_version(version)
    data = copy.deepcopy(framework.document)
    for field in ("name", "description"):
        if field in changes:
            data[field] = changes[field]
    if not data.get("description"):
        data.pop("description", None)
    try:
        document = from_dict(data)
    except FrameworkInvalid as exc:
        raise refused(exc) from None
    return _save(framework, expected, document)


def _save(framework: Framework, expected: int, document: Document) -> Framework:
    if expected != framework.version:
        raise _stale(framework, expected)
    if document.key != framework.key:
        _check_key_free(document.key, framework.id)
    framework_sync.check_removals(framework, document)
    old_levels = [level["key"] for level in framework.document["levels"]]
    try:
        with _savepoint(document.key):  # every change inside it: opening it flushes what is pending
            # Claim the version in the database: of two edits read at the same version, the
            # second waits on the row lock, then finds the version moved on and changes nothing.
            claimed = db.session.execute(
                update(Framework).where(Framework.id == framework.id, Framework.version == expected)
                .values(version=expected + 1).execution_options(synchronize_session=False))
            if claimed.rowcount != 1:
                raise _StaleClaim()
            framework.version = expected + 1
            framework.key, framework.name = document.key, document.name
            framework.document = to_dict(document)  # a new dict, so the JSON column is written
            framework.updated_at = utcnow()
            framework_sync.sync_practices(framework, document)
            framework_sync.rerank(framework, old_levels, list(document.level_keys))
    except _StaleClaim:
        db.session.refresh(framework)
        raise _stale(framework, expected) from None
    commit()
    return framework


class _StaleClaim(Exception):
    """Another edit committed between reading the framework and claiming its version."""


# --- exporting, archiving ------------------------------------------------------------------------

def export(framework: Framework, format: str) -> tuple[str, str, str]:
    """(file name, text, MIME type) of the framework as a file `import_file` reads back."""
    if format not in FORMATS:
        raise ValidationFailed({"format": f"must be one of {', '.join(FORMATS)}"})
    return f"{framework.key}.{format}", dump(document_of(framework), format), MIME_TYPES[format]


def archive(membership, framework_id) -> Framework:
    """Retire a framework: kept with its rounds (history stays readable) but offered for no
    new round. A framework with a round still open is refused: close the round first."""
    _require_manage(membership)
    framework = get_framework(framework_id)
    if framework.archived_at is None:
        still_open = open_rounds(framework)
        if still_open:
            raise Conflict(f"“{framework.name}” has {plural(still_open, 'open round')}: "
                           "close them before archiving it.", {"archived": "a round on it is still open"})
        framework.archived_at = utcnow()
        commit()
    return framework


def restore(membership, framework_id) -> Framework:
    _require_manage(membership)
    framework = get_framework(framework_id)
    if framework.archived_at is not None:
        framework.archived_at = None
        commit()
    return framework


def delete(membership, framework_id) -> None:
    """Delete a framework no round ever used (adopted by mistake, say); one with rounds is
    archived instead, so past rounds keep their framework."""
    _require_manage(membership)
    framework = get_framework(framework_id)
    if has_rounds(framework):
        raise Conflict(f"“{framework.name}” has assessment rounds, so it is kept: archive it instead.",
                       {"framework": "has rounds: archive it instead"})
    db.session.delete(framework)
    commit()
