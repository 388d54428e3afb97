"""Forms of the measure pages. They carry values only: every check is in the services
(nic.services.measures.measures, nic.services.measures.points), which the API shares, so a bad value
reads the same whichever way it came in. Field names are the services' names."""
from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    FieldList, Form, FormField, HiddenField, SelectField, SelectMultipleField, StringField, TextAreaField,
)
from wtforms.fields.choices import SelectChoice

from nic.models import CHART_TYPES, DIRECTIONS, FREQUENCIES, MEASURE_KINDS
from nic.services.measures.measures import CHART_LABELS, DIRECTION_LABELS, FREQUENCY_LABELS, KIND_LABELS


class MeasureForm(FlaskForm):
    name = StringField("Name", description="Short and unique in the network, e.g. “Ninth graders on track”.")
    definition = TextAreaField(
        "Operational definition",
        description="Markdown. Exactly what is counted, from which source, by whom and when, so every school "
        "counts the same way.")
    kind = SelectField("Kind", choices=[SelectChoice(k, KIND_LABELS[k].removesuffix("s")) for k in MEASURE_KINDS],
                       validate_choice=False)
    chart = SelectField("Chart", choices=[SelectChoice(c, CHART_LABELS[c]) for c in CHART_TYPES], validate_choice=False,
                        description="Run and I charts take one value per period; p and u charts a numerator and a "
                        "denominator.")
    unit = StringField("Unit", description="Optional, e.g. %, students, days.")
    direction = SelectField("Direction of improvement",
                            choices=[SelectChoice(d, DIRECTION_LABELS[d]) for d in DIRECTIONS], validate_choice=False)
    goal = StringField("Goal", description="Optional. On a p chart a proportion: 0.85 or 85%.",
                       render_kw={"inputmode": "decimal", "autocomplete": "off"})
    frequency = SelectField("Frequency", choices=[SelectChoice(f, FREQUENCY_LABELS[f]) for f in FREQUENCIES],
                            validate_choice=False)
    baseline_points = StringField(
        "Baseline points", render_kw={"inputmode": "numeric", "autocomplete": "off"},
        description="Optional. Freeze the center line on the first N points (12 to 20 is common); empty: every "
        "point counts.")
    aim_id = SelectField("Aim", choices=[], validate_choice=False)
    driver_ids = SelectMultipleField("Drivers", choices=[], validate_choice=False)
    change_idea_ids = SelectMultipleField("Change ideas", choices=[], validate_choice=False)

    def set_choices(self, aims, drivers, change_ideas) -> None:
        self.aim_id.choices = [SelectChoice("", "— no aim —")] + [SelectChoice(str(a.id), a.statement) for a in aims]
        self.driver_ids.choices = [SelectChoice(str(d.id), d.title) for d in drivers]
        self.change_idea_ids.choices = [SelectChoice(str(c.id), c.title) for c in change_ideas]

    def values(self) -> dict:
        data = {name: getattr(self, name).data for name in (
            "name", "definition", "kind", "chart", "unit", "direction", "goal", "frequency", "baseline_points",
            "aim_id")}
        data["driver_ids"] = [v for v in self.driver_ids.data or [] if v]
        data["change_idea_ids"] = [v for v in self.change_idea_ids.data or [] if v]
        return data


def measure_form_data(measure) -> dict:
    return {
        "name": measure.name, "definition": measure.definition, "kind": measure.kind, "chart": measure.chart,
        "unit": measure.unit, "direction": measure.direction, "frequency": measure.frequency,
        "goal": "" if measure.goal is None else f"{measure.goal:g}",
        "baseline_points": "" if measure.baseline_points is None else str(measure.baseline_points),
        "aim_id": "" if measure.aim_id is None else str(measure.aim_id),
        "driver_ids": [str(d.id) for d in measure.drivers],
        "change_idea_ids": [str(c.id) for c in measure.change_ideas],
    }


class PointForm(FlaskForm):
    """The quick form: one period (this period preselected) and its values."""

    school_id = HiddenField()
    # a text input of type date: the browser sends YYYY-MM-DD and the service checks the
    # grid, so a Wednesday is refused in the same words as over the API
    period = StringField("Period", render_kw={"type": "date"})
    value = StringField("Value", render_kw={"inputmode": "decimal", "autocomplete": "off"})
    numerator = StringField("Numerator", render_kw={"inputmode": "decimal", "autocomplete": "off"})
    denominator = StringField("Denominator", render_kw={"inputmode": "decimal", "autocomplete": "off"})


class GridRow(Form):
    """One period of the grid. `shown` holds the cells as the page showed them, so only
    the rows the person changed are written (a row left alone never overwrites a value
    someone else entered meanwhile)."""

    period = HiddenField()
    shown = HiddenField()
    value = StringField("Value")
    numerator = StringField("Numerator")
    denominator = StringField("Denominator")


class GridForm(FlaskForm):
    rows = FieldList(FormField(GridRow), min_entries=0)


class UploadForm(FlaskForm):
    school_id = HiddenField()
    file = FileField("CSV file", description="The template's columns; the first row is the header.")


class SchoolPicker(FlaskForm):
    class Meta:
        csrf = False  # a GET filter

    school_id = SelectField("School", choices=[], validate_choice=False)


def cells_of(point, chart: str) -> dict[str, str]:
    """A stored point as the grid shows it."""
    names = ("numerator", "denominator") if chart in ("p", "u") else ("value",)
    if point is None:
        return {name: "" for name in names}
    return {name: _text(getattr(point, name)) for name in names}


def _text(number) -> str:
    if number is None:
        return ""
    return str(int(number)) if float(number).is_integer() else repr(float(number))
