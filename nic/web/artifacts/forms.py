"""The artifact forms. Field names are the service's, so its errors land next to the
right field; the checks themselves live in nic.services.artifacts.artifacts (the API says the same
things). The file field is read by the view as a stream, never through the form."""
from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice

from nic.models import ARTIFACT_KIND_LABELS, ARTIFACT_KINDS
from nic.services.artifacts.library import SORTS

GRADE_BAND_SUGGESTIONS = ("K-2", "3-5", "6-8", "9-12", "K-12")
# A hint for the browser's file picker only: the server decides from the bytes.
ACCEPT_TYPES = ".pdf,.doc,.docx,.ppt,.pptx,.xls,.xlsx,.csv,.txt,.md,.png,.jpg,.jpeg,.gif,.webp"
VISIBILITY_CHOICES = [
    SelectChoice("network", "The whole network"),
    SelectChoice("school", "My school only"),
]


def _kind_choices(blank: str | None = None) -> list[SelectChoice]:
    head = [SelectChoice("", blank)] if blank else []
    return head + [SelectChoice(kind, ARTIFACT_KIND_LABELS[kind]) for kind in ARTIFACT_KINDS]


class _MetadataFields(FlaskForm):
    title = StringField("Title", description="What it is, in a few words: “Grade-check huddle protocol”.")
    description = TextAreaField("Description", description="How and when to use it, what to adapt. Markdown works.")
    kind = SelectField("Type", choices=_kind_choices(), validate_choice=False, default="protocol",
                       description="What kind of material it is.")
    tags = StringField("Tags", description="Separated by commas, e.g. attendance, advisory.")
    grade_band = StringField("Grade band", description="For example 9-12.")
    subject = StringField("Subject", description="For example Mathematics, or All subjects.")
    visibility = RadioField("Shared with", choices=VISIBILITY_CHOICES, validate_choice=False, default="network")


class ArtifactForm(_MetadataFields):
    """A new artifact: a file or a link."""

    school_id = SelectField("School", choices=[], validate_choice=False,
                            description="The school whose practice this is.")
    file = FileField("File", description="PDF, Word, PowerPoint, Excel, CSV, an image, plain text or Markdown.")
    url = StringField("Or a link", description="A web address starting with https:// (or http://).",
                      render_kw={"type": "url", "inputmode": "url", "autocomplete": "off"})
    note = StringField("Version note", description="Optional: what this first version is.")
    cycle_id = HiddenField()


class EditForm(_MetadataFields):
    url = StringField("Link", render_kw={"type": "url", "inputmode": "url", "autocomplete": "off"})


class VersionForm(FlaskForm):
    file = FileField("New file",
                     description="It becomes the current version; earlier ones stay downloadable.")
    note = TextAreaField("What changed", description="A line for the history, e.g. “Added a Spanish version”.")


class ConfirmForm(FlaskForm):
    """CSRF only: for buttons that change something."""


class LinkCycleForm(FlaskForm):
    cycle_id = SelectField("Cycle", choices=[], validate_choice=False)


class LinkChangeIdeaForm(FlaskForm):
    change_idea_id = SelectField("Change idea", choices=[], validate_choice=False)


class LibraryForm(FlaskForm):
    """The library's search and filters (a GET form: no CSRF token)."""

    class Meta:
        csrf = False

    q = StringField("Search", description="Words in the title, description, tags or inside the files.",
                    render_kw={"type": "search"})
    kind = SelectField("Type", choices=_kind_choices("Any type"), validate_choice=False)
    school_id = SelectField("School", choices=[], validate_choice=False)
    tag = StringField("Tag")
    grade_band = SelectField("Grade band", choices=[], validate_choice=False)
    subject = SelectField("Subject", choices=[], validate_choice=False)
    change_idea_id = SelectField("Change idea", choices=[], validate_choice=False)
    sort = SelectField("Sort by", choices=[SelectChoice(key, label) for key, label in SORTS.items()],
                       validate_choice=False, default="newest")


def fill_library_choices(form: LibraryForm, choices: dict) -> None:
    form.school_id.choices = [SelectChoice("", "Any school")] + [
        SelectChoice(str(s.id), s.name) for s in choices["schools"]]
    form.change_idea_id.choices = [SelectChoice("", "Any change idea")] + [
        SelectChoice(str(i.id), i.title) for i in choices["change_ideas"]]
    form.grade_band.choices = [SelectChoice("", "Any grade band")] + [
        SelectChoice(g, g) for g in choices["grade_bands"]]
    form.subject.choices = [SelectChoice("", "Any subject")] + [SelectChoice(s, s) for s in choices["subjects"]]
    # a value typed into a URL that no artifact has any more still shows as selected
    for field in (form.grade_band, form.subject):
        if field.data and field.data not in {c.value for c in field.choices}:
            field.choices.append(SelectChoice(field.data, field.data))


def metadata(form: _MetadataFields) -> dict:
    return {name: getattr(form, name).data or "" for name in
            ("title", "description", "kind", "tags", "grade_band", "subject", "visibility")}
