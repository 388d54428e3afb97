"""Team forms. Choices are filled in by the view from the team's school; the service
checks every value again (a hand-made POST must not get past a select)."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.widgets import CheckboxInput, ListWidget

from nic.models import TEAM_KIND_LABELS, TEAM_KINDS


class CheckboxesField(SelectMultipleField):
    """A list of checkboxes: easier to use than a multiple <select>, with a keyboard too."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class TeamForm(FlaskForm):
    school_id = HiddenField()
    # No WTForms validators: the service checks every field and names each problem, so
    # the page and the API say the same thing and all problems show at once.
    name = StringField("Team name", render_kw={"maxlength": 200, "autocomplete": "off"})
    kind = SelectField("Kind of team", choices=[SelectChoice(kind, TEAM_KIND_LABELS[kind]) for kind in TEAM_KINDS],
                       default="other", validate_choice=False)
    members = CheckboxesField("Members", choices=[], validate_choice=False,
                              description="People of the network at this school.")


def member_choices(people) -> list[SelectChoice]:
    return [SelectChoice(str(user.id), user.name) for user in people]
