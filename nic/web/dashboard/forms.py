"""The dashboard's filter form: a GET form, so a filtered dashboard is a link people can
share. It only renders and remembers the values; nic.services.rollups.dashboard.parse_filters
reads and checks them."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateField, SelectField
from wtforms.fields.choices import SelectChoice


class DashboardFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET form that changes nothing

    date_from = DateField("From", description="The first week or month shown.")
    date_to = DateField("To", description="The last one (empty: today).")
    group = SelectField("School group", choices=[], validate_choice=False)
    period = SelectField("Per", choices=[SelectChoice("week", "Week"), SelectChoice("month", "Month")],
                         validate_choice=False)


def fill_groups(form: DashboardFilterForm, groups: list[str]) -> None:
    form.group.choices = [SelectChoice("", "All schools")] + [SelectChoice(g, g) for g in groups]
