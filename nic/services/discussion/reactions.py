"""Reactions: a small fixed set of emoji under a message, each toggled on or off per
person (one row per message, person and emoji; the unique constraint backs it up).

Who may react follows who may read the thread (nic.services.discussion.discussion): a message in a
thread the member may not read, or of another network, is NotFound. A deleted message
takes no reactions, and its old ones are no longer counted. A change is committed, then
broadcast to the thread's room as a `reaction` event with the new count.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, func, select
from sqlalchemy.exc import IntegrityError

from nic.extensions import db
from nic.models import Message, Reaction
from nic.services.discussion.discussion import readable_thread
from nic.services.errors import Conflict, NotFound, ValidationFailed
from nic.transaction import commit, on_commit
from nic.services.validation import clean_id
from nic.events import publish

# The set, in the order the page shows it, with the words a screen reader says.
EMOJI: dict[str, str] = {
    "👍": "thumbs up",
    "❤️": "heart",
    "🎉": "celebrate",
    "👀": "looking",
    "💡": "idea",
    "✅": "done",
}
_VARIATION_SELECTOR = "\ufe0f"


@dataclass(frozen=True)
class ReactionState:
    message_id: int
    thread_id: int
    emoji: str
    count: int
    reacted: bool  # whether the member now has this reaction on the message

    def event(self, user_id: int) -> dict:
        """The `reaction` Socket.IO event: the count is for everyone; `user_id` and
        `reacted` let the reacting person's other tabs update their own state."""
        return {"message_id": self.message_id, "thread_id": self.thread_id, "emoji": self.emoji,
                "count": self.count, "user_id": user_id, "reacted": self.reacted}


def readable_message(membership, message_id, thread_id=None) -> Message:
    """The message, if its thread is one the member may read (and, when `thread_id` is
    given, if it belongs to that thread); else NotFound, as for one that does not exist."""
    try:
        message_id = clean_id(message_id)
        thread_id = clean_id(thread_id) if thread_id is not None else None
    except ValueError:
        raise NotFound("No such message.") from None
    message = db.session.scalar(select(Message).where(Message.id == message_id))
    if message is None or (thread_id is not None and message.thread_id != thread_id):
        raise NotFound("No such message.")
    readable_thread(membership, message.thread_id)  # NotFound when hidden
    return message


def clean_emoji(value) -> str:
    """One of EMOJI; a heart sent without its variation selector is the same heart."""
    if isinstance(value, str):
        value = value.strip()
        if value in EMOJI:
            return value
        if value + _VARIATION_SELECTOR in EMOJI:
            return value + _VARIATION_SELECTOR
    raise ValidationFailed({"emoji": f"must be one of {' '.join(EMOJI)}"})


def _count(message_id: int, emoji: str) -> int:
    return db.session.scalar(select(func.count(Reaction.id)).where(
        Reaction.message_id == message_id, Reaction.emoji == emoji))


def react(membership, message_id, emoji, on: bool | None = None, thread_id=None) -> ReactionState:
    """Toggle the member's `emoji` on a message (`on` None), or set it (`on` True or
    False: a client retrying after a lost answer gets the same result twice)."""
    message = readable_message(membership, message_id, thread_id)
    emoji = clean_emoji(emoji)
    if on is not None and not isinstance(on, bool):
        raise ValidationFailed({"on": "must be true, false or left out (toggle)"})
    if message.deleted_at is not None:
        raise Conflict("This message was deleted; it takes no reactions.")
    mine = db.session.scalar(select(Reaction).where(
        Reaction.message_id == message.id, Reaction.user_id == membership.user_id, Reaction.emoji == emoji))
    want = (mine is None) if on is None else on
    changed = False
    if want and mine is None:
        try:
            # A savepoint: a double click racing itself loses only this insert.
            with db.session.begin_nested():
                db.session.add(Reaction(message_id=message.id, user_id=membership.user_id, emoji=emoji))
                db.session.flush()
            changed = True
        except IntegrityError:
            pass  # the other request added it: the reaction is on either way
    elif not want and mine is not None:
        db.session.delete(mine)
        db.session.flush()
        changed = True
    state = ReactionState(message.id, message.thread_id, emoji, _count(message.id, emoji), want)
    if changed:

        payload = state.event(membership.user_id)
        on_commit(lambda: publish.emit_to_thread(state.thread_id, "reaction", payload))
    commit()
    return state


def summaries(user_id: int, message_ids) -> dict[int, dict[str, dict]]:
    """{message_id: {emoji: {"count": n, "mine": bool}}} for the given messages, in one
    grouped query; deleted messages and emoji nobody chose are left out."""
    message_ids = list(message_ids)
    if not message_ids:
        return {}
    stmt = (
        select(Reaction.message_id, Reaction.emoji, func.count(Reaction.id),
               func.max(case((Reaction.user_id == user_id, 1), else_=0)))
        .join(Message, Message.id == Reaction.message_id)
        .where(Reaction.message_id.in_(message_ids), Message.deleted_at.is_(None))
        .group_by(Reaction.message_id, Reaction.emoji)
    )
    result: dict[int, dict[str, dict]] = {}
    for message_id, emoji, count, mine in db.session.execute(stmt):
        result.setdefault(message_id, {})[emoji] = {"count": count, "mine": bool(mine)}
    return result


def summary_list(summary: dict[str, dict]) -> list[dict]:
    """One message's summary as a list in EMOJI order (the API's shape)."""
    return [{"emoji": emoji, "count": summary[emoji]["count"], "mine": summary[emoji]["mine"]}
            for emoji in EMOJI if emoji in summary]


def reacted_messages_stmt(thread_id: int, after_id: int | None = None):
    """SELECT of the thread's live messages that have any reaction (for paging)."""
    stmt = select(Message).where(
        Message.thread_id == thread_id, Message.deleted_at.is_(None),
        select(Reaction.id).where(Reaction.message_id == Message.id).exists())
    if after_id is not None:
        stmt = stmt.where(Message.id > after_id)
    return stmt
