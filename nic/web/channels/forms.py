"""The channel form. It carries values only: nic.services.discussion.channels checks them (the API
shares it), so a bad value reads the same whichever way it came in."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import RadioField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice

from nic.models import ROLE_LABELS, ROLES
from nic.services.discussion.channels import ALWAYS_READ, NAME_MAX, roles_of

AUDIENCES = [
    SelectChoice("everyone", "Everyone in the network"),
    SelectChoice("roles", "Facilitators, and the roles ticked below"),
]


class ChannelForm(FlaskForm):
    name = StringField("Name", description="Unique in the network, e.g. “principals-circle”.",
                       render_kw={"maxlength": NAME_MAX, "autocomplete": "off"})
    description = TextAreaField("Description", description="Markdown. What the channel is for, shown in the list.",
                                render_kw={"rows": 4})
    audience = RadioField("Who may read it", choices=AUDIENCES, default="everyone", validate_choice=False)
    roles = SelectMultipleField(
        "Roles", validate_choice=False,
        choices=[SelectChoice(r, ROLE_LABELS[r]) for r in ROLES if r != ALWAYS_READ],
        description="Used when only some roles may read. Facilitators always can.")

    def values(self) -> dict:
        """What the service takes: no roles means everyone; with "roles", the ticked ones
        (none ticked: facilitators only)."""
        if self.audience.data == "roles":
            roles = [ALWAYS_READ] + [r for r in self.roles.data or [] if r]
        else:
            roles = []
        return {"name": self.name.data, "description": self.description.data, "roles": roles}


def form_data(channel) -> dict:
    roles = roles_of(channel)
    return {"name": channel.name, "description": channel.description,
            "audience": "roles" if roles else "everyone", "roles": [r for r in roles if r != ALWAYS_READ]}
