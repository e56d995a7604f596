"""Applying a terminal's push at HQ: exactly once, item by item, in one transaction.

Each ledger entry and sale is stored under its UUID (a primary key that is never reused). An item already
stored with the same canonical body is a *duplicate* (a retry after a lost response: accepted, applied once);
the same UUID with another body is *rejected* and recorded in `hq_rejections` for `kupa-hq report` — never
silently dropped. A terminal pushes only as itself: an entry, sale or enrolment naming another terminal is
rejected. Every new item is then checked by `sync.hq.validate` (time, kinds and signs, program amounts,
ownership, member fields): a refused item comes back with a reason code and its parameters (`sync.refusals`)
and is recorded, the rest of the batch is stored. Entries, sales, balance updates and change-log rows of a
batch commit together (the caller's transaction), so a crash mid-batch leaves nothing half-applied and the
terminal's retry redoes it whole.
Work is batched so 2,000 entries cost a few statements: the batch's ledger entries are validated in one
`TypeAdapter` pass (item by item only when that pass finds a bad one, to name it), one SELECT finds the ids
already stored (duplicates vs conflicts are told apart by comparing canonical bodies), the batch's enrolments
are checked against one SELECT of their members and written in bulk, the new rows go in with Core executemany
INSERTs, and each member's balance is updated once per batch with the batch's summed deltas. On PostgreSQL
each lookup is one `= ANY(array)` (one round trip, one parameter, instead of chunked IN lists), new rows go in
with COPY, and the balances with one `UPDATE … FROM unnest(arrays)`.
Concurrency (`sync.hq.db`): pushes of one terminal run one after the other (a row lock on its terminal row),
so its SELECT-then-INSERT cannot race its own retry; on PostgreSQL, pushes of different terminals run side by
side: the balance rows a batch touches are locked first, in member-id order (so two pushes never deadlock on
them, and the stamps check and the balance update read figures no one else is changing), ids are made unique
by `hq_entry_keys` / `hq_sale_keys` (a lost race is a unique violation and the whole push runs again), and only
the append to the change log and the commit hold the chain-wide change-log lock (`order_changes`).
A rejected item is recorded once per (terminal, kind, key, body): a retry of the same refused item adds no row.
A terminal's sequence numbers are unique (`seq_reused`: another entry id under a (terminal, seq) HQ holds), and
a member id is never given to a second person (`member_id_reused`: the same id with another `enrolled_at`;
that enrolment's entries and cards in the batch are refused with it) — see docs/sync.md, "Restored terminals".
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from typing import Any

from pydantic import TypeAdapter, ValidationError
from sqlalchemy import String, any_, bindparam, insert, select, text, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from pos_client.timeutil import same_instant, to_iso
from sync import refusals as R
from sync.hq import giftcards, kpi_projection, scope
from sync.hq.db import order_changes
from sync.hq.models import (Base, HqAudit, HqBalance, HqCard, HqEntry, HqEntryKey, HqMember, HqRejection, HqSale,
                            HqSaleKey)
from sync.hq.validate import Validator
from sync.protocol import (BODY_MODELS, ItemResult, Message, PushItem, WireAudit, WireCard, WireEntry,
                           WireGiftMovement, WireMember, WireSale, parse_utc)
from sync.refusals import Refusal, refuse

log = logging.getLogger(__name__)
_ENTRY_LIST: TypeAdapter[list[WireEntry]] = TypeAdapter(list[WireEntry])
_CHUNK = 900  # stay under SQLite's bound-parameter limit
_MEMBER_FIELDS = tuple(WireMember.model_fields)


def _array(keys: list[str]) -> Any:
    """`keys` as one PostgreSQL text[] parameter (for `= ANY(...)`)."""
    return bindparam("keys", keys, type_=ARRAY(String()))


_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def canonical(model: Message) -> str:
    """The form compared for duplicates: every field, sorted keys, no whitespace."""
    return _CANONICAL.encode(model.model_dump(mode="json"))


def canonical_entry(entry: WireEntry, created_at: str | None = None) -> str:
    """`canonical(entry)`, faster: every field of an entry but its time is a str, an int or None, so its
    `__dict__` (the fields, nothing else: extra keys are forbidden) with the time written canonically is
    already its JSON form — no dump per entry."""
    return _CANONICAL.encode(entry.__dict__ | {"created_at": created_at or to_iso(entry.created_at)})


def _recanonical(model: type[Message], stored: str) -> str | None:
    """A stored body in today's canonical form (rows stored before times were canonicalised), or None."""
    try:
        parsed = model.model_validate_json(stored)
    except ValidationError:
        return None
    return canonical_entry(parsed) if isinstance(parsed, WireEntry) else canonical(parsed)


