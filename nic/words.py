"""Words that agree with their numbers: "1 teacher", "3 teachers". The one helper for
every sentence nic builds with a count, in Python and in templates (registered as the
`plural` filter and the `noun` global by nic.web.init_app; macros/ui.html `count` uses
it too). English only: a noun whose plural is not one + "s" names it (`many`)."""

from __future__ import annotations


def noun(n: float, one: str, many: str | None = None) -> str:
    """The noun for `n` things: `one` for exactly 1, else `many` (default: one + "s")."""
    if abs(n) == 1:
        return one
    return many if many is not None else one + "s"


def plural(n: float, one: str, many: str | None = None) -> str:
    """`n` and its noun: "1 teacher", "1,200 points", "3 classes" (many="classes")."""
    number = f"{n:,}" if isinstance(n, int) else f"{n:g}"
    return f"{number} {noun(n, one, many)}"
