"""Channels over the API: `GET|POST /networks/<slug>/channels`,
`GET|PATCH /networks/<slug>/channels/<id>`. Everyone lists the channels their role may
read; only facilitators create and edit (403 for anyone else). The rules are in
nic.services.discussion.channels."""
from __future__ import annotations

from datetime import datetime

from flask import abort, jsonify, request, url_for
from pydantic import BaseModel, ConfigDict, Field
from nic.api import bp
from nic.api.docs import documented
from nic.api.pagination import paginate
from nic.extensions import db
from nic.models import ROLES, Channel
from nic.services.discussion import channels
from nic.services.errors import NotFound
from nic.services.validation import clean_id
from nic.tenancy import current_membership

ROLES_DOC = ("Who may read: [] or null for everyone in the network, else some of " + ", ".join(ROLES)
             + " (facilitators are always added).")


class ChannelOut(BaseModel):
    id: int
    name: str
    description: str = Field(description="Markdown.")
    roles: list[str] = Field(description="The roles that may read it; [] when everyone may.")
    thread_id: int | None = Field(description="The channel's conversation.")
    created_at: datetime


class ChannelCreate(BaseModel):
    model_config = ConfigDict(extra="ignore")

    name: str | None = Field(None, description=f"Required; at most {channels.NAME_MAX} characters, unique in the "
                             "network (whatever the case).")
    description: str | None = Field(None, description="Markdown.")
    roles: list[str] | None = Field(None, description=ROLES_DOC)


class ChannelPatch(ChannelCreate):
    """Only the fields sent change."""


def channel_out(channel: Channel, thread_id: int | None) -> dict:
    return ChannelOut(id=channel.id, name=channel.name, description=channel.description or "",
                      roles=channels.roles_of(channel), thread_id=thread_id,
                      created_at=channel.created_at).model_dump(mode="json")


def _json_body(model: type[BaseModel]) -> BaseModel:
    if not request.is_json:
        abort(415, description="Send a JSON body with Content-Type: application/json.")
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        abort(400, description="The body must be a JSON object.")
    return model.model_validate(data)


def _readable(channel_id) -> Channel:
    try:
        channel_id = clean_id(channel_id)
    except ValueError:
        raise NotFound("No such channel.") from None
    stmt = channels.channels_stmt(current_membership()).where(Channel.id == channel_id)
    channel = db.session.scalar(stmt)
    if channel is None:
        raise NotFound("No such channel.")
    return channel


def _one(channel: Channel, status: int = 200):
    response = jsonify(channel_out(channel, channels.channel_threads([channel.id]).get(channel.id)))
    response.status_code = status
    return response


@bp.get("/networks/<slug>/channels")
@documented(summary="Channels the caller may read", response=ChannelOut, paginated=True, errors=(401, 404, 422))
def list_channels(slug):
    page = paginate(channels.channels_stmt(current_membership()), Channel.id, lambda c: channel_out(c, None))
    threads = channels.channel_threads(item["id"] for item in page["items"])
    for item in page["items"]:
        item["thread_id"] = threads.get(item["id"])
    return jsonify(page)


@bp.post("/networks/<slug>/channels")
@documented(summary="Create a channel (facilitators)", response=ChannelOut, status=201, request=ChannelCreate,
            errors=(400, 401, 403, 404, 409, 415, 422),
            description="Creates the channel and its conversation thread together. A name already used in "
            "the network (whatever the case) answers 409 naming `name`; anyone but a facilitator gets 403.")
def create_channel(slug):
    body = _json_body(ChannelCreate)
    channel = channels.create_channel(current_membership(), body.name, body.description, body.roles)
    response = _one(channel, 201)
    response.headers["Location"] = url_for("api.get_channel", slug=slug, channel_id=channel.id)
    return response


@bp.get("/networks/<slug>/channels/<channel_id>")
@documented(summary="A channel", response=ChannelOut, errors=(401, 404),
            description="A channel the caller's role may not read answers 404.")
def get_channel(slug, channel_id):
    return _one(_readable(channel_id))


@bp.patch("/networks/<slug>/channels/<channel_id>")
@documented(summary="Edit a channel (facilitators)", response=ChannelOut, request=ChannelPatch,
            errors=(400, 401, 403, 404, 409, 415, 422),
            description="Changes only the fields sent; renaming keeps the channel's thread.")
def update_channel(slug, channel_id):
    body = _json_body(ChannelPatch)
    changes = body.model_dump(include=body.model_fields_set)
    channel = channels.update_channel(current_membership(), channel_id, changes)
    return _one(channel)
