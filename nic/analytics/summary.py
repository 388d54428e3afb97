"""Plain-language summary of an analysis: what a school team reads under its chart.

Signals first: one sentence per thing a rule of the chart's type found (nic.analytics.
rules), each saying whether it points the way the measure should move (`direction`
"up" or "down"): "an improvement" or "in the wrong direction". In order: shifts and
trends (oldest first), points outside the limits, 2 of 3 beyond 2 sigma, 15 within 1
sigma, and on run charts the Anhøj tests. Then, when the current phase has no signal,
why: random-looking variation, no variation at all ("all 15 values are equal"), a
one-point phase, or too few points for the run rules (built for about 10 or more useful
points: Anhøj & Olesen 2014 studied 10 and up; Perla et al. 2011 likewise ask for enough
points before reading a run chart). Then the patterns that are not signals on this
chart (an IHI shift of 6 or 7, a trend of 5, on a run chart any shift or trend the
Anhøj rules do not back), each marked "a pattern worth watching, not a signal", with
no verdict: a verdict on chance would be a false alarm. Last, the current phase's
median, mean, proportion or rate over all its points, with the frozen baseline's
center beside it when one is in use.

A shift that exists only because points outside the limits drag the mean (fourteen
equal values and one high one: the fourteen sit "below the mean") is not narrated: the
outlier is, as one point. Dates are written by nic.analytics.dates.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import numpy as np

from nic.analytics import rules as R
from nic.analytics.dates import DateWriter
from nic.analytics.runs import SHIFT_MIN, shift_groups, sides_of, trend_groups
from nic.analytics.spc import SHEWHART, Analysis

MIN_POINTS_TO_JUDGE = 10
PATTERN = "a pattern worth watching, not a signal"
_CENTER_NAMES = {"run": "median", "i": "mean", "p": "center line", "u": "center line"}
_FIGURE_NAMES = {"run": "Median", "i": "Mean", "p": "Overall proportion", "u": "Overall rate"}
_FIGURE_NOUNS = {"run": "median", "i": "mean", "p": "proportion", "u": "rate"}


def summarise(
    analysis: Analysis, periods: Sequence[date], direction: str = "up", unit: str = "", frequency: str | None = None
) -> list[str]:
    """Sentences describing `analysis`; `periods` holds one date per point.

    direction: "up" when higher is better, "down" when lower is better.
    unit: appended to the figures (p charts are written as percentages instead).
    frequency: "weekly" or "monthly" (how dates are written); None infers it.
    """
    if direction not in ("up", "down"):
        raise ValueError('direction must be "up" or "down"')
    if len(periods) != len(analysis.values):
        raise ValueError("periods and the analysed points differ in length")
    if all(v is None for v in analysis.values):
        return ["No data yet."]
    return _Writer(analysis, periods, direction, unit, frequency).sentences()


class _Writer:
    def __init__(self, analysis: Analysis, periods: Sequence[date], direction: str, unit: str, frequency: str | None):
        self.a = analysis
        self.direction, self.unit = direction, unit
        self.values = np.array(analysis.values, dtype=float)
        self.centers = np.array(analysis.center, dtype=float)
        self.last = int(np.flatnonzero(~np.isnan(self.values))[-1])
        self.dates = DateWriter(periods, periods[self.last].year, frequency)
        self.center_name = _CENTER_NAMES[analysis.chart]
        self.shewhart = analysis.chart in SHEWHART

    def sentences(self) -> list[str]:
        signals, patterns = self._shifts_and_trends()
        signals += self._outside() + self._two_of_three() + self._fifteen_inner()
        if not self.shewhart:
            signals += self._anhoej()
        headline = [] if self.a.signal else [self._no_signal()]
        return signals + headline + patterns + self._figure()

    # --- signals and patterns ------------------------------------------------------------

    def _verdict(self, up: bool) -> str:
        return " — an improvement" if up == (self.direction == "up") else " — in the wrong direction"

    def _shifts_and_trends(self) -> tuple[list[str], list[str]]:
        anhoej = set(self.a.fired(R.LONGEST_RUN)) | set(self.a.fired(R.CROSSINGS))
        signals, patterns = [], []
        for start, end in self.a.phases:
            sides = sides_of(self.values[start:end], self.centers[start:end])
            for group in shift_groups(sides, offset=start):
                if self._dragged_by_outliers(group, start, end):
                    continue
                up = bool(self.values[group[0]] > self.centers[group[0]])
                where = f"{'above' if up else 'below'} the {self.center_name}"
                span = self.dates.span(group, self.last)
                # Shewhart: the Data Guide's 8 in a row; run chart: a run the Anhøj rules flagged.
                signal = len(group) >= R.SHEWHART_SHIFT if self.shewhart else bool(anhoej.intersection(group))
                if signal:
                    signals.append(f"A shift {where} {span}: {len(group)} points{self._verdict(up)}.")
                else:
                    patterns.append(f"{len(group)} points in a row {where} {span}: {PATTERN}.")
            for group in trend_groups(self.values[start:end], offset=start):
                up = bool(self.values[group[-1]] > self.values[group[0]])
                count = _distinct_count(group, self.values)
                span = self.dates.span(group, self.last)
                if self.shewhart and count >= R.SHEWHART_TREND:
                    way = "rising" if up else "falling"
                    signals.append(f"A {way} trend {span}: {count} points{self._verdict(up)}.")
                else:
                    patterns.append(f"{count} points in a row {'rising' if up else 'falling'} {span}: {PATTERN}.")
        return signals, patterns

    def _dragged_by_outliers(self, group: list[int], start: int, end: int) -> bool:
        """True when the shift is not there once the phase's points outside the limits
        are left out of its center: the outliers made it, and they are told as points."""
        outliers = {i for i in self.a.outside_limits if start <= i < end}
        if not outliers:
            return False
        recorded = [i for i in range(start, end) if self.a.values[i] is not None]
        base = recorded[: self.a.baseline] if (start == 0 and self.a.baseline) else recorded
        kept = [i for i in base if i not in outliers]
        if not kept:
            return False
        center = float(np.mean(self.values[kept])) if self.a.chart == "i" else self._pooled(kept)
        side = np.sign(self.values[group[0]] - self.centers[group[0]])
        again = sides_of(self.values[group], center)
        return int(np.count_nonzero(again == side)) < SHIFT_MIN

    def _outside(self) -> list[str]:
        indices = self.a.outside_limits
        upper, lower = np.array(self.a.upper, dtype=float), np.array(self.a.lower, dtype=float)  # None: NaN
        above = [i for i in indices if self.values[i] > upper[i]]
        below = [i for i in indices if self.values[i] < lower[i]]
        return [
            f"{_points(len(group))} {'above the upper' if up else 'below the lower'} limit "
            f"({self.dates.listing(group)}){self._verdict(up)}."
            for group, up in ((above, True), (below, False))
            if group
        ]

    def _two_of_three(self) -> list[str]:
        indices = self.a.fired(R.TWO_OF_THREE)
        sentences = []
        for up in (True, False):
            group = [i for i in indices if (self.values[i] > self.centers[i]) == up]
            if set(group) - set(self.a.outside_limits):  # not all told already as outside the limits
                sentences.append(
                    f"2 of 3 points in a row beyond 2 sigma {'above' if up else 'below'} the "
                    f"{self.center_name} ({self.dates.listing(group)}){self._verdict(up)}."
                )
        return sentences

    def _fifteen_inner(self) -> list[str]:
        # No verdict: hugging the center is neither better nor worse, it questions the limits.
        why = (
            "less variation than the limits expect; check how the limits were set and whether the data mix "
            "different sources"
        )
        name = self.center_name
        return [
            f"{len(group)} points in a row within 1 sigma of the {name} {self.dates.span(group, self.last)}: {why}."
            for group in self._stretches(self.a.fired(R.FIFTEEN_INNER))
        ]

    def _stretches(self, indices: list[int]) -> list[list[int]]:
        """Split a rule's indices where a recorded point or a phase start comes between."""
        recorded = np.flatnonzero(~np.isnan(self.values))
        order = {int(i): k for k, i in enumerate(recorded)}
        starts = {start for start, _ in self.a.phases}
        groups: list[list[int]] = []
        for i in indices:
            if groups and order[i] == order[groups[-1][-1]] + 1 and i not in starts:
                groups[-1].append(i)
            else:
                groups.append([i])
        return groups

    def _anhoej(self) -> list[str]:
        runs, name = self.a.runs, self.center_name
        sentences = []
        if runs.useful and runs.longest_run > runs.longest_run_max:
            sentences.append(
                f"The longest run on one side of the {name} ({runs.longest_run} points) is longer than "
                f"chance explains ({runs.longest_run_max} at most): a non-random pattern."
            )
        if runs.useful and runs.crossings < runs.crossings_min:
            sentences.append(
                f"Fewer crossings of the {name} than expected ({runs.crossings}; at least "
                f"{runs.crossings_min} by chance): a non-random pattern."
            )
        return sentences

    # --- no signal: why --------------------------------------------------------------------------

    def _no_signal(self) -> str:
        start, end = self.a.phases[-1]
        phased = len(self.a.phases) > 1
        since = f" since {self.dates.long(self.dates.periods[start])}" if phased else ""
        recorded = self.values[start:end][~np.isnan(self.values[start:end])]
        useful, name = self.a.runs.useful, self.center_name
        too_few = f"too few for the run rules to be reliable (about {MIN_POINTS_TO_JUDGE} are needed)"
        if len(recorded) < 2:
            held = "no points" if not len(recorded) else "only 1 point"
            if phased:
                return f"No signal yet: the current phase ({since.strip()}) has {held}, {too_few}."
            return f"No signal yet: {held} so far, {too_few}."
        if np.all(recorded == recorded[0]):
            return f"No signal: all {len(recorded)} values{since} are equal, so there is no variation to judge."
        if useful < MIN_POINTS_TO_JUDGE:
            few = _points(useful) if useful == len(recorded) else f"{useful} of the {len(recorded)} points are"
            return f"No signal yet, but only {few} off the {name}{since} so far: {too_few}."
        if self.a.rules and phased:
            return f"No signal in the current phase{since}: the variation looks random."
        return "No signal: the variation looks random."

    # --- the figure of the current phase ---------------------------------------------------------

    def _figure(self) -> list[str]:
        start, end = self.a.phases[-1]
        recorded = [i for i in range(start, end) if self.a.values[i] is not None]
        center = self.a.center[end - 1]
        if not recorded or center is None:
            return []
        name = _FIGURE_NAMES[self.a.chart]
        whole = self._shown(self._figure_over(recorded))
        if len(self.a.phases) > 1:
            return [f"{name} since {self.dates.long(self.dates.periods[start])}: {whole}."]
        if self.a.baseline:
            frozen = self._shown(center)
            noun = _FIGURE_NOUNS[self.a.chart]
            sentence = (
                f"{name}: {whole}; the center line is the {noun} of the first {self.a.baseline} points "
                f"(the baseline): {frozen}."
            )
            return [sentence]
        return [f"{name}: {whole}."]

    def _figure_over(self, indices: list[int]) -> float:
        if self.a.chart == "run":
            return float(np.median(self.values[indices]))
        if self.a.chart == "i":
            return float(np.mean(self.values[indices]))
        return self._pooled(indices)

    def _pooled(self, indices: list[int]) -> float:
        """p̄ or ū over these points: their numerators' sum over their denominators'."""
        numerators, denominators = self.a.numerators, self.a.denominators
        assert numerators is not None and denominators is not None  # p and u charts carry them
        return float(numerators[indices].sum() / denominators[indices].sum())

    def _shown(self, value: float) -> str:
        if self.a.chart == "p":
            return f"{_number(round(value * 100, 1))}%"
        unit = self.unit
        return _number(value) + (f" {unit}" if unit and not unit.startswith("%") else unit)


def _distinct_count(group: list[int], values: np.ndarray) -> int:
    count, last = 0, None
    for i in group:
        if values[i] != last:
            count, last = count + 1, values[i]
    return count


def _points(count: int) -> str:
    return f"{count} point" if count == 1 else f"{count} points"


def _number(value: float) -> str:
    if float(value).is_integer():
        return f"{int(value):,}"
    if abs(value) >= 1:
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    return f"{value:.3g}"
