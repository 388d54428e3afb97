"""Errors services raise; each front end (form, JSON API, CLI) renders them its way."""
from __future__ import annotations


class ServiceError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, message: str, fields: dict[str, str] | None = None):
        super().__init__(message)
        self.message = message
        self.fields = fields or {}


class ValidationFailed(ServiceError):
    """Input that cannot be accepted; `fields` names each bad field and why."""

    status = 422
    code = "validation_failed"

    def __init__(self, fields: dict[str, str], message: str | None = None):
        first = next(iter(fields.items()))
        super().__init__(message or f"{first[0]}: {first[1]}", fields)


class Forbidden(ServiceError):
    """A visible object the member's role may not change: 403, not 404 (hiding it
    would be pointless, the member can already see it)."""

    status = 403
    code = "forbidden"


class NotFound(ServiceError):
    status = 404
    code = "not_found"


class Conflict(ServiceError):
    status = 409
    code = "conflict"


class RateLimited(ServiceError):
    """Too many actions in a short time (a flood of messages, say)."""

    status = 429
    code = "rate_limited"
