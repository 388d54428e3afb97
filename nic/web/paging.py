"""Page numbers for HTML lists (the API uses cursors instead, see nic.api.pagination).

Flask-SQLAlchemy's Pagination does the page arithmetic (pages, has_prev / has_next,
prev_num / next_num, first / last) for what `db.paginate(select)` returns, and for
`Page` below, so the `ui.pager` macro (templates/macros/ui.html) takes either. The
lists here are fetched by services, which the API and the tasks share: each returns
one page of rows and the count of all of them, and `Page` wraps those instead of
querying again. It fills in the two hooks Pagination's docstring asks a subclass for.
"""
from __future__ import annotations

from collections.abc import Iterable

from flask_sqlalchemy.pagination import Pagination


class Page(Pagination):
    """Page `page` (from 1) of `total` rows, `per_page` to a page; `items` are this page's
    rows (Pagination counts `first` and `last` from them)."""

    def __init__(self, page: int, per_page: int, total: int, items: Iterable = ()):
        super().__init__(page=page, per_page=per_page, max_per_page=None, error_out=False,
                         items=list(items), total=total)

    def _query_items(self) -> list:
        return self._query_args["items"]

    def _query_count(self) -> int:
        return self._query_args["total"]
