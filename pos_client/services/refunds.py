"""Refunds, whole or by line, as reversing ledger entries (the ledger is never edited).

A refund needs a manager PIN, is written to the audit log, and reverses exactly its share of what the sale
did (see `pos_client.pricing.refund`). Refunding more units than remain, or a sale already fully refunded,
is refused and writes nothing. The refund that leaves nothing of a sale (pricing's answer,
`RefundEffect.completes_sale`) returns the coupons and vouchers it
used (`pos_client.services.coupons.return_drafts`); a partial refund keeps them spent.

The money goes back the way the sale was paid (`pos_client.tender.refund_allocation`: card tenders first,
each at most what it still holds after earlier refunds, cash the rest), unless the manager chooses one way
(`refund_to`, written to the audit log). Cash paid back needs an open shift, as cash taken does.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Mapping

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pos_client.db.models import AuditEntry, LedgerEntry, MemberStamps, Sale, SaleLine, Tender
from pos_client.errors import InvalidInputError, RuleViolation, StateError
from pos_client.ids import new_id
from pos_client.ledger import EntryDraft, append_many
from pos_client.messages import message
from pos_client.pricing.refund import RefundEffect, SoldLine, SoldSale, refund_effect, stored_promotions
from pos_client.sales import SaleRow, find_sale, write_sale
from pos_client.giftcards import ledger as gift_ledger
from pos_client.member_state.rules import store_date
from pos_client.services import clock, coupons, giftcards, staff
from pos_client.services.auth import authenticate
from pos_client.services.manager_actions import check_reason
from pos_client.services.programs import program_at, program_version
from pos_client.services.shifts import shift_for_sale
from pos_client.tender import Paid, Tender as TenderLine, TenderKind, refund_allocation
from pos_client.terminal import Terminal
from pos_client.timeutil import from_iso, to_iso, utcnow


@dataclass(frozen=True)
class RefundResult:
    refund_id: str
    sale_id: str
    effect: RefundEffect
    fully_refunded: bool
    tenders: tuple[TenderLine, ...] = ()
    receipt_no: str = ""  # the refund slip's own receipt number
    sale_receipt_no: str | None = None  # the refunded sale's


def _sold(session: Session, sale: Sale) -> tuple[SoldSale, list[SaleLine]]:
    lines = list(session.scalars(select(SaleLine).where(SaleLine.sale_id == sale.sale_id).order_by(SaleLine.line_no)))
    program = (program_version(session, sale.program_version) if sale.program_version
               else program_at(session, from_iso(sale.created_at)))
    # the promotions' per-line figures live in the stored quote (docs/pricing.md, "Refunds")
    promos = stored_promotions(json.loads(sale.quote or "{}"))
    sold = []
    for i, line in enumerate(lines):
        plan = program.membership_by_sku(line.sku) if line.kind == "membership" else None
        extra: Mapping[str, Any] = promos.lines[i] if i < len(promos.lines) else {}
        sold.append(SoldLine(line_no=line.line_no, sku=line.sku, kind=line.kind, qty=line.qty, paid=line.paid,
                             percent_discount=line.percent_discount, redeemed_value=line.redeemed_value,
                             free_by_card=json.loads(line.free_by_card), stamps=json.loads(line.stamps),
                             membership_code=plan.code if plan else None,
                             membership_days_per_unit=plan.period_days if plan else 0, **extra))
    return SoldSale(lines=tuple(sold), points_earned=sale.points_earned, qualifying_spend=sale.qualifying_spend,
                    redeemed_points=sale.redeemed_points, redeemed_value=sale.redeemed_value,
                    stamps_needed={c.code: c.stamps_needed for c in program.punch_cards},
                    campaign_points=promos.campaign_points, promotions_used=promos.promotions_used), lines


def refunded_units(session: Session, sale_id: str) -> dict[int, int]:
    rows = session.execute(select(SaleLine.refund_line_of, func.sum(SaleLine.qty)).join(
        Sale, Sale.sale_id == SaleLine.sale_id).where(Sale.refund_of == sale_id).group_by(SaleLine.refund_line_of))
    return {int(no): int(qty) for no, qty in rows if no is not None}


NOT_A_SALE = message("refund.not_a_sale", en="{receipt} is a refund, not a sale: refund the sale it refunded",
                     he="{receipt} היא החזרה ולא מכירה: בצעו החזרה על המכירה המקורית")
ALREADY_REFUNDED = message("refund.already_refunded", en="sale {sale_id} was already fully refunded",
                           he="המכירה {sale_id} כבר הוחזרה במלואה")


def paid_tenders(session: Session, sale_id: str) -> list[Paid]:
    """The sale's tenders, merged by kind and reference in the order paid, with what refunds already paid back
    to each (refund tenders name the kind and reference they went back to)."""
    def rows(where: Any) -> list[tuple[str, int, str | None]]:
        return [(k, int(a), r) for k, a, r in session.execute(
            select(Tender.kind, Tender.amount, Tender.reference).join(Sale, Sale.sale_id == Tender.sale_id)
            .where(where).order_by(Sale.created_at, Tender.line_no))]

    paid: dict[tuple[str, str | None], int] = {}
    for kind, amount, reference in rows(Tender.sale_id == sale_id):
        paid[(kind, reference)] = paid.get((kind, reference), 0) + amount
    back: dict[tuple[str, str | None], int] = defaultdict(int)
    for kind, amount, reference in rows(Sale.refund_of == sale_id):
        back[(kind, reference)] += amount
    return [Paid(TenderKind(kind), amount, back[(kind, ref)], ref) for (kind, ref), amount in paid.items()]


REFUND_TO_CHOSEN = "refund_to"


def refund(terminal: Terminal, sale_id: str, items: list[tuple[str, int]] | None, manager_pin: str,
           reason: str = "customer return", refund_to: TenderKind | None = None, *, cashier_pin: str | None = None,
           cashier_id: str | None = None) -> RefundResult:
    """Refund `items` ((sku, qty) pairs) of the sale `sale_id` names — a receipt number (`T1-000123`), an id
    or a unique prefix of one (`sales.find_sale`) — or everything that remains when `items` is None.

    `refund_to` is the manager's choice of how the money goes back (all of it one way); None pays back the
    way the sale was paid. The refund is recorded under the cashier who hands the money back (their PIN or
    id), else the manager who allowed it; the audit row is the manager's and names the cashier.
    """
    now = utcnow()
    tid = terminal.settings.terminal_id
    reason = check_reason(reason)  # it travels to HQ with the refund, whose protocol bounds it too
    with terminal.unit_of_work() as session:
        clock.guard(session, now)
        manager = authenticate(session, manager_pin, role="manager")
        actor = staff.acting(session, cashier_pin, cashier_id) if (cashier_pin or cashier_id) else manager.user_id
        sale = find_sale(session, sale_id)
        if sale.kind != "sale":
            raise InvalidInputError(NOT_A_SALE, receipt=sale.receipt_no or sale.sale_id)
        sold, lines = _sold(session, sale)
        before = refunded_units(session, sale.sale_id)
        remaining = {line.line_no: line.qty - before.get(line.line_no, 0) for line in lines}
        if not any(remaining.values()):
            raise StateError(ALREADY_REFUNDED, sale_id=sale.sale_id)
        now_units = _requested(lines, remaining, items)
        effect = refund_effect(sold, before, now_units)
        tenders = refund_allocation(effect.money_back, paid_tenders(session, sale.sale_id), refund_to)
        if refund_to is TenderKind.STORE_CREDIT:  # the sale's member's credit, whatever paid the sale
            if not sale.member_id:
                raise RuleViolation(giftcards.CREDIT_NEEDS_MEMBER)
            tenders = tuple(replace(t, reference=sale.member_id) for t in tenders)
        gift_lines = {line.line_no for line in lines if line.kind == "gift_card"}
        voids = giftcards.refund_voids(session, sale.sale_id,
                                       {no: qty for no, qty in now_units.items() if no in gift_lines})
        shift_id = shift_for_sale(session, tenders)
        refund_id = new_id()
        if sale.member_id:  # first: the refund's report correction counts the reversing entries
            _reverse_entries(session, sale, effect, tid, now, actor)
        by_no = {line.line_no: line for line in lines}
        refund_row: SaleRow = {
            "sale_id": refund_id, "kind": "refund", "refund_of": sale.sale_id, "terminal_id": tid,
            "cashier_id": actor, "member_id": sale.member_id, "program_version": sale.program_version,
            "created_at": to_iso(now), "currency": sale.currency, "subtotal": effect.money_back, "discount_total": 0,
            "redeemed_points": effect.points_returned, "redeemed_value": effect.redeemed_value_returned,
            "total": effect.money_back, "points_earned": -effect.points_reversed,
            "qualifying_spend": -effect.spend_reversed}
        write_sale(session, refund_row, [
            {"line_no": i, "sku": by_no[no].sku, "name": by_no[no].name, "category": by_no[no].category,
             "kind": by_no[no].kind, "qty": qty, "unit_price": by_no[no].unit_price,
             "amount": qty * by_no[no].unit_price, "free_units": 0, "free_by_card": {}, "percent_discount": 0,
             "redeemed_value": 0, "paid": effect.line_money[no], "stamps": {}, "refund_line_of": no}
            for i, (no, qty) in enumerate(sorted(now_units.items()), start=1)], reason=reason, tenders=tenders,
            shift_id=shift_id, receipt_prefix=terminal.settings.receipt_prefix)
        day = store_date(now, program_at(session, now).timezone)
        giftcards.record_tenders(session, tenders, kind="refund", terminal_id=tid, day=day,
                                 created_at=refund_row["created_at"], sale_id=refund_id, cashier_id=actor)
        gift_ledger.write(session, voids, terminal_id=tid, store_day=day, created_at=refund_row["created_at"],
                          sale_id=refund_id, cashier_id=actor)
        session.add(AuditEntry(audit_id=new_id(), created_at=to_iso(now), user_id=manager.user_id,
                               action="refund", target=sale.sale_id, reason=reason,
                               details=json.dumps({"refund_id": refund_id, "money_back": effect.money_back,
                                                   "units": {str(k): v for k, v in now_units.items()},
                                                   "tenders": [t.to_json() for t in tenders],
                                                   REFUND_TO_CHOSEN: refund_to.value if refund_to else None,
                                                   "receipt_no": refund_row.get("receipt_no"),
                                                   "sale_receipt_no": sale.receipt_no, "cashier_id": actor})))
        fully = effect.completes_sale
        if effect.promotions_returned and sale.member_id:  # the sale is undone: its coupons and vouchers come
            # back (docs/promotions.md), when pricing says so (`RefundEffect.promotions_returned`)
            append_many(session, coupons.return_drafts(session, sale.sale_id, sale.member_id), terminal_id=tid,
                        now=now, sale_id=sale.sale_id, cashier_id=actor, program_version=sale.program_version)
    return RefundResult(refund_id=refund_id, sale_id=sale.sale_id, effect=effect, fully_refunded=fully,
                        tenders=tenders, receipt_no=refund_row.get("receipt_no") or "",
                        sale_receipt_no=sale.receipt_no)


NOT_ON_SALE = message("refund.not_on_sale", en="{sku} is not on this sale", he="{sku} אינו במכירה הזו")
LEFT_TO_REFUND = message("refund.only_left", en="only {left} of {sku} left to refund on this sale",
                         he="נותרו להחזרה במכירה זו רק {left} יחידות של {sku}")


def _requested(lines: list[SaleLine], remaining: dict[int, int], items: list[tuple[str, int]] | None) -> dict[int, int]:
    if items is None:
        return {no: qty for no, qty in remaining.items() if qty}
    wanted: dict[str, int] = defaultdict(int)
    for sku, qty in items:
        wanted[sku.upper()] += qty
    result: dict[int, int] = {}
    for sku, qty in wanted.items():
        matching = [line for line in lines if line.sku.upper() == sku]
        if not matching:
            raise InvalidInputError(NOT_ON_SALE, sku=sku)
        left = sum(remaining[line.line_no] for line in matching)
        if qty > left:
            raise InvalidInputError(LEFT_TO_REFUND, left=left, sku=sku)
        for line in matching:
            take = min(qty, remaining[line.line_no])
            if take:
                result[line.line_no] = take
                qty -= take
    return result


def _reversed(session: Session, entry_id: str) -> int:
    """The points earlier refunds already reversed from entry `entry_id` (≤ 0)."""
    return int(session.scalar(select(func.coalesce(func.sum(LedgerEntry.points_delta), 0))
                              .where(LedgerEntry.reverses == entry_id)) or 0)


def _reverse_entries(session: Session, sale: Sale, effect: RefundEffect, tid: str, now: datetime,
                     actor: str | None) -> None:
    originals = list(session.scalars(select(LedgerEntry).where(LedgerEntry.sale_id == sale.sale_id,
                                                               LedgerEntry.member_id == sale.member_id)))

    def original(kind: str, card: str | None = None) -> LedgerEntry | None:
        return next((e for e in originals if e.kind == kind and (card is None or e.punch_card == card)), None)

    mid = sale.member_id
    assert mid is not None
    drafts: list[EntryDraft] = []
    earn = original("earn")
    if earn and (effect.points_reversed or effect.spend_reversed):
        drafts.append(EntryDraft(mid, "reverse", points_delta=-effect.points_reversed,
                                 spend_delta=-effect.spend_reversed, reverses=earn.entry_id, reason="refund: earn"))
    left = effect.campaign_points_reversed  # taken back from the sale's campaign entries, the largest first
    for campaign in sorted((e for e in originals if e.kind == "campaign"), key=lambda e: -e.points_delta):
        taken = min(left, campaign.points_delta + _reversed(session, campaign.entry_id))
        if taken > 0:
            drafts.append(EntryDraft(mid, "reverse", points_delta=-taken, reverses=campaign.entry_id,
                                     reason="refund: campaign"))
            left -= taken
    redeem = original("redeem")
    if redeem and effect.points_returned:
        drafts.append(EntryDraft(mid, "reverse", points_delta=effect.points_returned,
                                 value=-effect.redeemed_value_returned, reverses=redeem.entry_id,
                                 reason="refund: redeem"))
    discount = original("tier_discount")
    if discount and effect.discount_reversed:
        drafts.append(EntryDraft(mid, "reverse", value=-effect.discount_reversed, reverses=discount.entry_id,
                                 reason="refund: tier_discount"))
    for card, count in effect.stamps_reversed.items():
        # Stamps never go negative: when the returned item's stamps were already spent on a free item, the
        # refund takes back only what the member still holds (with what this refund gives back).
        held = session.get(MemberStamps, (mid, card))
        available = (held.stamps if held else 0) + effect.stamps_returned.get(card, 0)
        taken = min(count, max(available, 0))
        if not taken:
            continue
        stamp = original("stamp", card)
        drafts.append(EntryDraft(mid, "reverse", stamps_delta=-taken, punch_card=card,
                                 reverses=stamp.entry_id if stamp else None,
                                 reason="refund: stamp" + ("" if taken == count else f" ({count - taken} already spent)")))
    for card, count in effect.stamps_returned.items():
        reward = original("stamp_reward", card)
        drafts.append(EntryDraft(mid, "reverse", stamps_delta=count, punch_card=card,
                                 reverses=reward.entry_id if reward else None, reason="refund: stamp_reward"))
    for code, days in effect.membership_days.items():
        plan = next((e for e in originals if e.kind == "membership" and e.membership_days > 0), None)
        drafts.append(EntryDraft(mid, "reverse", membership_code=code, membership_days=-days,
                                 reverses=plan.entry_id if plan else None, reason="refund: membership"))
    append_many(session, drafts, terminal_id=tid, now=now, sale_id=sale.sale_id, cashier_id=actor,
                program_version=sale.program_version)
