"""HQ's book of coupons and vouchers: the one place a pushed coupon or voucher entry is checked against what
the whole chain did (docs/promotions.md, "At HQ").

- `coupon_issue` / `voucher_issue`: the program version the entry names has that member coupon or voucher, and
  the id was never issued before (a repeat is refused: ids are random and chain-wide); a `points` voucher's issue
  debits exactly its `every` points, any other issue none.
- `coupon_use` of a member coupon, `voucher_use`: the id was issued to this member, is not spent, and the use's
  store date is not after its last valid day. A forged or guessed id is refused here and changes nothing.
- `coupon_use` of a public promo code: within the code's `chain_limit` over every terminal and its
  `per_member_limit` (HQ alone sees every counter: a terminal offline bounds only its own exposure).
- `coupon_return` / `voucher_return`: reverse the use they name.

The book loads the rows a push needs in two statements, keeps the batch's own changes as it goes (a voucher
issued and spent in the same push), and writes them at the push's flush, in its transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from sqlalchemy import Connection, bindparam, insert, update

from pos_client.ledger_kinds import PROMO_KINDS
from pos_client.member_state.rules import store_date
from pos_client.program.promotions import Coupon, Voucher
from pos_client.promotions import rules
from pos_client.program.schema import Program
from sync import refusals as R
from sync.hq.models import HqCouponUses, HqPromo
from sync.protocol import WireEntry
from sync.refusals import Refusal, refuse

Rows = Callable[..., list[Any]]
#: The `hq_coupon_uses` row that holds a public code's chain-wide count.
CHAIN = ""
_PROMO_FIELDS = ("promo_ref", "kind", "code", "member_id", "issued_entry", "valid_until", "used_entry")


class PromoBook:
    """What a push's lifecycle entries may do, and what they did (written by `flush`)."""

    def __init__(self, rows: Rows, entries: Sequence[WireEntry]) -> None:
        mine = [e for e in entries if e.kind in PROMO_KINDS]
        p = HqPromo.__table__.c
        refs = list({e.promo_ref for e in mine if e.promo_ref})
        self.promos: dict[str, dict[str, Any]] = {
            row[0]: dict(zip(_PROMO_FIELDS, row)) for row in rows([p[f] for f in _PROMO_FIELDS], p.promo_ref, refs)}
        u = HqCouponUses.__table__.c
        codes = list({e.ref_code for e in mine if e.kind in ("coupon_use", "coupon_return") and e.ref_code})
        members = list({e.member_id for e in mine} | {CHAIN})
        self.uses: dict[tuple[str, str], int] = {
            (row[0], row[1]): int(row[2]) for row in rows([u.code, u.member_id, u.uses], u.code, codes,
                                                          u.member_id.in_(members))}
        self._stored_uses = set(self.uses)
        self._new: dict[str, dict[str, Any]] = {}
        self._changed: set[str] = set()

    def check(self, e: WireEntry, program: Program | None) -> Refusal | None:
        """None if `e` may be stored — and then the book counts it."""
        if e.kind not in PROMO_KINDS:
            return None
        if not e.promo_ref or not e.ref_code:
            return refuse(R.INVALID, where="promo_ref", problem="a coupon or voucher entry names its code and id")
        if program is None:  # which coupons are public, and which exist, is the program's to say
            return refuse(R.PROGRAM_UNKNOWN, kind=e.kind, version=str(e.program_version))
        if e.kind.endswith("_issue"):
            return self._issue(e, program)
        coupon = program.coupon(e.ref_code) if e.kind.startswith("coupon") else None
        if coupon is not None and coupon.kind == "public":
            return self._public(e, coupon)
        return self._held(e, program)

    def _issue(self, e: WireEntry, program: Program) -> Refusal | None:
        assert e.promo_ref and e.ref_code
        version = program.version
        item = program.coupon(e.ref_code) if e.kind == "coupon_issue" else program.voucher(e.ref_code)
        if item is None or getattr(item, "kind", "member") != "member":
            return refuse(R.NOT_IN_PROGRAM, what=e.kind.split("_")[0], code=e.ref_code, version=version)
        converted = rules.issue_points(item) if isinstance(item, Voucher) else 0
        if e.points_delta != converted:  # a `points` voucher debits exactly its `every`; nothing else moves points
            return refuse(R.PROGRAM_AMOUNT, kind=e.kind, points=e.points_delta, version=version, expected=converted)
        known = self.promos.get(e.promo_ref)
        if known is not None:
            return refuse(R.PROMO_REISSUED, ref=e.promo_ref, issued=known["issued_entry"])
        row = {"promo_ref": e.promo_ref, "kind": e.kind.split("_")[0], "code": e.ref_code, "member_id": e.member_id,
               "issued_entry": e.entry_id, "valid_until": e.valid_until, "used_entry": None}
        self.promos[e.promo_ref] = self._new[e.promo_ref] = row
        return None

    def _held(self, e: WireEntry, program: Program) -> Refusal | None:
        assert e.promo_ref
        row = self.promos.get(e.promo_ref)
        if row is None or row["member_id"] != e.member_id or row["kind"] != e.kind.split("_")[0]:
            return refuse(R.PROMO_UNKNOWN, kind=e.kind, ref=e.promo_ref, member_id=e.member_id)
        if e.kind.endswith("_use"):
            if row["used_entry"]:
                return refuse(R.PROMO_USED, ref=e.promo_ref, used=row["used_entry"])
            if row["valid_until"]:
                day = store_date(e.created_at, program.timezone)
                if not rules.valid_on(date.fromisoformat(row["valid_until"]), day):  # the terminal's rule too
                    return refuse(R.PROMO_EXPIRED, ref=e.promo_ref, day=day.isoformat(), until=row["valid_until"])
            row["used_entry"] = e.entry_id
        else:
            if row["used_entry"] is None or row["used_entry"] != e.reverses:
                return refuse(R.PROMO_NOT_USED, ref=e.promo_ref, reverses=str(e.reverses))
            row["used_entry"] = None
        self._changed.add(e.promo_ref)
        return None

    def _public(self, e: WireEntry, coupon: Coupon) -> Refusal | None:
        assert e.ref_code
        code, mine, chain = e.ref_code, (e.ref_code, e.member_id), (e.ref_code, CHAIN)
        step = 1 if e.kind == "coupon_use" else -1
        if step > 0:
            chain_limit = coupon.chain_limit  # HQ's alone: it alone sees every counter
            if chain_limit is not None and self.uses.get(chain, 0) >= chain_limit:
                return refuse(R.COUPON_CHAIN_LIMIT, code=code, uses=self.uses.get(chain, 0), limit=chain_limit)
            if rules.member_limit_reached(coupon, self.uses.get(mine, 0)):  # the terminal's rule too
                return refuse(R.COUPON_MEMBER_LIMIT, code=code, uses=self.uses.get(mine, 0), member_id=e.member_id,
                              limit=coupon.per_member_limit)
        elif self.uses.get(mine, 0) <= 0:
            return refuse(R.PROMO_NOT_USED, ref=e.promo_ref or code, reverses=str(e.reverses))
        self.uses[mine] = self.uses.get(mine, 0) + step
        self.uses[chain] = self.uses.get(chain, 0) + step
        return None

    def flush(self, conn: Connection) -> None:
        """Write what the accepted entries did (inside the push's transaction)."""
        if self._new:
            conn.execute(insert(HqPromo), list(self._new.values()))
        changed = [{"ref": ref, "used": self.promos[ref]["used_entry"]} for ref in self._changed - set(self._new)]
        if changed:
            conn.execute(update(HqPromo).where(HqPromo.promo_ref == bindparam("ref")).values(
                used_entry=bindparam("used")), changed)
        touched = {key: n for key, n in self.uses.items()}
        updates = [{"c": c, "m": m, "n": n} for (c, m), n in touched.items() if (c, m) in self._stored_uses]
        inserts = [{"code": c, "member_id": m, "uses": n} for (c, m), n in touched.items()
                   if (c, m) not in self._stored_uses]
        if updates:
            conn.execute(update(HqCouponUses).where(HqCouponUses.code == bindparam("c"),
                                                    HqCouponUses.member_id == bindparam("m")).values(
                uses=bindparam("n")), updates)
        if inserts:
            conn.execute(insert(HqCouponUses), inserts)
        self._stored_uses |= set(touched)
        self._new.clear()
        self._changed.clear()
