"""Markdown renders, and hostile input renders inert."""

from html.parser import HTMLParser

import pytest

from nic.services.discussion.markdown import render


class _Elements(HTMLParser):
    def __init__(self):
        super().__init__()
        self.found = []  # (tag, {attr: value})

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))


def elements(html: str):
    parser = _Elements()
    parser.feed(html)
    return parser.found


@pytest.mark.parametrize(
    "hostile",
    [
        "<script>alert(1)</script>",
        "<iframe src='https://evil.example'></iframe>",
        "[click](javascript:alert(1))",
        "<img src=x onerror=alert(1)>",
        "<a href='javascript:alert(1)'>x</a>",
        "[x](JaVaScRiPt:alert(1))",
        '<div style="background:url(javascript:alert(1))">x</div>',
    ],
)
def test_hostile_markdown_is_inert(hostile):
    found = elements(str(render(hostile)))
    assert {tag for tag, _ in found} <= {"p", "a"}
    for _tag, attrs in found:
        assert not [name for name in attrs if name.startswith("on") or name == "style"]
        assert not (attrs.get("href") or "").strip().lower().startswith("javascript:")


def test_markdown_renders_formatting_and_safe_links():
    html = str(render("**Plan**: see [the protocol](https://example.org/p)\n\n- one\n- two"))
    assert "<strong>Plan</strong>" in html
    assert '<a href="https://example.org/p" rel="noopener noreferrer nofollow">the protocol</a>' in html
    assert "<li>one</li>" in html


def test_empty_text_renders_nothing():
    assert str(render("")) == "" and str(render(None)) == ""
