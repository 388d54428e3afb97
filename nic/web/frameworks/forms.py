"""Framework forms. They carry values only: nic.frameworks.validate (through
nic.services.assessments.frameworks) checks every document, so a problem reads the same on a page,
in the API and in an imported file.

The edit form names each input by its place in the document ("levels[1].name",
"domains[0].practices[2].descriptors.meeting-standards"), the same places validation
uses in its errors, so each error lands beside the input it is about."""
from __future__ import annotations

import copy
import re

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import HiddenField, StringField, TextAreaField

from nic.frameworks.schema import MAX_KEY_CHARS, MAX_NAME_CHARS


class CopyForm(FlaskForm):
    key = StringField("Key", description="Unique in the network: lowercase letters and digits joined by - or _, "
                      "e.g. “our-core-practices”.", render_kw={"maxlength": MAX_KEY_CHARS, "autocomplete": "off"})
    name = StringField("Name", description="Leave empty for the original's name with “(copy)”.",
                       render_kw={"maxlength": MAX_NAME_CHARS})


class ImportForm(FlaskForm):
    file = FileField("Framework file", description="A .yaml, .yml or .json file of at most 1 MB, such as one "
                     "exported from nic.")
    text = TextAreaField("Or paste the file's text", description="YAML or JSON. Used when no file is chosen.",
                         render_kw={"rows": 10, "spellcheck": "false"})


class DocumentForm(FlaskForm):
    version = HiddenField()
    text = TextAreaField("The framework as YAML", description="Add, remove or reorder levels, domains and "
                         "practices here. Practices are matched by key: change a key and it becomes a new practice.",
                         render_kw={"rows": 30, "spellcheck": "false", "class": "code-input"})


# --- the edit form: one input per editable place of the document ------------------------------------

def _set_text(target: dict, field: str, value: str | None, optional: bool) -> None:
    if value is None:
        return  # not on the form: keep what is stored
    value = value.strip()
    if optional and not value:
        target.pop(field, None)
    else:
        target[field] = value


def apply_form(document: dict, form) -> dict:
    """The stored document with the form's values put in their places. Only places the
    document already has are read, so a form cannot add structure (the YAML editor does
    that). Guiding questions are one per line."""
    data = copy.deepcopy(document)
    _set_text(data, "name", form.get("name"), optional=False)
    _set_text(data, "description", form.get("description"), optional=True)
    source = dict(data.get("source") or {})
    for field in ("organisation", "title", "note"):
        _set_text(source, field, form.get(f"source.{field}"), optional=True)
    if any(source.values()):
        data["source"] = source
    else:
        data.pop("source", None)
    for i, level in enumerate(data["levels"]):
        _set_text(level, "name", form.get(f"levels[{i}].name"), optional=False)
        _set_text(level, "descriptor", form.get(f"levels[{i}].descriptor"), optional=True)
    for d, domain in enumerate(data["domains"]):
        place = f"domains[{d}]"
        _set_text(domain, "name", form.get(f"{place}.name"), optional=False)
        _set_text(domain, "description", form.get(f"{place}.description"), optional=True)
        for p, practice in enumerate(domain["practices"]):
            at = f"{place}.practices[{p}]"
            _set_text(practice, "name", form.get(f"{at}.name"), optional=False)
            _set_text(practice, "description", form.get(f"{at}.description"), optional=True)
            for level_key in list(practice.get("descriptors", {})):
                _set_text(practice["descriptors"], level_key, form.get(f"{at}.descriptors.{level_key}"),
                          optional=False)
            questions = form.get(f"{at}.guiding_questions")
            if questions is not None:
                lines = [line.strip() for line in questions.splitlines() if line.strip()]
                if lines:
                    practice["guiding_questions"] = lines
                else:
                    practice.pop("guiding_questions", None)
    return data


def field_id(place: str) -> str:
    """An HTML id for a document place: "domains[0].practices[1].name" -> "f-domains-0-practices-1-name"."""
    return "f-" + re.sub(r"[^A-Za-z0-9_-]+", "-", place).strip("-")


def errors_by_place(errors: list[str]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for error in errors:
        place, sep, problem = error.partition(": ")
        if not sep:
            place, problem = "(document)", error
        out.setdefault(place, []).append(problem)
    return out
