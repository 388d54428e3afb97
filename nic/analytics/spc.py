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
- Which rules make the headline `signal` for each chart type, and their names in
  `Analysis.rules`: nic.analytics.rules (and docs/SIGNALS.md).

The work is done on numpy arrays, one phase at a time; the Analysis holds plain lists
(None for missing) because that is what templates, JSON and callers index into.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from nic.analytics.rules import RUN_CHART_RULES, SHEWHART_RULES, Rule, outside_mask, run_chart_rules, shewhart_rules
from nic.analytics.runs import NO_RUNS, SHIFT_MIN, TREND_MIN, Runs, side_runs, sides_of, trend_stretches

CHARTS = ("run", "i", "p", "u")
SHEWHART = ("i", "p", "u")
I_CHART_FACTOR = 2.66  # 3 / d2 with d2 = 1.128 (moving ranges of two), as the Data Guide rounds it


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
    rules: the rules of this chart type that fired, in nic.analytics.rules order, each
        with the indices it covers (all phases).
    signal: the headline verdict: a rule in `rules` fired within the last phase (on a
        run chart, exactly runs.signal).
    numerators, denominators: the inputs of a p or u chart as used, as read-only float
        arrays (NaN where the point has no value); None on run and i charts. Arrays
        because only sums are taken of them (the summary's figures), not shown.
    baseline: how many recorded points of the first phase set its center and limits
        when a frozen baseline is in effect (fewer than the phase has); else None.
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
    rules: list[Rule] = field(default_factory=list)
    signal: bool = False
    numerators: np.ndarray | None = field(default=None, repr=False, compare=False)
    denominators: np.ndarray | None = field(default=None, repr=False, compare=False)
    baseline: int | None = None

    @property
    def any_signal(self) -> bool:
        """True when anything was marked: the headline signal, any rule in any phase, or
        an IHI pattern (shift, trend) or point outside the limits anywhere."""
        return bool(self.signal or self.rules or self.runs.signal or self.shift or self.trend or self.outside_limits)

    def fired(self, name: str) -> list[int]:
        """The indices of the rule called `name`, or [] when it did not fire."""
        return next((rule.indices for rule in self.rules if rule.name == name), [])

    def to_contract(self) -> dict[str, Any]:
        """The chart body of docs/INTERFACE.md plus `rules` and `signal` (docs/SIGNALS.md);
        the caller adds "period" to each point."""
        return {
            "points": [
                {"value": v, "center": c, "lower": lo, "upper": up}
                for v, c, lo, up in zip(self.values, self.center, self.lower, self.upper)
            ],
            "runs": self.runs.to_contract(),
            "shift": list(self.shift),
            "trend": list(self.trend),
            "outside_limits": list(self.outside_limits),
            "rules": [rule.to_contract() for rule in self.rules],
            "signal": self.signal,
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
        ys = _floats(values, "value")
        nums = dens = None
    else:
        if numerators is None or denominators is None or len(values):
            raise ValueError(f"a {chart} chart takes numerators and denominators")
        if len(numerators) != len(denominators):
            raise ValueError("numerators and denominators differ in length")
        nums, dens, ys = _ratios(chart, numerators, denominators)

    n = len(ys)
    phases = _phases(n, splits)
    # Run and i charts have one center (and i-chart limits) per phase: kept as scalars
    # and written out as lists at the end. p and u limits differ per point: arrays.
    lines: list[tuple[float, float, float]] = []  # (center, lower, upper) per phase, NaN for none
    lower: np.ndarray | None = None
    upper: np.ndarray | None = None
    if chart in ("p", "u"):
        lower, upper = np.full(n, np.nan), np.full(n, np.nan)
    shift, trend, outside = (np.zeros(n, dtype=bool) for _ in range(3))
    names = SHEWHART_RULES if chart in SHEWHART else RUN_CHART_RULES
    fired = {name: np.zeros(n, dtype=bool) for name in names}
    runs, signal, frozen = NO_RUNS, False, None

    for number, (start, end) in enumerate(phases):
        part = slice(start, end)
        seg = ys[part]
        recorded = (~np.isnan(seg)).nonzero()[0]
        base = recorded
        if number == 0 and baseline and baseline < len(recorded):
            base, frozen = recorded[:baseline], baseline
        cl = lo = up = np.nan
        sigma: float | np.ndarray = np.nan
        if not len(base):
            pass
        elif chart == "run":
            cl = float(np.median(seg[base]))
        elif chart == "i":
            cl, lo, up, sigma = _i_limits(seg[base])
        else:  # p and u: _ratios gave nums and dens, and lower and upper are per point
            assert nums is not None and dens is not None and lower is not None and upper is not None
            cl, sigma = _pu_limits(chart, nums[part], dens[part], base, lower[part], upper[part])
        lines.append((cl, lo, up))  # p and u charts' limits are per point, in `lower` and `upper`

        sides = sides_of(seg, cl)
        runs_here, stretches = side_runs(sides), trend_stretches(seg)
        shift[start + runs_here.in_runs_of(SHIFT_MIN)] = True
        trend[part] = stretches.mask(TREND_MIN)
        if chart in SHEWHART:
            limits = (lo, up) if lower is None or upper is None else (lower[part], upper[part])
            outside[part] = outside_mask(seg, *limits)
            phase_rules = shewhart_rules(seg, cl, sigma, outside[part], runs_here, stretches)
            phase_runs = runs_here.runs() if number == len(phases) - 1 else NO_RUNS
        else:
            phase_runs, phase_rules = run_chart_rules(runs_here, end - start)
        for name, mask in phase_rules.items():
            fired[name][part] |= mask
        if number == len(phases) - 1:
            runs, signal = phase_runs, bool(phase_rules)

    return Analysis(
        chart=chart,
        values=_as_list(ys),
        center=_per_phase(phases, [line[0] for line in lines]),
        lower=_per_phase(phases, [line[1] for line in lines]) if lower is None else _as_list(lower),
        upper=_per_phase(phases, [line[2] for line in lines]) if upper is None else _as_list(upper),
        runs=runs,
        shift=shift.nonzero()[0].tolist(),
        trend=trend.nonzero()[0].tolist(),
        outside_limits=outside.nonzero()[0].tolist(),
        phases=phases,
        rules=[Rule(name, mask.nonzero()[0].tolist()) for name, mask in fired.items() if mask.any()],
        signal=signal,
        numerators=_read_only(nums),
        denominators=_read_only(dens),
        baseline=frozen,
    )


def _floats(values: Sequence[float | None], what: str) -> np.ndarray:
    """A float array with NaN for missing values (None or NaN); infinities refused."""
    array = np.array(values, dtype=float)  # None becomes NaN; Decimal and numeric strings convert
    if array.ndim != 1:
        if array.size:  # a nested list would otherwise be analysed as one flattened series
            raise ValueError(f"{what}s must be a flat list of numbers")
        array = array.reshape(-1)
    infinite = np.flatnonzero(np.isinf(array))
    if len(infinite):
        raise ValueError(f"{what} {infinite[0]} is infinite")
    return array


def _ratios(
    chart: str, numerators: Sequence[float | None], denominators: Sequence[float | None]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    nums, dens = _floats(numerators, "numerator"), _floats(denominators, "denominator")
    problems: list[tuple[int, str]] = []
    negative = np.flatnonzero((nums < 0) | (dens < 0))
    if len(negative):
        problems.append((int(negative[0]), "numerator and denominator must not be negative"))
    if chart == "p":
        above = np.flatnonzero((dens > 0) & (nums > dens))
        if len(above):
            problems.append((int(above[0]), "the numerator is above the denominator"))
    if problems:
        index, why = min(problems)
        raise ValueError(f"point {index}: {why}")
    unusable = np.isnan(nums) | np.isnan(dens) | (dens == 0)  # no value, and out of every sum
    nums[unusable] = np.nan
    dens[unusable] = np.nan
    with np.errstate(invalid="ignore", divide="ignore"):
        return nums, dens, nums / dens


def _phases(n: int, splits: Sequence[int]) -> list[tuple[int, int]]:
    if any(s < 0 for s in splits):
        raise ValueError("split indices must not be negative")
    starts = [0, *sorted({int(s) for s in splits if 0 < s < n})]
    if n == 0:
        return []
    return [(a, b) for a, b in zip(starts, [*starts[1:], n])]


def _i_limits(base_values: np.ndarray) -> tuple[float, float, float, float]:
    """(center, lower, upper, sigma) of a phase: the baseline mean, and ± 2.66 × MR̄ once
    there is a moving range (moving ranges bridge missing points, as the chart is drawn).
    No moving range: NaN limits and sigma."""
    cl = float(base_values.mean())
    if len(base_values) < 2:
        return cl, np.nan, np.nan, np.nan
    moving = base_values[1:] - base_values[:-1]
    spread = I_CHART_FACTOR * float(np.abs(moving).mean())
    return cl, cl - spread, cl + spread, spread / 3


def _pu_limits(
    chart: str, nums: np.ndarray, dens: np.ndarray, base: np.ndarray, lower: np.ndarray, upper: np.ndarray
) -> tuple[float, np.ndarray]:
    """(center, sigma per point) of a phase: p̄ or ū over the baseline; fills the limits
    of each point from its own denominator (NaN where the point has no value: its
    denominator is NaN, and NaN carries through). Sigma stays unclipped for the zone
    rules; the limits are clipped to [0, 1] (p) or at 0 (u)."""
    cl = float(nums[base].sum() / dens[base].sum())
    sigma = np.sqrt((cl * (1.0 - cl) if chart == "p" else cl) / dens)
    np.maximum(0.0, cl - 3.0 * sigma, out=lower)
    if chart == "p":
        np.minimum(1.0, cl + 3.0 * sigma, out=upper)
    else:
        np.add(cl, 3.0 * sigma, out=upper)
    return cl, sigma


def _per_phase(phases: list[tuple[int, int]], levels: list[float]) -> list[float | None]:
    """One value per point from one level per phase (NaN: None)."""
    out: list[float | None] = []
    for (start, end), level in zip(phases, levels):
        out += [None if math.isnan(level) else level] * (end - start)
    return out


def _read_only(array: np.ndarray | None) -> np.ndarray | None:
    if array is not None:
        array.flags.writeable = False  # the Analysis is immutable, its arrays too
    return array


def _as_list(array: np.ndarray) -> list[float | None]:
    """Plain Python floats, None where NaN. tolist() is one C pass; patching the few
    missing points afterwards costs far less than going through an object array."""
    values: list[float | None] = array.tolist()
    for i in np.isnan(array).nonzero()[0].tolist():
        values[i] = None
    return values
