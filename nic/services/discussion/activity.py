"""The network activity feed: new cycles, phase changes, new artifacts and new versions,
new threads and messages, newest first.

One set-based query: a UNION ALL of one SELECT per kind, all with the same columns, each
already filtered by what the member may see (the rules of nic.permissions and
nic.services.discussion.discussion, never re-implemented here) and each cut to the page size in its
own ORDER BY ... LIMIT, so the database reads at most `limit + 1` rows per kind before
merging. Nothing is stored: no feed table to keep in step, and a cycle made private or
deleted leaves the feed at once, with its phase moves and its thread's messages.

Pages are keyset-paginated on (at, kind, id), newest first; the kind's rank breaks ties
between rows of different kinds written in the same instant (a cycle and its first phase
moves, a channel and its thread), so no row is shown twice or skipped across pages.
"""
from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import datetime, timezone

from markupsafe import Markup
from sqlalchemy import Integer, String, and_, cast, func, literal_column, null, or_, select
from sqlalchemy.orm import aliased

from nic.extensions import db
from nic.models import Artifact, ArtifactVersion, Cycle, CycleChange, CyclePhaseMove, Membership, Message, Thread, User
from nic.permissions import visible_artifacts_clause, visible_cycles_clause
from nic.services.discussion.discussion import readable_threads_clause
from nic.services.errors import ValidationFailed
from nic.services.discussion.markdown import render
from nic.services.validation import clean_id

# In rank order: at the same instant the higher rank is listed first (newer-looking).
KINDS = ("cycle_created", "phase_changed", "artifact_created", "artifact_version", "thread_started", "message_posted")
RANK = {kind: rank for rank, kind in enumerate(KINDS, start=1)}
KIND_OF_RANK = {rank: kind for kind, rank in RANK.items()}
KIND_GROUPS = {
    "cycles": ("cycle_created", "phase_changed"),
    "artifacts": ("artifact_created", "artifact_version"),
    "discussion": ("thread_started", "message_posted"),
}
# The kind filter's choices, in the order a page offers them.
FILTER_LABELS = {
    "cycles": "Cycles and phase changes", "cycle_created": "New cycles", "phase_changed": "Phase changes",
    "artifacts": "Artifacts and new versions", "artifact_created": "New artifacts",
    "artifact_version": "New versions", "discussion": "Discussion", "thread_started": "New discussions",
    "message_posted": "New messages",
}
PHASE_LABELS = {"plan": "Plan", "do": "Do", "study": "Study", "act": "Act", "done": "Done"}
EXCERPT_CHARS = 160


@dataclass(frozen=True)
class Cursor:
    """Where a page ended: the next page starts strictly after this (older)."""

    at: datetime
    kind: str
    id: int

    def encode(self) -> str:
        raw = json.dumps({"at": self.at.isoformat(), "kind": self.kind, "id": self.id})
        return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, token: str, field: str = "cursor") -> "Cursor":
        bad = ValidationFailed({field: "is not a cursor this feed gave out"})
        try:
            data = json.loads(base64.urlsafe_b64decode((token + "=" * (-len(token) % 4)).encode()))
            at = datetime.fromisoformat(data["at"])
            kind, item_id = data["kind"], data["id"]
        except (ValueError, KeyError, TypeError, binascii.Error):
            raise bad from None
        if kind not in RANK or not isinstance(item_id, int) or at.tzinfo is None:
            raise bad
        return cls(at.astimezone(timezone.utc), kind, item_id)


@dataclass
class Item:
    at: datetime
    kind: str
    id: int                   # the row of its kind: cycle, phase move, artifact, version, thread, message
    actor_id: int | None
    actor_name: str | None
    school_id: int | None     # the cycle's or artifact's school; for discussion, the author's school
    subject_type: str         # what the item links to: cycle, artifact or thread
    subject_id: int
    title: str                # the cycle's, artifact's or thread's title
    detail: str | None        # from-phase, version number or message excerpt
    extra: str | None         # to-phase, or the thread's subject (cycle, channel...)

    @property
    def cursor(self) -> Cursor:
        return Cursor(self.at, self.kind, self.id)

    @property
    def excerpt(self) -> str:
        """A message's start as plain text (Markdown rendered, then stripped)."""
        text = Markup(str(render(self.detail or ""))).striptags()
        return text if len(text) <= EXCERPT_CHARS else text[:EXCERPT_CHARS - 1].rstrip() + "…"

    @property
    def summary(self) -> str:
        who = self.actor_name or "Someone"
        title = self.title or "(untitled)"
        if self.kind == "cycle_created":
            return f"{who} started the cycle “{title}”"
        if self.kind == "phase_changed":
            return (f"{who} moved “{title}” from {PHASE_LABELS.get(self.detail, self.detail)} "
                    f"to {PHASE_LABELS.get(self.extra, self.extra)}")
        if self.kind == "artifact_created":
            return f"{who} shared “{title}”"
        if self.kind == "artifact_version":
            return f"{who} uploaded version {self.detail} of “{title}”"
        where = f"# {title}" if self.extra == "channel" else f"“{title}”"
        if self.kind == "thread_started":
            return f"{who} started the discussion {where}"
        return f"{who} in {where}: {self.excerpt}"


