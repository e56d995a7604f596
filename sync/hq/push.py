"""Applying a terminal's push at HQ: exactly once, item by item, in one transaction.

Each ledger entry and sale is stored under its UUID (a primary key that is never reused). An item already
stored with the same canonical body is a *duplicate* (a retry after a lost response: accepted, applied once);
the same UUID with another body is *rejected* and recorded in `hq_rejections` for `kupa-hq report` — never
silently dropped. A terminal pushes only as itself: an entry, sale or enrolment naming another terminal is
rejected. Entries, sales, balance updates and change-log rows of a batch commit together (the caller's
transaction), so a crash mid-batch leaves nothing half-applied and the terminal's retry redoes it whole.
Work is batched so 2,000 entries cost a few statements: the batch's ledger entries are validated in one
`TypeAdapter` pass (item by item only when that pass finds a bad one, to name it), one SELECT finds the ids
already stored (duplicates vs conflicts are told apart by comparing canonical bodies), the new rows go in with
Core executemany INSERTs, and each member's balance is updated once per batch with the batch's summed deltas.
Writers are serialised (`sync.hq.db.Database.write`), so the SELECT-then-INSERT cannot race another push.
A rejected item is recorded once per (terminal, kind, key, body): a retry of the same refused item adds no row.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from typing import Any

from pydantic import TypeAdapter, ValidationError
from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm import Session

from sync.hq.models import Change, HqAudit, HqBalance, HqCard, HqEntry, HqMember, HqRejection, HqSale
from sync.protocol import BODY_MODELS, ItemResult, Message, PushItem, WireCard, WireEntry, WireMember, WireSale

log = logging.getLogger(__name__)
_ENTRY_LIST: TypeAdapter[list[WireEntry]] = TypeAdapter(list[WireEntry])
_CHUNK = 900  # stay under SQLite's bound-parameter limit


def canonical(model: Message) -> str:
    """The form compared for duplicates: every field, sorted keys, no whitespace."""
    return json.dumps(model.model_dump(mode="json"), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _reason(exc: ValidationError) -> str:
    first = exc.errors()[0]
    where = ".".join(str(part) for part in first.get("loc", ())) or "body"
    return f"invalid {where}: {first.get('msg', 'bad value')}"[:300]


class _Batch:
    """One push being applied: caches what the batch needs and collects rows to insert in bulk."""

    def __init__(self, session: Session, terminal_id: str, now: str, items: Sequence[PushItem]) -> None:
        self.session, self.terminal_id, self.now = session, terminal_id, now
        self.valid = _validate_entries(items)
        entry_ids = [str(i.body.get("entry_id")) for i in items if i.kind == "ledger_entry"]
        self.entries = self._bodies(HqEntry.entry_id, HqEntry.body, entry_ids)
        sale_ids = [str(i.body.get("sale_id")) for i in items if i.kind == "sale"]
        self.sales = self._bodies(HqSale.sale_id, HqSale.body, sale_ids)
        member_ids = {str(i.body.get("member_id")) for i in items if i.kind in ("ledger_entry", "member", "card")}
        self.known_members = set(self._scalars(HqMember.member_id, list(member_ids)))
        self.new_entries: list[dict[str, Any]] = []
        self.new_sales: list[dict[str, Any]] = []
        self.changes: list[dict[str, Any]] = []
        self.rejected: list[dict[str, Any]] = []
        self.deltas: dict[str, dict[str, Any]] = {}

    def _scalars(self, column: Any, keys: list[str]) -> list[Any]:
        found: list[Any] = []
        for start in range(0, len(keys), _CHUNK):
            found += self.session.scalars(select(column).where(column.in_(keys[start:start + _CHUNK]))).all()
        return found

    def _bodies(self, key_col: Any, body_col: Any, keys: list[str]) -> dict[str, str]:
        out: dict[str, str] = {}
        for start in range(0, len(keys), _CHUNK):
            rows = self.session.execute(select(key_col, body_col).where(key_col.in_(keys[start:start + _CHUNK])))
            out.update({k: b for k, b in rows})
        return out

    def reject(self, item: PushItem, reason: str) -> ItemResult:
        self.rejected.append({"terminal_id": self.terminal_id, "kind": item.kind, "key": item.key[:100],
                              "reason": reason[:300], "body": json.dumps(item.body)[:100_000],
                              "received_at": self.now})
        return ItemResult(key=item.key, status="rejected", reason=reason)

    def apply(self, index: int, item: PushItem) -> ItemResult:
        body: Message | None = self.valid.get(index)
        if body is None:
            try:
                body = BODY_MODELS[item.kind].model_validate(item.body)
            except ValidationError as exc:
                return self.reject(item, _reason(exc))
        if isinstance(body, WireEntry):
            return self._entry(item, body)
        if isinstance(body, WireSale):
            return self._sale(item, body)
        if isinstance(body, WireMember):
            return self._member(item, body)
        if isinstance(body, WireCard):
            return self._card(item, body)
        return self._audit(item, body)

    def _uuid_item(self, item: PushItem, known: dict[str, str], key: str, owner: str, text: str,
                   what: str) -> ItemResult | None:
        if owner != self.terminal_id:
            return self.reject(item, f"{what} {key} belongs to terminal {owner}; a terminal pushes only its own")
        if key in known:
            if known[key] == text:
                return ItemResult(key=item.key, status="duplicate")
            return self.reject(item, f"{what} {key} was already recorded with a different body")
        known[key] = text
        return None

    def _entry(self, item: PushItem, entry: WireEntry) -> ItemResult:
        text = canonical(entry)
        done = self._uuid_item(item, self.entries, entry.entry_id, entry.terminal_id, text, "entry")
        if done is not None:
            return done
        if entry.member_id not in self.known_members:
            del self.entries[entry.entry_id]
            return self.reject(item, f"entry {entry.entry_id} is for member {entry.member_id}, unknown at HQ")
        self.new_entries.append({
            "entry_id": entry.entry_id, "terminal_id": entry.terminal_id, "member_id": entry.member_id,
            "kind": entry.kind, "points_delta": entry.points_delta, "spend_delta": entry.spend_delta,
            "value": entry.value, "ref_code": entry.ref_code, "created_at": entry.created_at,
            "received_at": self.now, "body": text})
        self.changes.append({"kind": "entry", "ref": entry.entry_id})
        delta = self.deltas.setdefault(entry.member_id, {"points": 0, "spend": 0, "entries": 0, "stamps": {}})
        delta["points"] += entry.points_delta
        delta["spend"] += entry.spend_delta
        delta["entries"] += 1
        if entry.stamps_delta and entry.punch_card:
            delta["stamps"][entry.punch_card] = delta["stamps"].get(entry.punch_card, 0) + entry.stamps_delta
        return ItemResult(key=item.key, status="accepted")

    def _sale(self, item: PushItem, sale: WireSale) -> ItemResult:
        text = canonical(sale)
        done = self._uuid_item(item, self.sales, sale.sale_id, sale.terminal_id, text, "sale")
        if done is not None:
            return done
        self.new_sales.append({"sale_id": sale.sale_id, "terminal_id": sale.terminal_id, "kind": sale.kind,
                               "member_id": sale.member_id, "total": sale.total, "created_at": sale.created_at,
                               "body": text})
        return ItemResult(key=item.key, status="accepted")

    def _member(self, item: PushItem, member: WireMember) -> ItemResult:
        if member.enrolled_by_terminal != self.terminal_id:
            return self.reject(item, f"member {member.member_id} was enrolled by {member.enrolled_by_terminal};"
                                     " a terminal pushes only its own enrolments")
        row = self.session.get(HqMember, member.member_id)
        if row is not None:
            if row.enrolled_by_terminal != self.terminal_id:
                return self.reject(item, f"member id {member.member_id} already belongs to terminal"
                                         f" {row.enrolled_by_terminal}")
            if all(getattr(row, k) == v for k, v in member.model_dump().items()):
                return ItemResult(key=item.key, status="duplicate")
            for k, v in member.model_dump().items():
                setattr(row, k, v)
        else:
            self.session.add(HqMember(**member.model_dump()))
            self.session.add(HqBalance(member_id=member.member_id, points=0, spend_total=0, entries=0, stamps="{}",
                                       review=False))
        self.session.flush()
        self.known_members.add(member.member_id)
        self.changes.append({"kind": "member", "ref": member.member_id})
        return ItemResult(key=item.key, status="accepted")

    def _card(self, item: PushItem, card: WireCard) -> ItemResult:
        if card.member_id not in self.known_members:
            return self.reject(item, f"card {card.card_number} is for member {card.member_id}, unknown at HQ")
        row = self.session.get(HqCard, card.card_number)
        if row is None:
            row = HqCard(card_number=card.card_number, member_id=card.member_id, serial=card.serial,
                         key_id=card.key_id, issued_at=card.issued_at)
            self.session.add(row)
        elif row.member_id != card.member_id or row.serial != card.serial:
            return self.reject(item, f"card number {card.card_number} already belongs to {row.member_id}")
        elif card.revoked_at is None or row.revoked_at is not None:
            return ItemResult(key=item.key, status="duplicate")
        if card.revoked_at:
            row.revoked_at, row.reason = card.revoked_at, card.reason
        self.session.flush()
        self.changes.append({"kind": "card", "ref": card.card_number})
        return ItemResult(key=item.key, status="accepted")

    def _audit(self, item: PushItem, audit: Message) -> ItemResult:
        audit_id = str(item.body.get("audit_id"))
        if self.session.get(HqAudit, audit_id) is not None:
            return ItemResult(key=item.key, status="duplicate")
        self.session.add(HqAudit(audit_id=audit_id, terminal_id=self.terminal_id, body=canonical(audit)))
        self.session.flush()
        return ItemResult(key=item.key, status="accepted")

    def flush(self) -> None:
        """Write the collected rows and the balance updates (still inside the caller's transaction)."""
        conn = self.session.connection()
        if self.new_entries:
            conn.execute(insert(HqEntry), self.new_entries)
        if self.new_sales:
            conn.execute(insert(HqSale), self.new_sales)
        if self.changes:
            conn.execute(insert(Change), self.changes)
        if self.rejected:
            self._record_rejections()
        if self.deltas:
            self._update_balances()

    def _record_rejections(self) -> None:
        """Insert rejections not already recorded with the same kind, key and body (a retried refusal)."""
        keys = list({r["key"] for r in self.rejected})
        seen: set[tuple[str, str, str]] = set()
        for start in range(0, len(keys), _CHUNK):
            seen.update((k, key, b) for k, key, b in self.session.execute(
                select(HqRejection.kind, HqRejection.key, HqRejection.body).where(
                    HqRejection.terminal_id == self.terminal_id, HqRejection.key.in_(keys[start:start + _CHUNK]))))
        fresh = []
        for row in self.rejected:
            ident = (row["kind"], row["key"], row["body"])
            if ident not in seen:
                seen.add(ident)
                fresh.append(row)
        if fresh:
            self.session.connection().execute(insert(HqRejection), fresh)

    def _update_balances(self) -> None:
        """One SELECT and one executemany UPDATE for every member the batch touched (Core, no ORM objects)."""
        conn = self.session.connection()
        ids = list(self.deltas)
        current: dict[str, tuple[int, int, int, str, bool]] = {}
        for start in range(0, len(ids), _CHUNK):
            for row in conn.execute(select(HqBalance.member_id, HqBalance.points, HqBalance.spend_total,
                                           HqBalance.entries, HqBalance.stamps, HqBalance.review)
                                    .where(HqBalance.member_id.in_(ids[start:start + _CHUNK]))):
                current[row[0]] = (row[1] or 0, row[2] or 0, row[3] or 0, row[4] or "{}", bool(row[5]))
        updates: list[dict[str, Any]] = []
        inserts: list[dict[str, Any]] = []
        for member_id, delta in self.deltas.items():
            points, spend, entries, stamps_text, review = current.get(member_id, (0, 0, 0, "{}", False))
            if delta["stamps"]:
                stamps = json.loads(stamps_text)
                for code, count in delta["stamps"].items():
                    stamps[code] = stamps.get(code, 0) + count
                stamps_text = json.dumps(stamps, sort_keys=True)
            points += delta["points"]
            if points < 0 and not review:
                review = True
                log.warning("member %s went negative (%d points): flagged for review", member_id, points)
            values = {"m": member_id, "points": points, "spend_total": spend + delta["spend"],
                      "entries": entries + delta["entries"], "stamps": stamps_text, "review": review}
            (updates if member_id in current else inserts).append(values)
        if updates:
            conn.execute(update(HqBalance).where(HqBalance.member_id == bindparam("m")).values(
                points=bindparam("points"), spend_total=bindparam("spend_total"), entries=bindparam("entries"),
                stamps=bindparam("stamps"), review=bindparam("review")), updates)
        if inserts:
            conn.execute(insert(HqBalance), [{"member_id": r.pop("m")} | r for r in inserts])


def _validate_entries(items: Sequence[PushItem]) -> dict[int, Message]:
    """The batch's ledger entries validated in one pass, by item index; {} if any is bad (then item by item)."""
    where = [i for i, item in enumerate(items) if item.kind == "ledger_entry"]
    if not where:
        return {}
    try:
        entries = _ENTRY_LIST.validate_python([items[i].body for i in where])
    except ValidationError:
        return {}
    return dict(zip(where, entries))


def apply_push(session: Session, terminal_id: str, items: Sequence[PushItem], now: str) -> list[ItemResult]:
    """Apply `items` pushed by `terminal_id` in the caller's transaction; one result per item, in order."""
    batch = _Batch(session, terminal_id, now, items)
    results = [batch.apply(index, item) for index, item in enumerate(items)]
    batch.flush()
    return results
