"""The receipt: one document built from the recorded sale, rendered alike on screen, on paper and as PDF.

Why one document: the receipt used to be HTML assembled in the UI from what the checkout screen happened to hold
(the cart's names, the member panel's override), so a reprint from the CLI, a thermal printer and the PDF could
not say the same thing. Now `load_receipt()` reads everything from the database — the `sales` row and its lines,
the quote stored with it (balance after, stamps), the member's and cashier's names, the manager who allowed
spending (the audit log), the program's names of punch cards and its time zone — into a `Receipt`, a pydantic
document with no language in it. `receipt_rows(receipt, lang)` lays it out as a list of `Row`s in one language
(words from the message catalogue, money by Babel, the time in the store's zone), and every renderer draws those
rows with `receipts.render` (Pillow): the thermal raster, the PDF, and the image the app's receipt dialog shows
(Qt's rich-text tables do not lay out right-to-left two-column rows reliably, so the screen shows the paper).

The reference printed is the sale's receipt number (`T1-000123`; the sale id for a sale recorded before receipt
numbers), and a sale is found by `pos_client.sales.find_sale`, like everywhere else a sale is asked for. The
tenders (how it was paid, the change) are printed under the total.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pos_client.giftcards.ledger import issued_by_sale
from pos_client.db.models import AuditEntry, Member, Product, ProgramVersion, Sale, SaleLine, Setting, Tender
from pos_client.errors import NotFoundError
from pos_client.messages import message
from pos_client.money import format_money
from pos_client.program.schema import Program
from pos_client.reports.shift_text import kind_name
from pos_client.services import staff
from pos_client.services.programs import program_version
from pos_client.timeutil import from_iso, store_zone

DEFAULT_ZONE = "Asia/Jerusalem"


class Names(BaseModel):
    """A name in each language (the Hebrew one may be missing: the English one is shown then)."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    en: str
    he: str | None = None

    def text(self, lang: str) -> str:
        return (self.he or self.en) if lang == "he" else self.en


class ReceiptItem(BaseModel):
    """One line of the sale: amounts in minor units; `discount` is what discounts took off the line."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    name: Names
    qty: int
    unit_price: int
    amount: int
    discount: int
    free_units: int = 0


class ReceiptTender(BaseModel):
    """One way the sale was paid (or a refund paid back): `given` was handed over, `change` went back."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    kind: str
    amount: int
    given: int
    change: int = 0
    reference: str | None = None


class ReceiptPromotion(BaseModel):
    """A coupon or voucher the sale used (`value`: what it took, in minor units), or vouchers it issued (`count`),
    from the sale's stored quote (`coupons_applied`, `vouchers_applied`, `vouchers_issued`)."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    kind: Literal["coupon", "voucher", "voucher_issued"]
    name: Names
    value: int = 0
    count: int = 0


class ReceiptGiftCard(BaseModel):
    """A gift card the sale issued: its number, load, last paying day and QR payload (printed as text here; a
    printer that draws QR codes draws `token`)."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    card: str
    amount: int
    expires_on: str | None = None
    token: str | None = None


class Receipt(BaseModel):
    """Everything a receipt shows, in no language yet (the renderers choose one)."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    store_name: str
    terminal_id: str
    reference: str
    sale_id: str
    kind: Literal["sale", "refund"] = "sale"
    refund_of: str | None = None
    created_at: datetime
    timezone: str = DEFAULT_ZONE
    currency: str
    cashier: str | None = None
    member_name: str | None = None
    member_id: str | None = None
    items: tuple[ReceiptItem, ...] = ()
    subtotal: int
    discount_total: int = 0
    redeemed_points: int = 0
    redeemed_value: int = 0
    total: int
    points_earned: int = 0
    points_balance_after: int | None = None
    stamps_earned: tuple[tuple[Names, int], ...] = ()
    stamps_spent: tuple[tuple[Names, int], ...] = ()
    override_by: str | None = None
    tenders: tuple[ReceiptTender, ...] = ()
    promotions: tuple[ReceiptPromotion, ...] = ()
    gift_cards: tuple[ReceiptGiftCard, ...] = ()
    copy_: bool = False

    def as_copy(self) -> Receipt:
        """The same receipt marked as a copy (a reprint)."""
        return self.model_copy(update={"copy_": True})


RowKind = Literal["title", "center", "pair", "text", "rule", "banner", "space"]


class Row(BaseModel):
    """One laid-out line. `pair`: `start` at the reading start, `end` at the other edge (the amount)."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    kind: RowKind
    start: str = ""
    end: str = ""
    bold: bool = False
    small: bool = False


