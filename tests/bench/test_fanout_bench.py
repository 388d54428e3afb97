"""Benchmark: Socket.IO fan-out of one thread's messages to 200 and 1,000 clients spread
evenly over two server processes joined by the Redis message queue, for nic (two real
`nic serve` processes on the migrated live database) and, in the same run, for a bare
python-socketio server on the same stack doing the same fan-out (tests/bench/
bare_sio_server.py). `make bench` runs it; the regular suite skips tests/bench.

For each side and client count:
- latency: one sender sends LATENCY_MESSAGES messages with the `send` event, one at a
  time (the next after every client has the previous one, and a short gap); for every
  recipient, the time from the send to the `message` receipt. All clients live in this
  process (tests/bench/fanout_clients.py, one asyncio loop), so send and receipt are read
  on one monotonic clock.
- sustained: SENDERS clients (on both processes) send as fast as their acks allow; the
  rate is messages (and deliveries) over the time from the first send to the last receipt.

The figures are printed, never asserted (they depend on the machine and on what else
runs on it). What is asserted: every send is acknowledged `ok`, and every client gets
every message (nothing lost, nothing twice). docs/BENCHMARKS.md keeps the figures.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import statistics
import sys
import time
from dataclasses import dataclass, field

import pytest
import redis
import sqlalchemy as sa

from nic.extensions import db
from tests import factories
from tests.bench.fanout_clients import SioClient, connect_all, now
from tests.bench.fanout_stats import WAIT, Receipts, busy_fraction, cpu_seconds, pct, redis_cpu
from tests.live.conftest import (  # noqa: F401  (fixtures, shared with tests/live)
    LIVE_REDIS_URL,
    _start,
    _stop,
    clean_live_db,
    live_app,
    live_db,
    live_env,
    live_redis,
    live_redis_url,
)
from tests.support import free_port, wait_for_port

pytestmark = pytest.mark.live

LATENCY_MESSAGES = {200: 100, 1000: 40}
SUSTAINED_MESSAGES = {200: 400, 1000: 120}
SENDERS = 4
GAP = 0.02  # seconds between latency messages
THREAD_ID_FLOOR = 900_000
BUDGET = 240.0  # seconds for one side at one client count, connects included


# --- servers ---------------------------------------------------------------------------------


def _start_pair(kind: str, clients: int, tmp_path, channel: str):
    """Two server processes of one kind, with a gthread pool big enough for every socket
    (each websocket holds a gunicorn thread for its whole life)."""
    threads = clients // 2 + 100
    procs = []
    for _ in range(2):
        port = free_port()
        if kind == "nic":
            args = [
                sys.executable,
                "-m",
                "nic.cli",
                "serve",
                "--port",
                str(port),
                "--threads",
                str(threads),
                "--graceful-timeout",
                "2",
            ]
        else:
            args = [
                sys.executable,
                "-m",
                "tests.bench.bare_sio_server",
                "--port",
                str(port),
                "--threads",
                str(threads),
                "--redis",
                LIVE_REDIS_URL,
                "--channel",
                channel,
            ]
        env = live_env({"NIC_MESSAGE_RATE_LIMIT": "1000000 per minute"})
        procs.append(_start(f"{kind} :{port}", args, env, tmp_path / f"{kind}-{port}.log", port=port))
    for proc in procs:
        try:
            wait_for_port(proc.port, timeout=30, process=proc.process)
        except Exception as exc:  # noqa: BLE001 (stop every server, then re-raise)
            for started in procs:
                _stop(started)
            pytest.fail(f"{proc.name} did not start: {exc}\n--- log tail ---\n{proc.log_tail()}")
    return procs


@pytest.fixture
def servers(tmp_path):
    """`servers(kind, clients, channel)` starts a pair; `servers.stop(pair)` stops it.
    Whatever is still running at the end of the test is stopped then."""
    started = []

    class Servers:
        def __call__(self, kind, clients, channel=""):
            pair = _start_pair(kind, clients, tmp_path, channel)
            started.extend(pair)
            return pair

        def stop(self, pair):
            for proc in pair:
                _stop(proc)
                started.remove(proc)

    yield Servers()
    for proc in started:
        _stop(proc)


# --- seeding (nic) ---------------------------------------------------------------------------


def _seed_nic(app, clients: int) -> tuple[int, list[str]]:
    """One network, one thread on a network-visible cycle, `clients` members with API tokens.

    The thread gets a high id: nic's Redis channel (`flask-socketio`) is one for the whole
    Redis server, whatever the database number, so another run's live tests on the same
    Redis hear our broadcasts to `thread:<id>` (and we theirs). Their ids start at 1."""
    with app.app_context():
        db.session.execute(
            sa.text("select setval(pg_get_serial_sequence('threads', 'id'), :n)"), {"n": THREAD_ID_FLOOR}
        )
        network = factories.make_network("bench", "Bench Network")
        school = factories.make_school(network, "Bench High")
        owner = factories.make_member(network, "principal", school)
        cycle = factories.make_cycle(school, owner.user, "Benchmarked cycle")
        thread = factories.make_thread(network, "cycle", cycle.id, "Fan-out", owner.user)
        tokens = [factories.make_token(owner.user)[1]]
        for _ in range(clients - 1):
            member = factories.make_member(network, "member", school)
            tokens.append(factories.make_token(member.user)[1])
        db.session.commit()
        return thread.id, tokens


# --- measuring -------------------------------------------------------------------------------


@dataclass
class Side:
    name: str
    latency_ms: list[float] = field(default_factory=list)
    ack_ms: list[float] = field(default_factory=list)
    first_ms: list[float] = field(default_factory=list)
    spread_ms: list[float] = field(default_factory=list)
    latency_lost: int = 0
    sustained_s: float = 0.0
    sustained_messages: int = 0
    sustained_deliveries: int = 0
    sustained_lost: int = 0
    sustained_ms: list[float] = field(default_factory=list)
    failed_acks: list = field(default_factory=list)
    duplicates: int = 0
    foreign: int = 0
    cpu: dict = field(default_factory=dict)
    join_s: float = 0.0  # connect and join every client
    settle_s: float = 0.0  # then until no event for a second
    join_events: int = 0  # other events received meanwhile (nic: `viewers`)
    join_mb: float = 0.0  # bytes received meanwhile
    busy: float = 0.0  # how busy the machine was in the second before the side started


async def _measure(side: Side, addresses, thread_id: int, latency_n: int, sustained_n: int, pgids) -> None:
    side.busy = busy_fraction()
    tag = f"fx{secrets.token_hex(4)}"
    receipts = Receipts(tag, len(addresses))
    opened: list[SioClient] = []
    stats = redis.Redis.from_url(LIVE_REDIS_URL)

    async def join(client):
        _, args = await client.call("join", {"thread_id": thread_id})
        assert args[0].get("ok"), f"{side.name}: join refused: {args[0]}"

    try:
        start = now()
        clients = await connect_all(addresses, receipts.on_event, then=join, opened=opened)
        side.join_s = now() - start
        await receipts.quiet()
        side.settle_s = max(0.0, receipts.last_any - start - side.join_s)
        side.join_events = receipts.foreign
        side.join_mb = sum(c.bytes_in for c in clients) / 1e6

        async def send(client, seq):
            sent = now()
            body = {"thread_id": thread_id, "body": f"{tag}:{seq}.", "client_id": f"{tag}-{seq}"}
            stamp, args = await asyncio.wait_for(client.call("send", body), WAIT)
            if not args[0].get("ok"):
                side.failed_acks.append(args[0])
            return sent, stamp

        # Warm-up (not counted): both processes subscribed, connections and pools warm.
        for seq in range(-5, 0):
            receipts.expect(seq)
            await send(clients[0], seq)
            await receipts.wait([seq])
        if receipts.lost(range(-5, 0)):
            pytest.fail(
                f"{side.name}: warm-up messages acknowledged but not delivered to every client; "
                f"receipts per message on (server 1, server 2): {receipts.summary(range(-5, 0))}; "
                f"refused acks: {side.failed_acks[:2]}"
            )

        sent = {}
        for seq in range(latency_n):
            receipts.expect(seq)
            sent[seq], acked = await send(clients[0], seq)
            side.ack_ms.append((acked - sent[seq]) * 1000)
            await receipts.wait([seq])
            await asyncio.sleep(GAP)
        side.latency_ms = [s * 1000 for s in receipts.latencies(sent)]
        side.latency_lost = receipts.lost(sent)
        firsts, spreads = receipts.first_and_spread(sent)
        side.first_ms, side.spread_ms = [s * 1000 for s in firsts], [s * 1000 for s in spreads]

        senders = clients[:SENDERS]
        seqs = range(latency_n, latency_n + sustained_n)
        for seq in seqs:
            receipts.expect(seq)
        loaded: dict[int, float] = {}
        cpu_before = ({pgid: cpu_seconds(pgid) for pgid in pgids}, time.process_time(), redis_cpu(stats))

        async def sender(j):
            for seq in seqs[j::SENDERS]:
                loaded[seq], _ = await send(senders[j], seq)

        start = now()
        await asyncio.gather(*(sender(j) for j in range(SENDERS)))
        await receipts.wait(seqs)
        side.sustained_s = receipts.last - start
        side.cpu = {
            "servers": sum(cpu_seconds(pgid) - cpu_before[0][pgid] for pgid in pgids),
            "client": time.process_time() - cpu_before[1],
            "redis": redis_cpu(stats) - cpu_before[2],
        }
        side.sustained_messages = sustained_n
        side.sustained_lost = receipts.lost(seqs)
        side.sustained_deliveries = sustained_n * len(clients) - side.sustained_lost
        side.sustained_ms = [s * 1000 for s in receipts.latencies(loaded)]
        side.duplicates, side.foreign = receipts.duplicates, receipts.foreign - side.join_events
    finally:
        stats.close()
        for client in opened:
            client.close()
        await asyncio.sleep(0.5)


# --- report ----------------------------------------------------------------------------------


def _report(clients: int, nic: Side, bare: Side) -> str:
    def row(label, a, b, fmt="{:.1f}", ratio=True):
        r = f"{a / b:.2f}x" if ratio and b else ""
        return f"  {label:<32}{fmt.format(a):>12}{fmt.format(b):>12}{r:>10}"

    def rates(side):
        return side.sustained_messages / side.sustained_s, side.sustained_deliveries / side.sustained_s

    (nic_mps, nic_dps), (bare_mps, bare_dps) = rates(nic), rates(bare)
    lines = [
        "",
        f"Socket.IO fan-out, {clients} clients over 2 processes + Redis; latency: "
        f"{LATENCY_MESSAGES[clients]} messages one at a time; sustained: {SUSTAINED_MESSAGES[clients]} "
        f"messages from {SENDERS} senders",
        f"  {'':<32}{'nic':>12}{'bare':>12}{'nic/bare':>10}",
    ]
    for p in (50, 95, 99):
        lines.append(row(f"latency p{p} (ms)", pct(nic.latency_ms, p), pct(bare.latency_ms, p)))
    lines += [
        row("latency max (ms)", max(nic.latency_ms), max(bare.latency_ms)),
        row("latency mean (ms)", statistics.fmean(nic.latency_ms), statistics.fmean(bare.latency_ms)),
        row("send->first receipt p50 (ms)", pct(nic.first_ms, 50), pct(bare.first_ms, 50)),
        row("first->last receipt p50 (ms)", pct(nic.spread_ms, 50), pct(bare.spread_ms, 50)),
        row("send->ack p50 (ms)", pct(nic.ack_ms, 50), pct(bare.ack_ms, 50)),
        row("send->ack p99 (ms)", pct(nic.ack_ms, 99), pct(bare.ack_ms, 99)),
        row("lost (latency)", nic.latency_lost, bare.latency_lost, "{:d}", False),
        row("sustained messages/s", nic_mps, bare_mps),
        row("sustained deliveries/s", nic_dps, bare_dps, "{:.0f}"),
        row("sustained latency p50 (ms)", pct(nic.sustained_ms, 50), pct(bare.sustained_ms, 50)),
        row("sustained latency p99 (ms)", pct(nic.sustained_ms, 99), pct(bare.sustained_ms, 99)),
        row("lost (sustained)", nic.sustained_lost, bare.sustained_lost, "{:d}", False),
        row("CPU s, 2 servers (sustained)", nic.cpu["servers"], bare.cpu["servers"], "{:.2f}"),
        row("CPU s, clients (sustained)", nic.cpu["client"], bare.cpu["client"], "{:.2f}"),
        row("CPU s, redis (sustained)", nic.cpu["redis"], bare.cpu["redis"], "{:.2f}"),
        row("connect + join all (s)", nic.join_s, bare.join_s, "{:.2f}"),
        row("then until quiet (s)", nic.settle_s, bare.settle_s, "{:.2f}", False),
        row("other events meanwhile", nic.join_events, bare.join_events, "{:d}", False),
        row("MB received meanwhile", nic.join_mb, bare.join_mb, "{:.1f}", False),
        f"  duplicates {nic.duplicates}/{bare.duplicates}, other traffic ignored {nic.foreign}/{bare.foreign}, "
        f"machine busy in the second before {nic.busy:.0%}/{bare.busy:.0%}",
    ]
    return "\n".join(lines)


@pytest.mark.timeout(600)
@pytest.mark.parametrize("clients", [200, 1000])
def test_fanout(clients, live_app, clean_live_db, servers):
    thread_id, tokens = _seed_nic(live_app, clients)
    latency_n, sustained_n = LATENCY_MESSAGES[clients], SUSTAINED_MESSAGES[clients]
    channel = f"nic-bench-bare-{os.getpid()}-{secrets.token_hex(3)}"

    results = {}
    for name, auths in (("nic", [{"token": t} for t in tokens]), ("bare", [None] * clients)):
        # One pair at a time: the other side's disconnect work must not overlap.
        pair = servers(name, clients, channel)
        side = results[name] = Side(name)
        addresses = [("127.0.0.1", pair[i % 2].port, auths[i]) for i in range(clients)]
        # Deadlines inside the loop: pytest-timeout's signal cannot stop an asyncio loop.
        asyncio.run(
            asyncio.wait_for(
                _measure(side, addresses, thread_id, latency_n, sustained_n, [p.process.pid for p in pair]), BUDGET
            )
        )
        servers.stop(pair)
    print(_report(clients, results["nic"], results["bare"]))

    for side in results.values():
        assert side.failed_acks == [], f"{side.name}: sends refused: {side.failed_acks[:3]}"
        assert side.latency_lost == 0, f"{side.name}: {side.latency_lost} deliveries lost (latency phase)"
        assert side.sustained_lost == 0, f"{side.name}: {side.sustained_lost} deliveries lost (sustained phase)"
        assert side.duplicates == 0, f"{side.name}: {side.duplicates} messages delivered twice"