def _reason(exc: ValidationError) -> Refusal:
    first = exc.errors()[0]
    where = ".".join(str(part) for part in first.get("loc", ())) or "body"
    return refuse(R.INVALID, where=where, problem=str(first.get("msg", "bad value"))[:200])


class _Batch:
    """One push being applied: caches what the batch needs and collects rows to insert in bulk."""

    def __init__(self, session: Session, terminal_id: str, now: str, items: Sequence[PushItem]) -> None:
        self.session, self.terminal_id, self.now = session, terminal_id, now
        self.pg = session.connection().dialect.name == "postgresql"
        self.valid = _validate_bodies(items)
        if self.pg:
            self._lock_balances({str(i.body.get("member_id")) for i in items if i.kind == "ledger_entry"})
        entry_ids = [str(i.body.get("entry_id")) for i in items if i.kind == "ledger_entry"]
        self.entries = self._stored(HqEntryKey, HqEntry, "entry_id", entry_ids)
        #: (terminal, seq) → entry id, for the batch's sequence numbers: HQ keeps them unique per terminal.
        self.seqs = self._seqs([i.body.get("seq") for i in items if i.kind == "ledger_entry"])
        sale_ids = [str(i.body.get("sale_id")) for i in items if i.kind == "sale"]
        self.sales = self._stored(HqSaleKey, HqSale, "sale_id", sale_ids)
        enrolled = list({str(i.body.get("member_id")) for i in items if i.kind == "member"})
        m = HqMember.__table__.c
        #: Members of the batch's enrolments as HQ has them (and, as the batch goes, as it will have them).
        self.member_rows: dict[str, dict[str, Any]] = {
            row.member_id: dict(row._mapping) for row in self._rows([m[f] for f in _MEMBER_FIELDS], m.member_id,
                                                                     enrolled)}
        others = list({str(i.body.get("member_id")) for i in items if i.kind in ("ledger_entry", "card")}
                      - set(enrolled))
        self.known_members = set(self.member_rows) | {row[0] for row in self._rows([m.member_id], m.member_id,
                                                                                    others)}
        #: Ids whose enrolment in this batch was refused as another person's: their entries and cards too.
        self.reused: set[str] = set()
        self.new_members: dict[str, dict[str, Any]] = {}
        self.changed_members: dict[str, dict[str, Any]] = {}
        self.new_entries: list[dict[str, Any]] = []
        self.new_sales: list[dict[str, Any]] = []
        self.changes: list[dict[str, Any]] = []
        self.rejected: list[dict[str, Any]] = []
        #: What the KPI projections need of the accepted items (`sync.hq.kpi_projection`).
        self.kpi_sales: list[WireSale] = []
        self.kpi_entries: list[WireEntry] = []
        self.deltas: dict[str, dict[str, Any]] = {}
        bodies = list(self.valid.values())
        self.rules = Validator(session, terminal_id, parse_utc(now), self._rows,
                               [b for b in bodies if isinstance(b, WireEntry)],
                               [b for b in bodies if isinstance(b, WireSale) and b.terminal_id == terminal_id],
                               [b for b in bodies if isinstance(b, WireAudit)])

    def _rows(self, columns: list[Any], key: Any, keys: list[str], *where: Any) -> list[Any]:
        """`columns` of the rows whose `key` is in `keys` (and `where`): one `= ANY(array)` on PostgreSQL (one
        round trip, one bound parameter), chunked IN lists on SQLite (its bound-parameter limit)."""
        if not keys:
            return []
        found: list[Any] = []
        if self.pg:
            found += self.session.execute(select(*columns).where(key == any_(_array(keys)), *where)).all()
            return found
        for start in range(0, len(keys), _CHUNK):
            found += self.session.execute(select(*columns).where(key.in_(keys[start:start + _CHUNK]), *where)).all()
        return found

    def _lock_balances(self, members: set[str]) -> None:
        """Lock the balance rows of `members` until the push commits, in member-id order: the same order in
        every push, so two pushes touching the same members queue instead of deadlocking (PostgreSQL)."""
        if members:
            b = HqBalance.__table__.c
            self.session.execute(select(b.member_id).where(b.member_id == any_(_array(sorted(members))))
                                 .order_by(b.member_id).with_for_update())

    def _stored(self, keys: type[Base], model: type[Base], column: str, ids: list[str]) -> dict[str, str]:
        """id → stored canonical body of the `ids` HQ holds: the small key table says which (one index), and
        only those — retries, rare — are read from the big, partitioned table, each in its own month."""
        k, m = keys.__table__.c, model.__table__.c
        held = self._rows([k[column], k.created_at], k[column], ids)
        if not held:
            return {}
        times = {created for _id, created in held}  # the partition key: PostgreSQL reads only their months
        return {key: body for key, body in self._rows([m[column], m.body], m[column], [i for i, _c in held],
                                                      m.created_at.in_(times))}

    def _seqs(self, raw: list[Any]) -> dict[int, str]:
        """The entry ids HQ holds under this terminal's sequence numbers `raw` (ints; anything else ignored)."""
        seqs = sorted({s for s in raw if type(s) is int and 0 < s <= 10**12})
        e = HqEntryKey.__table__.c
        found: dict[int, str] = {}
        step = max(len(seqs), 1) if self.pg else _CHUNK  # PostgreSQL takes a batch's 5,000 in one statement
        for start in range(0, len(seqs), step):
            found.update(self.session.execute(select(e.seq, e.entry_id).where(
                e.terminal_id == self.terminal_id, e.seq.in_(seqs[start:start + step]))).tuples().all())
        return found

    def _bodies(self, key_col: Any, body_col: Any, keys: list[str]) -> dict[str, str]:
        return {k: b for k, b in self._rows([key_col, body_col], key_col, keys)}

    def _insert(self, model: type[Base], rows: list[dict[str, Any]]) -> None:
        """Insert `rows` (all with the same keys): COPY on PostgreSQL, an executemany INSERT on SQLite."""
        if not rows:
            return
        conn = self.session.connection()
        if not self.pg:
            conn.execute(insert(model), rows)
            return
        columns = list(rows[0])
        raw: Any = conn.connection.driver_connection
        names = ", ".join(f'"{c}"' for c in columns)
        statement = f'COPY "{model.__tablename__}" ({names}) FROM STDIN'
        with raw.cursor() as cursor, cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row([row[c] for c in columns])

    def reject(self, item: PushItem, refusal: Refusal) -> ItemResult:
        reason = refusal.text()
        self.rejected.append({"terminal_id": self.terminal_id, "kind": item.kind, "key": item.key[:100],
                              "reason": reason, "body": json.dumps(item.body)[:100_000],
                              "received_at": self.now, "code": refusal.code,
                              "params": json.dumps(dict(refusal.params), sort_keys=True)})
        return ItemResult(key=item.key, status="rejected", reason=reason, code=refusal.code,
                          params=dict(refusal.params))

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
        if isinstance(body, WireGiftMovement):
            return self._gift(item, body)
        return self._audit(item, body)

    def _gift(self, item: PushItem, m: WireGiftMovement) -> ItemResult:
        """A gift card / store credit movement (`sync.hq.giftcards`): once, only its own terminal's, checked
        against the account's HQ balance."""
        if m.terminal_id != self.terminal_id:
            return self.reject(item, refuse(R.FOREIGN_TERMINAL, what="movement", key=m.movement_id,
                                            owner=m.terminal_id))
        text = giftcards.canonical(m)
        stored = giftcards.stored_body(self.session, m.movement_id)
        if stored is not None:
            if stored == text:
                return ItemResult(key=item.key, status="duplicate")
            return self.reject(item, refuse(R.CONFLICT, what="movement", key=m.movement_id))
        loads = m.kind in ("issue", "load")
        program = self.rules.program(giftcards.newest_program_version(self.session)) if loads else None
        refused = self.rules.time("created_at", m.created_at) or giftcards.check(self.session, m, program)
        if refused is not None:
            return self.reject(item, refused)
        giftcards.accept(self.session, m, text)
        self.changes.append({"kind": "giftcard", "ref": m.account})
        return ItemResult(key=item.key, status="accepted")

    def _uuid_item(self, item: PushItem, known: dict[str, str], key: str, owner: str, text: str,
                   what: str, model: type[Message]) -> ItemResult | None:
        if owner != self.terminal_id:
            return self.reject(item, refuse(R.FOREIGN_TERMINAL, what=what, key=key, owner=owner))
        if key in known:
            if known[key] == text or _recanonical(model, known[key]) == text:
                return ItemResult(key=item.key, status="duplicate")
            return self.reject(item, refuse(R.CONFLICT, what=what, key=key))
        known[key] = text
        return None

    def _entry(self, item: PushItem, entry: WireEntry) -> ItemResult:
        created_at = to_iso(entry.created_at)
        text = canonical_entry(entry, created_at)
        done = self._uuid_item(item, self.entries, entry.entry_id, entry.terminal_id, text, "entry", WireEntry)
        if done is not None:
            return done
        if entry.member_id in self.reused:
            del self.entries[entry.entry_id]
            return self.reject(item, refuse(R.REUSED_MEMBER_ITEM, what="entry", key=entry.entry_id,
                                            member_id=entry.member_id))
        taken = self.seqs.get(entry.seq)
        if taken is not None:  # a restored terminal numbering again from its backup: never two entries per seq
            del self.entries[entry.entry_id]
            return self.reject(item, refuse(R.SEQ_REUSED, key=entry.entry_id, seq=entry.seq,
                                            terminal_id=entry.terminal_id, taken=taken))
        refused = (refuse(R.MEMBER_UNKNOWN, what="entry", key=entry.entry_id, member_id=entry.member_id)
                   if entry.member_id not in self.known_members else self.rules.entry(entry))
        if refused is not None:
            del self.entries[entry.entry_id]
            return self.reject(item, refused)
        self.seqs[entry.seq] = entry.entry_id
        self.new_entries.append({
            "entry_id": entry.entry_id, "terminal_id": entry.terminal_id, "seq": entry.seq,
            "member_id": entry.member_id,
            "kind": entry.kind, "points_delta": entry.points_delta, "spend_delta": entry.spend_delta,
            "value": entry.value, "ref_code": entry.ref_code, "created_at": created_at,
            "received_at": self.now, "body": text})
        self.kpi_entries.append(entry)
        self.changes.append({"kind": "entry", "ref": entry.entry_id, "member": entry.member_id})
        delta = self.deltas.setdefault(entry.member_id, {"points": 0, "spend": 0, "entries": 0, "stamps": {}})
        delta["points"] += entry.points_delta
        delta["spend"] += entry.spend_delta
        delta["entries"] += 1
        if entry.stamps_delta and entry.punch_card:
            delta["stamps"][entry.punch_card] = delta["stamps"].get(entry.punch_card, 0) + entry.stamps_delta
        return ItemResult(key=item.key, status="accepted")

    def _sale(self, item: PushItem, sale: WireSale) -> ItemResult:
        text = canonical(sale)
        done = self._uuid_item(item, self.sales, sale.sale_id, sale.terminal_id, text, "sale", WireSale)
        if done is not None:
            return done
        refused = self.rules.sale(sale)
        if refused is not None:
            del self.sales[sale.sale_id]
            return self.reject(item, refused)
        self.new_sales.append({"sale_id": sale.sale_id, "terminal_id": sale.terminal_id, "kind": sale.kind,
                               "member_id": sale.member_id, "total": sale.total,
                               "created_at": to_iso(sale.created_at), "receipt_seq": sale.receipt_seq,
                               "body": text})
        self.kpi_sales.append(sale)
        return ItemResult(key=item.key, status="accepted")

    def _member(self, item: PushItem, member: WireMember) -> ItemResult:
        if member.enrolled_by_terminal != self.terminal_id:
            return self.reject(item, refuse(R.FOREIGN_TERMINAL, what="member", key=member.member_id,
                                            owner=member.enrolled_by_terminal))
        values = member.model_dump()
        row = self.member_rows.get(member.member_id)
        if row is not None:
            if row["enrolled_by_terminal"] != self.terminal_id:
                return self.reject(item, refuse(R.MEMBER_OWNER, member_id=member.member_id,
                                                owner=row["enrolled_by_terminal"]))
            if row == values:
                return ItemResult(key=item.key, status="duplicate")
            if not same_instant(row["enrolled_at"], values["enrolled_at"]):  # another person: never merged
                self.reused.add(member.member_id)
                return self.reject(item, refuse(R.MEMBER_ID_REUSED, member_id=member.member_id,
                                                enrolled_at=row["enrolled_at"], this=member.enrolled_at))
        refused = self.rules.member(member)
        if refused is not None:
            return self.reject(item, refused)
        if row is not None:
            row.update(values)  # written at flush: as a new row, or as an update of HQ's
            if member.member_id not in self.new_members:
                self.changed_members[member.member_id] = row
        else:
            self.member_rows[member.member_id] = self.new_members[member.member_id] = values
        self.known_members.add(member.member_id)
        self.changes.append({"kind": "member", "ref": member.member_id})
        return ItemResult(key=item.key, status="accepted")

    def _card(self, item: PushItem, card: WireCard) -> ItemResult:
        if card.member_id in self.reused:
            return self.reject(item, refuse(R.REUSED_MEMBER_ITEM, what="card", key=card.card_number,
                                            member_id=card.member_id))
        if card.member_id not in self.known_members:
            return self.reject(item, refuse(R.MEMBER_UNKNOWN, what="card", key=card.card_number,
                                            member_id=card.member_id))
        row = self.session.get(HqCard, card.card_number)
        if row is not None and (row.member_id != card.member_id or row.serial != card.serial):
            return self.reject(item, refuse(R.CARD_TAKEN, card=card.card_number, owner=row.member_id))
        if row is not None and (card.revoked_at is None or row.revoked_at is not None):
            return ItemResult(key=item.key, status="duplicate")
        refused = self.rules.card(card, row)
        if refused is not None:
            return self.reject(item, refused)
        if row is None:
            row = HqCard(card_number=card.card_number, member_id=card.member_id, serial=card.serial,
                         key_id=card.key_id, issued_at=to_iso(card.issued_at) if card.issued_at else None)
            self.session.add(row)
        if card.revoked_at:
            row.revoked_at, row.reason = to_iso(card.revoked_at), card.reason
        self.session.flush()
        self.changes.append({"kind": "card", "ref": card.card_number, "member": card.member_id})
        return ItemResult(key=item.key, status="accepted")

    def _audit(self, item: PushItem, audit: Message) -> ItemResult:
        audit_id = str(item.body.get("audit_id"))
        if self.session.get(HqAudit, audit_id) is not None:
            return ItemResult(key=item.key, status="duplicate")
        refused = self.rules.time("created_at", audit.created_at) if isinstance(audit, WireAudit) else None
        if refused is not None:
            return self.reject(item, refused)
        self.session.add(HqAudit(audit_id=audit_id, terminal_id=self.terminal_id, body=canonical(audit)))
        self.session.flush()
        return ItemResult(key=item.key, status="accepted")

    def flush(self) -> None:
        """Write the collected rows and the balance updates (still inside the caller's transaction)."""
        conn = self.session.connection()
        self.session.flush()  # cards and audit rows added item by item
        self._insert(HqMember, list(self.new_members.values()))
        self._insert(HqBalance, [{"member_id": m, "points": 0, "spend_total": 0, "entries": 0, "stamps": "{}",
                                  "review": False} for m in self.new_members])
        if self.changed_members:
            conn.execute(update(HqMember).where(HqMember.member_id == bindparam("m")).values(
                {f: bindparam(f) for f in _MEMBER_FIELDS if f != "member_id"}),
                [{"m": k} | {f: v for f, v in row.items() if f != "member_id"}
                 for k, row in self.changed_members.items()])
        # The key rows first: a concurrent push holding one of these ids makes this one wait, then fail whole
        # (a unique violation) and run again (`sync.hq.db.retrying`) before it wrote anything big.
        self._insert(HqEntryKey, [{k: e[k] for k in ("entry_id", "terminal_id", "seq", "created_at")}
                                  for e in self.new_entries])
        self._insert(HqSaleKey, [{"sale_id": s["sale_id"], "created_at": s["created_at"]} for s in self.new_sales])
        self._insert(HqEntry, self.new_entries)
        self._insert(HqSale, self.new_sales)
        tiers = kpi_projection.retier_spenders(self.session, self.kpi_entries, parse_utc(self.now))
        if self.changes or self.kpi_sales or tiers:
            # from here to the commit, alone among the change log's writers — and among the KPI projections'
            # (`sync.hq.kpi_projection`: their shared rows are written below, under the same lock)
            order_changes(self.session)
        scope.record(self.session, self.terminal_id, self.changes, self.now)  # per store, in item order
        kpi_projection.project(self.session, self.kpi_sales, self.kpi_entries,
                               [parse_utc(m["enrolled_at"]) for m in self.new_members.values()], parse_utc(self.now),
                               tiers)
        if self.rejected:
            self._record_rejections()
        if self.deltas:
            self._update_balances()
        self.rules.promos.flush(conn)

    def _record_rejections(self) -> None:
        """Insert rejections not already recorded with the same kind, key and body (a retried refusal)."""
        keys = list({r["key"] for r in self.rejected})
        r = HqRejection.__table__.c
        seen: set[tuple[str, str, str]] = {
            (kind, key, body) for kind, key, body in self._rows([r.kind, r.key, r.body], r.key, keys,
                                                                r.terminal_id == self.terminal_id)}
        fresh = []
        for row in self.rejected:
            ident = (row["kind"], row["key"], row["body"])
            if ident not in seen:
                seen.add(ident)
                fresh.append(row)
        if fresh:
            self.session.connection().execute(insert(HqRejection), fresh)

    def _update_balances(self) -> None:
        """One SELECT and one UPDATE (PostgreSQL: from `unnest` of arrays; SQLite: executemany) for every
        member the batch touched (Core, no ORM objects)."""
        b = HqBalance.__table__.c
        current: dict[str, tuple[int, int, int, str, bool]] = {
            row[0]: (row[1] or 0, row[2] or 0, row[3] or 0, row[4] or "{}", bool(row[5]))
            for row in self._rows([b.member_id, b.points, b.spend_total, b.entries, b.stamps, b.review], b.member_id,
                                  list(self.deltas))}
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
        conn = self.session.connection()
        if updates and self.pg:
            conn.execute(_PG_BALANCES, {name: [u[name] for u in updates] for name in updates[0]})
        elif updates:
            conn.execute(update(HqBalance).where(HqBalance.member_id == bindparam("m")).values(
                points=bindparam("points"), spend_total=bindparam("spend_total"), entries=bindparam("entries"),
                stamps=bindparam("stamps"), review=bindparam("review")), updates)
        self._insert(HqBalance, [{"member_id": r.pop("m")} | r for r in inserts])


