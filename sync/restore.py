"""A terminal restored from a backup: found at the first sync after the copy-back, and made whole.

A store owner copies yesterday's data folder back over today's (a dead disk, a bad update). The terminal
then holds less than HQ does: entries and members it created after the backup are at HQ but not here, and
its counters would hand out their sequence numbers and member ids again. HQ's hello tells the terminal the
highest ledger `seq` and member-id number it accepted from it (`HelloResponse.acked_seq`,
`acked_member_seq`); `check()` compares them with what the terminal knows it sent:

- when HQ holds entries of this terminal above the highest sequence number the terminal has sent, the
  terminal asks for them (`/v1/own-entries`); those missing from its ledger mean it was restored (those
  present are pushes whose answer was lost: nothing to do). A member counter behind HQ's also means it.
- it numbers its next receipt past the highest receipt number HQ holds from it (`acked_receipt_seq`;
  `receipt_seq_floor`): a receipt number is never printed twice, even when the backup was older.
- it moves its counters past HQ's in one transaction (restored or not: a number HQ holds is never reused) (`ledger_seq_floor`, read by
  `pos_client.ledger.next_seq`, and `member_seq`), and renumbers past them the entries it wrote since the
  copy-back and has not sent yet (their ids stay; only the number HQ never saw changes — the one UPDATE the
  ledger's trigger allows, migration 0008). Unsent items HQ already holds stay as they are: HQ answers
  them as duplicates.
- after the pull (which brings back the members and cards created since the backup), `recover()` puts the
  lost entries back into the ledger and its projections, so balances here agree with HQ's again.

A member enrolled here after the copy-back and before that sync may have been given an id HQ already holds
for someone else: HQ refuses it (`member_id_reused`) and never merges the two; the terminal keeps it, holds
its items (`hold_reused`) for a manager, and enrols the next member past HQ's ids. The event is kept in
the settings (`restored`) and reported by `kupa sync` and the app's status bar (`pos_client.services.sync_report`).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select, text, update
from sqlalchemy.orm import Session

from pos_client.db import driver
from pos_client.db.models import LedgerEntry, OutboxRow, Setting
from pos_client.sales import next_receipt_seq
from pos_client.terminal import Terminal, put_setting
from pos_client.timeutil import to_iso, utcnow
from sync.apply import rebase, existing, insert_entries, record_skips, reused_member_ids
from sync.protocol import HelloResponse, OwnEntriesPage, OwnEntriesRequest
from sync.screen import RawPullPage, Skip, screen
from sync.transport import Transport

log = logging.getLogger(__name__)
PAGE = 2000

#: The highest sequence number of this terminal's entries that are no longer waiting in the outbox.
_HIGHEST_SENT = text(
    "SELECT seq FROM ledger_entries AS l WHERE terminal_id = :t AND NOT EXISTS (SELECT 1 FROM outbox AS o"
    " WHERE o.kind = 'ledger_entry' AND o.ref_id = l.entry_id AND o.status = 'pending') ORDER BY seq DESC LIMIT 1")

#: The lowest number of this terminal's entries still waiting to be sent. HQ may hold them already (a push
#: whose answer was lost): they are checked against HQ's copies like any other, never renumbered as if
#: HQ held someone else's entries under their numbers.
_LOWEST_PENDING = text(
    "SELECT min(l.seq) FROM ledger_entries AS l JOIN outbox AS o ON o.kind = 'ledger_entry'"
    " AND o.ref_id = l.entry_id AND o.status = 'pending' WHERE l.terminal_id = :t")


@dataclass
class Restore:
    """What `check()` found; `lost` are HQ's entries of this terminal missing here (put back by `recover`)."""

    restored: bool = False
    acked_seq: int = 0
    acked_member_seq: int = 0
    renumbered: int = 0
    recovered: int = 0
    lost: list[dict[str, Any]] = field(default_factory=list)
    skipped: list[Skip] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"restored": self.restored, "acked_seq": self.acked_seq, "acked_member_seq": self.acked_member_seq,
                "renumbered": self.renumbered, "recovered": self.recovered}


def _setting(session: Session, key: str) -> Any:
    row = session.get(Setting, key)
    return json.loads(row.value) if row is not None else None


def _fetch_own(transport: Transport, after: int, upto: int) -> tuple[list[dict[str, Any]], list[Skip]]:
    """HQ's entries of this terminal with a seq in (after, upto], screened one by one (`sync.screen`)."""
    raw: list[dict[str, Any]] = []
    while after < upto:
        page = transport.post("/v1/own-entries", OwnEntriesRequest(after_seq=after, limit=PAGE), OwnEntriesPage)
        raw += page.entries
        seqs = [int(e["seq"]) for e in page.entries if isinstance(e.get("seq"), int)]
        if not page.has_more or not seqs or max(seqs) <= after:
            break
        after = max(seqs)
    checked, skips = screen(RawPullPage(cursor=0, has_more=False, entries=raw))
    return [e.model_dump() for e in checked.entries], skips


