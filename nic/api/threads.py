"""Discussion over the API: `GET|POST /networks/<slug>/threads`,
`GET|POST /networks/<slug>/threads/<thread_id>/messages`. Messages answer the same shape
as the Socket.IO `message` event; a POSTed message is broadcast to the thread's room
once stored. The rules are in nic.services.discussion.discussion."""
from __future__ import annotations

from datetime import datetime
from typing import Literal

from flask import abort, jsonify, request
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from nic.api import bp
from nic.api.docs import documented
from nic.api.pagination import paginate
from nic.models import THREAD_SUBJECTS, Message
from nic.services.discussion import discussion
from nic.services.errors import ValidationFailed
from nic.services.validation import clean_id
from nic.tenancy import current_membership


class ThreadOut(BaseModel):
    id: int
    subject: Literal["cycle", "artifact", "change_idea", "channel"]
    subject_id: int | None
    title: str
    last_message_id: int | None
    created_at: datetime


class ThreadCreate(BaseModel):
    model_config = ConfigDict(extra="ignore")

    subject: str = Field(description="cycle, artifact, change_idea or channel.",
                         json_schema_extra={"enum": list(THREAD_SUBJECTS)})
    subject_id: int | None = Field(None, description="The id of the cycle, artifact, change idea or channel.")
    title: str = Field(description="At most 200 characters.")


class AuthorOut(BaseModel):
    id: int
    name: str


class MessageOut(BaseModel):
    id: int
    thread_id: int
    author: AuthorOut | None
    body_html: str = Field(description="The Markdown body, rendered and sanitised; empty once deleted.")
    created_at: datetime


class MessageCreate(BaseModel):
    model_config = ConfigDict(extra="ignore")

    body: str = Field(description="Markdown, at most 10,000 characters.")
    client_id: str | None = Field(None, description="The sender's own id for the message: a resend with the "
                                  "same one answers the stored message instead of storing it twice.")


def thread_out(thread) -> dict:
    return ThreadOut(id=thread.id, subject=thread.subject, subject_id=thread.subject_id, title=thread.title,
                     last_message_id=thread.last_message_id, created_at=thread.created_at).model_dump(mode="json")


def _json_body(model: type[BaseModel]) -> BaseModel:
    if not request.is_json:
        abort(415, description="Send a JSON body with Content-Type: application/json.")
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        abort(400, description="The body must be a JSON object.")
    return model.model_validate(data)


def _query_id(name: str) -> int | None:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return None
    try:
        return clean_id(raw)
    except ValueError as exc:
        raise ValidationFailed({name: str(exc)}) from None


THREAD_PARAMS = [
    {"name": "subject", "in": "query", "required": False,
     "schema": {"type": "string", "enum": list(THREAD_SUBJECTS)}, "description": "Only threads on this kind of subject."},
    {"name": "subject_id", "in": "query", "required": False, "schema": {"type": "integer"},
     "description": "Only threads on this subject."},
]


@bp.get("/networks/<slug>/threads")
@documented(summary="Discussion threads the caller may read", response=ThreadOut, paginated=True,
            params=THREAD_PARAMS, errors=(401, 404, 422))
def list_threads(slug):
    subject = request.args.get("subject") or None
    if subject is not None and subject not in THREAD_SUBJECTS:
        raise ValidationFailed({"subject": f"must be one of {', '.join(THREAD_SUBJECTS)}"})
    stmt = discussion.threads_stmt(current_membership(), subject, _query_id("subject_id"))
    return jsonify(paginate(stmt, discussion.Thread.id, thread_out))


@bp.post("/networks/<slug>/threads")
@documented(summary="Start a thread on a cycle, artifact, change idea or channel", response=ThreadOut,
            status=201, request=ThreadCreate, errors=(400, 401, 404, 415, 422),
            description="A subject the caller may not read, or that is not in this network, answers 404.")
def create_thread(slug):
    body = _json_body(ThreadCreate)
    thread = discussion.create_thread(current_membership(), body.subject, body.subject_id, body.title)
    response = jsonify(thread_out(thread))
    response.status_code = 201
    return response


@bp.get("/networks/<slug>/threads/<thread_id>/messages")
@documented(summary="A thread's messages, oldest first", response=MessageOut, paginated=True,
            params=[{"name": "after", "in": "query", "required": False, "schema": {"type": "integer"},
                     "description": "Only messages with a greater id (a client catching up from its last id)."}],
            errors=(401, 404, 422))
def list_messages(slug, thread_id):
    thread = discussion.readable_thread(current_membership(), thread_id)
    stmt = select(Message).options(selectinload(Message.author)).where(Message.thread_id == thread.id)
    after = request.args.get("after")
    if after not in (None, ""):
        try:
            after_id = int(after)
        except ValueError:
            raise ValidationFailed({"after": "must be a whole number (a message id)"}) from None
        stmt = stmt.where(Message.id > after_id)
    return jsonify(paginate(stmt, Message.id, discussion.message_payload))


@bp.post("/networks/<slug>/threads/<thread_id>/messages")
@documented(summary="Post a message to a thread", response=MessageOut, status=201, request=MessageCreate,
            errors=(400, 401, 404, 415, 422),
            description="Stored, then broadcast to the thread's Socket.IO room as a `message` event.")
def post_message(slug, thread_id):
    body = _json_body(MessageCreate)
    message = discussion.post_message(current_membership(), thread_id, body.body, body.client_id)
    response = jsonify(discussion.message_payload(message))
    response.status_code = 201
    return response
