"""Channels of a network: facilitators create and edit them; everyone reads the ones open
to their role.

A channel's `roles` column lists the roles that may read it, comma-separated, in the
order of nic.models.ROLES; empty means everyone in the network. Facilitators are always
among the readers of a limited channel (they run the network's conversations), so a
channel limited to principals is stored as "facilitator,principal". That is the format
nic.services.discussion.discussion reads when it decides who may read a channel's thread.

A channel comes with its thread (subject "channel", subject_id the channel's id, titled
with its name), created in the same transaction, so the channel list can link straight
to the conversation. Renaming keeps the thread (and retitles it, unless someone gave it
a title of its own).
"""
from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy import func, literal, or_, select
from sqlalchemy.exc import IntegrityError

from nic.extensions import db
from nic.models import ROLES, Channel, Thread
from nic.permissions import allowed
from nic.services.errors import Conflict, Forbidden, NotFound
from nic.transaction import commit
from nic.services.validation import FieldErrors, clean_id, clean_name

NAME_MAX = 100
DESCRIPTION_MAX = 5_000
ALWAYS_READ = "facilitator"


# --- who may read a channel ------------------------------------------------------------------

def clean_roles(raw) -> str:
    """The stored form of who may read: "" for everyone, else the chosen roles and the
    facilitators, in ROLES order. `raw` is a list of role names, a comma-separated string,
    or None/empty for everyone."""
    if raw is None or raw == "":
        return ""
    if isinstance(raw, str):
        raw = raw.split(",")
    if not isinstance(raw, (list, tuple)):
        raise ValueError("must be a list of roles")
    names = {r.strip() if isinstance(r, str) else r for r in raw} - {""}
    if not names:
        return ""
    unknown = [str(r) for r in names if r not in ROLES]
    if unknown:
        raise ValueError(f"unknown role {', '.join(sorted(unknown))}: roles are {', '.join(ROLES)}")
    names.add(ALWAYS_READ)
    if names >= set(ROLES):
        return ""  # every role: the same as open to everyone
    return ",".join(r for r in ROLES if r in names)


def roles_of(channel: Channel) -> list[str]:
    """The roles that may read the channel; [] when everyone may."""
    return [r.strip() for r in (channel.roles or "").split(",") if r.strip()]


def readable_channels_clause(membership):
    """SQL condition for the channels the member may read: the rule of
    nic.services.discussion.discussion.subject_readable, set-based."""
    padded = literal(",") + func.replace(Channel.roles, " ", "") + literal(",")
    return or_(Channel.roles == "", padded.like(f"%,{membership.role},%"))


def channels_stmt(membership):
    """SELECT of the channels the member may read (for API pages)."""
    return select(Channel).where(readable_channels_clause(membership))


def channel_threads(channel_ids) -> dict[int, int]:
    """{channel_id: id of its (first) thread}, in one query."""
    channel_ids = list(channel_ids)
    if not channel_ids:
        return {}
    stmt = (select(Thread.subject_id, func.min(Thread.id))
            .where(Thread.subject == "channel", Thread.subject_id.in_(channel_ids))
            .group_by(Thread.subject_id))
    return dict(db.session.execute(stmt).all())


# --- creating and editing (facilitators) ------------------------------------------------------

def _require_manage(membership) -> None:
    if membership is None or not allowed(membership.role, "channel.manage"):
        raise Forbidden("Only facilitators create and edit channels.")


def _clean_description(value) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValueError("must be text")
    value = value.strip()
    if len(value) > DESCRIPTION_MAX:
        raise ValueError(f"must be at most {DESCRIPTION_MAX:,} characters")
    return value


def _clean_channel_name(value) -> str:
    if value is not None and not isinstance(value, str):
        raise ValueError("must be text")
    return clean_name(value, NAME_MAX)


def _check_name_free(name: str, channel_id: int | None = None) -> None:
    """Names are unique in a network regardless of case ("General" would be confused with
    "general"); the database's unique constraint backs the exact match."""
    stmt = select(Channel.id).where(func.lower(Channel.name) == name.lower())
    if channel_id is not None:
        stmt = stmt.where(Channel.id != channel_id)
    if db.session.scalar(stmt.limit(1)) is not None:
        raise _duplicate(name)


def _duplicate(name: str) -> Conflict:
    return Conflict(f"There is already a channel called “{name}”.",
                    {"name": "is already the name of another channel in this network"})


@contextmanager
def _savepoint(name: str):
    """Make the changes of the block in a savepoint and flush them: losing a race for the
    name undoes only them (everything in the block, so change nothing before it: opening
    the savepoint flushes what is pending outside it)."""
    try:
        with db.session.begin_nested():
            yield
            db.session.flush()
    except IntegrityError:
        raise _duplicate(name) from None


def create_channel(membership, name, description="", roles=None) -> Channel:
    """A new channel and its thread, together or not at all."""
    _require_manage(membership)
    errors = FieldErrors()
    clean = {
        "name": errors.check("name", _clean_channel_name, name),
        "description": errors.check("description", _clean_description, description),
        "roles": errors.check("roles", clean_roles, roles),
    }
    errors.raise_if_any()
    _check_name_free(clean["name"])
    channel = Channel(created_by_id=membership.user_id, **clean)
    with _savepoint(channel.name):
        db.session.add(channel)
    db.session.add(Thread(subject="channel", subject_id=channel.id, title=channel.name,
                          created_by_id=membership.user_id))
    commit()
    return channel


def editable_channel(membership, channel_id) -> Channel:
    _require_manage(membership)
    try:
        channel_id = clean_id(channel_id)
    except ValueError:
        raise NotFound("No such channel.") from None
    channel = db.session.scalar(select(Channel).where(Channel.id == channel_id))
    if channel is None:
        raise NotFound("No such channel.")
    return channel


def update_channel(membership, channel_id, changes: dict) -> Channel:
    """Change the fields present in `changes` (name, description, roles)."""
    channel = editable_channel(membership, channel_id)
    errors = FieldErrors()
    cleaners = {"name": _clean_channel_name, "description": _clean_description, "roles": clean_roles}
    clean = {field: errors.check(field, cleaner, changes[field])
             for field, cleaner in cleaners.items() if field in changes}
    errors.raise_if_any()
    old_name = channel.name
    renamed = "name" in clean and clean["name"] != old_name
    if renamed:
        _check_name_free(clean["name"], channel.id)
    threads = list(db.session.scalars(select(Thread).where(
        Thread.subject == "channel", Thread.subject_id == channel.id, Thread.title == old_name))) if renamed else []
    with _savepoint(clean.get("name", old_name)):
        for field, value in clean.items():
            setattr(channel, field, value)
        # Its threads keep their messages; those still titled after the channel follow it.
        for thread in threads:
            thread.title = channel.name
    commit()
    return channel
