"""The terminal's sync client: one cycle pushes the outbox, then pulls HQ's changes until there are none.

Order matters. Pushing first means the pull's confirmed balances already include this terminal's entries,
so after a cycle the terminal and HQ agree. An outbox row is marked only from HQ's answer; if the answer is
lost (HQ committed, the connection dropped) the row stays pending, the batch is sent again, and HQ reports
its items as duplicates — applied once. Only one cycle runs per terminal database at a time (`sync_lock`).

`kupa sync` loads this module lazily (the core never imports `requests`); the app's background worker calls
:func:`sync_once` on a timer and :func:`run_forever` backs off exponentially with jitter while offline.
"""

from __future__ import annotations

import json
import logging
import random
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import func, select

from pos_client.db.models import OutboxRow, Setting, TrustedKey
from pos_client.terminal import Terminal, put_setting
from pos_client.timeutil import to_iso, utcnow
from sync.apply import apply_page, disagreements, pending_batch, record_results
from sync.errors import OfflineError, SyncAuthError
from sync.lock import sync_lock
from sync.protocol import HelloRequest, HelloResponse, PullPage, PullRequest, PushResponse, TerminalKey
from sync.transport import RetryPolicy, Transport

log = logging.getLogger(__name__)
PUSH_BATCH = 2000
PAGE_SIZE = 5000


@dataclass
class SyncSummary:
    """What one cycle did: printed by `kupa sync`, shown by the app's status bar."""

    terminal_id: str = ""
    server: str = ""
    pushed: int = 0
    accepted: int = 0
    duplicate: int = 0
    rejected: int = 0
    pulled_pages: int = 0
    members: int = 0
    cards: int = 0
    keys: int = 0
    products: int = 0
    programs: int = 0
    entries: int = 0
    cursor: int = 0
    pending: int = 0
    disagreements: list[dict[str, Any]] = field(default_factory=list)
    finished_at: str = ""

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def _setting(terminal: Terminal, key: str) -> Any:
    with terminal.read() as session:
        row = session.get(Setting, key)
        return json.loads(row.value) if row is not None else None


def _own_key(terminal: Terminal) -> TerminalKey | None:
    with terminal.read() as session:
        row = session.scalar(select(TrustedKey).where(TrustedKey.owner == terminal.settings.terminal_id).limit(1))
        return TerminalKey(key_id=row.key_id, public_key=row.public_key) if row is not None else None


def connect(terminal: Terminal, server_url: str | None = None, *, retry: RetryPolicy | None = None,
            read_timeout: float = 60.0) -> Transport:
    """A transport to the terminal's HQ (or `server_url`), with the token `kupa init --token` stored
    (outside the database: `pos_client.secure`)."""
    url = server_url or terminal.settings.server_url
    token = terminal.hq_token()
    if not url:
        raise SyncAuthError("this terminal has no HQ server: run 'kupa init --server URL --token TOKEN' "
                            "or pass --server", reason="no_server")
    if not token:
        raise SyncAuthError("this terminal has no HQ token: ask HQ for one ('kupa-hq register-terminal')",
                            reason="no_token")
    return Transport(url, token, retry=retry, read_timeout=read_timeout)


def _hello(terminal: Terminal, transport: Transport) -> HelloResponse:
    """Register the card key and adopt HQ's member-id prefix (first sync), check the token is ours."""
    answer = transport.post("/v1/hello", HelloRequest(terminal_key=_own_key(terminal)), HelloResponse)
    local = terminal.settings.terminal_id
    if answer.terminal_id != local:
        raise SyncAuthError(f"the token belongs to terminal {answer.terminal_id}, but this is terminal {local}",
                            reason="wrong_terminal", token_terminal=answer.terminal_id, terminal=local)
    with terminal.unit_of_work() as session:
        row = session.get(Setting, "member_prefix")
        if row is None or json.loads(row.value) != answer.member_prefix:
            log.info("adopting member-id prefix %s from HQ", answer.member_prefix)
            put_setting(session, "member_prefix", answer.member_prefix)
        put_setting(session, "hq_prefix_adopted", True)
    terminal.forget_settings()  # the open terminal (the app's) must not keep the old prefix
    return answer


