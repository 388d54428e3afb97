"""Reading the server-drawn diagram back out of a page, for the tests."""

from __future__ import annotations

from html.parser import HTMLParser


class DiagramReader(HTMLParser):
    """Collects, inside the page's <svg class="diagram__svg">, each box link (href,
    aria-label, data-key) and each edge (data-from, data-to)."""

    def __init__(self):
        super().__init__()
        self.depth = 0  # > 0 while inside the diagram's svg
        self.svgs = 0
        self.links: list[dict] = []
        self.edges: list[tuple[str, str]] = []
        self.unlinked: list[dict] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "svg" and "diagram__svg" in (attrs.get("class") or ""):
            self.svgs += 1
            self.depth = 1
            return
        if not self.depth:
            return
        if tag == "svg":
            self.depth += 1
        classes = (attrs.get("class") or "").split()
        if tag == "a" and "dg-box" in classes:
            self.links.append(attrs)
        elif tag == "g" and "dg-box" in classes:
            self.unlinked.append(attrs)
        elif tag == "path" and "dg-edge" in classes:
            self.edges.append((attrs["data-from"], attrs["data-to"]))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag == "svg" and self.depth:
            self.depth -= 1

    def handle_endtag(self, tag):
        if tag == "svg" and self.depth:
            self.depth -= 1


def read_diagram(html: str) -> DiagramReader:
    reader = DiagramReader()
    reader.feed(html)
    reader.close()
    return reader
