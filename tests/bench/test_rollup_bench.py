"""Benchmark: the roll-up of a big network (500 schools, 50,000 cycles, 1,000,000 measure
points) and the pages that read it, in one run. `make bench` runs it; the regular suite
skips tests/bench.

The data: its own PostgreSQL database (NIC_BENCH_DATABASE_URL, default the server of
DATABASE_URL with the database `nic_bench`), created and migrated here and filled with
`nic bench seed --network bench ...` (tests/bench/rollup_data.py). A database that
already holds exactly these sizes is reused, which saves the seed; the run prints which.
The database is kept afterwards for the next run (drop it to start over).

What is timed, printed and never asserted (docs/BENCHMARKS.md keeps the figures):
1. the full roll-up (rollups.compute(parallel=True), as the worker runs it, and its
   commit), median of 3, beside a hand-written aggregate reading the same tables once
   (tests/bench/rollup_data.py, BASELINE_SQL), median of 3, and their ratio; the same
   roll-up on one connection (parallel=False); and, alone, the part the second
   connection does (every school chart read and analysed, rollup_series), median of 3;
2. one school's incremental roll-up (compute(school_id, since=today)), median of 5;
3. GET /n/bench/dashboard as a facilitator, through the Flask test client, median of 20
   after 3 warm-ups; the same for GET /api/v1/networks/bench/rollups/latest.
Each roll-up statement's own time in the last full run is printed too.

What is asserted: every full run writes the same snapshot (all eight snapshot tables,
without ids and computed_at), and an incremental run, with nothing changed, leaves the
snapshot exactly as the full run wrote it. The roll-ups run with the clock stopped at
one moment (rollups.utcnow), so that a cycle crossing the stalled threshold between two
runs cannot make them differ.
"""

from __future__ import annotations

import os
import statistics
import time
from unittest import mock

import pytest
from sqlalchemy import select

from nic.clock import utcnow
from nic.extensions import db
from nic.models import Network
from nic.services.rollups import connections as rollup_db
from nic.services.rollups import rollups
from nic.services.rollups import series as rollup_series
from nic.tenancy import use_network
from nic.transaction import commit
from tests.bench import rollup_data as data

pytestmark = pytest.mark.timeout(3600)

FULL_RUNS, INCREMENTAL_RUNS, REQUESTS, WARM_UP = 3, 5, 20, 3
FIGURES: list[tuple[str, str]] = []


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.1f} ms" if seconds < 10 else f"{seconds:,.2f} s"


def load() -> str:
    return "load {:.1f} {:.1f} {:.1f}".format(*os.getloadavg())


def report(label: str, value: str) -> None:
    FIGURES.append((label, value))
    print(f"\n  {label:<58} {value}", end="", flush=True)


def median_of(times: list[float]) -> str:
    return f"median {ms(statistics.median(times))}  (min {ms(min(times))}, max {ms(max(times))}; {load()})"


@pytest.fixture(scope="module")
def bench():
    """The app on the bench database, the network seeded (or reused), the clock stopped."""
    print(
        f"\n\nnic roll-up benchmark: {data.SCHOOLS} schools, {data.CYCLES:,} cycles, {data.POINTS:,} points "
        f"({data.machine()}; {load()})",
        end="",
    )
    app = data.bench_app()
    with app.app_context():
        how = data.ensure_seeded()
        print(f"\n  data: {how}; {data.server_settings()}", end="")
        network = db.session.scalar(select(Network).where(Network.slug == data.SLUG))
        frozen = utcnow()
        with mock.patch.object(rollups, "utcnow", return_value=frozen):
            yield app, network
        db.session.remove()
    print("\n\n  summary:" + "".join(f"\n    {label:<56} {value}" for label, value in FIGURES) + "\n")


VACUUMS: list[float] = []


def full_run(network, parallel: bool = True) -> tuple[float, dict]:
    """As the worker's job: compute and commit (timed), then the VACUUM ANALYZE of the
    snapshot tables it does after a full run (timed apart, in VACUUMS)."""
    with use_network(network):
        started = time.perf_counter()
        rollups.compute(parallel=parallel)
        commit()
        seconds = time.perf_counter() - started
        VACUUMS.append(rollup_db.vacuum_snapshot())
        return seconds, data.snapshot(network.id)


def series_figures(network) -> float:
    """What a full run's second connection does, alone: every school chart's points read
    and analysed (nic.services.rollups.series)."""
    started = time.perf_counter()
    with db.engine.connect() as connection:
        rows = rollup_series.measure_school_rows(connection, network.id)
    assert len(rows) >= data.SCHOOLS  # every school reports every measure
    return time.perf_counter() - started


