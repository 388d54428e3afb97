"""Shared form plumbing: service errors become errors on the named fields."""
from __future__ import annotations

from flask_wtf import FlaskForm

from nic.services.errors import ServiceError


def show_service_error(form: FlaskForm, exc: ServiceError, aliases: dict[str, str] | None = None) -> None:
    """Put each field error next to its field; anything else at the top of the form."""
    aliases = aliases or {}
    if not exc.fields:
        form.form_errors.append(exc.message)
        return
    for name, message in exc.fields.items():
        field = getattr(form, aliases.get(name, name), None)
        if field is not None and hasattr(field, "errors"):
            field.errors = list(field.errors) + [message]
        else:
            form.form_errors.append(f"{name.replace('_', ' ').capitalize()} {message}")
