"""Forms of the leadership view: the GET filter (round, school group) and the one-click
"Start a discussion" button (CSRF and the ids of the peer and the practice)."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField
from wtforms.fields.choices import SelectChoice


class LeadershipFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET form that changes nothing: a filtered view is a link to share

    round_id = SelectField("Round", choices=[], validate_choice=False)
    group = SelectField("School group", choices=[], validate_choice=False)


def fill_choices(form: LeadershipFilterForm, rounds, groups: list[str]) -> None:
    form.round_id.choices = [
        SelectChoice(str(choice.round.id), choice.round.name + ("" if choice.has_consensus else " (no levels agreed yet)"))
        for choice in rounds]
    form.group.choices = [SelectChoice("", "All schools")] + [SelectChoice(g, g) for g in groups]


class DiscussForm(FlaskForm):
    peer_id = HiddenField()
    practice_id = HiddenField()
    round_id = HiddenField()
