"""Benchmark: nic.analytics.analyse against a plain numpy computation of the same centers
and limits, in the same run. `make bench` runs it (pytest -s prints the table); the
regular suite skips tests/bench.

The two sides do different amounts of work, and the table says so: numpy computes only
the center and limits (median; mean, moving range and limits; p̄ and per-point limits),
while analyse also validates the input, builds the per-point lists and applies every
rule (Anhøj runs and crossings, IHI shift and trend, points outside the limits). The
tests assert only that both agree on centers and limits (to 1e-9); timings are printed,
never asserted, because they depend on the machine.
"""

from __future__ import annotations

import random
import time

import numpy as np
import pytest

from nic.analytics import analyse

SEED = 20260406
LONG = 10_000  # points in the single long series
SCHOOLS, POINTS = 500, 100  # the network view
REPEATS = 5  # best of


def best_of(fn, repeats=REPEATS):
    """(best wall time in seconds, last result)."""
    best, result = float("inf"), None
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


# --- data -----------------------------------------------------------------------------------


def series_values(rng: random.Random, n: int, missing: float) -> list[float | None]:
    return [None if rng.random() < missing else round(rng.gauss(50, 10), 2) for _ in range(n)]


def series_counts(rng: random.Random, n: int, missing: float) -> tuple[list[int | None], list[int | None]]:
    dens = [None if rng.random() < missing else rng.randint(15, 40) for _ in range(n)]
    nums = [None if d is None else sum(rng.random() < 0.4 for _ in range(d)) for d in dens]
    return nums, dens


# --- numpy reference: the same centers and limits ------------------------------------------------


def np_run(x: np.ndarray) -> float:
    return float(np.nanmedian(x))


def np_i(x: np.ndarray) -> tuple[float, float, float]:
    recorded = x[~np.isnan(x)]  # moving ranges bridge gaps, as analyse does
    center = recorded.mean()
    spread = 2.66 * np.abs(np.diff(recorded)).mean()
    return float(center), float(center - spread), float(center + spread)


