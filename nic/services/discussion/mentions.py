"""@mentions of network members in message bodies.

`@` followed by a member's full name (case-insensitive, the longest name that fits wins,
ending at a word boundary), or `@firstname` when exactly one member has that first name.
Only members of the network the message belongs to count: anyone else's name stays
plain text. An `@` inside a word (an email address) is not a mention.

Mentions are found in the HTML that nic.services.discussion.markdown has already rendered and
sanitised, never in the raw Markdown: the text nodes are walked, every tag the sanitiser
kept is copied through as it was, every piece of text is escaped again, and a mention
becomes `<span class="mention" data-user-id="N">@Name</span>` with the name escaped. So a
hostile body or a hostile member name cannot add markup, and code spans, code blocks and
links are left alone. The same walk answers who was mentioned, so the people notified
are exactly the people shown as mentioned.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

from markupsafe import Markup, escape
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from nic.extensions import db
from nic.models import Membership, User
from nic.services.discussion.markdown import render as render_markdown

# Text inside these elements is never turned into a mention.
_LEAVE_ALONE = {"a", "code", "pre"}
_VOID = {"br", "hr", "img", "wbr"}


@dataclass
class Directory:
    """Who can be mentioned in one network: lower-cased names -> user id. A full name
    shared by two members, or a first name shared by two, mentions nobody."""

    names: dict[str, int] = field(default_factory=dict)
    lengths: list[int] = field(default_factory=list)  # distinct name lengths, longest first

    @classmethod
    def of(cls, people) -> Directory:
        """`people`: (user_id, name) pairs."""
        full: dict[str, set[int]] = {}
        first: dict[str, set[int]] = {}
        for user_id, name in people:
            name = " ".join((name or "").split())
            if not name:
                continue
            full.setdefault(name.lower(), set()).add(user_id)
            first.setdefault(name.split(" ")[0].lower(), set()).add(user_id)
        names = {key: ids.pop() for key, ids in first.items() if len(ids) == 1}
        # A full name beats a first name that happens to be spelled the same.
        for key, ids in full.items():
            if len(ids) == 1:
                names[key] = next(iter(ids))
            else:
                names.pop(key, None)
        return cls(names, sorted({len(key) for key in names}, reverse=True))

    def match_at(self, text: str, start: int) -> tuple[int, int] | None:
        """(user_id, end) for the longest name at text[start:], ending at a word boundary."""
        for length in self.lengths:
            end = start + length
            if end > len(text):
                continue
            user_id = self.names.get(text[start:end].lower())
            if user_id is not None and not _is_word_char(text, end):
                return user_id, end
        return None


def _is_word_char(text: str, index: int) -> bool:
    return 0 <= index < len(text) and (text[index].isalnum() or text[index] == "_")


def directory_for(network_id: int) -> Directory:
    """The members of `network_id` (which must be the current network)."""
    stmt = (select(User.id, User.name).join(Membership, Membership.user_id == User.id)
            .where(Membership.network_id == network_id))
    return Directory.of(db.session.execute(stmt).all())


def link_text(text: str, directory: Directory, found: list[int]) -> str:
    """Escaped HTML for one plain-text run, with its mentions wrapped; appends the
    mentioned user ids to `found`."""
    out, done, index = [], 0, text.find("@")
    while index != -1:
        match = None if _is_word_char(text, index - 1) else directory.match_at(text, index + 1)
        if match is None:
            index = text.find("@", index + 1)
            continue
        user_id, end = match
        out.append(escape(text[done:index]))
        out.append(Markup('<span class="mention" data-user-id="{}">{}</span>').format(int(user_id), text[index:end]))
        found.append(user_id)
        done = end
        index = text.find("@", end)
    out.append(escape(text[done:]))
    return "".join(out)


class _Linker(HTMLParser):
    """Copies sanitised HTML through, wrapping mentions in its text nodes."""

    def __init__(self, directory: Directory):
        super().__init__(convert_charrefs=True)
        self.directory = directory
        self.out: list[str] = []
        self.found: list[int] = []
        self.skipping = 0  # depth inside a, code or pre

    def handle_starttag(self, tag, attrs):
        self.out.append(self.get_starttag_text())
        if tag in _LEAVE_ALONE:
            self.skipping += 1

    def handle_startendtag(self, tag, attrs):
        self.out.append(self.get_starttag_text())

    def handle_endtag(self, tag):
        if tag in _VOID:
            return
        self.out.append(f"</{tag}>")
        if tag in _LEAVE_ALONE and self.skipping:
            self.skipping -= 1

    def handle_data(self, data):
        if self.skipping or "@" not in data:
            self.out.append(str(escape(data)))
        else:
            self.out.append(link_text(data, self.directory, self.found))


def link_mentions(html: str, directory: Directory) -> tuple[Markup, list[int]]:
    """Sanitised HTML with its mentions wrapped, and the mentioned user ids in order
    (each once)."""
    if "@" not in html or not directory.names:
        return Markup(html), []
    linker = _Linker(directory)
    linker.feed(html)
    linker.close()
    return Markup("".join(linker.out)), list(dict.fromkeys(linker.found))


def render(body: str | None, network_id: int, directory: Directory | None = None) -> tuple[Markup, list[int]]:
    """Markdown -> sanitised HTML with mentions, and who was mentioned. The member list
    is read only when the body has an `@` in it."""
    html = render_markdown(body)
    if "@" not in (body or ""):
        return html, []
    return link_mentions(str(html), directory or directory_for(network_id))


def mentioned_ids(body: str | None, network_id: int) -> list[int]:
    return render(body, network_id)[1]


def renderer(network_id: int):
    """`md(body) -> Markup` for a page of many messages: the member list is read once,
    and only if some body has an `@`. For templates (`md=mentions.renderer(...)`)."""
    cache: dict[str, Directory] = {}

    def md(body: str | None) -> Markup:
        if "@" not in (body or ""):
            return render_markdown(body)
        if "directory" not in cache:
            cache["directory"] = directory_for(network_id)
        return render(body, network_id, cache["directory"])[0]

    return md


def suggest(query: str, limit: int = 8):
    """SELECT of members (of the current network) whose full name, or a word of it,
    starts with `query`: for the composer's autocomplete."""
    query = " ".join((query or "").split())
    like = query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    stmt = select(Membership).join(User, User.id == Membership.user_id).options(selectinload(Membership.user))
    if like:
        stmt = stmt.where(User.name.ilike(f"{like}%", escape="\\") | User.name.ilike(f"% {like}%", escape="\\"))
    return stmt
