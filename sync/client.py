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

from pos_client.cards.tokens import looks_like_token
from pos_client.db.models import MemberBalance, OutboxRow, Setting, TrustedKey
from pos_client.errors import KupaError, NotFoundError
from pos_client.services import members
from pos_client.services.members import card_token
from pos_client.messages import Text, message
from pos_client.services import clock
from pos_client.terminal import Terminal, put_setting
from pos_client.timeutil import to_iso, utcnow
from sync import restore
from sync.apply import apply_fetched, apply_page, disagreements, pending_batch, record_results, reused_member_ids
from sync.errors import OfflineError, SyncAuthError, SyncRejected
from sync.lock import sync_lock
from sync import refusals  # noqa: F401  (registers the refusal messages `kupa sync` renders)
from sync.protocol import (HelloRequest, HelloResponse, MemberFetch, MemberFetchRequest, PullRequest, PushResponse,
                           TerminalKey)
from sync.restore import hold_reused
from sync.screen import RawPullPage, screen
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
    #: Members whose HQ-confirmed snapshot this cycle applied (docs/sync.md, "The pull").
    snapshots: int = 0
    cursor: int = 0
    pending: int = 0
    disagreements: list[dict[str, Any]] = field(default_factory=list)
    #: Pulled items left out because they cannot be applied here (kind, ref, reason): `sync_skipped`.
    skipped: list[dict[str, str]] = field(default_factory=list)
    #: Set when this cycle found the terminal restored from a backup (`sync.restore.Restore.to_json`).
    restored: dict[str, Any] | None = None
    #: Unsent items held because HQ gave their member's id to someone else (`sync.restore.hold_reused`).
    held: int = 0
    #: The items HQ refused in this cycle: `kind`, `key`, `code` (`sync.refusals`), `params`, `reason` (English).
    refused: list[dict[str, Any]] = field(default_factory=list)
    finished_at: str = ""
    #: The clock check after HQ's time was read (`pos_client.services.clock`: ok, unverified, behind, hq_disagrees).
    clock: str = "ok"

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


NO_SERVER = message("sync.no_server",
                    en="this terminal has no HQ server: run 'kupa init --server URL --token TOKEN' or "
                       "pass --server",
                    he="לקופה הזו לא הוגדר שרת מטה: הריצו 'kupa init --server URL --token TOKEN' או "
                       "העבירו --server")
NO_TOKEN = message("sync.no_token",
                   en="this terminal has no HQ token: ask HQ for one ('kupa-hq register-terminal')",
                   he="לקופה הזו אין אסימון מטה: בקשו אחד מהמטה ('kupa-hq register-terminal')")


def connect(terminal: Terminal, server_url: str | None = None, *, retry: RetryPolicy | None = None,
            read_timeout: float = 60.0) -> Transport:
    """A transport to the terminal's HQ (or `server_url`), with the token `kupa init --token` stored
    (outside the database: `pos_client.secure`)."""
    url = server_url or terminal.settings.server_url
    token = terminal.hq_token()
    if not url:
        raise SyncAuthError(NO_SERVER, reason="no_server")
    if not token:
        raise SyncAuthError(NO_TOKEN,
                            reason="no_token")
    return Transport(url, token, retry=retry, read_timeout=read_timeout)


WRONG_TERMINAL = message("sync.wrong_terminal",
                         en="the token belongs to terminal {token_terminal}, but this is terminal "
                            "{terminal}",
                         he="האסימון שייך לקופה {token_terminal}, אבל זו קופה {terminal}")


def _hello(terminal: Terminal, transport: Transport) -> HelloResponse:
    """Register the card key and adopt HQ's member-id prefix (first sync), check the token is ours."""
    answer = transport.post("/v1/hello", HelloRequest(terminal_key=_own_key(terminal)), HelloResponse)
    local = terminal.settings.terminal_id
    if answer.terminal_id != local:
        raise SyncAuthError(WRONG_TERMINAL,
                            reason="wrong_terminal", token_terminal=answer.terminal_id, terminal=local)
    with terminal.unit_of_work() as session:
        row = session.get(Setting, "member_prefix")
        if row is None or json.loads(row.value) != answer.member_prefix:
            log.info("adopting member-id prefix %s from HQ", answer.member_prefix)
            put_setting(session, "member_prefix", answer.member_prefix)
        put_setting(session, "hq_prefix_adopted", True)
        if transport.server_time is not None:  # HQ's clock, for the terminal's clock check
            clock.record_hq_time(session, *transport.server_time)
    terminal.forget_settings()  # the open terminal (the app's) must not keep the old prefix
    return answer


def _push(terminal: Terminal, transport: Transport, summary: SyncSummary, batch: int) -> None:
    while True:
        with terminal.read() as session:
            reused = bool(reused_member_ids(session))
        if reused:  # a restored terminal's member HQ refused: its unsent items are held, not sent
            with terminal.unit_of_work() as session:
                summary.held += hold_reused(session)
        with terminal.read() as session:
            ids, body = pending_batch(session, batch)
        if not ids:
            return
        answer = transport.post_bytes("/v1/push", body, PushResponse)
        with terminal.unit_of_work() as session:
            record_results(session, ids, answer)
            refused = [(oid, r) for oid, r in zip(ids, answer.results) if r.status == "rejected"]
            kinds: dict[int, str] = {}
            for start in range(0, len(refused), 900):
                chunk = [oid for oid, _r in refused[start:start + 900]]
                kinds.update((oid, kind) for oid, kind in session.execute(
                    select(OutboxRow.outbox_id, OutboxRow.kind).where(OutboxRow.outbox_id.in_(chunk))))
            summary.refused += [{"kind": kinds.get(oid, ""), "key": r.key, "code": r.code or "", "params": r.params,
                                 "reason": r.reason or ""} for oid, r in refused]
        summary.pushed += len(ids)
        summary.accepted += answer.accepted
        summary.duplicate += answer.duplicate
        summary.rejected += answer.rejected


