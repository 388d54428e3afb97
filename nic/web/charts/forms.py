from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, StringField
from wtforms.validators import Length, Optional


class SplitForm(FlaskForm):
    """Start a new phase of one chart. The date is checked by the service, so a bad one
    reads the same here as through any other way in."""

    school_id = HiddenField()  # empty: the network's pooled chart
    start_date = DateField("Starts on", validators=[Optional()],
                           description="The first week (or month) of the new phase, e.g. the week a change was adopted.")
    label = StringField("What changed", validators=[Length(max=200)],
                        description="Shown on the chart at the phase boundary, e.g. “Huddle adopted”.")


class ConfirmForm(FlaskForm):
    """CSRF only: for the remove button."""
