"""The terminal's side of a sync, in its own database: reading the outbox, recording HQ's answers, applying
pulled pages.

A pulled page and the new cursor are written in ONE terminal transaction: a crash or a power cut mid-page
leaves the old cursor and none of the page, and the next sync pulls the page again (every write here is an
upsert or skips what is already there, so a replayed page changes nothing twice). Entries that originated on
this terminal are never re-appended: they are already in its ledger.

Nothing HQ sends can stop a pull: the page is screened item by item first (`sync.screen`), each kind of row
is written in a savepoint and, if the database refuses the lot, row by row, so a row that breaks a constraint
(a (terminal, seq) already taken, a card for a member this terminal does not have) is left out; every item
left out is recorded in `sync_skipped` with its reason, and the cursor still moves past the page. A pulled
member whose id this terminal holds for another enrolment (a restored terminal's re-used id, refused at HQ
as `member_id_reused`) never overwrites the local one, and entries for such an id are not applied to it.

HQ sends each member of the terminal's store that changed as an HQ-confirmed snapshot (`WireSnapshot`),
never other terminals' raw entries. The snapshot becomes the member's base and this terminal's entries HQ has
not accepted yet are folded on top (`rebase`), so a member's figures here are HQ's fold plus what HQ has not
seen — the same figure HQ reaches once they arrive. (An older HQ sent the entries themselves; they are still
inserted into the ledger and folded into the projections if one does.)
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from pos_client.giftcards import ledger as gift_ledger
from pos_client.db import driver
from pos_client.db.models import (Card, LedgerEntry, Member, MemberBalance, MemberDay, MemberPromo, MemberSnapshot,
                                  MemberStamps, OutboxRow, Product, Sale, SyncConfirmed, SyncSkipped, TrustedKey)
from pos_client.errors import InvalidInputError
from pos_client import ledger
from pos_client.program.schema import load_program_text
from pos_client.services.programs import install_program
from pos_client.terminal import put_setting
from pos_client.timeutil import same_instant, to_iso, utcnow
from sync.protocol import MemberFetch, PullPage, PushResponse, WireSnapshot
from sync.screen import Skip

log = logging.getLogger(__name__)
#: Pulled items the terminal could not apply (for `kupa sync` and the manager, the newest first).
sync_skipped = driver.table(SyncSkipped)
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
    skipped: list[Skip] = field(default_factory=list)


def _guarded(session: Session, kind: str, key: str, rows: list[dict[str, Any]],
             write: Callable[[list[dict[str, Any]]], None], skips: list[Skip]) -> list[dict[str, Any]]:
    """`write(rows)` in a savepoint; if the database refuses it, row by row, leaving out (and reporting in
    `skips`) each row it refuses. Returns the rows written. Only refusals of the data are caught: a full
    disk or a locked database still ends the cycle (`pos_client.terminal.storage_errors`)."""
    if not rows:
        return []
    try:
        with session.begin_nested():
            write(rows)
        return rows
    except _REFUSED:
        pass
    done: list[dict[str, Any]] = []
    for row in rows:
        try:
            with session.begin_nested():
                write([row])
            done.append(row)
        except _REFUSED as exc:
            text = str(getattr(exc, "orig", None) or exc).splitlines()[0] if str(exc) else type(exc).__name__
            skips.append(Skip(kind, str(row.get(key))[:100], f"constraint: {text}"[:300]))
    return done


_REFUSED = (IntegrityError, sqlite3.IntegrityError, ValueError, TypeError, KeyError)


def record_skips(session: Session, skips: list[Skip], cursor: int) -> None:
    """Keep the pulled items left out, with the cursor of their page, for `kupa sync` and the manager."""
    if not skips:
        return
    now = to_iso(utcnow())
    c = sync_skipped.c
    seen = set(session.execute(select(c.kind, c.ref, c.reason).where(
        c.ref.in_(list({s.ref for s in skips})[:_CHUNK]))).tuples().all())
    fresh = [s for s in dict.fromkeys(skips) if (s.kind, s.ref, s.reason) not in seen]  # a page pulled again
    for skip in fresh:
        log.warning("pulled %s %s skipped: %s", skip.kind, skip.ref, skip.reason)
    if fresh:
        session.execute(insert(sync_skipped), [{"kind": s.kind, "ref": s.ref, "reason": s.reason,
                                                "cursor": cursor, "skipped_at": now} for s in fresh])


def skipped_items(session: Session, limit: int = 200) -> list[dict[str, Any]]:
    """The pulled items left out, newest first (`kupa sync --skipped`)."""
    c = sync_skipped.c
    return [dict(row._mapping) for row in session.execute(
        select(c.skipped_at, c.kind, c.ref, c.reason, c.cursor).order_by(c.skipped_id.desc()).limit(limit))]


def reused_member_ids(session: Session) -> set[str]:
    """Member ids this terminal enrolled that HQ refused as `member_id_reused` (a restored terminal's): HQ's
    member under that id is someone else, so nothing of theirs is applied to the local one."""
    return set(session.scalars(select(OutboxRow.ref_id).where(
        OutboxRow.kind == "member", OutboxRow.status == "rejected", OutboxRow.error.like("member_id_reused%"))))


def _upsert(session: Session, table: Any, rows: list[dict[str, Any]], key: str, keep: tuple[str, ...] = ()) -> None:
    """INSERT ... ON CONFLICT DO UPDATE in one executemany; columns in `keep` are never cleared once set."""
    if not rows:
        return
    stmt = sqlite_insert(table)
    updates = {c: (func.coalesce(table.c[c], stmt.excluded[c]) if c in keep else stmt.excluded[c])
               for c in rows[0] if c != key}
    session.execute(stmt.on_conflict_do_update(index_elements=[key], set_=updates), rows)


def existing(session: Session, column: Any, keys: list[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(keys), _CHUNK):
        found.update(session.scalars(select(column).where(column.in_(keys[start:start + _CHUNK]))))
    return found


def apply_page(session: Session, page: PullPage, terminal_id: str, skips: list[Skip] | None = None) -> PageStats:
    """Apply one pulled page and its cursor inside the caller's unit of work; `skips` are the items screening
    left out (`sync.screen`), recorded with the ones the database refuses here."""
    stats = PageStats(skipped=list(skips or []))
    session.flush()
    members = _own_enrolments_kept(session, [m.model_dump() for m in page.members], terminal_id, stats.skipped)
    stats.members = len(_guarded(session, "member", "member_id", members,
                                 lambda rows: _upsert(session, Member.__table__, rows, "member_id"), stats.skipped))
    cards = [{"card_number": c.card_number, "member_id": c.member_id, "serial": c.serial, "key_id": c.key_id,
              "issued_at": to_iso(c.issued_at or c.revoked_at or utcnow()),
              "revoked_at": to_iso(c.revoked_at) if c.revoked_at else None,
              "revoked_reason": c.reason} for c in page.cards]
    stats.cards = len(_guarded(session, "card", "card_number", cards, lambda rows: _upsert(
        session, Card.__table__, rows, "card_number", keep=("revoked_at", "revoked_reason")), stats.skipped))
    stats.keys = len(_guarded(session, "key", "key_id", [k.model_dump() for k in page.keys], lambda rows: _upsert(
        session, TrustedKey.__table__, rows, "key_id", keep=("revoked_at",)), stats.skipped))
    stats.products = len(_guarded(session, "product", "sku", [p.model_dump() for p in page.products],
                                  lambda rows: _upsert(session, Product.__table__, rows, "sku"), stats.skipped))
    for wire in page.programs:
        try:
            if install_program(session, load_program_text(wire.document), utcnow()):
                stats.programs += 1
        except InvalidInputError as exc:
            log.warning("program version %d from HQ not installed: %s", wire.version, exc.message)
            stats.skipped.append(Skip("program", str(wire.version), f"invalid program: {exc.message}"[:300]))
    _apply_entries(session, page, terminal_id, stats)  # only an HQ from before store-scoped pulls sends them
    now = to_iso(utcnow())
    _upsert(session, SyncConfirmed.__table__, [
        {"member_id": b.member_id, "points": b.points, "stamps": json.dumps(b.stamps, sort_keys=True),
         "entries": b.entries, "confirmed_at": now} for b in page.balances], "member_id")
    stats.confirmed = [b.member_id for b in page.balances]
    stats.confirmed += apply_snapshots(session, page.snapshots, stats.skipped)
    gift_ledger.keep_snapshots(session, [b.model_dump(mode="json") for b in page.gift_balances], now)
    record_skips(session, stats.skipped, page.cursor)
    put_setting(session, "sync_cursor", page.cursor)
    return stats


def _own_enrolments_kept(session: Session, members: list[dict[str, Any]], terminal_id: str,
                         skips: list[Skip]) -> list[dict[str, Any]]:
    """`members` without those whose id this terminal holds for another enrolment of its own (reported in
    `skips`). A member known here only as a walk-in (`pos_client.services.members.walk_in`) takes HQ's row."""
    ids = [m["member_id"] for m in members]
    local = dict(_pairs(session, Member.member_id, Member.enrolled_at, ids))
    own = {m for m, by in _pairs(session, Member.member_id, Member.enrolled_by_terminal, ids) if by == terminal_id}
    kept = []
    for member in members:
        here = local.get(member["member_id"])
        if here is not None and member["member_id"] in own and not same_instant(here, member["enrolled_at"]):
            skips.append(Skip("member", member["member_id"], f"member_id_reused: enrolled here at {here}, at HQ"
                                                             f" at {member['enrolled_at']}; the local member is kept"))
            continue
        kept.append(member)
    return kept


def _pairs(session: Session, key: Any, value: Any, keys: list[str]) -> list[tuple[Any, Any]]:
    found: list[tuple[Any, Any]] = []
    for start in range(0, len(keys), _CHUNK):
        found += session.execute(select(key, value).where(key.in_(keys[start:start + _CHUNK]))).tuples().all()
    return found


def _apply_entries(session: Session, page: PullPage, terminal_id: str, stats: PageStats) -> None:
    """Insert other terminals' entries (one multi-row INSERT) and fold them into the projections."""
    own: list[dict[str, Any]] = []
    rows: list[dict[str, Any]] = []
    for wire in page.entries:
        if wire.terminal_id == terminal_id:
            # Ours, yet sent (HQ leaves a terminal's own entries out of its pulls): applied only if the
            # local ledger lacks it, as for a restored terminal's entries (`insert_entries`).
            stats.skipped_own += 1
            own.append(wire.model_dump())
            continue
        rows.append(wire.model_dump())
    stats.entries += insert_entries(session, rows + own, stats.skipped)


def insert_entries(session: Session, rows: list[dict[str, Any]], skips: list[Skip]) -> int:
    """Insert the entries of `rows` the ledger lacks and fold them into the projections; entries the
    database refuses (a (terminal, seq) already taken, an unknown member) or that name a member id HQ gave
    someone else (`reused_member_ids`) are left out and reported in `skips`. Returns how many were added."""
    known = existing(session, LedgerEntry.entry_id, [r["entry_id"] for r in rows])
    sales = existing(session, Sale.sale_id, [r["sale_id"] for r in rows if r["sale_id"]])
    reused = reused_member_ids(session)
    fresh: list[dict[str, Any]] = []
    for row in rows:
        if row["entry_id"] in known:
            continue
        known.add(row["entry_id"])
        if row["member_id"] in reused:
            skips.append(Skip("entry", row["entry_id"], f"member_id_reused: member {row['member_id']} here is"
                                                        " not HQ's member under that id"))
            continue
        fresh.append(row)
    session.flush()

    def write(batch: list[dict[str, Any]]) -> None:
        # The sale lives at HQ and on the terminal that made it; here the entry keeps no dangling reference.
        session.execute(insert(LedgerEntry), [
            row | {"sale_id": row["sale_id"] if row["sale_id"] in sales else None} for row in batch])
        ledger.project_rows(session, batch)  # with the sale ids, so the members' sales counts are right

    return len(_guarded(session, "entry", "entry_id", fresh, write, skips))


def apply_fetched(session: Session, fetched: MemberFetch, terminal_id: str) -> list[Skip]:
    """Store a member fetched from HQ (`/v1/member`: a walk-in from another store) — their row, cards and
    snapshot — as a pull page would, without moving the cursor; returns what was left out."""
    skips: list[Skip] = []
    members = _own_enrolments_kept(session, [fetched.member.model_dump()], terminal_id, skips)
    _guarded(session, "member", "member_id", members,
             lambda rows: _upsert(session, Member.__table__, rows, "member_id"), skips)
    cards = [{"card_number": c.card_number, "member_id": c.member_id, "serial": c.serial, "key_id": c.key_id,
              "issued_at": to_iso(c.issued_at or c.revoked_at or utcnow()),
              "revoked_at": to_iso(c.revoked_at) if c.revoked_at else None,
              "revoked_reason": c.reason} for c in fetched.cards]
    _guarded(session, "card", "card_number", cards, lambda rows: _upsert(
        session, Card.__table__, rows, "card_number", keep=("revoked_at", "revoked_reason")), skips)
    apply_snapshots(session, [fetched.snapshot], skips)
    return skips


def apply_snapshots(session: Session, snapshots: list[WireSnapshot], skips: list[Skip]) -> list[str]:
    """Keep HQ's snapshots and rebase their members on them (`rebase`); returns the members rebased. A snapshot
    for a member this terminal lacks (its row was left out of the page) or holds for another person (a
    restored terminal's re-used id) is left out and reported in `skips`."""
    if not snapshots:
        return []
    reused = reused_member_ids(session)
    present = existing(session, Member.member_id, [s.member_id for s in snapshots])
    wanted: dict[str, WireSnapshot] = {}
    for snap in snapshots:
        if snap.member_id in reused:
            skips.append(Skip("snapshot", snap.member_id, f"member_id_reused: member {snap.member_id} here is"
                                                          " not HQ's member under that id"))
        elif snap.member_id not in present:
            if not any(s.kind == "member" and s.ref == snap.member_id for s in skips):  # reported once
                skips.append(Skip("snapshot", snap.member_id, "constraint: the member is not on this terminal"))
        else:
            wanted[snap.member_id] = snap
    now = to_iso(utcnow())
    _upsert(session, MemberSnapshot.__table__, [{"member_id": m, "body": snap.model_dump_json(), "confirmed_at": now}
                                                for m, snap in wanted.items()], "member_id")
    _upsert(session, SyncConfirmed.__table__, [
        {"member_id": m, "points": snap.points, "stamps": json.dumps(snap.stamps, sort_keys=True),
         "entries": snap.entries, "confirmed_at": now} for m, snap in wanted.items()], "member_id")
    rebase(session, list(wanted), wanted)
    return list(wanted)


def rebase(session: Session, member_ids: list[str], snapshots: dict[str, WireSnapshot] | None = None) -> None:
    """Set the projections of each member with a snapshot to HQ's confirmed figures, then fold this
    terminal's entries HQ has not accepted yet (outbox `pending`) on top with `pos_client.ledger.project_rows`
    — so a member's figures here are exactly HQ's fold plus what HQ has not seen, whatever this ledger holds
    of other terminals (nothing, since pulls stopped carrying their entries). Idempotent: a page applied
    twice, or a restored terminal's lost entries put back in the ledger (`sync.restore.recover`), rebase to
    the same figures. Members without a stored snapshot are left as they are."""
    if snapshots is None:
        snapshots = {}
        for start in range(0, len(member_ids), _CHUNK):
            for member_id, body in session.execute(select(MemberSnapshot.member_id, MemberSnapshot.body).where(
                    MemberSnapshot.member_id.in_(member_ids[start:start + _CHUNK]), MemberSnapshot.body.is_not(None))):
                snapshots[member_id] = WireSnapshot.model_validate_json(body)
    ids = [m for m in dict.fromkeys(member_ids) if m in snapshots]
    if not ids:
        return
    session.flush()
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start:start + _CHUNK]
        session.execute(delete(MemberDay).where(MemberDay.member_id.in_(chunk)))
        session.execute(delete(MemberStamps).where(MemberStamps.member_id.in_(chunk)))
        session.execute(delete(MemberPromo).where(MemberPromo.member_id.in_(chunk)))
    _upsert(session, MemberBalance.__table__, [{
        "member_id": m, "points": s.points, "credits_total": s.credits_total, "debits_total": s.debits_total,
        "membership_code": s.membership_code,
        "membership_expires": to_iso(s.membership_expires) if s.membership_expires else None,
        "last_birthday_year": s.last_birthday_year, "sales_count": s.sales_count,
        "last_sale_at": to_iso(s.last_sale_at) if s.last_sale_at else None,
        "last_credit_at": to_iso(s.last_credit_at) if s.last_credit_at else None}
        for m in ids for s in [snapshots[m]]], "member_id")
    days = [{"member_id": m, "day": day, "spend": spend, "credits": credits}
            for m in ids for day, spend, credits in snapshots[m].days]
    if days:
        session.execute(insert(MemberDay), days)
    stamps = [{"member_id": m, "punch_card": card, "stamps": n} for m in ids for card, n in snapshots[m].stamps.items()]
    if stamps:
        session.execute(insert(MemberStamps), stamps)
    promos = [p.model_dump(mode="json") | {"member_id": m} for m in ids for p in snapshots[m].promos]
    if promos:
        session.execute(insert(MemberPromo), promos)
    pending: list[dict[str, Any]] = []
    for start in range(0, len(ids), _CHUNK):
        pending += [dict(row._mapping) for row in session.execute(
            select(LedgerEntry.__table__).join(
                OutboxRow, (OutboxRow.ref_id == LedgerEntry.entry_id) & (OutboxRow.kind == "ledger_entry"))
            .where(OutboxRow.status == "pending", LedgerEntry.member_id.in_(ids[start:start + _CHUNK])))]
    pending.sort(key=lambda row: (row["terminal_id"], row["seq"]))
    if pending:
        ledger.project_rows(session, pending)
    wanted = set(ids)
    for obj in list(session.identity_map.values()):
        if isinstance(obj, (MemberBalance, MemberDay, MemberStamps)) and obj.member_id in wanted:
            session.expire(obj)


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
