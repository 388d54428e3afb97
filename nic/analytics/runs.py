"""Run rules: the Anhøj rules (longest run, crossings) and the IHI shift and trend rules,
over whole arrays at once.

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
  The same two functions, with other minimums, give the Shewhart rules of 8 on one side
  and 6 rising or falling (nic.analytics.rules).

Missing points (None, NaN inside arrays) are skipped by every rule: consecutive means
consecutive among the points that were recorded, the way the chart draws them.

The functions take plain sequences (with None) or float arrays (with NaN) and do their
work in numpy; analyse() calls them on arrays, one phase at a time.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, NamedTuple, TypeAlias

import numpy as np

SHIFT_MIN = 6  # IHI shift: this many or more useful points on one side
TREND_MIN = 5  # IHI trend: this many or more distinct values rising or falling

# Two values this close (relative to the larger) are "on the center". Only float
# rounding needs it: a mean or a median of two middle values, computed in floating
# point, can miss a data value it equals by a few units in the last place (about 1e-16
# relative). Data are entered with at most 15 significant digits, so 1e-12 stays far
# below any difference a person typed (a value 1e-9 above the center is above it, as
# in qicharts2, which compares exactly) and far above rounding noise.
ON_CENTER_RTOL = 1e-12

# What the rules accept: plain sequences (None for a missing point) or numpy arrays.
SidesLike: TypeAlias = Sequence[int | None] | np.ndarray
ValuesLike: TypeAlias = Sequence[float | None] | np.ndarray


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

    def to_contract(self) -> dict[str, Any]:
        return {
            "useful": self.useful,
            "longest_run": self.longest_run,
            "longest_run_max": self.longest_run_max,
            "crossings": self.crossings,
            "crossings_min": self.crossings_min,
            "signal": self.signal,
        }


NO_RUNS = Runs(useful=0, longest_run=0, longest_run_max=0, crossings=0, crossings_min=0, signal=False)
_EMPTY = np.zeros(0, dtype=np.intp)


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


def sides_of(values: np.ndarray, center: np.ndarray | float) -> np.ndarray:
    """side() for whole arrays: int8 +1, -1, and 0 for on the center OR missing (NaN in
    either), since no rule tells the two apart."""
    difference = values - center
    tolerance = ON_CENTER_RTOL * np.maximum(np.abs(values), np.abs(center))
    # NaN compares False both ways, so a missing point comes out 0.
    sides: np.ndarray = (difference > tolerance).view(np.int8) - (difference < -tolerance).view(np.int8)
    return sides


def as_sides(sides: SidesLike) -> np.ndarray:
    """A sequence of +1/-1/0/None as the int8 array the rules work on."""
    if isinstance(sides, np.ndarray):
        return sides
    return np.array([s or 0 for s in sides], dtype=np.int8)


def as_values(values: ValuesLike) -> np.ndarray:
    """A sequence of numbers and None as a float array with NaN for the missing ones."""
    if isinstance(values, np.ndarray):
        return values
    return np.array(values, dtype=float).reshape(-1)


# Small arrays dominate (a school's chart has tens of points), so the functions below
# count numpy calls: each costs about a microsecond whatever the length. Every rule of a
# phase is read off one SideRuns and one Stretches rather than recomputing them.


class SideRuns(NamedTuple):
    """The runs of useful points on one side: run k covers useful[ends[k] - lengths[k] :
    ends[k]] (the runs follow one another)."""

    useful: np.ndarray  # positions of the useful points
    lengths: np.ndarray  # length of each run, oldest first

    def runs(self) -> Runs:
        """The Anhøj figures."""
        n = len(self.useful)
        if not n:
            return NO_RUNS
        longest, crossings = int(self.lengths.max()), len(self.lengths) - 1
        longest_max, crossings_min = anhoej_limits(n)
        return Runs(
            n, longest, longest_max, crossings, crossings_min, longest > longest_max or crossings < crossings_min
        )

    def in_runs_of(self, minimum: int) -> np.ndarray:
        """Positions of the points in runs of `minimum` or more, ascending."""
        if not len(self.useful):
            return _EMPTY
        return self.useful[np.repeat(self.lengths >= minimum, self.lengths)]

    def groups(self, minimum: int) -> list[np.ndarray]:
        """The positions of each run of `minimum` or more, oldest first."""
        ends = self.lengths.cumsum()
        return [
            self.useful[end - length : end]
            for end, length in zip(ends.tolist(), self.lengths.tolist())
            if length >= minimum
        ]


def side_runs(sides: SidesLike) -> SideRuns:
    array = as_sides(sides)
    useful = array.nonzero()[0]
    if not len(useful):
        return SideRuns(useful, _EMPTY)
    s = array[useful]
    starts = np.concatenate(([0], (s[1:] != s[:-1]).nonzero()[0] + 1, [len(s)]))
    return SideRuns(useful, starts[1:] - starts[:-1])


def anhoej(sides: SidesLike) -> Runs:
    """The Anhøj tests over per-point sides (see side()); 0 and None are not useful."""
    return side_runs(sides).runs()


def long_runs(sides: SidesLike, minimum: int) -> np.ndarray:
    """Positions of the points in runs of `minimum` or more useful points on one side."""
    return side_runs(sides).in_runs_of(minimum)


def shift_groups(sides: SidesLike, offset: int = 0, minimum: int = SHIFT_MIN) -> list[list[int]]:
    """Each shift as the list of its indices (plus offset), oldest first.

    Points on the center and missing points are skipped: they neither break a shift nor
    count toward it, so they are not listed either.
    """
    return [(group + offset).tolist() for group in side_runs(sides).groups(minimum)]


def shift_indices(sides: SidesLike, offset: int = 0, minimum: int = SHIFT_MIN) -> list[int]:
    """Indices (plus offset) of the points in any shift, ascending."""
    indices: list[int] = (long_runs(sides, minimum) + offset).tolist()
    return indices


class Stretches(NamedTuple):
    """Every stretch of distinct values going one way: stretch k covers
    recorded[first[k] : last[k] + 1] and joins distinct[k] distinct values.

    Successive equal values collapse into one (a repeat neither adds to nor breaks a
    trend). A stretch runs from the last point of its starting value to the first point
    of its final value, so repeats inside it are listed and missing points are not. Two
    stretches meeting at a turning point share it.
    """

    n: int  # points in the series, missing ones included
    recorded: np.ndarray
    first: np.ndarray
    last: np.ndarray
    distinct: np.ndarray

    def mask(self, minimum: int) -> np.ndarray:
        """True for the points in a trend (a stretch of `minimum` distinct values or more)."""
        keep = self.distinct >= minimum
        return spans_mask(self.n, self.recorded, self.first[keep], self.last[keep])

    def groups(self, minimum: int) -> list[np.ndarray]:
        keep = self.distinct >= minimum
        return [self.recorded[a : b + 1] for a, b in zip(self.first[keep].tolist(), self.last[keep].tolist())]


def trend_stretches(values: ValuesLike) -> Stretches:
    ys = as_values(values)
    recorded = (~np.isnan(ys)).nonzero()[0]
    v = ys[recorded]
    if len(v) < 2:
        return Stretches(len(ys), recorded, _EMPTY, _EMPTY, _EMPTY)
    firsts = np.concatenate(([0], (v[1:] != v[:-1]).nonzero()[0] + 1))  # each value's first point
    lasts = np.concatenate((firsts[1:] - 1, [len(v) - 1]))  # and its last (repeats in between)
    distinct_values = v[firsts]
    rising = distinct_values[1:] > distinct_values[:-1]  # one step per pair of distinct values
    if not len(rising):  # one value throughout
        return Stretches(len(ys), recorded, _EMPTY, _EMPTY, _EMPTY)
    starts = np.concatenate(([0], (rising[1:] != rising[:-1]).nonzero()[0] + 1, [len(rising)]))
    begin, steps = starts[:-1], starts[1:] - starts[:-1]
    # k steps in one direction join k + 1 distinct values
    return Stretches(len(ys), recorded, lasts[begin], firsts[begin + steps], steps + 1)


def trend_spans(values: ValuesLike, minimum: int = TREND_MIN) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(recorded positions, first, last): trend k covers recorded[first[k] : last[k] + 1];
    a trend needs `minimum` distinct values in a row going the same way (Stretches)."""
    stretches = trend_stretches(values)
    keep = stretches.distinct >= minimum
    return stretches.recorded, stretches.first[keep], stretches.last[keep]