def np_p(num: np.ndarray, den: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
    ok = den > 0
    pbar = num[ok].sum() / den[ok].sum()
    sigma3 = np.full(den.shape, np.nan)
    sigma3[ok] = 3 * np.sqrt(pbar * (1 - pbar) / den[ok])
    return float(pbar), np.clip(pbar - sigma3, 0, 1), np.clip(pbar + sigma3, 0, 1)


def np_network_2d(values: np.ndarray, nums: np.ndarray, dens: np.ndarray):
    """The whole network view in one vectorised pass per chart (complete data)."""
    medians = np.median(values, axis=1)
    means = values.mean(axis=1)
    spreads = 2.66 * np.abs(np.diff(values, axis=1)).mean(axis=1)
    pbar = nums.sum(axis=1) / dens.sum(axis=1)
    sigma3 = 3 * np.sqrt(pbar[:, None] * (1 - pbar[:, None]) / dens)
    return (
        medians,
        means,
        means - spreads,
        means + spreads,
        pbar,
        np.clip(pbar[:, None] - sigma3, 0, 1),
        np.clip(pbar[:, None] + sigma3, 0, 1),
    )


def as_array(values) -> np.ndarray:
    return np.array([np.nan if v is None else v for v in values], dtype=float)


# --- reporting -----------------------------------------------------------------------------------

ROWS: list[tuple[str, float, float, str]] = []


def report(label: str, ours: float, reference: float, reference_label: str) -> None:
    ROWS.append((label, ours, reference, reference_label))
    # Leading newline, none trailing: pytest's progress dot lands at the end of the line.
    print(
        f"\n  {label:<38} analyse {ours * 1000:8.2f} ms   {reference_label:<22} {reference * 1000:8.3f} ms"
        f"   ratio {ours / reference:6.1f}x",
        end="",
    )


@pytest.fixture(scope="module", autouse=True)
def header():
    print(f"\n\nnic.analytics benchmark (best of {REPEATS}; numpy {np.__version__})", end="")
    yield
    print("\n")


# --- one long series -------------------------------------------------------------------------------


def test_long_run_chart():
    values = series_values(random.Random(SEED), LONG, missing=0.05)
    array = as_array(values)
    ours, analysis = best_of(lambda: analyse("run", values))
    theirs, median = best_of(lambda: np_run(array))
    report(f"run chart, {LONG:,} points", ours, theirs, "numpy nanmedian")
    assert analysis.center[0] == pytest.approx(median, abs=1e-9)


def test_long_i_chart():
    values = series_values(random.Random(SEED + 1), LONG, missing=0.05)
    array = as_array(values)
    ours, analysis = best_of(lambda: analyse("i", values))
    theirs, (center, lower, upper) = best_of(lambda: np_i(array))
    report(f"i chart, {LONG:,} points", ours, theirs, "numpy mean/diff")
    assert analysis.center[0] == pytest.approx(center, abs=1e-9)
    assert analysis.lower[0] == pytest.approx(lower, abs=1e-9)
    assert analysis.upper[0] == pytest.approx(upper, abs=1e-9)


def test_long_p_chart():
    nums, dens = series_counts(random.Random(SEED + 2), LONG, missing=0.05)
    num, den = as_array(nums), as_array(dens)
    num[np.isnan(num)] = 0
    den[np.isnan(den)] = 0
    ours, analysis = best_of(lambda: analyse("p", numerators=nums, denominators=dens))
    theirs, (pbar, lower, upper) = best_of(lambda: np_p(num, den))
    report(f"p chart, {LONG:,} points", ours, theirs, "numpy sums/sqrt")
    assert analysis.center[0] == pytest.approx(pbar, abs=1e-9)
    np.testing.assert_allclose(as_array(analysis.lower), lower, atol=1e-9, equal_nan=True)
    np.testing.assert_allclose(as_array(analysis.upper), upper, atol=1e-9, equal_nan=True)


# --- the network view: every school's series --------------------------------------------------------


def test_network_view():
    rng = random.Random(SEED + 3)
    values = [series_values(rng, POINTS, missing=0.0) for _ in range(SCHOOLS)]
    counts = [series_counts(rng, POINTS, missing=0.0) for _ in range(SCHOOLS)]
    value_rows = [np.array(v, dtype=float) for v in values]
    count_rows = [(np.array(n, dtype=float), np.array(d, dtype=float)) for n, d in counts]
    values_2d = np.array(values, dtype=float)
    nums_2d = np.array([n for n, _ in counts], dtype=float)
    dens_2d = np.array([d for _, d in counts], dtype=float)
    label = f"{SCHOOLS} schools x {POINTS} points"

    ours_run, run = best_of(lambda: [analyse("run", v) for v in values])
    ours_i, ichart = best_of(lambda: [analyse("i", v) for v in values])
    ours_p, pchart = best_of(lambda: [analyse("p", numerators=n, denominators=d) for n, d in counts])
    loop_run, medians = best_of(lambda: [np_run(x) for x in value_rows])
    loop_i, limits = best_of(lambda: [np_i(x) for x in value_rows])
    loop_p, plimits = best_of(lambda: [np_p(n, d) for n, d in count_rows])
    vectorised, two_d = best_of(lambda: np_network_2d(values_2d, nums_2d, dens_2d))

    report(f"run, {label}", ours_run, loop_run, "numpy, loop of schools")
    report(f"i, {label}", ours_i, loop_i, "numpy, loop of schools")
    report(f"p, {label}", ours_p, loop_p, "numpy, loop of schools")
    total = ours_run + ours_i + ours_p
    report(f"run + i + p, {label}", total, loop_run + loop_i + loop_p, "numpy, loop of schools")
    report(f"run + i + p, {label}", total, vectorised, "numpy, one 2-D pass")

    for school in range(SCHOOLS):
        assert run[school].center[0] == pytest.approx(medians[school], abs=1e-9)
        assert run[school].center[0] == pytest.approx(two_d[0][school], abs=1e-9)
        center, lower, upper = limits[school]
        assert (ichart[school].center[0], ichart[school].lower[0], ichart[school].upper[0]) == pytest.approx(
            (center, lower, upper), abs=1e-9
        )
        assert (two_d[1][school], two_d[2][school], two_d[3][school]) == pytest.approx((center, lower, upper), abs=1e-9)
        pbar, plower, pupper = plimits[school]
        assert pchart[school].center[0] == pytest.approx(pbar, abs=1e-9)
        np.testing.assert_allclose(pchart[school].lower, plower, atol=1e-9)
        np.testing.assert_allclose(pchart[school].upper, pupper, atol=1e-9)
        np.testing.assert_allclose(pchart[school].upper, two_d[6][school], atol=1e-9)
        np.testing.assert_allclose(pchart[school].lower, two_d[5][school], atol=1e-9)
