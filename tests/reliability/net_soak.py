"""Push batches through the sync suite's fault-injecting proxy with random faults (used by the test and
`bench/soak_network.py`).

`RandomFaultProxy` is `tests/integration/sync/fault_proxy.FaultProxy` with one change: besides faults armed
by hand, each request draws a fault at random (seeded): drop the request, drop the response after HQ
committed, delay it (shorter or longer than the terminal's read timeout), reset mid-answer, or send it
twice. Pushes are hit most; pulls and hellos sometimes too.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import rel_harness  # noqa: F401  (puts the sync suite's helpers on sys.path)
from fault_proxy import FAULTS, Fault, FaultProxy

from pos_client.ledger import EntryDraft, append_many
from pos_client.services.checkout import BasketRequest, checkout
from pos_client.terminal import Terminal
from pos_client.timeutil import utcnow
from rel_harness import FAST_RETRY, TERMINAL_ID, check_hq, check_store, start_hq, stop_hq
from sync.client import sync_once
from sync.errors import OfflineError

READ_TIMEOUT = 0.25


class RandomFaultProxy(FaultProxy):
    rng: random.Random = random.Random(0)
    rates = {"/v1/push": 0.2, "/v1/pull": 0.05, "/v1/hello": 0.05}

    def _take(self, path: str) -> Fault | None:
        armed = super()._take(path)
        if armed is not None or self.rng.random() >= self.rates.get(path, 0.0):
            return armed
        mode = self.rng.choice(FAULTS)
        delay = self.rng.choice([0.02, READ_TIMEOUT + 0.1]) if mode == "delay" else 0.0
        return Fault(mode, path, delay)


@dataclass
class NetStats:
    batches: int = 0
    items: int = 0
    cycles: int = 0
    failed_cycles: int = 0
    push_requests: int = 0
    faults: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0


def _add_rows(terminal: Terminal, members: list[str], rng: random.Random, rows: int) -> None:
    """About `rows` new outbox rows: a sale now and then, the rest small adjustments (one transaction)."""
    if rng.random() < 0.5:
        checkout(terminal, BasketRequest(items=(("COFFEE-S", rng.randint(1, 3)),), member_code=rng.choice(members)))
        rows -= 3
    if rows > 0:
        now = utcnow() - timedelta(seconds=1)
        with terminal.unit_of_work() as session:
            append_many(session, [EntryDraft(rng.choice(members), "adjust", points_delta=rng.randint(-5, 20),
                                             reason="network soak") for _ in range(rows)],
                        terminal_id=TERMINAL_ID, now=now)


def network_soak(store: Path, hq_file: Path, members: list[str], *, batches: int, seed: int) -> NetStats:
    """Sell and sync through a faulty proxy until `batches` push batches were sent, then check HQ."""
    rng = random.Random(seed)
    hq = start_hq(hq_file)
    proxy = RandomFaultProxy(hq.port)
    proxy.rng = random.Random(seed + 1)
    stats = NetStats()
    started = time.monotonic()
    terminal = Terminal.open(store)
    try:
        while stats.batches < batches:
            size = rng.choice([1, 1, 2, 3])
            _add_rows(terminal, members, rng, rng.randint(5, 40))
            stats.cycles += 1
            try:
                summary = sync_once(terminal, proxy.url, retry=FAST_RETRY, batch=size, read_timeout=READ_TIMEOUT)
            except OfflineError:
                stats.failed_cycles += 1  # every retry of one request hit a fault: the next cycle goes on
                continue
            finally:
                proxy.wait_idle()
            assert summary.rejected == 0 and summary.pending == 0, summary
            stats.batches += -(-summary.pushed // size)
            stats.items += summary.pushed
        summary = sync_once(terminal, hq.url, retry=FAST_RETRY)  # straight to HQ: nothing may be left
        assert summary.pushed == 0 and summary.pending == 0, summary
    finally:
        terminal.close()
        proxy.close()
        stop_hq(hq)
    stats.push_requests = sum(1 for path, _ in proxy.log if path == "/v1/push")
    stats.faults = Counter(mode for _, mode in proxy.log if mode != "pass")
    stats.seconds = time.monotonic() - started
    check_store(store)
    check_hq(store, hq_file)
    return stats
