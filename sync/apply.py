"""The terminal's side of a sync, in its own database: reading the outbox, recording HQ's answers, applying
pulled pages.

A pulled page and the new cursor are written in ONE terminal transaction: a crash or a power cut mid-page
leaves the old cursor and none of the page, and the next sync pulls the page again (every write here is an
upsert or skips what is already there, so a replayed page changes nothing twice). Entries that originated on
this terminal are never re-appended: they are already in its ledger.

Entries from other terminals are inserted into the ledger and folded into the projections with
`pos_client.ledger.project` (its batched form when the core has one), so a member's balance here is the sum of every entry HQ confirmed plus this
terminal's entries not yet pushed — the same figure HQ reaches once they arrive.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from pos_client.db.models import (Card, LedgerEntry, Member, MemberBalance, OutboxRow, Product, Sale, SyncConfirmed,
                                  TrustedKey)
from pos_client.errors import InvalidInputError
from pos_client import ledger
from pos_client.program.schema import load_program_text
from pos_client.services.programs import install_program
from pos_client.terminal import put_setting
from pos_client.timeutil import to_iso, utcnow
from sync.protocol import PullPage, PushResponse

log = logging.getLogger(__name__)
_CHUNK = 900
MAX_BATCH_BYTES = 2_000_000


def pending_batch(session: Session, limit: int, max_bytes: int = MAX_BATCH_BYTES) -> tuple[list[int], bytes]:
    """The oldest `limit` pending outbox rows (fewer past `max_bytes`, well under HQ's 5 MB request limit),
    in the order they were written, as a push request body.

    The payloads are stored as JSON already, so the request is assembled from them as text: no parsing, no
    model per row (HQ validates every item). Only a card's payload is read, for its idempotency key.
    """
    rows = session.execute(select(OutboxRow.outbox_id, OutboxRow.kind, OutboxRow.ref_id, OutboxRow.payload)
                           .where(OutboxRow.status == "pending").order_by(OutboxRow.outbox_id).limit(limit)).all()
    ids: list[int] = []
    parts: list[str] = []
    size = 0
    for outbox_id, kind, ref_id, payload in rows:
        if parts and size + len(payload) > max_bytes:
            break
        size += len(payload) + 100
        key = ref_id
        if kind == "card":
            key = f"{ref_id}:{'revoke' if json.loads(payload).get('revoked_at') else 'issue'}"
        ids.append(outbox_id)
        parts.append(f'{{"kind":{json.dumps(kind)},"key":{json.dumps(key)},"body":{payload}}}')
    if not parts:
        return [], b""
    return ids, f'{{"protocol":1,"items":[{",".join(parts)}]}}'.encode("utf-8")


def record_results(session: Session, ids: list[int], response: PushResponse) -> None:
    """Mark each row accepted (accepted or duplicate at HQ) or rejected with HQ's reason, for the manager."""
    if len(response.results) != len(ids):
        raise ValueError("HQ answered a different number of items than were sent")
    now = to_iso(utcnow())
    accepted = [oid for oid, r in zip(ids, response.results) if r.status != "rejected"]
    for start in range(0, len(accepted), _CHUNK):
        session.execute(update(OutboxRow).where(OutboxRow.outbox_id.in_(accepted[start:start + _CHUNK]))
                        .values(status="accepted", sent_at=now, error=None))
    for oid, result in zip(ids, response.results):
        if result.status == "rejected":
            log.warning("HQ rejected outbox row %d (%s): %s", oid, result.key, result.reason)
            session.execute(update(OutboxRow).where(OutboxRow.outbox_id == oid).values(
                status="rejected", sent_at=now, error=(result.reason or "rejected by HQ")[:300]))


@dataclass
class PageStats:
    members: int = 0
    cards: int = 0
    keys: int = 0
    products: int = 0
    programs: int = 0
    entries: int = 0
    skipped_own: int = 0
    confirmed: list[str] = field(default_factory=list)


def _upsert(session: Session, table: Any, rows: list[dict[str, Any]], key: str, keep: tuple[str, ...] = ()) -> None:
    """INSERT ... ON CONFLICT DO UPDATE in one executemany; columns in `keep` are never cleared once set."""
    if not rows:
        return
    stmt = sqlite_insert(table)
    updates = {c: (func.coalesce(table.c[c], stmt.excluded[c]) if c in keep else stmt.excluded[c])
               for c in rows[0] if c != key}
    session.execute(stmt.on_conflict_do_update(index_elements=[key], set_=updates), rows)


def _existing(session: Session, column: Any, keys: list[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(keys), _CHUNK):
        found.update(session.scalars(select(column).where(column.in_(keys[start:start + _CHUNK]))))
    return found


def apply_page(session: Session, page: PullPage, terminal_id: str) -> PageStats:
    """Apply one pulled page and its cursor inside the caller's unit of work."""
    stats = PageStats()
    session.flush()
    _upsert(session, Member.__table__, [m.model_dump() for m in page.members], "member_id")
    stats.members = len(page.members)
    _upsert(session, Card.__table__, [
        {"card_number": c.card_number, "member_id": c.member_id, "serial": c.serial, "key_id": c.key_id,
         "issued_at": c.issued_at or c.revoked_at or to_iso(utcnow()), "revoked_at": c.revoked_at,
         "revoked_reason": c.reason} for c in page.cards], "card_number", keep=("revoked_at", "revoked_reason"))
    stats.cards = len(page.cards)
    _upsert(session, TrustedKey.__table__, [k.model_dump() for k in page.keys], "key_id", keep=("revoked_at",))
    stats.keys = len(page.keys)
    _upsert(session, Product.__table__, [p.model_dump() for p in page.products], "sku")
    stats.products = len(page.products)
    for wire in page.programs:
        try:
            if install_program(session, load_program_text(wire.document), utcnow()):
                stats.programs += 1
        except InvalidInputError as exc:
            log.warning("program version %d from HQ not installed: %s", wire.version, exc.message)
    _apply_entries(session, page, terminal_id, stats)
    now = to_iso(utcnow())
    _upsert(session, SyncConfirmed.__table__, [
        {"member_id": b.member_id, "points": b.points, "stamps": json.dumps(b.stamps, sort_keys=True),
         "entries": b.entries, "confirmed_at": now} for b in page.balances], "member_id")
    stats.confirmed = [b.member_id for b in page.balances]
    put_setting(session, "sync_cursor", page.cursor)
    return stats


def _apply_entries(session: Session, page: PullPage, terminal_id: str, stats: PageStats) -> None:
    """Insert other terminals' entries (one multi-row INSERT) and fold them into the projections."""
    ids = [e.entry_id for e in page.entries]
    known = _existing(session, LedgerEntry.entry_id, ids)
    sales = _existing(session, Sale.sale_id, [e.sale_id for e in page.entries if e.sale_id])
    rows: list[dict[str, Any]] = []
    for wire in page.entries:
        if wire.entry_id in known:
            continue
        if wire.terminal_id == terminal_id:
            # Ours, yet missing here (a restored backup?): never re-append; HQ already has it.
            stats.skipped_own += 1
            log.warning("entry %s of this terminal came back from HQ but is not in the local ledger", wire.entry_id)
            continue
        rows.append(wire.model_dump())
        known.add(wire.entry_id)
    if not rows:
        return
    session.flush()
    # The sale lives at HQ and on the terminal that made it; here the entry keeps no dangling reference.
    session.execute(insert(LedgerEntry), [
        row | {"sale_id": row["sale_id"] if row["sale_id"] in sales else None} for row in rows])
    ledger.project_rows(session, rows)  # with the sale ids, so the members' sales counts are right
    stats.entries += len(rows)


def disagreements(session: Session, member_ids: list[str]) -> list[dict[str, int | str]]:
    """Members whose balance here, minus entries HQ has not confirmed yet, differs from HQ's confirmed one."""
    out: list[dict[str, int | str]] = []
    for start in range(0, len(member_ids), _CHUNK):
        chunk = member_ids[start:start + _CHUNK]
        confirmed = {k: v for k, v in session.execute(
            select(SyncConfirmed.member_id, SyncConfirmed.points).where(SyncConfirmed.member_id.in_(chunk)))}
        local = {k: v for k, v in session.execute(
            select(MemberBalance.member_id, MemberBalance.points).where(MemberBalance.member_id.in_(chunk)))}
        pending = {k: v for k, v in session.execute(
            select(LedgerEntry.member_id, func.sum(LedgerEntry.points_delta))
            .join(OutboxRow, (OutboxRow.ref_id == LedgerEntry.entry_id) & (OutboxRow.kind == "ledger_entry"))
            .where(OutboxRow.status == "pending", LedgerEntry.member_id.in_(chunk))
            .group_by(LedgerEntry.member_id))}
        for member_id, points in confirmed.items():
            here = int(local.get(member_id, 0)) - int(pending.get(member_id) or 0)
            if here != points:
                out.append({"member_id": member_id, "terminal": here, "hq": int(points)})
    return out
