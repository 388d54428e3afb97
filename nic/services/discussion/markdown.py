"""Markdown for every free-text field, rendered to HTML that is safe to show: markdown-it
(CommonMark, raw HTML disabled) and then nh3 (an allow-list sanitiser) so script, iframes,
event handlers and `javascript:` links come out inert whatever the input."""
from __future__ import annotations

from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

_TAGS = {
    "p", "br", "strong", "em", "code", "pre", "blockquote", "ul", "ol", "li", "a", "h1", "h2", "h3", "h4", "h5", "h6",
    "hr", "table", "thead", "tbody", "tr", "th", "td", "del",
}
_ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}, "ol": {"start"}}


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    # "js-default": CommonMark with raw HTML off and link validation on; tables and strikethrough added.
    return MarkdownIt("js-default", {"linkify": False, "typographer": False}).enable(["table", "strikethrough"])


def render(text: str | None) -> Markup:
    if not text:
        return Markup("")
    html = _parser().render(text)
    clean = nh3.clean(
        html,
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
    return Markup(clean)
