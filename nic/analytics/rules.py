"""The rules each chart type is judged by, by name, and the headline verdict.

Run charts (center = median) are judged by the Anhøj rules (nic.analytics.runs):
- `anhoej_longest_run`: a run of useful points on one side of the median longer than
  round(log2(n)) + 3; the indices are the points of each such run;
- `anhoej_crossings`: fewer crossings of the median than the 5th percentile of
  Binomial(n - 1, 0.5); the indices are every useful point of the phase, since the
  evidence is the phase as a whole.
The IHI shift (6) and trend (5) rules stay on the Analysis as patterns: Anhøj & Olesen
(2014) showed that on run charts they add false alarms faster than they add power.

Shewhart charts (i, p, u) are judged by the rules of Provost LP, Murray SK. The Health
Care Data Guide: Learning from Data for Improvement. Jossey-Bass, 2011, ch. 5
("Rules for determining a special cause"):
1. `outside_limits`: a point above the upper or below the lower limit;
2. `shift_8`: 8 or more consecutive points on one side of the center line (a point on
   the center line neither breaks nor adds to the run);
3. `trend_6`: 6 consecutive points all rising or all falling (equal neighbours neither
   break nor add to it);
4. `two_of_three`: 2 out of 3 consecutive points beyond 2 sigma, on the same side of the
   center (the outer third between center and limit, or past the limit);
5. `fifteen_inner`: 15 consecutive points within 1 sigma of the center (the inner third).
Sigma is each point's own: (upper - center) / 3 before any clipping, i.e. 2.66 × MR̄ / 3
on an i chart, √(p̄(1 − p̄)/nᵢ) on a p chart and √(ū/nᵢ) on a u chart, so a p-chart limit
clipped at 0 or 1 does not squeeze the zones. Where sigma is 0 (a constant baseline, p̄
of 0 or 1) there are no zones, so rules 4 and 5 cannot fire: a flat series is not a
signal. "Consecutive" means among recorded points, as everywhere in nic.analytics.

Every rule runs within one phase against that phase's center and limits; the indices
of all phases are reported. The headline `signal` is about the process as it is now:
a rule of the chart's type fired within the LAST phase (on a run chart this is exactly
`runs.signal`). An earlier phase's signals stay listed with their indices.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from nic.analytics.runs import Runs, SideRuns, Stretches, spans_mask

LONGEST_RUN = "anhoej_longest_run"
CROSSINGS = "anhoej_crossings"
OUTSIDE_LIMITS = "outside_limits"
SHIFT_8 = "shift_8"
TREND_6 = "trend_6"
TWO_OF_THREE = "two_of_three"
FIFTEEN_INNER = "fifteen_inner"

RUN_CHART_RULES = (LONGEST_RUN, CROSSINGS)
SHEWHART_RULES = (OUTSIDE_LIMITS, SHIFT_8, TREND_6, TWO_OF_THREE, FIFTEEN_INNER)

SHEWHART_SHIFT = 8
SHEWHART_TREND = 6
INNER_RUN = 15
# Zone boundaries (2 sigma, 1 sigma) are compared with this slack in sigma units, so a
# value that lies on a boundary in exact arithmetic (0.6 on a p chart of p̄ 0.5 and
# sigma 0.05) is not pushed across it by float rounding.
_ZONE_TOL = 1e-9
# Points within this relative distance of a limit count as on it (not outside): only
# float rounding needs it (a p-chart limit of exactly 1 can come out as 1.0000000000000002).
_LIMIT_RTOL = 1e-12


@dataclass(frozen=True)
class Rule:
    """A rule that fired: its name and the indices of the points it covers, ascending."""

    name: str
    indices: list[int]

    def to_contract(self) -> dict[str, Any]:
        return {"name": self.name, "indices": list(self.indices)}


def run_chart_rules(side_runs: SideRuns, n: int) -> tuple[Runs, dict[str, np.ndarray]]:
    """The Anhøj figures of one phase of n points and a mask per rule that fired in it."""
    runs = side_runs.runs()
    fired: dict[str, np.ndarray] = {}
    if runs.longest_run > runs.longest_run_max:
        fired[LONGEST_RUN] = _mask(n, side_runs.in_runs_of(runs.longest_run_max + 1))
    if runs.useful and runs.crossings < runs.crossings_min:
        fired[CROSSINGS] = _mask(n, side_runs.useful)
    return runs, fired


def outside_mask(values: np.ndarray, lower: np.ndarray | float, upper: np.ndarray | float) -> np.ndarray:
    """Strictly above the upper or below the lower limit (missing values and limits: False);
    the limits are one per point (p, u) or one for the phase (i)."""
    with np.errstate(invalid="ignore"):
        above = values > upper + _LIMIT_RTOL * np.maximum(1.0, np.abs(upper))
        below = values < lower - _LIMIT_RTOL * np.maximum(1.0, np.abs(lower))
    outside: np.ndarray = above | below
    return outside


def shewhart_rules(
    values: np.ndarray,
    center: float,
    sigma: np.ndarray | float,
    outside: np.ndarray,
    side_runs: SideRuns,
    stretches: Stretches,
) -> dict[str, np.ndarray]:
    """A mask per Data Guide rule that fired in one phase (arrays of the phase's points;
    `outside` is outside_mask() of them, side_runs and stretches their runs and trends)."""
    n = len(values)
    fired = {
        OUTSIDE_LIMITS: outside,
        SHIFT_8: _mask(n, side_runs.in_runs_of(SHEWHART_SHIFT)),
        TREND_6: stretches.mask(SHEWHART_TREND),
    }
    recorded = stretches.recorded
    with np.errstate(invalid="ignore", divide="ignore"):
        z = ((values - center) / sigma)[recorded]  # NaN or ±inf where sigma is missing or 0
    z[~np.isfinite(z)] = np.nan  # no zones there: neither outer nor inner
    fired[TWO_OF_THREE] = _mask(n, recorded[_two_of_three(z > 2 + _ZONE_TOL) | _two_of_three(z < -2 - _ZONE_TOL)])
    fired[FIFTEEN_INNER] = _mask(n, recorded[_long_true_runs(np.abs(z) <= 1 + _ZONE_TOL, INNER_RUN)])
    return {name: mask for name, mask in fired.items() if mask.any()}


def _two_of_three(outer: np.ndarray) -> np.ndarray:
    """Points in a window of 3 consecutive points holding 2 or more outer ones: any two
    outer points at most 2 positions apart. The rule's points are the outer ones."""
    positions = outer.nonzero()[0]
    close = positions[1:] - positions[:-1] <= 2
    picked = np.zeros(len(outer), dtype=bool)
    picked[positions[:-1][close]] = True
    picked[positions[1:][close]] = True
    return picked


def _long_true_runs(flags: np.ndarray, minimum: int) -> np.ndarray:
    """True for every point in a run of `minimum` or more consecutive True flags."""
    if len(flags) < minimum:
        return np.zeros(len(flags), dtype=bool)
    padded = np.concatenate(([0], flags.view(np.int8), [0]))
    edges = padded[1:] - padded[:-1]
    starts, ends = (edges == 1).nonzero()[0], (edges == -1).nonzero()[0] - 1
    keep = ends - starts + 1 >= minimum
    return spans_mask(len(flags), np.arange(len(flags)), starts[keep], ends[keep])


def _mask(n: int, positions: np.ndarray) -> np.ndarray:
    mask = np.zeros(n, dtype=bool)
    mask[positions] = True
    return mask