NO_SALE = message("receipt.no_sale", en="no sale '{ref}' on this terminal", he="אין מכירה '{ref}' בקופה זו")

W_COPY = message("receipt.copy", en="COPY", he="העתק")
W_REFUND = message("receipt.refund", en="REFUND of sale {ref}", he="זיכוי על מכירה {ref}")
W_SALE = message("receipt.sale_ref", en="Receipt {ref}", he="קבלה {ref}")
W_TERMINAL = message("receipt.terminal", en="Terminal {terminal}", he="קופה {terminal}")
W_CASHIER = message("receipt.cashier", en="Cashier: {name}", he="קופאי/ת: {name}")
W_DISCOUNT = message("receipt.line_discount", en="  Discount", he="  הנחה")
W_FREE = message("receipt.line_free", en="  {count} free", he="  {count} חינם")
W_SUBTOTAL = message("receipt.subtotal", en="Subtotal", he="סכום ביניים")
W_DISCOUNTS = message("receipt.discounts", en="Discounts", he="הנחות")
W_REDEEMED = message("receipt.redeemed", en="Points redeemed: {points}", he="נקודות שמומשו: {points}")
W_TOTAL = message("receipt.total", en="Total", he="סה״כ לתשלום")
W_REFUNDED = message("receipt.refunded_total", en="Refunded", he="הוחזר")
W_MEMBER = message("receipt.member", en="Member: {name} ({member_id})", he="חבר/ת מועדון: {name} ({member_id})")
W_EARNED = message("receipt.points_earned", en="Points earned: {points}", he="נקודות שנצברו: {points}")
W_REVERSED = message("receipt.points_reversed", en="Points taken back: {points}", he="נקודות שבוטלו: {points}")
W_BALANCE = message("receipt.points_balance", en="Points balance: {points}", he="יתרת נקודות: {points}")
W_STAMPS = message("receipt.stamps", en="{card}: +{count} stamps", he="{card}: ‎+{count} חותמות")
W_STAMPS_SPENT = message("receipt.stamps_spent", en="{card}: free item ({count} stamps used)",
                         he="{card}: פריט חינם (נוצלו {count} חותמות)")
W_OVERRIDE = message("receipt.override", en="Spending allowed by manager {name}", he="המימוש אושר על ידי המנהל/ת {name}")
W_PAID = message("receipt.paid", en="{kind}", he="{kind}")
W_PAID_REF = message("receipt.paid_ref", en="{kind} ({reference})", he="{kind} ({reference})")
W_CHANGE = message("receipt.change", en="Change", he="עודף")
W_COUPON = message("receipt.coupon", en="  Coupon: {name}", he="  קופון: {name}")
W_VOUCHER = message("receipt.voucher", en="  Voucher: {name}", he="  שובר: {name}")
W_VOUCHER_ISSUED = message("receipt.voucher_issued", en="New voucher: {name} ×{count}",
                           he="שובר חדש: {name} ×{count}")
W_GIFT = message("receipt.gift_card", en="Gift card {card}: {amount:money}", he="כרטיס מתנה {card}: {amount:money}")
W_GIFT_UNTIL = message("receipt.gift_until", en="  valid until {day}", he="  בתוקף עד {day}")
W_THANKS = message("receipt.thanks", en="Thank you!", he="תודה רבה!")


