from uuid import uuid4

from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from nic.services.discussion.discussion import BODY_MAX


class MessageForm(FlaskForm):
    body = TextAreaField(
        "Message", validators=[DataRequired(message="Write a message first."), Length(max=BODY_MAX)],
        description="Markdown works: **bold**, lists, links. Enter sends; Shift+Enter starts a new line.",
    )
    # A fresh id per rendered form: pressing Send twice (or reloading the POST) stores once.
    client_id = HiddenField(default=lambda: uuid4().hex)


class ThreadForm(FlaskForm):
    """Start a thread on a cycle, artifact, change idea or channel. The subject fields are
    hidden; the service checks the member may read that subject."""
    subject = HiddenField()
    subject_id = HiddenField()
    title = StringField("Topic", validators=[DataRequired(message="Give the discussion a topic."), Length(max=200)])


class EditMessageForm(FlaskForm):
    """The author changes a message; the page without JavaScript (with it, inline)."""
    body = TextAreaField(
        "Message", validators=[DataRequired(message="Write a message, or delete it instead."), Length(max=BODY_MAX)],
        description="Markdown works: **bold**, lists, links.",
    )


class ReactionForm(FlaskForm):
    """One button per emoji under a message; the pressed button sends its emoji."""
    emoji = HiddenField()


class ConfirmForm(FlaskForm):
    """Nothing but the CSRF token: the "Delete your message?" page's button."""
