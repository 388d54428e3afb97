"""Full-text search: PostgreSQL's text search where we run on PostgreSQL (using the
expression indexes the migration creates: the expressions here must stay identical to
those), a plain case-insensitive LIKE on every word elsewhere (SQLite, the embedded
default), so search works everywhere and is fast where it matters."""
from __future__ import annotations

from sqlalchemy import and_, func, literal_column, or_

from nic.extensions import db
from nic.models import Artifact, ChangeIdea, Cycle

_ENGLISH = literal_column("'english'")  # a literal, not a bound parameter, to match the index

CYCLE_SEARCH_COLUMNS = (
    Cycle.title, Cycle.plan_objective, Cycle.plan_data, Cycle.do_observations, Cycle.do_problems,
    Cycle.study_learned, Cycle.act_reason, Cycle.act_next,
)
CHANGE_IDEA_SEARCH_COLUMNS = (ChangeIdea.title, ChangeIdea.description)


def _document(columns):
    """title || ' ' || ... exactly as in the index expression."""
    expression = columns[0]
    for column in columns[1:]:
        expression = expression.op("||")(literal_column("' '")).op("||")(column)
    return expression


def _condition(columns, query: str):
    words = query.split()
    if not words:
        return None
    if db.engine.dialect.name == "postgresql":
        vector = func.to_tsvector(_ENGLISH, _document(columns))
        return vector.op("@@")(func.websearch_to_tsquery(_ENGLISH, query))
    return and_(*[or_(*[column.ilike(f"%{_escape(word)}%", escape="\\") for column in columns]) for word in words])


def _escape(word: str) -> str:
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def cycles_matching(query: str | None):
    """A WHERE condition for cycles matching `query`, or None for no text filter."""
    return _condition(CYCLE_SEARCH_COLUMNS, query or "")


def change_ideas_matching(query: str | None):
    return _condition(CHANGE_IDEA_SEARCH_COLUMNS, query or "")


ARTIFACT_SEARCH_COLUMNS = (
    Artifact.title, Artifact.description, Artifact.tags, Artifact.grade_band, Artifact.subject,
    Artifact.extracted_text,
)


def artifacts_matching(query: str | None):
    """Title, description, tags, grade band, subject and the text inside the current file."""
    return _condition(ARTIFACT_SEARCH_COLUMNS, query or "")
