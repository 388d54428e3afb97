"""The checks on what people say about an artifact, shared by every way in (pages, API,
demo): title, description, type, tags, grade band, subject, visibility, school and link.
Each cleaner raises ValueError with the reason, which FieldErrors files under the field."""
from __future__ import annotations

from urllib.parse import urlsplit

from sqlalchemy import select

from nic.extensions import db
from nic.models import ARTIFACT_KINDS, ChangeIdea, School
from nic.services.validation import FieldErrors, clean_name
from nic.tenancy import get_scoped

VISIBILITIES = ("school", "network")
DESCRIPTION_MAX = 20_000
NOTE_MAX = 2_000
URL_MAX = 2_000
TAG_MAX = 40
TAGS_MAX = 20
GRADE_BAND_MAX = 40
SUBJECT_MAX = 100


def clean_metadata(errors: FieldErrors, membership, data: dict, creating: bool, artifact=None) -> dict:
    values: dict = {}
    if creating or "title" in data:
        values["title"] = errors.check("title", clean_name, data.get("title"), 200)
    if creating or "description" in data:
        values["description"] = errors.check("description", clean_text, data.get("description"), DESCRIPTION_MAX)
    if creating or "kind" in data:
        values["kind"] = errors.check("kind", _clean_kind, data.get("kind"))
    if creating or "tags" in data:
        values["tags"] = errors.check("tags", clean_tags, data.get("tags"))
    if creating or "grade_band" in data:
        values["grade_band"] = errors.check("grade_band", _clean_short, data.get("grade_band"), GRADE_BAND_MAX)
    if creating or "subject" in data:
        values["subject"] = errors.check("subject", _clean_short, data.get("subject"), SUBJECT_MAX)
    if creating:
        values["school_id"] = _clean_school(errors, membership, data.get("school_id"))
    if creating or "visibility" in data:
        visibility = errors.check("visibility", _clean_visibility, data.get("visibility"))
        values["visibility"] = visibility
        school_id = values.get("school_id") if creating else artifact.school_id
        if visibility == "school" and membership.school_id != school_id:
            # Kept to a school its sharer is not part of, it would vanish from their view.
            errors.add("visibility", "must be network: only members of the school can keep it to that school")
    return values


def _clean_school(errors: FieldErrors, membership, raw) -> int | None:
    raw = "" if raw is None else str(raw).strip()
    if membership.school_id:
        if raw and raw != str(membership.school_id):
            errors.add("school_id", "must be your own school: you share as a member of it")
        return membership.school_id
    if not raw:
        errors.add("school_id", "is required: choose the school whose practice this is")
        return None
    school = get_scoped(School, raw)
    if school is None:
        errors.add("school_id", "is not a school of this network")
        return None
    return school.id


def change_ideas(errors: FieldErrors, raw) -> list[ChangeIdea]:
    if raw in (None, "", []):
        return []
    items = raw if isinstance(raw, (list, tuple)) else str(raw).split(",")
    try:
        ids = sorted({int(str(item).strip()) for item in items if str(item).strip()})
    except ValueError:
        errors.add("change_idea_ids", "must be change idea ids (whole numbers)")
        return []
    if not ids:
        return []
    found = list(db.session.scalars(select(ChangeIdea).where(ChangeIdea.id.in_(ids))))
    if len(found) != len(ids):
        errors.add("change_idea_ids", "names a change idea that is not in this network")
        return []
    return found


def clean_url(value) -> str:
    value = (value or "").strip()
    if not value:
        raise ValueError("is required")
    if len(value) > URL_MAX:
        raise ValueError(f"must be at most {URL_MAX} characters")
    if any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in value):
        raise ValueError("must not contain spaces or control characters")
    try:
        parts = urlsplit(value)
    except ValueError:
        raise ValueError("is not a web address") from None
    if parts.scheme.lower() not in ("http", "https"):
        raise ValueError("must be a web address starting with http:// or https://")
    if not parts.hostname:
        raise ValueError("must name a site, as in https://example.org/page")
    return value


def clean_tags(value) -> str:
    """Comma-separated (or a list), trimmed, lower-cased, each once, in the given order."""
    items = value if isinstance(value, (list, tuple)) else str(value or "").split(",")
    tags: list[str] = []
    for item in items:
        tag = " ".join(str(item).split()).lower()
        if not tag or tag in tags:
            continue
        if len(tag) > TAG_MAX:
            raise ValueError(f"each tag must be at most {TAG_MAX} characters")
        tags.append(tag)
    if len(tags) > TAGS_MAX:
        raise ValueError(f"must be at most {TAGS_MAX} tags")
    return ",".join(tags)


def tag_list(tags: str | None) -> list[str]:
    return [tag for tag in (tags or "").split(",") if tag]


def _clean_kind(value) -> str:
    value = (value or "").strip() or "other"
    if value not in ARTIFACT_KINDS:
        raise ValueError(f"must be one of {', '.join(ARTIFACT_KINDS)}")
    return value


def _clean_visibility(value) -> str:
    value = (value or "").strip() or "network"
    if value not in VISIBILITIES:
        raise ValueError("must be school or network")
    return value


def _clean_short(value, max_length: int) -> str:
    value = " ".join(str(value or "").split())
    if len(value) > max_length:
        raise ValueError(f"must be at most {max_length} characters")
    return value


def clean_text(value, max_length: int) -> str:
    value = str(value or "").strip()
    if len(value) > max_length:
        raise ValueError(f"must be at most {max_length} characters")
    return value