@dataclass
class Page:
    items: list[Item]
    next: Cursor | None  # pass back as `before` for the older page


# --- parsing what a person or client asked for ----------------------------------------------

def parse_kinds(raw: str | None) -> tuple[str, ...]:
    """`kind` is empty (everything), a kind, a group (cycles, artifacts, discussion) or a
    comma-separated list of them."""
    if not raw:
        return KINDS
    chosen: list[str] = []
    for part in (p.strip() for p in raw.split(",")):
        if part in KIND_GROUPS:
            chosen.extend(KIND_GROUPS[part])
        elif part in RANK:
            chosen.append(part)
        else:
            raise ValidationFailed({"kind": "must be one of " + ", ".join(list(KIND_GROUPS) + list(KINDS))})
    return tuple(k for k in KINDS if k in chosen)


def parse_school(raw) -> int | None:
    if raw is None or raw == "":
        return None
    try:
        return clean_id(raw)
    except ValueError as exc:
        raise ValidationFailed({"school_id": str(exc)}) from None


# --- the query ---------------------------------------------------------------------------------

def _text(value: str):
    # A constant column typed on every database (a bare bind parameter has no type for the
    # UNION to agree on). Only ever called with the literals below, never with input.
    return literal_column(f"'{value}'", String)


def _branches(membership):
    """(kind, at, id, school, SELECT) per kind: the SELECT has the feed's columns and the
    member's visibility rule; `at`, `id` and `school` are there to add the page's bounds."""
    author_school = aliased(Membership)

    def columns(kind, at, item_id, actor, school, subject_type, subject_id, title, detail=None, extra=None):
        return (at.label("at"), literal_column(str(RANK[kind]), Integer).label("rank"), item_id.label("id"),
                actor.label("actor_id"), school.label("school_id"), _text(subject_type).label("subject_type"),
                subject_id.label("subject_id"), cast(title, String).label("title"),
                cast(detail if detail is not None else null(), String).label("detail"),
                cast(extra if extra is not None else null(), String).label("extra"))

    # The person who created the cycle (its history's first entry), else its owner.
    creator = (select(CycleChange.user_id)
               .where(CycleChange.cycle_id == Cycle.id, CycleChange.action == "create")
               .order_by(CycleChange.id).limit(1).correlate(Cycle).scalar_subquery())
    yield ("cycle_created", Cycle.created_at, Cycle.id, Cycle.school_id,
           select(*columns("cycle_created", Cycle.created_at, Cycle.id, func.coalesce(creator, Cycle.owner_id),
                           Cycle.school_id, "cycle", Cycle.id, Cycle.title))
           .where(visible_cycles_clause(membership)))

    move = CyclePhaseMove
    yield ("phase_changed", move.created_at, move.id, Cycle.school_id,
           select(*columns("phase_changed", move.created_at, move.id, move.user_id, Cycle.school_id, "cycle",
                           Cycle.id, Cycle.title, move.from_phase, move.to_phase))
           .join(Cycle, Cycle.id == move.cycle_id)
           .where(visible_cycles_clause(membership)))

    yield ("artifact_created", Artifact.created_at, Artifact.id, Artifact.school_id,
           select(*columns("artifact_created", Artifact.created_at, Artifact.id, Artifact.author_id,
                           Artifact.school_id, "artifact", Artifact.id, Artifact.title))
           .where(visible_artifacts_clause(membership)))

    version = ArtifactVersion
    yield ("artifact_version", version.created_at, version.id, Artifact.school_id,
           select(*columns("artifact_version", version.created_at, version.id, version.uploaded_by_id,
                           Artifact.school_id, "artifact", Artifact.id, Artifact.title, cast(version.number, String)))
           .join(Artifact, Artifact.id == version.artifact_id)
           .where(version.number > 1,  # version 1 arrives with the artifact itself
                  visible_artifacts_clause(membership)))

    yield ("thread_started", Thread.created_at, Thread.id, author_school.school_id,
           select(*columns("thread_started", Thread.created_at, Thread.id, Thread.created_by_id,
                           author_school.school_id, "thread", Thread.id, Thread.title, None, Thread.subject))
           .outerjoin(author_school, author_school.user_id == Thread.created_by_id)
           .where(readable_threads_clause(membership)))

    yield ("message_posted", Message.created_at, Message.id, author_school.school_id,
           select(*columns("message_posted", Message.created_at, Message.id, Message.author_id,
                           author_school.school_id, "thread", Thread.id, Thread.title,
                           func.substr(Message.body, 1, 4 * EXCERPT_CHARS), Thread.subject))
           .join(Thread, Thread.id == Message.thread_id)
           .outerjoin(author_school, author_school.user_id == Message.author_id)
           .where(Message.deleted_at.is_(None), readable_threads_clause(membership)))


