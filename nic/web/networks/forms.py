from flask_wtf import FlaskForm
from wtforms import EmailField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from nic.models import ROLE_LABELS, ROLES


def _role_choices():
    return [SelectChoice(role, ROLE_LABELS[role]) for role in ROLES]


class SchoolForm(FlaskForm):
    name = StringField("School name", validators=[DataRequired(), Length(max=200)])
    group_name = StringField("School group", validators=[Length(max=100)],
                             description="Optional: a label to compare sets of schools on the dashboard, "
                                         "such as “Cohort 1” or “Middle schools”.")


class ThresholdForm(FlaskForm):
    # Checked by networks.set_reporting_threshold, which names the field on a bad value.
    reporting_threshold = StringField(
        "Schools needed for a pooled period (%)",
        description="A period of the network's pooled chart is judged only when at least this share of the "
                    "schools that report the measure reported it; below it the point is drawn hollow and left "
                    "out of the center line, limits and rules. From 50 to 100; 80 by default.")


class InviteForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired()])
    role = SelectField("Role", choices=_role_choices(), validate_choice=False)
    school = SelectField("School", choices=[], validate_choice=False,
                         description="Principals and teacher leaders belong to a school; facilitators to none.")


class MemberForm(FlaskForm):
    role = SelectField("Role", choices=_role_choices(), validate_choice=False)
    school = SelectField("School", choices=[], validate_choice=False)


class ConfirmForm(FlaskForm):
    """CSRF only: for buttons that change something."""


def school_choices(schools) -> list[SelectChoice]:
    return [SelectChoice("", "— no school —")] + [SelectChoice(str(s.id), s.name) for s in schools]
