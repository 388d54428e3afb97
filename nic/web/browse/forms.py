"""The browse page's filter form: a GET form, so a filtered list is a link people can
share and bookmark. It only renders and remembers the values; nic.services.cycles.browse reads
and checks them (the API reads the same parameters the same way)."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateField, SearchField, SelectField
from wtforms.fields.choices import SelectChoice

from nic.models import PHASES
from nic.services.cycles.browse import NUDGE_LABELS

PHASE_LABELS = {"plan": "Plan", "do": "Do", "study": "Study", "act": "Act", "done": "Done"}
DECISION_LABELS = {"adopt": "Adopt", "adapt": "Adapt", "abandon": "Abandon"}


class BrowseForm(FlaskForm):
    class Meta:
        csrf = False  # a GET form that changes nothing

    q = SearchField("Search", description="Words from the title, plan, observations or what was learned.",
                    render_kw={"maxlength": 200, "autocomplete": "off"})
    school_id = SelectField("School", choices=[], validate_choice=False)
    team_id = SelectField("Team", choices=[], validate_choice=False)
    change_idea_id = SelectField("Change idea", choices=[], validate_choice=False)
    phase = SelectField("Phase", validate_choice=False,
                        choices=[SelectChoice("", "Any phase")] + [SelectChoice(p, PHASE_LABELS[p]) for p in PHASES])
    owner_id = SelectField("Owner", choices=[], validate_choice=False)
    nudge = SelectField("Still lacks", validate_choice=False, choices=[SelectChoice("", "Anything")] + [
        SelectChoice(code, label) for code, label in NUDGE_LABELS.items()
    ])
    # A cycle runs from its start to its end date; one without dates, on the day it was created
    # (the page says so under the dates).
    date_from = DateField("Running on or after")
    date_to = DateField("Running on or before")


def fill_choices(form: BrowseForm, choices: dict) -> None:
    def options(empty: str, pairs) -> list[SelectChoice]:
        return [SelectChoice("", empty)] + [SelectChoice(str(value), label) for value, label in pairs]

    form.school_id.choices = options("Any school", ((s.id, s.name) for s in choices["schools"]))
    form.team_id.choices = options("Any team", ((t.id, f"{t.name} ({t.school.name})") for t in choices["teams"]))
    form.change_idea_id.choices = options("Any change idea", ((c.id, c.title) for c in choices["change_ideas"]))
    form.owner_id.choices = options("Anyone", ((u.id, u.name) for u in choices["owners"]))
