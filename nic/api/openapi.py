"""GET /api/v1/openapi.json: assembled from the URL map and each route's @documented
metadata and pydantic models, never written by hand."""
from __future__ import annotations

import re

from flask import current_app, jsonify
from pydantic import BaseModel

from nic.api import bp
from nic.api.docs import ErrorResponse, documented

_CONVERTER = re.compile(r"<(?:(?P<conv>[a-z]+):)?(?P<name>\w+)>")
_ERROR_TEXT = {
    400: "Malformed request", 401: "No or bad credentials", 403: "Not allowed for your role",
    404: "Not found, or in another network", 409: "Conflict: stale version or duplicate",
    413: "Too large", 415: "Unsupported type", 422: "Validation failed (see error.fields)",
    429: "Rate limited",
}


def _path_and_params(rule) -> tuple[str, list[dict]]:
    params = []

    def replace(match):
        kind = {"int": "integer"}.get(match.group("conv") or "", "string")
        params.append({"name": match.group("name"), "in": "path", "required": True, "schema": {"type": kind}})
        return "{" + match.group("name") + "}"

    return _CONVERTER.sub(replace, rule.rule), params


def _schema_ref(model, components: dict) -> dict:
    if isinstance(model, type) and issubclass(model, BaseModel):
        schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
        for name, definition in schema.pop("$defs", {}).items():
            components[name] = definition
        name = model.__name__.replace("[", "_").replace("]", "").replace(".", "_")
        schema["title"] = name
        components[name] = schema
        return {"$ref": f"#/components/schemas/{name}"}
    return {"type": "object"}


def build_document(app) -> dict:
    components: dict = {}
    error_ref = _schema_ref(ErrorResponse, components)
    paths: dict = {}
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if not rule.rule.startswith(bp.url_prefix + "/"):
            continue
        view = app.view_functions[rule.endpoint]
        meta = getattr(view, "openapi", None)
        if meta is None:
            continue  # tests/api/test_openapi.py fails on any undocumented API route
        path, path_params = _path_and_params(rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            operation = {
                "operationId": rule.endpoint.split(".", 1)[1] + ("" if method == "GET" else "_" + method.lower()),
                "summary": meta["summary"],
                "parameters": path_params + meta["params"],
                "responses": {
                    str(meta["status"]): {
                        "description": meta["summary"],
                        "content": {"application/json": {"schema": _schema_ref(meta["response"], components)}},
                    }
                },
            }
            if meta["description"]:
                operation["description"] = meta["description"]
            if meta["request"] is not None:
                operation["requestBody"] = {
                    "required": True,
                    "content": {"application/json": {"schema": _schema_ref(meta["request"], components)}},
                }
            for status in meta["errors"]:
                operation["responses"][str(status)] = {
                    "description": _ERROR_TEXT.get(status, "Error"),
                    "content": {"application/json": {"schema": error_ref}},
                }
            if not meta["auth"]:
                operation["security"] = []
            paths.setdefault(path, {})[method.lower()] = operation
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "nic API",
            "version": "1",
            "description": "Networked improvement communities: schools, cycles, measures, artifacts and discussion. "
            "Lists take ?limit= and ?cursor= and answer {items, next}. Another network's objects answer 404.",
        },
        "servers": [{"url": "/"}],
        "security": [{"bearerAuth": []}, {"sessionCookie": []}],
        "paths": paths,
        "components": {
            "schemas": components,
            "securitySchemes": {
                "bearerAuth": {"type": "http", "scheme": "bearer", "description": "A personal API token (`nic token create` or your profile page)."},
                "sessionCookie": {"type": "apiKey", "in": "cookie", "name": current_app.config["SESSION_COOKIE_NAME"]},
            },
        },
    }


@bp.get("/openapi.json")
@documented(summary="This OpenAPI document", errors=(), auth=False)
def openapi():
    return jsonify(build_document(current_app))
