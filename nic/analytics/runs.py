"""Run rules: the Anhøj rules (longest run, crossings) and the IHI shift and trend rules.

Sources
- Anhøj J, Olesen AV. Run charts revisited: a simulation study of run chart rules for
  detection of non-random variation in health care processes. PLoS ONE 2014;9(11):e113825.
  Two tests on the *useful* observations (those not on the center line):
  * longest run: a signal when the longest run of consecutive useful points on one side
    of the center is longer than round(log2(n)) + 3 (Schilling's expected longest run
    plus a margin);
  * crossings: a signal when the number of crossings (consecutive useful points on
    opposite sides) is below the 5th percentile of Binomial(n - 1, 0.5).
  The qicharts2 R package (Anhøj, `runs.analysis` in R/helper.functions.R) implements
  them as `round(log2(n.useful)) + 3` and `qbinom(0.05, n.useful - 1, 0.5)`, the
  smallest k with P(X <= k) >= 0.05; this module follows it to the letter, including
  R's `round` (half to even, like Python's; log2(n) is x.5 only for n = 2**x * sqrt(2),
  never an integer, so the rounding mode cannot change a limit).
- Perla RJ, Provost LP, Murray SK. The run chart: a simple analytical tool for learning
  from variation in healthcare processes. BMJ Qual Saf 2011;20:46-51. The IHI rules:
  * shift: six or more consecutive points all above or all below the median; points on
    the median are skipped (they neither add to nor break a shift);
  * trend: five or more consecutive points all going up or all going down; when two or
    more successive values are equal, the repeats are ignored (they neither add to nor
    break a trend).
  nic also applies them against the center line of Shewhart charts (Provost & Murray,
  The Health Care Data Guide, 2011, ch. 5, use the same shift and trend rules there).

Missing points (None) are skipped by every rule: consecutive means consecutive among the
points that were recorded, the way the chart draws them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

SHIFT_MIN = 6  # IHI shift: this many or more useful points on one side
TREND_MIN = 5  # IHI trend: this many or more distinct values rising or falling

# Two values this close (relative) are "on the center". Only float rounding needs it:
# a mean computed in floating point can miss a data value it equals by an ulp.
ON_CENTER_RTOL = 1e-9


@dataclass(frozen=True)
class Runs:
    """The Anhøj runs analysis of one phase (analyse() reports the last phase).

    useful: points neither missing nor on the center line (n);
    longest_run: the longest stretch of consecutive useful points on one side;
    longest_run_max: round(log2(n)) + 3; a longer run signals;
    crossings: how often consecutive useful points lie on opposite sides;
    crossings_min: qbinom(0.05, n - 1, 0.5); fewer crossings signal;
    signal: longest_run > longest_run_max or crossings < crossings_min.
    """

    useful: int
    longest_run: int
    longest_run_max: int
    crossings: int
    crossings_min: int
    signal: bool

    def to_contract(self) -> dict:
        return {
            "useful": self.useful,
            "longest_run": self.longest_run,
            "longest_run_max": self.longest_run_max,
            "crossings": self.crossings,
            "crossings_min": self.crossings_min,
            "signal": self.signal,
        }


NO_RUNS = Runs(useful=0, longest_run=0, longest_run_max=0, crossings=0, crossings_min=0, signal=False)


@lru_cache(maxsize=1024)
def anhoej_limits(n: int) -> tuple[int, int]:
    """(longest_run_max, crossings_min) for n useful points.

    longest_run_max = round(log2(n)) + 3; crossings_min = qbinom(0.05, n - 1, 0.5),
    the smallest k with P(X <= k) >= 0.05 for X ~ Binomial(n - 1, 1/2), computed
    exactly in integers (20 * sum(C(m, j), j <= k) >= 2**m; never a tie, as 2**m is
    not a multiple of 5). n = 0 gives (0, 0): nothing to test, never a signal.
    """
    if n < 0:
        raise ValueError("n must not be negative")
    if n == 0:
        return 0, 0
    longest_run_max = round(math.log2(n)) + 3
    m = n - 1
    target = 2**m
    term, cumulative, k = 1, 1, 0  # term = C(m, k)
    while 20 * cumulative < target:
        term = term * (m - k) // (k + 1)
        k += 1
        cumulative += term
    return longest_run_max, k


def side(value: float | None, center: float | None) -> int | None:
    """+1 above the center, -1 below, 0 on it, None when either is missing."""
    if value is None or center is None:
        return None
    difference = value - center
    if abs(difference) <= ON_CENTER_RTOL * max(abs(value), abs(center)):
        return 0
    return 1 if difference > 0 else -1


def anhoej(sides: Sequence[int | None]) -> Runs:
    """The Anhøj tests over per-point sides (see side()); 0 and None are not useful."""
    useful = longest = crossings = current = 0
    previous = 0
    for s in sides:
        if not s:
            continue
        useful += 1
        if s == previous:
            current += 1
        else:
            if previous:
                crossings += 1
            previous, current = s, 1
        if current > longest:
            longest = current
    if not useful:
        return NO_RUNS
    longest_max, crossings_min = anhoej_limits(useful)
    return Runs(
        useful=useful,
        longest_run=longest,
        longest_run_max=longest_max,
        crossings=crossings,
        crossings_min=crossings_min,
        signal=longest > longest_max or crossings < crossings_min,
    )


def shift_groups(sides: Sequence[int | None], offset: int = 0, minimum: int = SHIFT_MIN) -> list[list[int]]:
    """Each shift as the list of its indices (plus offset), oldest first.

    Points on the center and missing points are skipped: they neither break a shift nor
    count toward it, so they are not listed either.
    """
    found: list[list[int]] = []
    run: list[int] = []
    previous = 0
    for i, s in enumerate(sides):
        if not s:
            continue
        if s != previous:
            if len(run) >= minimum:
                found.append(run)
            run, previous = [], s
        run.append(i + offset)
    if len(run) >= minimum:
        found.append(run)
    return found


def shift_indices(sides: Sequence[int | None], offset: int = 0, minimum: int = SHIFT_MIN) -> list[int]:
    """Indices (plus offset) of the points in any shift, ascending."""
    return [i for group in shift_groups(sides, offset, minimum) for i in group]


def trend_groups(values: Sequence[float | None], offset: int = 0, minimum: int = TREND_MIN) -> list[list[int]]:
    """Each trend as the list of its indices (plus offset), oldest first.

    Successive equal values collapse into one (a repeat neither adds to nor breaks a
    trend); a trend needs `minimum` distinct values in a row going the same way. A
    trend's indices run from the last point of its starting value to the first point of
    its final value, so repeats inside it are listed and missing points are not. Two
    trends meeting at a turning point share it.
    """
    # Collapse repeats: [first index, last index, value] among the recorded points.
    groups: list[list] = []
    for i, v in enumerate(values):
        if v is None:
            continue
        if groups and groups[-1][2] == v:
            groups[-1][1] = i
        else:
            groups.append([i, i, v])
    found: list[list[int]] = []
    start = 0  # first group of the current monotone stretch
    direction = 0
    for g in range(1, len(groups) + 1):
        step = 0 if g == len(groups) else (1 if groups[g][2] > groups[g - 1][2] else -1)
        if step != direction:  # the stretch groups[start .. g - 1] has ended
            end = g - 1
            if direction and end - start + 1 >= minimum:
                first, last = groups[start][1], groups[end][0]
                found.append(
                    [i + offset for grp in groups[start : end + 1] for i in range(grp[0], grp[1] + 1)
                     if first <= i <= last and values[i] is not None]
                )
            start, direction = end, step
    return found


def trend_indices(values: Sequence[float | None], offset: int = 0, minimum: int = TREND_MIN) -> list[int]:
    """Indices (plus offset) of the points in any trend, ascending and without repeats."""
    return sorted({i for group in trend_groups(values, offset, minimum) for i in group})