def _push(terminal: Terminal, transport: Transport, summary: SyncSummary, batch: int) -> None:
    while True:
        with terminal.read() as session:
            ids, body = pending_batch(session, batch)
        if not ids:
            return
        answer = transport.post_bytes("/v1/push", body, PushResponse)
        with terminal.unit_of_work() as session:
            record_results(session, ids, answer)
        summary.pushed += len(ids)
        summary.accepted += answer.accepted
        summary.duplicate += answer.duplicate
        summary.rejected += answer.rejected


def _pull(terminal: Terminal, transport: Transport, summary: SyncSummary, page_size: int) -> None:
    touched: set[str] = set()
    terminal_id = terminal.settings.terminal_id
    while True:
        cursor = int(_setting(terminal, "sync_cursor") or 0)
        page = transport.post("/v1/pull", PullRequest(cursor=cursor, page_size=page_size), PullPage)
        with terminal.unit_of_work() as session:
            stats = apply_page(session, page, terminal_id)
        summary.pulled_pages += 1
        for name in ("members", "cards", "keys", "products", "programs", "entries"):
            setattr(summary, name, getattr(summary, name) + getattr(stats, name))
        touched.update(stats.confirmed)
        summary.cursor = page.cursor
        if not page.has_more:
            break
    with terminal.read() as session:
        summary.disagreements = disagreements(session, sorted(touched))
    for item in summary.disagreements:
        log.warning("member %s: %s points here, %s confirmed by HQ", item["member_id"], item["terminal"], item["hq"])


def sync_once(terminal: Terminal, server_url: str | None = None, *, retry: RetryPolicy | None = None,
              batch: int = PUSH_BATCH, page_size: int = PAGE_SIZE, read_timeout: float = 60.0) -> SyncSummary:
    """One full cycle under the terminal's sync lock; raises OfflineError, SyncAuthError, SyncRejected, SyncBusy."""
    with sync_lock(terminal.data_dir):
        transport = connect(terminal, server_url, retry=retry, read_timeout=read_timeout)
        summary = SyncSummary(terminal_id=terminal.settings.terminal_id, server=transport.base)
        try:
            _hello(terminal, transport)
            _push(terminal, transport, summary, batch)
            _pull(terminal, transport, summary, page_size)
        finally:
            transport.close()
        now = to_iso(utcnow())
        with terminal.unit_of_work() as session:
            put_setting(session, "last_sync_ok_at", now)
            summary.pending = int(session.scalar(select(func.count()).select_from(OutboxRow)
                                                 .where(OutboxRow.status == "pending")) or 0)
        summary.finished_at = now
        return summary


def backoff_delay(failures: int, interval: float, max_backoff: float) -> float:
    """Seconds to wait after `failures` unreachable cycles in a row: doubling, capped, with full-range jitter
    (between half and all of it) so a store's counters do not all return to HQ at the same moment."""
    return float(min(max_backoff, interval * 2 ** min(failures, 10)) * random.uniform(0.5, 1.0))


def last_sync_ok(terminal: Terminal) -> str | None:
    """When this terminal's last cycle succeeded (UTC ISO 8601), or None if it never did."""
    value = _setting(terminal, "last_sync_ok_at")
    return str(value) if value else None


def run_forever(terminal: Terminal, server_url: str | None = None, *, interval: float = 60.0,
                max_backoff: float = 900.0, on_cycle: Callable[[SyncSummary | Exception], None] | None = None,
                should_stop: Callable[[], bool] = lambda: False) -> None:
    """Sync every `interval` seconds; while HQ is unreachable wait exponentially longer (with jitter)."""
    failures = 0
    while not should_stop():
        try:
            result: SyncSummary | Exception = sync_once(terminal, server_url)
            failures = 0
            delay = interval
        except OfflineError as exc:
            result = exc
            failures += 1
            delay = backoff_delay(failures, interval, max_backoff)
            log.info("HQ unreachable (%s); next try in %.0f s", exc.message, delay)
        if on_cycle is not None:
            on_cycle(result)
        end = time.monotonic() + delay
        while time.monotonic() < end and not should_stop():
            time.sleep(min(1.0, end - time.monotonic()))

