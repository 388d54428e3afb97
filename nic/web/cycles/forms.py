"""The cycle worksheet as a form. Field names are the service's flat field names
(nic.services.cycles.fields), so service errors land next to the right field.

Checks live in the service (the API says the same things); the form only carries values.
Questions are a list of rows; a few blank rows are always offered, and "Add another
question" re-renders the form with one more, so it works without JavaScript.
"""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    FieldList, Form, FormField, HiddenField, RadioField, SelectField, SelectMultipleField, StringField, TextAreaField,
)
from wtforms.fields.choices import SelectChoice

from nic.models import DECISIONS, SCALE_UNITS
from nic.services.measures.measures import choices as measure_choices

SPARE_QUESTION_ROWS = 2
DECISION_LABELS = {"adopt": "Adopt", "adapt": "Adapt", "abandon": "Abandon"}
SCALE_UNIT_LABELS = {"students": "students", "classes": "classes", "teachers": "teachers", "other": "other"}
VISIBILITY_CHOICES = [
    SelectChoice("school", "My school only"),
    SelectChoice("network", "The whole network"),
]


class QuestionForm(Form):
    """One question row (a plain Form: the outer form carries the CSRF token)."""

    question = TextAreaField("Question")
    prediction = TextAreaField("Prediction")
    result = TextAreaField("Result")


class CycleForm(FlaskForm):
    # header
    title = StringField("Title", description="What this test tries, in a few words.")
    team_id = SelectField("Team", choices=[], validate_choice=False)
    owner_id = SelectField("Owner", choices=[], validate_choice=False)
    coauthor_ids = SelectMultipleField("Co-authors", choices=[], validate_choice=False,
                                       description="Co-authors can edit this cycle.")
    change_idea_id = SelectField("Change idea", choices=[], validate_choice=False,
                                 description="The change idea from the driver diagram this cycle tests.")
    scale_count = StringField("Scale", description="How many are in this test? Start small: one class, one teacher.")
    scale_unit = SelectField("Unit", choices=[SelectChoice(u, SCALE_UNIT_LABELS[u]) for u in SCALE_UNITS], validate_choice=False)
    # text inputs of type date: browsers send YYYY-MM-DD and the service checks it, so a
    # bad date reads the same as over the API
    start_date = StringField("Start date", render_kw={"type": "date"})
    end_date = StringField("End date", render_kw={"type": "date"})
    visibility = RadioField("Shared with", choices=VISIBILITY_CHOICES, validate_choice=False, default="school")
    # plan
    plan_objective = TextAreaField("Objective", description="What is this cycle for?")
    questions = FieldList(FormField(QuestionForm), min_entries=0)
    plan_who = TextAreaField("Who")
    plan_what = TextAreaField("What")
    plan_when = TextAreaField("When")
    plan_where = TextAreaField("Where")
    plan_data = TextAreaField("Data to collect", description="What will you collect to answer the questions?")
    measure_id = SelectField("Network measure", choices=[], validate_choice=False,
                             description="The measure whose chart this data adds to; the chart marks this cycle.")
    plan_measure = StringField("Measure it feeds", description="In words, if the network does not track it as a "
                               "measure, or to say which part of it.")
    # do
    do_as_planned = RadioField("Carried out as planned?", choices=[SelectChoice("yes", "Yes"), SelectChoice("no", "No"),
                                        SelectChoice("", "Not answered yet")],
                               validate_choice=False, default="")
    do_observations = TextAreaField("Observations")
    do_problems = TextAreaField("Problems and surprises")
    # study
    study_learned = TextAreaField("What was learned")
    # act
    act_decision = RadioField("Decision", choices=[SelectChoice(d, DECISION_LABELS[d]) for d in DECISIONS]
                              + [SelectChoice("", "Not decided yet")],
                              validate_choice=False, default="")
    act_reason = TextAreaField("Reason for the decision")
    act_next = TextAreaField("What comes next")
    # the version the person loaded: a stale one on save is a conflict, not an overwrite
    version = HiddenField()

    def set_choices(self, teams, people, change_ideas, measures=None) -> None:
        self.team_id.choices = [SelectChoice("", "— no team —")] + [SelectChoice(str(t.id), t.name) for t in teams]
        self.owner_id.choices = [SelectChoice(str(p.id), p.name) for p in people]
        self.coauthor_ids.choices = [SelectChoice(str(p.id), p.name) for p in people]
        self.change_idea_id.choices = [SelectChoice("", "— none yet —")] + [
            SelectChoice(str(c.id), c.title) for c in change_ideas]
        if measures is None:  # the cycle views predate measures; the form finds them itself
            measures = measure_choices()
        self.measure_id.choices = [SelectChoice("", "— none —")] + [SelectChoice(str(m.id), m.name) for m in measures]

    def pad_questions(self, spare: int = SPARE_QUESTION_ROWS) -> None:
        """Make sure `spare` blank rows follow the filled ones."""
        blank = sum(1 for entry in self.questions if not any((entry.form[k].data or "").strip()
                                                                 for k in ("question", "prediction", "result")))
        for _ in range(max(0, spare - blank)):
            self.questions.append_entry()

    def values(self, whole: bool) -> dict:
        """The submitted worksheet in the service's vocabulary."""
        data = {name: getattr(self, name).data for name in (
            "title", "team_id", "owner_id", "change_idea_id", "scale_count", "scale_unit", "start_date", "end_date",
            "visibility", "plan_objective", "plan_who", "plan_what", "plan_when", "plan_where", "plan_data",
            "plan_measure")}
        data["coauthor_ids"] = [v for v in (self.coauthor_ids.data or []) if v]
        if self.measure_id.raw_data:  # only when sent: a post without the field leaves the link alone
            data["measure_id"] = self.measure_id.data
        data["questions"] = [
            {"question": e.form.question.data, "prediction": e.form.prediction.data,
             **({"result": e.form.result.data} if whole else {})}
            for e in self.questions
        ]
        if whole:  # the edit form; a new cycle's form has the header and Plan only
            for name in ("do_as_planned", "do_observations", "do_problems", "study_learned", "act_decision",
                         "act_reason", "act_next"):
                data[name] = getattr(self, name).data
        return data


def form_data(state: dict) -> dict:
    """A cycle snapshot (nic.services.cycles.fields.snapshot) as form data."""
    data = dict(state)
    for name in ("team_id", "owner_id", "change_idea_id", "measure_id", "scale_count"):
        data[name] = "" if state.get(name) is None else str(state[name])
    data["coauthor_ids"] = [str(i) for i in state.get("coauthor_ids") or []]
    for name in ("start_date", "end_date"):
        data[name] = state.get(name) or ""
    data["do_as_planned"] = {True: "yes", False: "no"}.get(state.get("do_as_planned"), "")
    data["act_decision"] = state.get("act_decision") or ""
    data["questions"] = [dict(q) for q in state.get("questions") or []]
    return data


class ConfirmForm(FlaskForm):
    """CSRF only: for buttons that change something."""