def trend_groups(values: ValuesLike, offset: int = 0, minimum: int = TREND_MIN) -> list[list[int]]:
    """Each trend as the list of its indices (plus offset), oldest first."""
    return [(group + offset).tolist() for group in trend_stretches(values).groups(minimum)]


def trend_mask(values: ValuesLike, minimum: int = TREND_MIN) -> np.ndarray:
    """A boolean per point: True for the points in any trend."""
    return trend_stretches(values).mask(minimum)


def trend_indices(values: ValuesLike, offset: int = 0, minimum: int = TREND_MIN) -> list[int]:
    """Indices (plus offset) of the points in any trend, ascending and without repeats."""
    indices: list[int] = (trend_mask(values, minimum).nonzero()[0] + offset).tolist()
    return indices


def spans_mask(n: int, positions: np.ndarray, first: np.ndarray, last: np.ndarray) -> np.ndarray:
    """True for positions[first[k] .. last[k]] for every k, as a mask of n points. A
    difference array, so the cost does not grow with the spans; spans may share an end
    point, but no two start (or end) at the same place, so plain += is safe."""
    mask = np.zeros(n, dtype=bool)
    if not len(first):
        return mask
    marks = np.zeros(len(positions) + 1, dtype=np.int32)
    marks[first] += 1
    marks[last + 1] -= 1
    mask[positions[marks[:-1].cumsum() > 0]] = True
    return mask