def receipt_rows(receipt: Receipt, lang: str) -> list[Row]:
    """The receipt laid out in `lang`: what every renderer draws, top to bottom."""
    def money(amount: int) -> str:
        return format_money(amount, receipt.currency, lang)

    def minus(amount: int) -> str:
        return "\u2212" + money(amount)

    when = receipt.created_at.astimezone(store_zone(receipt.timezone)).strftime("%Y-%m-%d %H:%M")
    rows = [Row(kind="title", start=receipt.store_name)]
    if receipt.copy_:
        rows.append(Row(kind="banner", start=W_COPY.render(lang)))
    rows += [Row(kind="center", start=when),
             Row(kind="center", start=W_TERMINAL.render(lang, terminal=receipt.terminal_id), small=True)]
    if receipt.cashier:
        rows.append(Row(kind="center", start=W_CASHIER.render(lang, name=receipt.cashier)))
    if receipt.kind == "refund":
        rows.append(Row(kind="center", start=W_REFUND.render(lang, ref=receipt.refund_of or ""), bold=True))
    rows.append(Row(kind="rule"))
    for item in receipt.items:
        label = item.name.text(lang) + (f" ×{item.qty}" if item.qty != 1 else "")
        rows.append(Row(kind="pair", start=label, end=money(item.amount)))
        if item.free_units:
            rows.append(Row(kind="pair", start=W_FREE.render(lang, count=item.free_units), end="", small=True))
        if item.discount:
            rows.append(Row(kind="pair", start=W_DISCOUNT.render(lang), end=minus(item.discount), small=True))
    rows.append(Row(kind="rule"))
    rows.append(Row(kind="pair", start=W_SUBTOTAL.render(lang), end=money(receipt.subtotal)))
    if receipt.discount_total:
        rows.append(Row(kind="pair", start=W_DISCOUNTS.render(lang), end=minus(receipt.discount_total)))
    for promo in receipt.promotions:  # what each coupon and voucher took (already within the discounts)
        if promo.kind != "voucher_issued":
            word = W_COUPON if promo.kind == "coupon" else W_VOUCHER
            rows.append(Row(kind="pair", start=word.render(lang, name=promo.name.text(lang)), end=minus(promo.value),
                            small=True))
    if receipt.redeemed_points:
        rows.append(Row(kind="pair", start=W_REDEEMED.render(lang, points=receipt.redeemed_points),
                        end=minus(receipt.redeemed_value)))
    total_word = W_REFUNDED if receipt.kind == "refund" else W_TOTAL
    rows.append(Row(kind="pair", start=total_word.render(lang), end=money(receipt.total), bold=True))
    for tender in receipt.tenders:
        kind = kind_name(tender.kind, lang)
        label = W_PAID_REF.render(lang, kind=kind, reference=tender.reference) if tender.reference else \
            W_PAID.render(lang, kind=kind)
        rows.append(Row(kind="pair", start=label, end=money(tender.given)))
    change = sum(tender.change for tender in receipt.tenders)
    if change:
        rows.append(Row(kind="pair", start=W_CHANGE.render(lang), end=money(change), bold=True))
    loyalty: list[Row] = []
    if receipt.member_id:
        loyalty.append(Row(kind="text", start=W_MEMBER.render(lang, name=receipt.member_name or "",
                                                              member_id=receipt.member_id)))
        if receipt.points_earned >= 0:
            loyalty.append(Row(kind="text", start=W_EARNED.render(lang, points=receipt.points_earned)))
        else:
            loyalty.append(Row(kind="text", start=W_REVERSED.render(lang, points=-receipt.points_earned)))
        if receipt.points_balance_after is not None:
            loyalty.append(Row(kind="text", start=W_BALANCE.render(lang, points=receipt.points_balance_after)))
        for names, count in receipt.stamps_earned:
            loyalty.append(Row(kind="text", start=W_STAMPS.render(lang, card=names.text(lang), count=count)))
        for names, count in receipt.stamps_spent:
            loyalty.append(Row(kind="text", start=W_STAMPS_SPENT.render(lang, card=names.text(lang), count=count)))
        for promo in receipt.promotions:
            if promo.kind == "voucher_issued":
                loyalty.append(Row(kind="text", start=W_VOUCHER_ISSUED.render(lang, name=promo.name.text(lang),
                                                                              count=promo.count)))
        if receipt.override_by and (receipt.redeemed_points or receipt.stamps_spent):
            loyalty.append(Row(kind="text", start=W_OVERRIDE.render(lang, name=receipt.override_by)))
    if loyalty:
        rows += [Row(kind="rule"), *loyalty]
    for gift in receipt.gift_cards:
        rows += [Row(kind="rule"), Row(kind="text", bold=True, start=W_GIFT.render(
            lang, card=gift.card, amount=gift.amount, currency=receipt.currency))]
        if gift.expires_on:
            rows.append(Row(kind="text", start=W_GIFT_UNTIL.render(lang, day=gift.expires_on)))
        if gift.token:
            rows.append(Row(kind="text", start=gift.token, small=True))
    rows += [Row(kind="rule"), Row(kind="center", start=W_SALE.render(lang, ref=receipt.reference), small=True),
             Row(kind="center", start=W_THANKS.render(lang))]
    return rows


def receipt_text(receipt: Receipt, lang: str) -> str:
    """The rows as plain text, one line each (the screen's accessible text, logs, tests)."""
    lines = []
    for row in receipt_rows(receipt, lang):
        if row.kind == "rule":
            lines.append("-" * 32)
        elif row.kind == "pair":
            lines.append(f"{row.start}  {row.end}".rstrip())
        elif row.kind != "space":
            lines.append(row.start)
    return "\n".join(lines)


# -- reading a sale ---------------------------------------------------------------------------------------

