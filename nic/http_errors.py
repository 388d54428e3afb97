"""The one JSON error shape of the API, `{"error": {"code", "message", "fields"}}`, for
any HTTP error: used by the API's handlers (nic.api.errors) and by the HTML error pages
when the request was an API one (nic.web), which both stand above this module."""

from __future__ import annotations

from flask import jsonify
from werkzeug.exceptions import HTTPException

CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "validation_failed",
    429: "rate_limited",
    500: "server_error",
}


def error_response(status: int, message: str, fields: dict | None = None, code: str | None = None):
    body = {"code": code or CODES.get(status, "error"), "message": message}
    if fields:
        body["fields"] = fields
    return jsonify(error=body), status


_MESSAGES = {
    401: "Sign in or send a valid API token.",
    404: "Not found.",
    413: "The upload is larger than the size limit.",
    429: "Too many requests; slow down.",
}


def http_error_response(exc: HTTPException):
    status = getattr(exc, "code", None) or 500
    message = _MESSAGES.get(status) or getattr(exc, "description", None) or "Server error."
    return error_response(status, message)
