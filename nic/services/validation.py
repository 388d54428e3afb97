"""Field checks shared by every way in (forms, API, CLI), so each says the same thing."""
from __future__ import annotations

import re

from email_validator import EmailNotValidError, validate_email

from nic.models import ROLES
from nic.services.errors import ValidationFailed

SLUG_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")
MIN_PASSWORD_LENGTH = 10


def clean_email(value: str | None) -> str:
    value = (value or "").strip()
    if not value:
        raise ValueError("is required")
    try:
        result = validate_email(value, check_deliverability=False)
    except EmailNotValidError as exc:
        raise ValueError(f"is not a valid email address ({exc})") from None
    return result.normalized.lower()


def clean_name(value: str | None, max_length: int = 200) -> str:
    value = " ".join((value or "").split())
    if not value:
        raise ValueError("is required")
    if len(value) > max_length:
        raise ValueError(f"must be at most {max_length} characters")
    return value


def clean_slug(value: str | None) -> str:
    value = (value or "").strip()
    if not SLUG_RE.match(value):
        raise ValueError(
            "must be 1 to 64 lower-case letters, digits or hyphens, not starting or ending with a hyphen"
        )
    return value


def clean_role(value: str | None) -> str:
    if value not in ROLES:
        raise ValueError(f"must be one of {', '.join(ROLES)}")
    return value


def clean_password(value: str | None) -> str:
    value = value or ""
    if len(value) < MIN_PASSWORD_LENGTH:
        raise ValueError(f"must be at least {MIN_PASSWORD_LENGTH} characters")
    if len(value) > 1024:
        raise ValueError("must be at most 1024 characters")
    return value


MAX_ID = 2**31 - 1  # ids are 32-bit integers; larger ones cannot match and must not reach SQL


def clean_id(raw) -> int:
    """An id from a query string or form: a positive 32-bit whole number."""
    try:
        value = int(raw)
    except (TypeError, ValueError):
        raise ValueError("must be a whole number (an id)") from None
    if not 0 < value <= MAX_ID:
        raise ValueError("is not a valid id")
    return value


def clean_choice(raw, allowed: tuple[str, ...]) -> str:
    if raw not in allowed:
        raise ValueError(f"must be one of {', '.join(allowed)}")
    return raw


class FieldErrors:
    """Collects every bad field of one input so the person sees them all at once."""

    def __init__(self):
        self.errors: dict[str, str] = {}
        self.values: dict[str, object] = {}

    def check(self, field: str, cleaner, value, *args):
        try:
            cleaned = cleaner(value, *args)
        except ValueError as exc:
            self.errors[field] = str(exc)
            cleaned = None
        self.values[field] = cleaned
        return cleaned

    def add(self, field: str, message: str) -> None:
        self.errors.setdefault(field, message)

    def raise_if_any(self) -> None:
        if self.errors:
            raise ValidationFailed(dict(self.errors))
