"""Bookkeeping for the fan-out benchmark: receipts per message and client, percentiles,
and the CPU time of server processes and of Redis."""

from __future__ import annotations

import asyncio
import os
import time

from tests.bench.fanout_clients import SioClient, now

WAIT = 10.0  # seconds without progress before the missing receipts count as lost
CPU_TICK = os.sysconf("SC_CLK_TCK")


class Receipts:
    """Receipt stamps per message (seq) and client; messages carry `<tag>:<seq>.` in
    their body, so anything else on the room (another run's traffic on the shared Redis)
    is counted apart and ignored."""

    def __init__(self, tag: str, clients: int):
        self.tag, self.clients = tag, clients
        self.stamps: dict[int, list[float | None]] = {}
        self.count: dict[int, int] = {}
        self.done: dict[int, asyncio.Event] = {}
        self.duplicates = self.foreign = 0
        self.last = 0.0  # the last receipt of one of our messages
        self.last_any = now()  # the last event of any kind

    def expect(self, seq: int) -> None:
        self.stamps[seq] = [None] * self.clients
        self.count[seq] = 0
        self.done[seq] = asyncio.Event()

    def on_event(self, client: SioClient, text: str, stamp: float) -> None:
        self.last_any = stamp
        at = text.find(self.tag)
        if not text.startswith('2["message"') or at < 0:
            self.foreign += 1
            return
        start = at + len(self.tag) + 1
        seq = int(text[start : text.index(".", start)])
        row = self.stamps.get(seq)
        if row is None:
            self.foreign += 1
        elif row[client.index] is not None:
            self.duplicates += 1
        else:
            row[client.index] = stamp
            self.count[seq] += 1
            self.last = max(self.last, stamp)
            if self.count[seq] == self.clients:
                self.done[seq].set()

    async def quiet(self, period: float = 1.0, cap: float = 120.0) -> None:
        """Until no event has arrived for `period` seconds (at most `cap`)."""
        deadline = now() + cap
        while now() - self.last_any < period and now() < deadline:
            await asyncio.sleep(0.1)

    async def wait(self, seqs, timeout: float = WAIT) -> None:
        """Until every client has every one of `seqs`, or `timeout` passes without progress."""
        pending = [seq for seq in seqs if not self.done[seq].is_set()]
        while pending:
            before = sum(self.count[seq] for seq in pending)
            try:
                await asyncio.wait_for(self.done[pending[0]].wait(), timeout)
            except TimeoutError:
                if sum(self.count[seq] for seq in pending) == before:
                    return
            pending = [seq for seq in pending if not self.done[seq].is_set()]

    def latencies(self, sent: dict[int, float]) -> list[float]:
        return [stamp - sent[seq] for seq in sent for stamp in self.stamps[seq] if stamp is not None]

    def first_and_spread(self, sent: dict[int, float]) -> tuple[list[float], list[float]]:
        """Per message: send to its first receipt (the work before the broadcast, plus
        one delivery), and first to last receipt (the fan-out itself)."""
        firsts, spreads = [], []
        for seq, at in sent.items():
            got = [stamp for stamp in self.stamps[seq] if stamp is not None]
            if got:
                firsts.append(min(got) - at)
                spreads.append(max(got) - min(got))
        return firsts, spreads

    def summary(self, seqs) -> dict:
        """Receipts per message on the first and the second server (clients alternate)."""
        return {
            seq: (
                sum(s is not None for s in self.stamps[seq][0::2]),
                sum(s is not None for s in self.stamps[seq][1::2]),
            )
            for seq in seqs
        }

    def lost(self, seqs) -> int:
        return sum(self.clients - self.count[seq] for seq in seqs)


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def cpu_seconds(pgid: int) -> float:
    """User + system CPU of every process in a process group (the gunicorn master and worker)."""
    total = 0
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid:  # fields after the name: state ppid pgrp ...
            total += int(fields[11]) + int(fields[12])
    return total / CPU_TICK


def redis_cpu(client) -> float:
    info = client.info("cpu")
    return info["used_cpu_user"] + info["used_cpu_sys"]


def busy_fraction(seconds: float = 1.0) -> float:
    """How busy every core of the machine was over the next `seconds` (0 to 1), from
    /proc/stat: what else runs on the machine when a side starts."""

    def sample():
        with open("/proc/stat") as fh:
            values = [int(v) for v in fh.readline().split()[1:]]
        idle = values[3] + values[4]  # idle + iowait
        return sum(values) - idle, sum(values)

    busy0, total0 = sample()
    time.sleep(seconds)
    busy1, total1 = sample()
    return (busy1 - busy0) / max(1, total1 - total0)