def _older_than(kind: str, at, item_id, cursor: Cursor):
    """Rows of `kind` after `cursor` in (at desc, rank desc, id desc) order. The kind is
    fixed within a branch, so the rank comparison is decided here, not in SQL."""
    if RANK[kind] < RANK[cursor.kind]:
        return at <= cursor.at
    if RANK[kind] > RANK[cursor.kind]:
        return at < cursor.at
    return or_(at < cursor.at, and_(at == cursor.at, item_id < cursor.id))


def feed_stmt(membership, kinds=KINDS, school_id: int | None = None, before: Cursor | None = None,
              limit: int = 30):
    """The SELECT of one page (plus one row, to know whether there is an older page)."""
    parts = []
    for kind, at, item_id, school, stmt in _branches(membership):
        if kind not in kinds:
            continue
        if school_id is not None:
            stmt = stmt.where(school == school_id)
        if before is not None:
            stmt = stmt.where(_older_than(kind, at, item_id, before))
        # Each branch is cut to the page on its own (wrapped: SQLite allows no ORDER BY or
        # LIMIT directly inside a UNION), so no branch is read further than one page.
        branch = stmt.order_by(at.desc(), item_id.desc()).limit(limit + 1).subquery()
        parts.append(select(branch))
    if not parts:
        return None
    merged = parts[0].subquery("feed") if len(parts) == 1 else parts[0].union_all(*parts[1:]).subquery("feed")
    return (select(merged, User.name.label("actor_name"))
            .outerjoin(User, User.id == merged.c.actor_id)
            .order_by(merged.c.at.desc(), merged.c.rank.desc(), merged.c.id.desc())
            .limit(limit + 1))


def feed(membership, kinds=KINDS, school_id: int | None = None, before: Cursor | None = None,
         limit: int = 30) -> Page:
    """One page of the member's feed, newest first."""
    stmt = feed_stmt(membership, kinds, school_id, before, limit) if membership is not None else None
    if stmt is None:
        return Page([], None)
    rows = db.session.execute(stmt).all()
    items = [Item(at=r.at, kind=KIND_OF_RANK[r.rank], id=r.id, actor_id=r.actor_id, actor_name=r.actor_name,
                  school_id=r.school_id, subject_type=r.subject_type, subject_id=r.subject_id, title=r.title or "",
                  detail=r.detail, extra=r.extra) for r in rows[:limit]]
    return Page(items, items[-1].cursor if len(rows) > limit and items else None)


# --- where each item leads ----------------------------------------------------------------------

def item_url(slug: str, item: Item) -> str:
    """The page of the item's object: the cycle, the artifact, or the thread anchored at
    the message."""
    from flask import url_for

    if item.subject_type == "cycle":
        return url_for("cycles.show", slug=slug, cycle_id=item.subject_id)
    if item.subject_type == "artifact":
        return url_for("artifacts.show", slug=slug, artifact_id=item.subject_id)
    anchor = f"message-{item.id}" if item.kind == "message_posted" else None
    return url_for("discussion.thread", slug=slug, thread_id=item.subject_id, _anchor=anchor)
