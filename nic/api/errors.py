"""Every API error has one shape:
`{"error": {"code": "...", "message": "...", "fields": {"name": "why"}}}`."""
from __future__ import annotations

from flask import jsonify, request
from flask_wtf.csrf import CSRFError
from pydantic import ValidationError
from werkzeug.exceptions import HTTPException

from nic.http_errors import error_response, http_error_response
from nic.services.errors import ServiceError

def fields_from_pydantic(exc: ValidationError) -> dict[str, str]:
    fields: dict[str, str] = {}
    for err in exc.errors():
        name = ".".join(str(part) for part in err["loc"]) or "body"
        fields.setdefault(name, err["msg"])
    return fields


def register(app) -> None:
    def is_api():
        return request.path.startswith("/api/")

    @app.errorhandler(ServiceError)
    def _service_error(exc: ServiceError):
        if not is_api():
            raise exc
        return error_response(exc.status, exc.message, exc.fields, exc.code)

    @app.errorhandler(ValidationError)
    def _pydantic_error(exc: ValidationError):
        if not is_api():
            raise exc
        fields = fields_from_pydantic(exc)
        first = next(iter(fields.items()))
        return error_response(422, f"{first[0]}: {first[1]}", fields)

    @app.errorhandler(CSRFError)
    def _csrf_error(exc: CSRFError):
        if is_api():
            return error_response(400, "Missing or invalid CSRF token (send X-CSRFToken, or use an API token).")
        return exc

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        if not is_api():
            return exc  # the HTML error pages registered by nic.web answer
        return http_error_response(exc)
