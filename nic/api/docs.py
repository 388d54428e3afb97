"""What the OpenAPI document says about each route is declared on the route itself, by
`@documented(...)` with pydantic models; nic.api.openapi assembles the document from
the app's URL map. A route without it fails the test that walks the URL map."""
from __future__ import annotations

from typing import Any, Generic, TypeVar

from pydantic import BaseModel, Field

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    items: list[T]
    next: str | None = Field(description="Pass as ?cursor= for the next page; null on the last page.")


class ErrorBody(BaseModel):
    code: str
    message: str
    fields: dict[str, str] | None = None


class ErrorResponse(BaseModel):
    error: ErrorBody


PAGE_PARAMS = [
    {"name": "limit", "in": "query", "required": False,
     "schema": {"type": "integer", "minimum": 1, "maximum": 200, "default": 50},
     "description": "Items per page (default 50, at most 200)."},
    {"name": "cursor", "in": "query", "required": False, "schema": {"type": "string"},
     "description": "The `next` value of the previous page."},
]


def documented(
    *,
    summary: str,
    response: Any = None,
    status: int = 200,
    request: type[BaseModel] | None = None,
    params: list[dict] | None = None,
    paginated: bool = False,
    errors: tuple[int, ...] = (401, 404),
    auth: bool = True,
    description: str | None = None,
):
    def decorator(view):
        view.openapi = {
            "summary": summary,
            "description": description or (view.__doc__ or "").strip() or None,
            "response": Page[response] if paginated else response,
            "status": status,
            "request": request,
            "params": (PAGE_PARAMS if paginated else []) + (params or []),
            "errors": errors,
            "auth": auth,
        }
        return view

    return decorator