def load_receipt(session: Session, sale_id: str) -> Receipt:
    """The receipt of the recorded sale (or refund) `sale_id`, read from the database."""
    sale = session.get(Sale, sale_id)
    if sale is None:
        raise NotFoundError(NO_SALE, ref=sale_id)
    settings = {row.key: json.loads(row.value) for row in session.scalars(select(Setting))}
    quote: dict[str, Any] = json.loads(sale.quote or "{}")
    lines = session.scalars(select(SaleLine).where(SaleLine.sale_id == sale_id).order_by(SaleLine.line_no)).all()
    skus = {line.sku for line in lines}
    hebrew = dict(session.execute(select(Product.sku, Product.name_he).where(Product.sku.in_(skus))).tuples().all())
    program = _program(session, sale.program_version)
    cards = {card.code: Names(en=card.name.text("en"), he=card.name.text("he"))
             for card in (program.punch_cards if program is not None else ())}
    member = session.get(Member, sale.member_id) if sale.member_id else None
    people = staff.names(session)  # staff numbers and the ids history written before them used
    override = session.scalars(select(AuditEntry.user_id).where(
        AuditEntry.action == "pin_spend_override", AuditEntry.target == sale_id)).first()
    refunded = session.get(Sale, sale.refund_of) if sale.refund_of else None
    tenders = session.scalars(select(Tender).where(Tender.sale_id == sale_id).order_by(Tender.line_no)).all()

    def stamps(key: str) -> tuple[tuple[Names, int], ...]:
        return tuple((cards.get(code, Names(en=code)), int(count))
                     for code, count in dict(quote.get(key) or {}).items() if count)

    return Receipt(
        store_name=str(settings.get("store_name", "Kupa store")), terminal_id=sale.terminal_id,
        reference=sale.receipt_no or sale.sale_id, sale_id=sale.sale_id,
        kind="refund" if sale.kind == "refund" else "sale",
        refund_of=(refunded.receipt_no or refunded.sale_id) if refunded is not None else sale.refund_of, created_at=from_iso(sale.created_at),
        timezone=program.timezone if program is not None else DEFAULT_ZONE, currency=sale.currency,
        cashier=people.get(sale.cashier_id) if sale.cashier_id else None, member_name=member.name if member else None,
        member_id=sale.member_id,
        items=tuple(ReceiptItem(name=Names(en=line.name, he=hebrew.get(line.sku)), qty=line.qty,
                                unit_price=line.unit_price, amount=line.amount,
                                discount=line.amount - line.paid - line.redeemed_value, free_units=line.free_units)
                    for line in lines),
        subtotal=sale.subtotal, discount_total=sale.discount_total, redeemed_points=sale.redeemed_points,
        redeemed_value=sale.redeemed_value, total=sale.total, points_earned=sale.points_earned,
        points_balance_after=quote.get("points_balance_after") if sale.member_id else None,
        stamps_earned=stamps("stamps_earned"), stamps_spent=stamps("stamps_spent"),
        override_by=people.get(override) if override else None,
        tenders=tuple(ReceiptTender(kind=t.kind, amount=t.amount, given=t.given, change=t.change_given,
                                    reference=t.reference) for t in tenders),
        gift_cards=tuple(ReceiptGiftCard(card=g.account, amount=g.amount, expires_on=g.expires_on, token=g.token)
                         for g in issued_by_sale(session, sale_id)),
        promotions=receipt_promotions(quote, program))


def receipt_promotions(quote: dict[str, Any], program: Program | None) -> tuple[ReceiptPromotion, ...]:
    """The coupons and vouchers the stored quote says the sale used and the vouchers it issued, named from the
    program the sale was priced with (the code when the program no longer has it)."""
    def names(item: Any, code: str) -> Names:
        return Names(en=item.name.text("en"), he=item.name.text("he")) if item is not None else Names(en=code)

    out: list[ReceiptPromotion] = []
    for used in quote.get("coupons_applied") or ():
        code = str(used["coupon"])
        out.append(ReceiptPromotion(kind="coupon", name=names(program and program.coupon(code), code),
                                    value=int(used["value"])))
    for used in quote.get("vouchers_applied") or ():
        code = str(used["voucher"])
        out.append(ReceiptPromotion(kind="voucher", name=names(program and program.voucher(code), code),
                                    value=int(used["value"])))
    for issued in quote.get("vouchers_issued") or ():
        code = str(issued["voucher"])
        out.append(ReceiptPromotion(kind="voucher_issued", name=names(program and program.voucher(code), code),
                                    count=int(issued["count"])))
    return tuple(out)


def _program(session: Session, version: int | None) -> Program | None:
    """The program the sale was priced with (its punch-card names, the store's zone); None if none is stored."""
    if version is None:
        version = session.scalar(select(func.max(ProgramVersion.version)))
    if version is None:
        return None
    try:
        return program_version(session, version)
    except NotFoundError:
        return None
