"""A real sync through a fault-injecting proxy: whatever the network does, HQ ends with each entry once.

Each fault hits one exchange; the terminal's retry (same cycle, or the next one) must leave HQ with every
ledger entry and sale exactly once, the balances equal on both sides, and nothing pending.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import func, select

from pos_client.db.models import LedgerEntry, OutboxRow, Sale
from sync.errors import OfflineError
from sync.hq import admin
from sync.hq.models import HqEntry, HqSale
from sync_harness import Hq, Till
from fault_proxy import FAULTS, FaultProxy


@pytest.fixture
def proxy(hq: Hq) -> Iterator[FaultProxy]:
    server = FaultProxy(hq.port)
    try:
        yield server
    finally:
        server.close()


def _local(till: Till, model: Any, *where: Any) -> int:
    terminal = till.open()
    try:
        with terminal.read() as session:
            return int(session.scalar(select(func.count()).select_from(model).where(*where)) or 0)
    finally:
        terminal.close()


def _hq(hq: Hq, model: Any) -> int:
    with hq.db.read() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def _sell(till: Till, sales: int = 3) -> str:
    member = str(till.kupa("member", "add", "--name", "Dana Cohen")["member_id"])
    for _ in range(sales):
        till.kupa("checkout", "--member", member, "--item", "COFFEE-S:2", "--item", "CROISSANT")
    return member


def _assert_exactly_once(hq: Hq, till: Till, member: str) -> None:
    assert _local(till, OutboxRow, OutboxRow.status != "accepted") == 0  # nothing lost, nothing waiting
    assert _hq(hq, HqEntry) == _local(till, LedgerEntry)
    assert _hq(hq, HqSale) == _local(till, Sale)
    assert admin.member_show(hq.db, member)["points"] == int(till.kupa("member", "show", member)["points"])


@pytest.mark.parametrize("mode", FAULTS)
def test_a_push_fault_then_a_retry_applies_everything_once(hq: Hq, make_till: Any, proxy: FaultProxy,
                                                           mode: str) -> None:
    till = make_till("T1")
    member = _sell(till)
    proxy.arm(mode, "/v1/push", delay=1.0)
    summary = till.sync(server_url=proxy.url, batch=5, read_timeout=0.4)  # several batches, the first hit
    proxy.wait_idle()  # a delayed original reaches HQ after the retry did: it must count as a duplicate
    assert ("/v1/push", mode) in proxy.log
    assert summary.rejected == 0 and summary.pending == 0
    if mode in ("drop_response", "duplicate", "reset"):
        assert summary.duplicate == 5  # HQ had committed the batch the terminal retried (or got twice)
    _assert_exactly_once(hq, till, member)
    assert till.sync(server_url=proxy.url).pushed == 0


def test_a_lost_response_for_a_whole_cycle_is_retried_next_cycle(hq: Hq, make_till: Any,
                                                                 proxy: FaultProxy) -> None:
    till = make_till("T1")
    member = _sell(till)
    proxy.arm("drop_response", "/v1/push", times=3)  # every attempt of this cycle: HQ commits, nobody hears
    with pytest.raises(OfflineError):
        till.sync(server_url=proxy.url)
    proxy.wait_idle()
    assert _local(till, OutboxRow, OutboxRow.status == "pending") > 0  # unconfirmed rows stay pending
    summary = till.sync(server_url=proxy.url)
    assert summary.accepted == 0 and summary.duplicate == summary.pushed > 0
    _assert_exactly_once(hq, till, member)


@pytest.mark.parametrize("mode", ["drop_response", "reset", "duplicate"])
def test_a_pull_fault_applies_each_page_once(hq: Hq, make_till: Any, proxy: FaultProxy, mode: str) -> None:
    t1, t2 = make_till("T1"), make_till("T2")
    member = _sell(t1)
    t1.sync()
    proxy.arm(mode, "/v1/pull")
    summary = t2.sync(server_url=proxy.url, page_size=3)
    proxy.wait_idle()
    # T2 pulls T1's member as HQ's snapshot, never T1's entries; a page applied twice changes nothing twice
    assert ("/v1/pull", mode) in proxy.log
    assert summary.entries == 0 and _local(t2, LedgerEntry) == 0
    at_hq = admin.member_show(hq.db, member)
    shown = t2.kupa("member", "show", member)
    assert (shown["points"], shown["stamps"], shown["tier"]) == (at_hq["points"], at_hq["stamps"], at_hq["tier"])
    assert int(shown["points"]) == int(t1.kupa("member", "show", member)["points"]) > 0