def check(terminal: Terminal, transport: Transport, hello: HelloResponse) -> Restore:
    """Find out whether this terminal is behind HQ (restored) and, if so, move its counters past HQ's."""
    terminal_id = terminal.settings.terminal_id
    with terminal.read() as session:
        sent = int(session.execute(_HIGHEST_SENT, {"t": terminal_id}).scalar() or 0)
        member_seq = int(_setting(session, "member_seq") or 0)
        sent = max(sent, int(_setting(session, "own_entries_seen") or 0))  # checked at an earlier sync
        pending = session.execute(_LOWEST_PENDING, {"t": terminal_id}).scalar()
        if pending is not None:  # a pushed batch whose answer was lost: HQ may hold these very entries
            sent = min(sent, int(pending) - 1)
    result = Restore(acked_seq=hello.acked_seq, acked_member_seq=hello.acked_member_seq)
    _receipt_floor(terminal, hello.acked_receipt_seq)
    held: list[dict[str, Any]] = []
    if hello.acked_seq > sent:
        held, result.skipped = _fetch_own(transport, sent, hello.acked_seq)
    if not held and not result.skipped and hello.acked_member_seq <= member_seq:
        return result  # the usual case: HQ holds nothing this terminal has not seen (no write, no request)
    with terminal.unit_of_work() as session:
        here = existing(session, LedgerEntry.entry_id, [e["entry_id"] for e in held])
        result.lost = [e for e in held if e["entry_id"] not in here]
        result.restored = bool(result.lost) or hello.acked_member_seq > member_seq
        # Past HQ's numbers in every case (HQ may hold a number above this terminal's without it being
        # restored, e.g. a row an older HQ stored): a number HQ holds is never handed out again.
        floor = int(_setting(session, "ledger_seq_floor") or 0)
        put_setting(session, "ledger_seq_floor", max(floor, hello.acked_seq))
        put_setting(session, "member_seq", max(member_seq, hello.acked_member_seq))
        result.renumbered = _renumber(session, terminal_id, hello.acked_seq, {e["entry_id"] for e in held})
        if not result.restored:
            put_setting(session, "own_entries_seen", max(sent, hello.acked_seq))
            return result
        log.warning("this terminal is behind HQ (restored from a backup?): HQ holds seq %d and member %d, "
                    "%d entries of it are missing here", hello.acked_seq, hello.acked_member_seq, len(result.lost))
        put_setting(session, "restored", result.to_json() | {"at": to_iso(utcnow())})
    return result


def _receipt_floor(terminal: Terminal, acked: int) -> None:
    """Number the next receipt past the highest HQ holds from this terminal (`receipt_seq_floor`, read by
    `pos_client.sales.next_receipt_seq`): a receipt printed before a copy-back is never printed again. Written
    only when HQ holds a number this terminal has not reached (a restored terminal), so the usual hello
    writes nothing. Printed receipts are never renumbered (unlike unsent ledger entries)."""
    if acked <= 0:
        return
    with terminal.read() as session:
        if next_receipt_seq(session) > acked:
            return
    with terminal.unit_of_work() as session:
        floor = int(_setting(session, "receipt_seq_floor") or 0)
        put_setting(session, "receipt_seq_floor", max(floor, acked))
    log.warning("receipt numbers resume past %d, the highest HQ holds from this terminal", acked)


def _renumber(session: Session, terminal_id: str, acked_seq: int, at_hq: set[str]) -> int:
    """Give this terminal's unsent entries numbered at or below `acked_seq` (numbers HQ holds for others)
    fresh numbers past every number used here and at HQ; returns how many."""
    rows = session.execute(
        select(LedgerEntry.entry_id, LedgerEntry.seq).join(
            OutboxRow, (OutboxRow.ref_id == LedgerEntry.entry_id) & (OutboxRow.kind == "ledger_entry"))
        .where(LedgerEntry.terminal_id == terminal_id, LedgerEntry.seq <= acked_seq, OutboxRow.status == "pending")
        .order_by(LedgerEntry.seq)).all()
    clash = [(entry_id, seq) for entry_id, seq in rows if entry_id not in at_hq]
    if not clash:
        return 0
    top = session.scalar(select(func.max(LedgerEntry.seq)).where(LedgerEntry.terminal_id == terminal_id)) or 0
    start = max(top, acked_seq)
    for offset, (entry_id, old) in enumerate(clash, 1):
        new = start + offset
        session.execute(update(LedgerEntry).where(LedgerEntry.entry_id == entry_id).values(seq=new))
        outbox = session.scalars(select(OutboxRow).where(OutboxRow.kind == "ledger_entry",
                                                         OutboxRow.ref_id == entry_id,
                                                         OutboxRow.status == "pending")).all()
        for row in outbox:
            payload = json.loads(row.payload)
            payload["seq"] = new
            row.payload = json.dumps(payload)
        log.info("entry %s renumbered from seq %d to %d (HQ holds %d from before the restore)", entry_id, old, new,
                 old)
    return len(clash)


def recover(terminal: Terminal, result: Restore) -> None:
    """Put the entries the backup lost back into the ledger (after the pull brought their members)."""
    if not result.lost and not result.skipped:
        return
    skips = list(result.skipped)
    with terminal.unit_of_work() as session:
        cursor = int(_setting(session, "sync_cursor") or 0)
        result.recovered = insert_entries(session, result.lost, skips)
        # The pull's snapshots already count them: the members' figures go back to snapshot + unsent entries.
        rebase(session, list({str(row.get("member_id")) for row in result.lost}))
        record_skips(session, skips, cursor)
        if result.restored:
            put_setting(session, "restored", result.to_json() | {"at": to_iso(utcnow())})
            put_setting(session, "own_entries_seen", result.acked_seq)
    result.skipped = skips


def hold_reused(session: Session) -> int:
    """Mark the unsent items of members HQ refused as `member_id_reused` as refused too (kept for a manager):
    HQ's member under that id is someone else, whose balance they must never reach. Returns how many."""
    reused = reused_member_ids(session)
    if not reused:
        return 0
    db = driver.sql(session)
    marks = ",".join("?" for _ in reused)
    reason = "member_id_reused: the member's enrolment was refused at HQ (restored terminal); held for a manager"
    cursor = db.execute(
        f"UPDATE outbox SET status = 'rejected', error = ? WHERE status = 'pending' AND kind IN ('ledger_entry',"
        f" 'card') AND json_extract(payload, '$.member_id') IN ({marks})", (reason, *sorted(reused)))
    return int(cursor.rowcount or 0)