def test_full_rollup_against_a_raw_aggregate(bench):
    _app, network = bench
    timings, snapshots = [], []
    for _ in range(FULL_RUNS):
        with data.statement_timer() as statements:
            seconds, snapshot = full_run(network)
        timings.append(seconds)
        snapshots.append(snapshot)
    baseline = [data.run_baseline(network.id) for _ in range(FULL_RUNS)]
    sequential = []
    for _ in range(FULL_RUNS):
        seconds, snapshot = full_run(network, parallel=False)
        sequential.append(seconds)
        snapshots.append(snapshot)
    alone = [series_figures(network) for _ in range(FULL_RUNS)]
    full, raw = statistics.median(timings), statistics.median(baseline)
    report(f"full roll-up as the worker runs it (two connections), {FULL_RUNS} runs", median_of(timings))
    report(f"full roll-up on one connection, {FULL_RUNS} runs", median_of(sequential))
    report(f"raw aggregate (BASELINE_SQL), {FULL_RUNS} runs", median_of(baseline))
    report("ratio full / raw", f"{full / raw:.1f}x")
    report(f"per-series figures alone (read and analyse every chart), {FULL_RUNS} runs", median_of(alone))
    report("then VACUUM ANALYZE of the snapshot tables (after commit)", median_of(VACUUMS))
    for label, seconds in statements.slowest(12):
        print(f"\n      {ms(seconds):>10}  {label}", end="")
    rows = sum(len(table) for table in snapshots[0].values())
    assert rows > data.SCHOOLS  # a snapshot was written
    for other in snapshots[1:]:
        assert other == snapshots[0], "a rerun of the full roll-up wrote a different snapshot"
    report("reruns identical", f"yes ({FULL_RUNS} runs, {rows:,} snapshot rows each)")


def test_incremental_rollup_of_one_school(bench):
    _app, network = bench
    with use_network(network):
        before = data.snapshot(network.id)
        school_id = data.middle_school(network.id)
        timings = []
        for _ in range(INCREMENTAL_RUNS):
            started = time.perf_counter()
            rollups.compute(school_id=school_id, since=utcnow().date())
            commit()
            timings.append(time.perf_counter() - started)
        after = data.snapshot(network.id)
    report(f"incremental, one school, since today, {INCREMENTAL_RUNS} runs", median_of(timings))
    assert after == before, "an incremental run with nothing changed altered the snapshot"


def test_dashboard_and_latest_as_a_facilitator(bench):
    app, network = bench
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = str(data.facilitator_id(network.id))
        session["_fresh"] = True
    for label, url in (
        ("GET /n/bench/dashboard", f"/n/{data.SLUG}/dashboard"),
        ("GET /api/v1/networks/bench/rollups/latest", f"/api/v1/networks/{data.SLUG}/rollups/latest"),
    ):
        timings, size = [], 0
        for attempt in range(WARM_UP + REQUESTS):
            started = time.perf_counter()
            response = client.get(url)
            elapsed = time.perf_counter() - started
            assert response.status_code == 200, (url, response.status_code)
            size = len(response.data)
            db.session.remove()  # as at the end of a real request: nothing cached in the session
            if attempt >= WARM_UP:
                timings.append(elapsed)
        report(f"{label} ({size // 1024} KiB), {REQUESTS} after {WARM_UP} warm-ups", median_of(timings))
        p95 = sorted(timings)[int(len(timings) * 0.95) - 1]
        report(f"{label}: 95th percentile", ms(p95))


def test_dashboard_on_a_new_snapshot(bench):
    """The dashboard's first request for a snapshot renders its snapshot sections (and
    keeps them, nic/web/dashboard/section_cache.py): timed here with the kept sections
    dropped before every request, as after each roll-up."""
    from nic.web.dashboard.section_cache import sections

    app, network = bench
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = str(data.facilitator_id(network.id))
        session["_fresh"] = True
    url = f"/n/{data.SLUG}/dashboard"
    timings = []
    for attempt in range(WARM_UP + REQUESTS):
        sections.clear()
        started = time.perf_counter()
        response = client.get(url)
        elapsed = time.perf_counter() - started
        assert response.status_code == 200
        db.session.remove()
        if attempt >= WARM_UP:
            timings.append(elapsed)
    report(f"GET /n/bench/dashboard, first request for a snapshot, {REQUESTS} runs", median_of(timings))
