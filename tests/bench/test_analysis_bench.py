"""Benchmark and simulation for nic.analytics (make bench; pytest -s prints the tables).

1. Speed: `analyse` on 10,000-point series of each chart type against a plain numpy
   computation of the SAME outputs in the same run: center, limits, sides, the Anhøj
   figures, the IHI shift and trend, points outside the limits and every rule of the
   chart type. The numpy side stops at arrays, with no phases, no input checks and no
   lists for JSON; `analyse` does all of those. Each side is timed from the Python
   lists callers hold and from arrays, so the table shows both the price of the
   analysis over hand-written numpy and the price of lists in and out (Python floats
   and None, for templates and JSON). Both must agree on every output (asserted);
   the timings are printed, never asserted.
2. False alarms: thousands of series from a stable process (normal for run and i
   charts, binomial for p, Poisson for u), n = 12, 24, 50 and 100, fixed seed: how
   often the headline `signal` fires, against reading any marked pattern as a signal
   (as nic did before). docs/SIGNALS.md holds the table.
"""

from __future__ import annotations

import time

import numpy as np
import pytest

from nic.analytics import analyse, anhoej_limits

SEED = 20261205
LONG = 10_000
REPEATS = 7  # best of
SIM_SERIES = 4000
SIM_LENGTHS = (12, 24, 50, 100)
CHART_ORDER = ("run", "i", "p", "u")


def best_of(fn, repeats=REPEATS):
    best, result = float("inf"), None
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


# --- data ------------------------------------------------------------------------------------------


def long_series(chart: str, rng: np.random.Generator, missing: float = 0.05):
    """Plain lists with None for missing points, as callers hold them."""
    gone = rng.random(LONG) < missing
    if chart in ("run", "i"):
        values = np.round(rng.normal(50, 10, LONG), 2)
        return {"values": [None if g else v for g, v in zip(gone, values.tolist())]}
    dens = rng.integers(15, 41, LONG)
    nums = rng.binomial(dens, 0.4) if chart == "p" else rng.poisson(0.8 * dens)
    return {"numerators": [None if g else n for g, n in zip(gone, nums.tolist())], "denominators": dens.tolist()}


# --- the numpy reference: one phase, arrays in, arrays out ------------------------------------------


def runs_of(flags_or_sides: np.ndarray):
    """(start, length) of each run of equal consecutive entries."""
    starts = np.concatenate(([0], np.flatnonzero(np.diff(flags_or_sides)) + 1))
    return starts, np.diff(np.append(starts, len(flags_or_sides)))


def in_long_runs(values: np.ndarray, minimum: int, keep_value=None) -> np.ndarray:
    """Positions (into values) of runs of `minimum` or more equal entries (of keep_value)."""
    starts, lengths = runs_of(values)
    ok = lengths >= minimum
    if keep_value is not None:
        ok &= values[starts] == keep_value
    return np.flatnonzero(np.repeat(ok, lengths))


def trends(y: np.ndarray, rec: np.ndarray, minimum: int) -> np.ndarray:
    v = y[rec]
    firsts = np.flatnonzero(np.concatenate(([True], np.diff(v) != 0)))
    lasts = np.append(firsts[1:] - 1, len(v) - 1)
    up = np.diff(v[firsts]) > 0
    starts, steps = runs_of(up)
    keep = steps + 1 >= minimum
    a, b = lasts[starts[keep]], firsts[starts[keep] + steps[keep]]
    marks = np.zeros(len(v) + 1, int)
    np.add.at(marks, a, 1)
    np.add.at(marks, b + 1, -1)
    return rec[np.cumsum(marks[:-1]) > 0]


