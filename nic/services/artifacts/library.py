"""Finding artifacts: the library page's search, filters and sorting, and the same
filters for `GET .../artifacts` in the API. Every query starts from
permissions.visible_artifacts_clause, whatever the filters say.

Search covers title, description, tags, grade band, subject and the text extracted from
the current version's file (nic.services.artifacts.search.artifacts_matching).
"""
from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Mapping

from sqlalchemy import Select, exists, func, literal, select
from sqlalchemy.orm import selectinload

from nic.extensions import db
from nic.models import ARTIFACT_KINDS, Artifact, ChangeIdea, School
from nic.models.artifact import artifact_change_ideas
from nic.permissions import visible_artifacts_clause
from nic.services.artifacts.links import usage_count_expression, usage_counts
from nic.services.artifacts.search import artifacts_matching
from nic.services.validation import FieldErrors, clean_choice, clean_id

Q_MAX = 200
SORTS = {"newest": "Newest first", "title": "Title (A to Z)", "used": "Most used"}
ID_PARAMS = ("school_id", "change_idea_id")
TAG_CHOICES_SCAN = 2000  # distinct tag strings read to offer tag suggestions


@dataclass(frozen=True)
class LibraryFilters:
    q: str | None = None
    kind: str | None = None
    school_id: int | None = None
    tag: str | None = None
    grade_band: str | None = None
    subject: str | None = None
    change_idea_id: int | None = None
    sort: str | None = None

    def as_args(self) -> dict[str, str]:
        return {item.name: str(getattr(self, item.name)) for item in fields(self)
                if getattr(self, item.name) is not None}

    @property
    def active(self) -> bool:
        return any(getattr(self, item.name) is not None for item in fields(self) if item.name != "sort")


ALL_PARAMS = tuple(item.name for item in fields(LibraryFilters))


def parse_filters(args: Mapping[str, str], params: tuple[str, ...] = ALL_PARAMS) -> LibraryFilters:
    """Read the filters from query arguments (empty ones ignored). Raises
    ValidationFailed naming each bad parameter. Ids of another network are not errors:
    like any id that matches nothing, they find nothing."""
    errors = FieldErrors()
    values: dict[str, object] = {}
    for name in params:
        raw = (args.get(name) or "").strip()
        if not raw:
            continue
        if name in ID_PARAMS:
            values[name] = errors.check(name, clean_id, raw)
        elif name == "kind":
            values[name] = errors.check(name, clean_choice, raw, ARTIFACT_KINDS)
        elif name == "sort":
            values[name] = errors.check(name, clean_choice, raw, tuple(SORTS))
        elif name == "tag":
            values[name] = errors.check(name, _clean_free, " ".join(raw.split()).lower(), 40)
        elif name in ("grade_band", "subject"):
            values[name] = errors.check(name, _clean_free, raw, 100)
        elif name == "q":
            values[name] = errors.check(name, _clean_free, raw, Q_MAX)
    errors.raise_if_any()
    return LibraryFilters(**values)


def conditions(membership, filters: LibraryFilters) -> list:
    """The one place the filters become SQL (the page, its count and the API use it)."""
    found = [visible_artifacts_clause(membership)]
    if filters.kind:
        found.append(Artifact.kind == filters.kind)
    if filters.school_id:
        found.append(Artifact.school_id == filters.school_id)
    if filters.grade_band:
        found.append(func.lower(Artifact.grade_band) == filters.grade_band.lower())
    if filters.subject:
        found.append(func.lower(Artifact.subject) == filters.subject.lower())
    if filters.tag:
        # tags are stored "a,b,c": wrap in commas so a tag matches whole, never a part
        found.append((literal(",") + Artifact.tags + literal(",")).contains(f",{filters.tag},", autoescape=True))
    if filters.change_idea_id:
        found.append(exists().where(artifact_change_ideas.c.artifact_id == Artifact.id,
                                    artifact_change_ideas.c.change_idea_id == filters.change_idea_id))
    text = artifacts_matching(filters.q)
    if text is not None:
        found.append(text)
    return found


def artifacts_query(membership, filters: LibraryFilters) -> Select:
    """SELECT of the matching artifacts, unordered, with what a card shows loaded in a
    few queries rather than one per row."""
    return select(Artifact).where(*conditions(membership, filters)).options(
        selectinload(Artifact.school), selectinload(Artifact.author), selectinload(Artifact.versions),
        selectinload(Artifact.change_ideas),
    )


@dataclass(frozen=True)
class LibraryPage:
    artifacts: list[Artifact]
    total: int
    usage: dict[int, tuple[int, int]]  # artifact id -> (cycles, schools)


def library_page(membership, filters: LibraryFilters, page: int, per_page: int) -> LibraryPage:
    stmt = artifacts_query(membership, filters)
    sort = filters.sort or "newest"
    if sort == "title":
        stmt = stmt.order_by(func.lower(Artifact.title), Artifact.id)
    elif sort == "used":
        stmt = stmt.order_by(usage_count_expression(membership).desc(), Artifact.created_at.desc(), Artifact.id.desc())
    else:
        stmt = stmt.order_by(Artifact.created_at.desc(), Artifact.id.desc())
    rows = list(db.session.scalars(stmt.limit(per_page).offset((page - 1) * per_page)))
    total = db.session.scalar(select(func.count()).select_from(Artifact).where(*conditions(membership, filters)))
    return LibraryPage(rows, total, usage_counts(membership, [a.id for a in rows]))


def filter_choices(membership) -> dict[str, list]:
    """What the library's selects offer, from the artifacts this member may see."""
    visible = visible_artifacts_clause(membership)

    def distinct_values(column):
        return [value for value in db.session.scalars(
            select(column).where(visible, column != "").distinct().order_by(column)) if value]

    tag_strings = db.session.scalars(
        select(Artifact.tags).where(visible, Artifact.tags != "").distinct().limit(TAG_CHOICES_SCAN))
    tags = sorted({tag for value in tag_strings for tag in value.split(",") if tag})
    return {
        "schools": list(db.session.scalars(select(School).order_by(School.name))),
        "change_ideas": list(db.session.scalars(select(ChangeIdea).order_by(ChangeIdea.title))),
        "grade_bands": distinct_values(Artifact.grade_band),
        "subjects": distinct_values(Artifact.subject),
        "tags": tags,
    }




def _clean_free(raw: str, max_length: int) -> str:
    if len(raw) > max_length:
        raise ValueError(f"must be at most {max_length} characters")
    return raw
