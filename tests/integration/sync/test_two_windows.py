"""Two app windows on one terminal folder: two `SyncWorker`s (the app's sync thread), one outbox.

Each worker opens the folder on its own (`Terminal.open`, as a second window or a second process would), and
only the folder's file lock (`sync.lock`) keeps them apart. HQ records every push it answers: no outbox row may
be sent by both workers (HQ would call the second copy a duplicate), and HQ must hold each entry and sale once.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import func, select

from pos_client.db.models import LedgerEntry, OutboxRow, Sale
from pos_client.terminal import Terminal
from sync.errors import SyncBusy
from sync.hq.models import HqEntry, HqSale
from sync.protocol import PushResponse
from sync_harness import Hq, Till

pytest.importorskip("PySide6")
from PySide6.QtCore import Qt  # noqa: E402

from ui.sync_worker import SyncWorker  # noqa: E402


def _count(terminal: Terminal, model: Any, *where: Any) -> int:
    with terminal.read() as session:
        return int(session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def _hq_count(hq: Hq, model: Any) -> int:
    with hq.db.read() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


class Window:
    """What one app window runs for the sync: its own Terminal on the folder and a SyncWorker on it."""

    def __init__(self, till: Till) -> None:
        self.terminal = till.open()
        self.worker = SyncWorker(self.terminal, interval=60.0, max_backoff=60.0)
        self.results: list[object] = []
        # Direct: the cycles run on plain threads here (a QThread in the app), with no event loop to queue to.
        self.worker.cycle_done.connect(self.results.append, Qt.ConnectionType.DirectConnection)

    def close(self) -> None:
        self.worker.stopping.set()
        self.terminal.close()


@pytest.fixture
def two_windows(make_till: Any) -> Iterator[tuple[Till, Window, Window]]:
    till = make_till("T1")
    first, second = Window(till), Window(till)
    try:
        yield till, first, second
    finally:
        first.close()
        second.close()


def _sell(till: Till, member: str, sales: int) -> None:
    for _ in range(sales):
        till.kupa("checkout", "--member", member, "--item", "COFFEE-S:2", "--item", "CROISSANT")


def test_a_second_window_waits_while_the_first_one_pushes(hq: Hq, two_windows: tuple[Till, Window, Window]) -> None:
    till, first, second = two_windows
    member = str(till.kupa("member", "add", "--name", "Dana Cohen")["member_id"])
    _sell(till, member, 3)
    pushed: list[PushResponse] = []
    inside, release = threading.Event(), threading.Event()

    def hold(_terminal_id: str, response: PushResponse) -> None:  # HQ committed; the answer waits
        pushed.append(response)
        inside.set()
        assert release.wait(20)

    hq.hooks.after_push = hold
    thread = threading.Thread(target=first.worker.run_cycle)
    thread.start()
    try:
        assert inside.wait(20)
        second.worker.run_cycle()  # the second window's timer fires while the first is mid-push
        assert len(second.results) == 1 and isinstance(second.results[0], SyncBusy)
    finally:
        release.set()
        thread.join(30)
    hq.hooks.after_push = None
    assert [type(r).__name__ for r in first.results] == ["SyncSummary"]
    second.worker.run_cycle()  # the next tick: nothing left to send
    assert second.results[-1].pushed == 0  # type: ignore[attr-defined]
    assert len(pushed) == 1 and pushed[0].duplicate == 0
    assert _hq_count(hq, HqEntry) == _count(first.terminal, LedgerEntry)
    assert _hq_count(hq, HqSale) == _count(first.terminal, Sale) == 3


def test_two_windows_syncing_at_once_never_send_an_outbox_row_twice(
        hq: Hq, two_windows: tuple[Till, Window, Window]) -> None:
    till, first, second = two_windows
    member = str(till.kupa("member", "add", "--name", "Avi Levi")["member_id"])
    pushed: list[PushResponse] = []
    hq.hooks.after_push = lambda _terminal_id, response: pushed.append(response)
    busy = 0
    for _round in range(6):  # sales between rounds; both windows' timers fire together each round
        _sell(till, member, 2)
        start = threading.Barrier(2)

        def cycle(window: Window) -> None:
            start.wait(10)
            window.worker.run_cycle()

        threads = [threading.Thread(target=cycle, args=(w,)) for w in (first, second)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        busy += sum(isinstance(r, SyncBusy) for r in first.results[-1:] + second.results[-1:])
    for window in (first, second):
        assert all(type(r).__name__ in ("SyncSummary", "SyncBusy") for r in window.results), window.results
    first.worker.run_cycle()  # a last cycle alone, so that nothing is left waiting
    assert _count(first.terminal, OutboxRow, OutboxRow.status != "accepted") == 0
    assert sum(r.duplicate for r in pushed) == 0  # no row was ever sent by both windows
    assert sum(r.rejected for r in pushed) == 0
    assert sum(r.accepted for r in pushed) == _count(first.terminal, OutboxRow)  # each row sent exactly once
    assert _hq_count(hq, HqEntry) == _count(first.terminal, LedgerEntry)
    assert _hq_count(hq, HqSale) == _count(first.terminal, Sale) == 12
    assert len(first.results) + len(second.results) == 13