def reference(chart: str, y: np.ndarray, num=None, den=None) -> dict:
    n = len(y)
    rec = np.flatnonzero(~np.isnan(y))
    lower = upper = sigma = np.full(n, np.nan)
    if chart == "run":
        center = np.median(y[rec])
    elif chart == "i":
        center = y[rec].mean()
        spread = 2.66 * np.abs(np.diff(y[rec])).mean()
        lower, upper, sigma = np.full(n, center - spread), np.full(n, center + spread), np.full(n, spread / 3)
    else:
        center = num[rec].sum() / den[rec].sum()
        sigma = np.sqrt((center * (1 - center) if chart == "p" else center) / den)
        sigma[np.isnan(y)] = np.nan
        lower = np.maximum(0, center - 3 * sigma)
        upper = center + 3 * sigma if chart == "u" else np.minimum(1, center + 3 * sigma)
    d = y - center
    tol = 1e-12 * np.maximum(np.abs(y), abs(center))
    sides = np.where(d > tol, 1, np.where(d < -tol, -1, 0))
    useful = np.flatnonzero(sides)
    s = sides[useful]
    _, lengths = runs_of(s)
    longest_max, crossings_min = anhoej_limits(len(useful))
    out = {
        "center": center,
        "lower": lower,
        "upper": upper,
        "runs": (len(useful), int(lengths.max()), int(len(lengths) - 1)),
        "shift": useful[in_long_runs(s, 6)],
        "trend": trends(y, rec, 5),
    }
    if chart == "run":
        rules = {}
        if lengths.max() > longest_max:
            rules["anhoej_longest_run"] = useful[in_long_runs(s, longest_max + 1)]
        if len(lengths) - 1 < crossings_min:
            rules["anhoej_crossings"] = useful
        out["rules"] = rules
        return out
    outside = np.flatnonzero(
        (y > upper + 1e-12 * np.maximum(1, np.abs(upper))) | (y < lower - 1e-12 * np.maximum(1, np.abs(lower)))
    )
    out["outside_limits"] = outside
    z = ((y - center) / sigma)[rec]
    two = np.zeros(len(rec), bool)
    for outer in (z > 2 + 1e-9, z < -2 - 1e-9):
        pos = np.flatnonzero(outer)
        close = np.diff(pos) <= 2
        two[pos[:-1][close]] = two[pos[1:][close]] = True
    rules = {
        "outside_limits": outside,
        "shift_8": useful[in_long_runs(s, 8)],
        "trend_6": trends(y, rec, 6),
        "two_of_three": rec[two],
        "fifteen_inner": rec[in_long_runs(np.abs(z) <= 1 + 1e-9, 15, keep_value=True)],
    }
    out["rules"] = {name: indices for name, indices in rules.items() if len(indices)}
    return out


# --- 1. speed --------------------------------------------------------------------------------------


@pytest.fixture(scope="module", autouse=True)
def header():
    print(
        f"\n\nnic.analytics: analyse vs plain numpy, {LONG:,} points, 5% missing (best of {REPEATS}; "
        f"numpy {np.__version__})",
        end="",
    )
    yield
    print("\n")


def as_array(values) -> np.ndarray:
    return np.array(values, dtype=float)


@pytest.mark.parametrize("chart", ["run", "i", "p", "u"])
def test_analyse_costs_about_what_numpy_does(chart):
    data = long_series(chart, np.random.default_rng(SEED + CHART_ORDER.index(chart)))
    if chart in ("run", "i"):
        y, num, den = as_array(data["values"]), None, None
    else:
        num, den = as_array(data["numerators"]), as_array(data["denominators"])
        y = num / den
    arrays = {key: as_array(value) for key, value in data.items()}

    def numpy_from_lists():
        if chart in ("run", "i"):
            return reference(chart, as_array(data["values"]))
        n, d = as_array(data["numerators"]), as_array(data["denominators"])
        return reference(chart, n / d, n, d)

    ours, a = best_of(lambda: analyse(chart, **data))
    ours_arrays, _ = best_of(lambda: analyse(chart, **arrays))
    theirs, ref = best_of(lambda: reference(chart, y, num, den))
    theirs_lists, _ = best_of(numpy_from_lists)
    print(
        f"\n  {chart:>3} chart   analyse: lists {ours * 1000:5.2f} ms, arrays {ours_arrays * 1000:5.2f} ms   "
        f"numpy: arrays {theirs * 1000:5.2f} ms, lists {theirs_lists * 1000:5.2f} ms   "
        f"ratio {ours / theirs:4.2f}x (arrays in: {ours_arrays / theirs:4.2f}x; "
        f"both from lists: {ours / theirs_lists:4.2f}x)",
        end="",
    )

    # The same outputs.
    assert a.center[0] == pytest.approx(ref["center"], rel=1e-12)
    np.testing.assert_allclose(as_array(a.lower), ref["lower"], rtol=1e-12, equal_nan=True)
    np.testing.assert_allclose(as_array(a.upper), ref["upper"], rtol=1e-12, equal_nan=True)
    assert (a.runs.useful, a.runs.longest_run, a.runs.crossings) == ref["runs"]
    assert a.shift == ref["shift"].tolist()
    assert a.trend == ref["trend"].tolist()
    assert a.outside_limits == ref.get("outside_limits", np.array([], int)).tolist()
    assert {rule.name: rule.indices for rule in a.rules} == {k: v.tolist() for k, v in ref["rules"].items()}


# --- 2. false alarms -------------------------------------------------------------------------------


