"""Applying a terminal's push at HQ: exactly once, item by item, in one transaction.

Each ledger entry and sale is stored under its UUID (a primary key that is never reused). An item already
stored with the same canonical body is a *duplicate* (a retry after a lost response: accepted, applied once);
the same UUID with another body is *rejected* and recorded in `hq_rejections` for `kupa-hq report` — never
silently dropped. A terminal pushes only as itself: an entry, sale or enrolment naming another terminal is
rejected. Entries, sales, balance updates and change-log rows of a batch commit together (the caller's
transaction), so a crash mid-batch leaves nothing half-applied and the terminal's retry redoes it whole.
Work is batched (one SELECT for the batch's known ids, multi-row INSERTs) so 500 entries cost a few statements.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from typing import Any

from pydantic import ValidationError
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from sync.hq.models import Change, HqAudit, HqBalance, HqCard, HqEntry, HqMember, HqRejection, HqSale
from sync.protocol import BODY_MODELS, ItemResult, Message, PushItem, WireCard, WireEntry, WireMember, WireSale

log = logging.getLogger(__name__)


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
        for start in range(0, len(keys), 900):
            found += self.session.scalars(select(column).where(column.in_(keys[start:start + 900]))).all()
        return found

    def _bodies(self, key_col: Any, body_col: Any, keys: list[str]) -> dict[str, str]:
        out: dict[str, str] = {}
        for start in range(0, len(keys), 900):
            rows = self.session.execute(select(key_col, body_col).where(key_col.in_(keys[start:start + 900])))
            out.update({k: b for k, b in rows})
        return out

    def reject(self, item: PushItem, reason: str) -> ItemResult:
        self.rejected.append({"terminal_id": self.terminal_id, "kind": item.kind, "key": item.key[:100],
                              "reason": reason[:300], "body": json.dumps(item.body)[:100_000],
                              "received_at": self.now})
        return ItemResult(key=item.key, status="rejected", reason=reason)

    def apply(self, item: PushItem) -> ItemResult:
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
            conn.execute(insert(HqRejection), self.rejected)
        if self.deltas:
            balances = {b.member_id: b for b in self.session.scalars(
                select(HqBalance).where(HqBalance.member_id.in_(list(self.deltas))))}
            for member_id, delta in self.deltas.items():
                balance = balances.get(member_id)
                if balance is None:
                    balance = HqBalance(member_id=member_id, points=0, spend_total=0, entries=0, stamps="{}",
                                        review=False)
                    self.session.add(balance)
                apply_delta(balance, delta)
                if balance.points < 0 and not balance.review:
                    balance.review = True
                    log.warning("member %s went negative (%d points): flagged for review", member_id,
                                balance.points)


def apply_delta(balance: HqBalance, delta: dict[str, Any]) -> None:
    balance.points = (balance.points or 0) + delta["points"]
    balance.spend_total = (balance.spend_total or 0) + delta["spend"]
    balance.entries = (balance.entries or 0) + delta["entries"]
    if delta["stamps"]:
        stamps = json.loads(balance.stamps or "{}")
        for code, count in delta["stamps"].items():
            stamps[code] = stamps.get(code, 0) + count
        balance.stamps = json.dumps(stamps, sort_keys=True)


def apply_push(session: Session, terminal_id: str, items: Sequence[PushItem], now: str) -> list[ItemResult]:
    """Apply `items` pushed by `terminal_id` in the caller's transaction; one result per item, in order."""
    batch = _Batch(session, terminal_id, now, items)
    results = [batch.apply(item) for item in items]
    batch.flush()
    return results
