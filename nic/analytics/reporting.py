"""Which periods of a pooled (network) series are complete enough to judge.

A pooled point mixes the schools that reported that period. When fewer schools report,
the pooled value moves because of who reported, not because anything changed: a school
at 80% that stops reporting makes a network of 50% look like 20%. So a period counts
only when enough of the schools that report the measure reported it:

    complete  ⇔  reporting × 100 ≥ threshold × expected

`expected` is the number of distinct schools with any point of the measure in the
charted window; `threshold` is the network's percentage (default 80). An incomplete
period is still drawn (hollow) but takes no part in the center line, limits or rules.
docs/SIGNALS.md ("Pooled series") explains the choice.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from nic.analytics.dates import DateWriter

DEFAULT_THRESHOLD = 80


def is_complete(reporting: int, expected: int, threshold: int = DEFAULT_THRESHOLD) -> bool:
    """True when `reporting` of `expected` schools meets the threshold (a percentage)."""
    return expected > 0 and reporting * 100 >= threshold * expected


def complete_mask(reporting: Sequence[int], expected: int, threshold: int = DEFAULT_THRESHOLD) -> list[bool]:
    """is_complete() for each period; a period nobody reported is not complete."""
    return [bool(count) and is_complete(count, expected, threshold) for count in reporting]


def excluded_sentence(
    periods: Sequence[date],
    excluded: Sequence[int],
    reporting: Sequence[int],
    expected: int,
    threshold: int = DEFAULT_THRESHOLD,
    frequency: str | None = None,
) -> str:
    """The summary's sentence naming the periods left out and how many schools reported
    them ("Only 4 of 6 schools reported the week of 7 Dec 2026, …")."""
    writer = DateWriter(periods, periods[excluded[-1]].year, frequency)
    below = f"below the network's {threshold}% threshold"
    if len(excluded) == 1:
        i = excluded[0]
        when = writer.long(periods[i]) if writer.monthly else f"the week of {writer.long(periods[i])}"
        return (
            f"Only {reporting[i]} of {expected} schools reported {when}, {below}: that point is drawn hollow "
            f"and left out of the center line, limits and rules."
        )
    counts = sorted({reporting[i] for i in excluded})
    who = f"{counts[0]}" if len(counts) == 1 else f"{counts[0]} to {counts[-1]}"
    unit = "months" if writer.monthly else "weeks"
    consecutive = excluded[-1] - excluded[0] == len(excluded) - 1
    when = writer.between(excluded[0], excluded[-1]) if consecutive else writer.listing(excluded)
    return (
        f"Only {who} of {expected} schools reported in {len(excluded)} {unit} ({when}), {below}: those points "
        f"are drawn hollow and left out of the center line, limits and rules."
    )
