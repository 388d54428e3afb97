"""nic.web.paging.Page: a page a service already fetched, with Flask-SQLAlchemy's page
arithmetic, as the `ui.pager` macro shows it."""
from __future__ import annotations

from flask import render_template_string

from nic.web.paging import Page

PAGER = "{% import 'macros/ui.html' as ui %}{{ ui.pager(p, 'browse.cycles', label='Pages', slug='alpha', phase='do') }}"


def test_the_arithmetic_of_a_middle_page():
    p = Page(2, 25, 60, range(25, 50))
    assert (p.pages, p.has_prev, p.has_next, p.prev_num, p.next_num) == (3, True, True, 1, 3)
    assert (p.first, p.last, p.total) == (26, 50, 60)


def test_the_last_page_and_an_empty_list():
    last = Page(3, 25, 60, range(50, 60))
    assert (last.first, last.last, last.has_next) == (51, 60, False)
    empty = Page(1, 25, 0)
    assert (empty.pages, empty.first, empty.last, empty.has_prev, empty.has_next) == (0, 0, 0, False, False)


def test_the_macro_links_the_neighbours_and_keeps_the_arguments(app):
    with app.test_request_context():
        html = render_template_string(PAGER, p=Page(2, 25, 60, range(25, 50)))
        assert 'rel="prev" href="/n/alpha/cycles?page=1&amp;phase=do"' in html
        assert 'rel="next" href="/n/alpha/cycles?page=3&amp;phase=do"' in html
        assert "26–50 of 60 · page 2 of 3" in html
        assert render_template_string(PAGER, p=Page(1, 25, 20, range(20))).strip() == ""  # one page: no pager
