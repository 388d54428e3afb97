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

DEFAULT_THRESHOLD = 80


def is_complete(reporting: int, expected: int, threshold: int = DEFAULT_THRESHOLD) -> bool:
    """True when `reporting` of `expected` schools meets the threshold (a percentage)."""
    return expected > 0 and reporting * 100 >= threshold * expected


def complete_mask(reporting: Sequence[int], expected: int, threshold: int = DEFAULT_THRESHOLD) -> list[bool]:
    """is_complete() for each period; a period nobody reported is not complete."""
    return [bool(count) and is_complete(count, expected, threshold) for count in reporting]