def _pull(terminal: Terminal, transport: Transport, summary: SyncSummary, page_size: int) -> set[str]:
    """Pull until HQ has nothing more; returns the members whose confirmed balance came with the pages."""
    touched: set[str] = set()
    terminal_id = terminal.settings.terminal_id
    while True:
        cursor = int(_setting(terminal, "sync_cursor") or 0)
        raw = transport.post("/v1/pull", PullRequest(cursor=cursor, page_size=page_size), RawPullPage)
        page, skips = screen(raw)
        with terminal.unit_of_work() as session:
            stats = apply_page(session, page, terminal_id, skips)
        summary.skipped += [asdict(skip) for skip in stats.skipped]
        summary.pulled_pages += 1
        for name in ("members", "cards", "keys", "products", "programs", "entries"):
            setattr(summary, name, getattr(summary, name) + getattr(stats, name))
        touched.update(stats.confirmed)
        summary.snapshots += len(page.snapshots)
        summary.cursor = page.cursor
        if not page.has_more:
            return touched


def _check_balances(terminal: Terminal, summary: SyncSummary, touched: set[str]) -> None:
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
            found = restore.check(terminal, transport, _hello(terminal, transport))
            _push(terminal, transport, summary, batch)
            touched = _pull(terminal, transport, summary, page_size)
            restore.recover(terminal, found)  # after the pull: it brought back the members they belong to
            summary.skipped += [asdict(skip) for skip in found.skipped]
            if found.restored:
                summary.restored = found.to_json()
            _check_balances(terminal, summary, touched)
        finally:
            transport.close()
        now = to_iso(utcnow())
        with terminal.unit_of_work() as session:
            summary.clock = clock.verdict(session, utcnow()).status
            put_setting(session, "last_sync_ok_at", now)
            summary.pending = int(session.scalar(select(func.count()).select_from(OutboxRow)
                                                 .where(OutboxRow.status == "pending")) or 0)
        summary.finished_at = now
        return summary


NOT_AT_HQ = message("sync.member_not_at_hq", en="HQ knows no member with id or card number {code}",
                    he="במטה אין חבר עם מספר או כרטיס {code}")


@dataclass
class WalkIn:
    """How a member of another store was taken in: `fetched` from HQ (figures confirmed, spending allowed with
    their card) or recorded `earn_only` because HQ could not be reached (`pos_client.services.members.walk_in`)."""

    member_id: str
    how: str  # fetched | earn_only
    points: int | None = None


def fetch_member(terminal: Terminal, code: str, server_url: str | None = None, *,
                 retry: RetryPolicy | None = None, read_timeout: float = 60.0) -> str:
    """Fetch a member of another store from HQ by member id, card number or card token and store them here
    (row, cards, HQ-confirmed snapshot); HQ links them to this terminal's store, so its pulls carry their
    changes from then on. Returns the member id; raises OfflineError when HQ cannot be reached."""
    code = (code or "").strip()
    if looks_like_token(code):
        code = card_token(code).member_id
    transport = connect(terminal, server_url, retry=retry, read_timeout=read_timeout)
    try:
        try:
            fetched = transport.post("/v1/member", MemberFetchRequest(code=code[:64]), MemberFetch)
        except SyncRejected as exc:
            if exc.status in (404, 422):
                raise NotFoundError(NOT_AT_HQ, code=code[:40]) from exc
            raise
    finally:
        transport.close()
    with terminal.unit_of_work() as session:
        for skip in apply_fetched(session, fetched, terminal.settings.terminal_id):
            log.warning("fetched %s %s left out: %s", skip.kind, skip.ref, skip.reason)
    return fetched.member.member_id


#: At the counter a customer is waiting: one try, a short wait, then earn-only (HQ confirms at the next sync).
COUNTER_RETRY = RetryPolicy(attempts=1)
COUNTER_TIMEOUT = 5.0


def is_unknown_member(exc: KupaError) -> bool:
    """Whether a refusal to identify means "a member this terminal does not know yet" (a signed card or a
    member id with a right check digit): a walk-in from another store, to take in rather than refuse."""
    reason = exc.params.get("reason")  # a card refusal carries its cause as a catalogue text
    codes = {exc.message_code, reason.code if isinstance(reason, Text) else None}
    return bool(codes & {members.CARD_MEMBER_UNKNOWN.code, members.NO_MEMBER_ID.code})


def take_walk_in(terminal: Terminal, code: str, server_url: str | None = None, *,
                 retry: RetryPolicy | None = None, read_timeout: float = 60.0) -> WalkIn:
    """A member of another store at the counter: fetched from HQ when it answers, else recorded here as
    earn-only until HQ confirms them at the next sync (docs/sync.md, "Walk-ins")."""
    try:
        member_id = fetch_member(terminal, code, server_url, retry=retry, read_timeout=read_timeout)
        with terminal.read() as session:
            points = session.scalar(select(MemberBalance.points).where(MemberBalance.member_id == member_id))
        return WalkIn(member_id, "fetched", int(points or 0))
    except OfflineError:
        log.info("HQ unreachable: %s is taken in as earn-only until HQ confirms them", code[:40])
    with terminal.unit_of_work() as session:
        record = members.walk_in(session, code, utcnow())
    return WalkIn(record.member_id, "earn_only")


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