def stable_series(chart: str, rng: np.random.Generator, n: int) -> dict:
    if chart in ("run", "i"):
        return {"values": rng.normal(50, 10, n).tolist()}
    dens = rng.integers(20, 61, n)  # denominators vary, as classes and schools do
    nums = rng.binomial(dens, 0.3) if chart == "p" else rng.poisson(0.5 * dens)
    return {"numerators": nums.tolist(), "denominators": dens.tolist()}


def test_false_alarm_rates():
    print(f"\n\n  False alarms on stable processes ({SIM_SERIES:,} series each, seed {SEED})", end="")
    print("\n  chart      n   headline signal   any mark (before)   rules that fired most", end="")
    for chart in ("run", "i", "p", "u"):
        for n in SIM_LENGTHS:
            rng = np.random.default_rng([SEED, n, CHART_ORDER.index(chart)])
            headline = before = 0
            by_rule: dict[str, int] = {}
            for _ in range(SIM_SERIES):
                a = analyse(chart, **stable_series(chart, rng, n))
                headline += a.signal
                before += bool(a.runs.signal or a.shift or a.trend or a.outside_limits)
                for rule in a.rules:
                    by_rule[rule.name] = by_rule.get(rule.name, 0) + 1
            top = ", ".join(
                f"{name} {count / SIM_SERIES:.1%}" for name, count in sorted(by_rule.items(), key=lambda kv: -kv[1])
            )
            print(
                f"\n  {chart:>5} {n:6d}   {headline / SIM_SERIES:14.1%}   {before / SIM_SERIES:17.1%}   {top}", end=""
            )
            if chart == "run":
                # Anhøj & Olesen designed their rules for about 5%; the simulation error
                # with 4,000 series is about 0.35%.
                assert headline / SIM_SERIES < 0.10


# --- pooled network series: who reported ------------------------------------------------

POOL_SERIES = 1000
POOL_SCHOOLS = 6
POOL_WEEKS = 24


def pooled_case(chart: str, rng: np.random.Generator, missing: float):
    """One network of POOL_SCHOOLS stable schools at different levels (p: 0.2-0.8; u:
    0.3-1.5 per unit), weekly denominators 20-60, each school-week unreported with
    probability `missing`: the pooled numerators, denominators and schools reporting."""
    levels = rng.uniform(0.2, 0.8, POOL_SCHOOLS) if chart == "p" else rng.uniform(0.3, 1.5, POOL_SCHOOLS)
    den = rng.integers(20, 61, (POOL_SCHOOLS, POOL_WEEKS))
    num = rng.binomial(den, levels[:, None]) if chart == "p" else rng.poisson(levels[:, None] * den)
    reported = rng.random((POOL_SCHOOLS, POOL_WEEKS)) >= missing
    return (
        (num * reported).sum(0).astype(float),
        (den * reported).sum(0).astype(float),
        reported.sum(0),
        int(reported.any(1).sum()),
    )


def test_pooled_series_with_gaps_in_reporting():
    """How often the pooled chart's headline fires, and what share of its judged points
    fall outside the limits, when schools at different levels skip weeks at random:
    judging every period (as nic did) against leaving out periods below 80% and 100%
    of the schools (nic.analytics.reporting). Printed for docs/SIGNALS.md."""
    from nic.analytics.reporting import complete_mask

    print(
        f"\n\n  Pooled series: {POOL_SCHOOLS} stable schools, {POOL_WEEKS} weeks, {POOL_SERIES:,} networks per row "
        f"(seed {SEED})"
    )
    print("  chart  missing  threshold    headline signal   judged points outside the limits")
    for chart in ("p", "u"):
        for missing in (0.0, 0.1, 0.25):
            for threshold in (None, 80, 100):
                rng = np.random.default_rng(SEED)  # the same networks for every threshold
                fired = outside = judged = 0
                for _ in range(POOL_SERIES):
                    num, den, reporting, expected = pooled_case(chart, rng, missing)
                    keep = (
                        complete_mask(reporting.tolist(), expected, threshold)
                        if threshold
                        else (reporting > 0).tolist()
                    )
                    a = analyse(
                        chart,
                        numerators=[n if k else None for n, k in zip(num.tolist(), keep)],
                        denominators=[d if k else None for d, k in zip(den.tolist(), keep)],
                    )
                    fired += a.signal
                    outside += len(a.outside_limits)
                    judged += sum(v is not None for v in a.values)
                assert judged > 0
                label = "every period" if threshold is None else f"{threshold}%"
                print(
                    f"  {chart:>5}  {missing:>7.0%}  {label:>12}   {fired / POOL_SERIES:>14.1%}   "
                    f"{outside / judged:>10.1%}"
                )
