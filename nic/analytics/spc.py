"""Centers, limits and phases for run charts and Shewhart charts (i, p, u).

Sources
- Run chart (center = median): Perla, Provost & Murray, BMJ Qual Saf 2011;20:46-51;
  Anhøj & Olesen, PLoS ONE 2014;9(11):e113825.
- i chart (individuals, XmR): center = mean, limits = mean ± 2.66 × average moving range
  (Provost LP, Murray SK. The Health Care Data Guide, 2011, ch. 5; Montgomery DC.
  Introduction to Statistical Quality Control, ch. 6: 2.66 = 3 / d2, d2 = 1.128 for n = 2).
- p chart: p̄ = Σ numerators / Σ denominators, limits p̄ ± 3 √(p̄(1 − p̄)/nᵢ) for each
  point's denominator nᵢ, clipped to [0, 1] (Montgomery ch. 7; Data Guide ch. 5).
- u chart: ū = Σ numerators / Σ denominators, limits ū ± 3 √(ū/nᵢ), lower not below 0
  (Montgomery ch. 7; Data Guide ch. 5).
- Phases and frozen baselines follow qicharts2's `part` and `freeze` arguments (Anhøj).

Conventions (documented because the references leave them open, or nic differs):
- Missing values: None (or NaN) on run and i charts; on p and u charts a point whose
  numerator or denominator is missing, or whose denominator is 0, has value None. Such
  points take part in no computation and no rule.
- Phases: `splits` are the indices where a new phase starts; each phase has its own
  center and limits and the shift and trend rules run within each phase (a run that
  spans a split compares points against different centers, so it means nothing).
- Frozen baseline: `baseline=N` computes the FIRST phase's center and limits from its
  first N recorded (non-missing) points and extends them over the rest of that phase,
  so later points are judged against the baseline. Later phases (after a split, usually
  a change that was adopted) use all their points. qicharts2 counts `freeze` in rows,
  missing ones included; nic counts recorded points, so a holiday gap does not shorten
  the baseline.
- i chart moving ranges are taken between successive recorded points of the baseline
  (a gap is bridged, as the chart draws it). qicharts2 drops the two ranges around a
  gap, and when attached it also screens out ranges above 3.267 × MR̄ (Nelson 1982)
  and uses 3 / 1.128 = 2.6596 instead of 2.66; nic uses the Data Guide's plain formula.
  i chart limits are the same for every point of a phase, so missing points carry them
  too (the lines stay continuous); p and u limits depend on nᵢ and are None where the
  value is.
- The Anhøj runs analysis (`Analysis.runs`) covers the LAST phase only: it answers "is
  the process as it is now stable?"; earlier phases still get shift and trend marks.
- A point is outside the limits when strictly above the upper or below the lower limit.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from nic.analytics.runs import NO_RUNS, Runs, anhoej, shift_indices, side, trend_indices

CHARTS = ("run", "i", "p", "u")
SHEWHART = ("i", "p", "u")
I_CHART_FACTOR = 2.66  # 3 / d2 with d2 = 1.128 (moving ranges of two), as the Data Guide rounds it

# Points within this relative distance of a limit count as on it (not outside): only
# float rounding needs it (a p-chart limit of exactly 1 can come out as 1.0000000000000002).
_LIMIT_RTOL = 1e-12


@dataclass(frozen=True)
class Analysis:
    """One analysed chart. Every list of points has one entry per input point.

    chart: run | i | p | u.
    values: the plotted value (numerator / denominator for p and u); None where missing
        or undefined (a denominator of 0 or None).
    center, lower, upper: per point, since phases give different centers; lower and
        upper are None on run charts, where a phase has too little data, and on p/u
        points without a value.
    runs: the Anhøj analysis of the LAST phase (the process as it is now).
    shift: indices of points in a shift (IHI: 6 or more consecutive on one side of the
        center; points on the center neither break nor add, and are not listed).
    trend: indices of points in a trend (IHI: 5 or more consecutive distinct values
        rising or falling; repeated values neither add nor break).
    outside_limits: indices outside the limits (Shewhart charts only).
    phases: [start, end) index ranges of each phase.
    """

    chart: str
    values: list[float | None]
    center: list[float | None]
    lower: list[float | None]
    upper: list[float | None]
    runs: Runs
    shift: list[int]
    trend: list[int]
    outside_limits: list[int]
    phases: list[tuple[int, int]]

    @property
    def any_signal(self) -> bool:
        """True when any rule fired (Anhøj on the last phase, or any shift, trend or
        point outside the limits)."""
        return bool(self.runs.signal or self.shift or self.trend or self.outside_limits)

    def to_contract(self) -> dict:
        """The chart body of CONTRACT.md; the caller adds "period" to each point."""
        return {
            "points": [
                {"value": v, "center": c, "lower": lo, "upper": up}
                for v, c, lo, up in zip(self.values, self.center, self.lower, self.upper)
            ],
            "runs": self.runs.to_contract(),
            "shift": list(self.shift),
            "trend": list(self.trend),
            "outside_limits": list(self.outside_limits),
        }


def analyse(
    chart: str,
    values: Sequence[float | None] = (),
    *,
    numerators: Sequence[float | None] | None = None,
    denominators: Sequence[float | None] | None = None,
    baseline: int | None = None,
    splits: Sequence[int] = (),
) -> Analysis:
    """Analyse one series (see the module docstring for every convention).

    run and i charts take `values`; p and u charts take `numerators` and `denominators`
    (value = numerator / denominator; a denominator of 0 or None makes the value None).
    baseline: freeze the first phase's center (and limits) on its first `baseline`
        recorded points; None or 0 uses every point.
    splits: indices where a new phase starts; 0 and indices at or past the end are
        ignored (a split dated after the last period has not begun yet).
    Raises ValueError for an unknown chart, the wrong inputs for the chart, lengths that
    differ, negative or infinite numbers, a negative baseline or split, or a p-chart
    numerator above its denominator.
    """
    if chart not in CHARTS:
        raise ValueError(f"chart must be one of {', '.join(CHARTS)}")
    if baseline is not None and baseline < 0:
        raise ValueError("baseline must not be negative")
    if chart in ("run", "i"):
        if numerators is not None or denominators is not None:
            raise ValueError(f"a {chart} chart takes values, not numerators and denominators")
        ys = [_number(v, "value", i) for i, v in enumerate(values)]
        nums = dens = None
    else:
        if numerators is None or denominators is None or len(values):
            raise ValueError(f"a {chart} chart takes numerators and denominators")
        if len(numerators) != len(denominators):
            raise ValueError("numerators and denominators differ in length")
        nums, dens, ys = _ratios(chart, numerators, denominators)

    n = len(ys)
    phases = _phases(n, splits)
    center: list[float | None] = [None] * n
    lower: list[float | None] = [None] * n
    upper: list[float | None] = [None] * n
    sides: list[int | None] = [None] * n
    shift: list[int] = []
    trend: list[int] = []
    outside: list[int] = []
    runs = NO_RUNS

    for number, (start, end) in enumerate(phases):
        recorded = [i for i in range(start, end) if ys[i] is not None]
        base = recorded[:baseline] if (number == 0 and baseline) else recorded
        if chart == "run":
            cl = float(statistics.median([ys[i] for i in base])) if base else None
            center[start:end] = [cl] * (end - start)
        elif chart == "i":
            _i_limits(ys, base, start, end, center, lower, upper)
        else:
            _pu_limits(chart, ys, nums, dens, base, recorded, start, end, center, lower, upper)

        phase_sides = [side(ys[i], center[i]) for i in range(start, end)]
        sides[start:end] = phase_sides
        shift.extend(shift_indices(phase_sides, offset=start))
        trend.extend(trend_indices(ys[start:end], offset=start))
        if chart in SHEWHART:
            outside.extend(i for i in recorded if _outside(ys[i], lower[i], upper[i]))
        if number == len(phases) - 1:
            runs = anhoej(phase_sides)

    return Analysis(
        chart=chart,
        values=ys,
        center=center,
        lower=lower,
        upper=upper,
        runs=runs,
        shift=shift,
        trend=trend,
        outside_limits=outside,
        phases=phases,
    )


def _number(value, what: str, index: int) -> float | None:
    """A finite float, or None for a missing value (None or NaN)."""
    if value is None:
        return None
    number = float(value)
    if math.isnan(number):
        return None
    if math.isinf(number):
        raise ValueError(f"{what} {index} is infinite")
    return number


def _ratios(chart, numerators, denominators):
    nums: list[float | None] = []
    dens: list[float | None] = []
    ys: list[float | None] = []
    for i, (num, den) in enumerate(zip(numerators, denominators)):
        num, den = _number(num, "numerator", i), _number(den, "denominator", i)
        if (num is not None and num < 0) or (den is not None and den < 0):
            raise ValueError(f"point {i}: numerator and denominator must not be negative")
        if chart == "p" and num is not None and den and num > den:
            raise ValueError(f"point {i}: the numerator is above the denominator")
        if num is None or not den:  # den None or 0: no value, and out of every sum
            num = den = None
        nums.append(num)
        dens.append(den)
        ys.append(None if num is None else num / den)
    return nums, dens, ys


def _phases(n: int, splits: Sequence[int]) -> list[tuple[int, int]]:
    if any(s < 0 for s in splits):
        raise ValueError("split indices must not be negative")
    starts = [0, *sorted({s for s in splits if 0 < s < n})]
    if n == 0:
        return []
    return [(a, b) for a, b in zip(starts, [*starts[1:], n])]


def _i_limits(ys, base, start, end, center, lower, upper) -> None:
    if not base:
        return
    base_values = [ys[i] for i in base]
    cl = math.fsum(base_values) / len(base_values)
    center[start:end] = [cl] * (end - start)
    if len(base_values) < 2:  # no moving range: no limits
        return
    ranges = [abs(b - a) for a, b in zip(base_values, base_values[1:])]
    spread = I_CHART_FACTOR * math.fsum(ranges) / len(ranges)
    lower[start:end] = [cl - spread] * (end - start)
    upper[start:end] = [cl + spread] * (end - start)


def _pu_limits(chart, ys, nums, dens, base, recorded, start, end, center, lower, upper) -> None:
    if not base:
        return
    cl = math.fsum(nums[i] for i in base) / math.fsum(dens[i] for i in base)
    center[start:end] = [cl] * (end - start)
    if chart == "p":
        variance = cl * (1.0 - cl)
        for i in recorded:
            sigma3 = 3.0 * math.sqrt(variance / dens[i])
            lower[i] = max(0.0, cl - sigma3)
            upper[i] = min(1.0, cl + sigma3)
    else:
        for i in recorded:
            sigma3 = 3.0 * math.sqrt(cl / dens[i])
            lower[i] = max(0.0, cl - sigma3)
            upper[i] = cl + sigma3


def _outside(value: float, low: float | None, high: float | None) -> bool:
    if high is not None and value > high + _LIMIT_RTOL * max(1.0, abs(high)):
        return True
    return low is not None and value < low - _LIMIT_RTOL * max(1.0, abs(low))
