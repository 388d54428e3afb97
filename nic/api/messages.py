"""One message of a thread over the API: edit and delete by its author, and reactions.

- `PATCH /networks/<slug>/threads/<thread_id>/messages/<message_id>` `{"body"}`
- `DELETE` the same: the message stays as a trace ("message deleted"), its body gone.
- `POST .../messages/<message_id>/reactions` `{"emoji", "on"?}` toggles (or sets) one of
  the caller's reactions.
- `GET /networks/<slug>/threads/<thread_id>/reactions`: the reaction counts of the
  thread's messages (for a client catching up after a reconnect).

A message of a thread the caller may not read, of another network, or not in the thread
named by the URL answers 404; someone else's message answers 403 to an edit or delete.
Each change is committed, then broadcast to the thread's room (`message_changed`,
`reaction`). The rules live in nic.services.discussion.discussion and nic.services.discussion.reactions.
"""
from __future__ import annotations

from datetime import datetime

from flask import jsonify, request
from pydantic import BaseModel, ConfigDict, Field

from nic.api import bp
from nic.api.docs import documented
from nic.api.pagination import paginate
from nic.api.threads import AuthorOut, _json_body
from nic.models import Message
from nic.services.discussion import discussion
from nic.services.discussion import reactions
from nic.services.errors import Forbidden, ValidationFailed
from nic.tenancy import current_membership

EMOJI_LIST = " ".join(reactions.EMOJI)


class MessageChangedOut(BaseModel):
    id: int
    thread_id: int
    author: AuthorOut | None
    body_html: str = Field(description="Rendered and sanitised; empty once deleted.")
    created_at: datetime
    edited_at: datetime | None
    deleted_at: datetime | None = Field(description="Set once deleted: show the trace \"message deleted\".")


class MessageEdit(BaseModel):
    model_config = ConfigDict(extra="ignore")

    body: str = Field(description="The new Markdown body, at most 10,000 characters.")


class ReactionToggle(BaseModel):
    model_config = ConfigDict(extra="ignore")

    emoji: str = Field(description=f"One of {EMOJI_LIST}.", json_schema_extra={"enum": list(reactions.EMOJI)})
    on: bool | None = Field(None, description="Leave out to toggle; true or false to set (safe to retry).")


class ReactionOut(BaseModel):
    message_id: int
    thread_id: int
    emoji: str
    count: int = Field(description="How many people now react with this emoji.")
    reacted: bool = Field(description="Whether the caller now reacts with it.")


class EmojiCount(BaseModel):
    emoji: str
    count: int
    mine: bool = Field(description="Whether the caller is one of them.")


class MessageReactionsOut(BaseModel):
    message_id: int
    reactions: list[EmojiCount] = Field(description="In the page's emoji order; emoji nobody chose are left out.")


def changed_out(message: Message) -> dict:
    payload = discussion.message_payload(message)
    payload["edited_at"] = message.edited_at.isoformat() if message.edited_at else None
    payload["deleted_at"] = message.deleted_at.isoformat() if message.deleted_at else None
    return payload


MESSAGE_URL = "/networks/<slug>/threads/<thread_id>/messages/<message_id>"


def _own_message(membership, thread_id, message_id) -> None:
    """404 for a message the caller may not see (or not in this thread), then 403 for
    someone else's, before the body is even read. The service checks both again."""
    message = reactions.readable_message(membership, message_id, thread_id)
    if message.author_id != membership.user_id:
        raise Forbidden("Only the author may change a message.")


@bp.patch(MESSAGE_URL)
@documented(summary="Edit your own message", response=MessageChangedOut, request=MessageEdit,
            errors=(400, 401, 403, 404, 415, 422),
            description="Only the author may edit (403 otherwise); a deleted message is a 404. "
                        "Broadcast to the thread's room as `message_changed`.")
def edit_message(slug, thread_id, message_id):
    membership = current_membership()
    _own_message(membership, thread_id, message_id)
    body = _json_body(MessageEdit)
    return jsonify(changed_out(discussion.edit_message(membership, message_id, body.body)))


@bp.delete(MESSAGE_URL)
@documented(summary="Delete your own message (a trace stays)", response=MessageChangedOut,
            errors=(401, 403, 404),
            description="Only the author may delete (403 otherwise). The message stays in the thread as "
                        "a trace with `deleted_at` set and an empty body; deleting it again is a 404. "
                        "Broadcast to the thread's room as `message_changed`.")
def delete_message(slug, thread_id, message_id):
    membership = current_membership()
    _own_message(membership, thread_id, message_id)
    return jsonify(changed_out(discussion.delete_message(membership, message_id)))


@bp.post(f"{MESSAGE_URL}/reactions")
@documented(summary="Toggle one of your reactions to a message", response=ReactionOut, request=ReactionToggle,
            errors=(400, 401, 404, 409, 415, 422),
            description=f"The emoji must be one of {EMOJI_LIST} (422 naming `emoji`). A deleted message is "
                        "a 409. Broadcast to the thread's room as `reaction` "
                        "{message_id, thread_id, emoji, count, user_id, reacted}.")
def react(slug, thread_id, message_id):
    membership = current_membership()
    reactions.readable_message(membership, message_id, thread_id)
    body = _json_body(ReactionToggle)
    state = reactions.react(membership, message_id, body.emoji, on=body.on, thread_id=thread_id)
    return jsonify(ReactionOut(message_id=state.message_id, thread_id=state.thread_id, emoji=state.emoji,
                               count=state.count, reacted=state.reacted).model_dump())


@bp.get("/networks/<slug>/threads/<thread_id>/reactions")
@documented(summary="Reaction counts of a thread's messages", response=MessageReactionsOut, paginated=True,
            params=[{"name": "after", "in": "query", "required": False, "schema": {"type": "integer"},
                     "description": "Only messages with a greater id."}],
            errors=(401, 404, 422),
            description="Only messages that have reactions (and are not deleted), by message id.")
def list_reactions(slug, thread_id):
    membership = current_membership()
    thread = discussion.readable_thread(membership, thread_id)
    after = request.args.get("after")
    after_id = None
    if after not in (None, ""):
        try:
            after_id = int(after)
        except ValueError:
            raise ValidationFailed({"after": "must be a whole number (a message id)"}) from None
    page = paginate(reactions.reacted_messages_stmt(thread.id, after_id), Message.id, lambda m: m.id)
    counts = reactions.summaries(membership.user_id, page["items"])
    page["items"] = [{"message_id": message_id, "reactions": reactions.summary_list(counts.get(message_id, {}))}
                     for message_id in page["items"]]
    return jsonify(page)
