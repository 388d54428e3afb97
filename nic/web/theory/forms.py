"""Forms of the theory pages. Field names match the service's, so a service error lands
next to its field; the services do the real checking (the API shares them)."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional

from nic.models import CHANGE_IDEA_STATUSES
from nic.services.theory.ideas import STATUS_LABELS


class AimForm(FlaskForm):
    statement = TextAreaField("Aim statement", description="What will improve, for whom, by how much and by when.")
    population = StringField("Population", description="For example: ninth graders in the network's high schools")
    measure_label = StringField("Measure", description="What is counted, for example: on track at the end of the semester")
    baseline = StringField("Baseline", render_kw={"inputmode": "decimal"})
    target = StringField("Target", render_kw={"inputmode": "decimal"})
    unit = StringField("Unit", description="For example: % or students")
    due_date = DateField("Due date", validators=[Optional()])


class DriverForm(FlaskForm):
    kind = SelectField("Kind", choices=[SelectChoice("primary", "Primary driver"), SelectChoice("secondary", "Secondary driver")],
                       validate_choice=False)
    title = StringField("Title")
    description = TextAreaField("Description", description="Markdown. Optional.")
    parent_ids = SelectMultipleField("Sits under", coerce=int, choices=[], validate_choice=False,
                                     description="For a secondary driver: the drivers it sits under (one or more).")


class ChangeIdeaForm(FlaskForm):
    title = StringField("Title")
    description = TextAreaField("Description", description="Markdown. What would people do differently?")
    driver_ids = SelectMultipleField("Drivers it works on", coerce=int, choices=[], validate_choice=False)
    aim_id = HiddenField()


class DecisionForm(FlaskForm):
    decision = HiddenField()  # set by the button pressed: accepted or declined
    decision_note = TextAreaField("Note to the proposer", description="Why, in a sentence or two. Markdown.")


class StatusForm(FlaskForm):
    status = SelectField("Status", choices=[SelectChoice(s, STATUS_LABELS[s]) for s in CHANGE_IDEA_STATUSES],
                         validate_choice=False)


class ConfirmForm(FlaskForm):
    """CSRF only: for buttons that change something."""


def driver_choices(drivers) -> list[SelectChoice]:
    return [SelectChoice(d.id, d.title) for d in drivers]


def form_data(form: FlaskForm, *names: str) -> dict:
    return {name: getattr(form, name).data for name in names}
