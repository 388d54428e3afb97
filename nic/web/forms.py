"""Shared form plumbing: service errors become errors on the named fields."""
from __future__ import annotations

from flask_wtf import FlaskForm

from nic.services.errors import Forbidden, NotFound, ServiceError


def is_page_error(exc: ServiceError) -> bool:
    """A NotFound / Forbidden naming no field is about the page's own object, not the form:
    a view's `except ServiceError` re-raises it (`if is_page_error(exc): raise`) and
    nic.web's handler answers with the 404 / 403 page. A NotFound naming a field (a team
    chosen on the form that is not there) is the form's to show."""
    return isinstance(exc, (NotFound, Forbidden)) and not exc.fields


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
