"""Forms of the assessment pages. They carry values only; nic.services.assessments.assessments and
nic.services.assessments.ratings check them (the API shares those checks).

The rating and consensus forms have one group of fields per practice, named by the
practice's id (`level-12`, `note-12`, `evidence-12`): WTForms' static fields do not fit a
framework whose practices are data, so those pages read the posted values themselves and
use `CsrfForm` for the CSRF check alone."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional

from nic.services.assessments.assessments import NAME_MAX


class CsrfForm(FlaskForm):
    """CSRF only: the posted practice fields are read from request.form."""


class OpenRoundForm(FlaskForm):
    framework_id = SelectField("Framework", validate_choice=False,
                               description="The network's frameworks that are not archived.")
    name = StringField("Name", description="What people will call the round, e.g. “Fall 2026”.",
                       render_kw={"maxlength": NAME_MAX, "autocomplete": "off"})
    due_on = DateField("Due date", validators=[Optional()],
                       description="Optional: when schools should have agreed their consensus.")


def framework_choices(frameworks) -> list[SelectChoice]:
    return [SelectChoice("", "— choose a framework —")] + [SelectChoice(str(f.id), f.name) for f in frameworks]


def posted_evidence(values: list[str]) -> list[tuple[str, str]]:
    """Checkbox values "cycle:12" -> [("cycle", "12")]; the service checks kind and id."""
    pairs = []
    for value in values:
        kind, _, raw = (value or "").partition(":")
        pairs.append((kind, raw))
    return pairs