#: The balances of a batch in one statement on PostgreSQL (one round trip, one array parameter per column).
_PG_BALANCES = text(
    "UPDATE hq_balances AS b SET points = v.points, spend_total = v.spend_total, entries = v.entries,"
    " stamps = v.stamps, review = v.review"
    " FROM unnest(CAST(:m AS text[]), CAST(:points AS bigint[]), CAST(:spend_total AS bigint[]),"
    " CAST(:entries AS integer[]), CAST(:stamps AS text[]), CAST(:review AS boolean[]))"
    " AS v(member_id, points, spend_total, entries, stamps, review)"
    " WHERE b.member_id = v.member_id")


def _validate_bodies(items: Sequence[PushItem]) -> dict[int, Message]:
    """The batch's valid bodies by item index: the ledger entries in one pass (item by item when that pass
    finds a bad one), the other kinds one by one. A bad body is left out (`apply` names its fault)."""
    entries_at = [i for i, item in enumerate(items) if item.kind == "ledger_entry"]
    one_by_one = [i for i, item in enumerate(items) if item.kind != "ledger_entry"]
    valid: dict[int, Message] = {}
    if entries_at:
        try:
            valid.update(zip(entries_at, _ENTRY_LIST.validate_python([items[i].body for i in entries_at])))
        except ValidationError:
            one_by_one += entries_at
    for index in one_by_one:
        try:
            valid[index] = BODY_MODELS[items[index].kind].model_validate(items[index].body)
        except ValidationError:
            pass
    return valid


def apply_push(session: Session, terminal_id: str, items: Sequence[PushItem], now: str) -> list[ItemResult]:
    """Apply `items` pushed by `terminal_id` in the caller's transaction; one result per item, in order."""
    batch = _Batch(session, terminal_id, now, items)
    results = [batch.apply(index, item) for index, item in enumerate(items)]
    batch.flush()
    return results
