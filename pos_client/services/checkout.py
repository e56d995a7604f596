"""Quote and check out a basket: the cashier's main action, headless.

`checkout()` writes the sale, its lines, its tenders, its ledger entries and their outbox rows in one SQLite
transaction: after it returns, a power cut loses nothing; if anything fails before, nothing is written.

Payment (`pos_client.tender`): `BasketRequest.tenders` are what the customer handed over; they are settled
against the quote's total before anything is written, so a payment that does not cover the total, a card
that overpays or cash without an open shift (`pos_client.services.shifts`) leaves no trace. A request with
no tenders at all (`None`: a script, the demo's history) is recorded as paid exactly by card — it never
touches the drawer, so it needs no shift; the cashier app always asks.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from pos_client.db import driver
from pos_client.db.models import AuditEntry, Product, Setting
from pos_client.errors import InvalidInputError
from pos_client.ids import new_id
from pos_client.ledger import EntryDraft, append_many
from pos_client.member_state import rules
from pos_client.messages import message
from pos_client.pricing import CartItem, MemberState, Quote, price
from pos_client.pricing.model import CouponUse, VoucherUse
from pos_client.program.schema import Program
from pos_client.sales import SaleRow, write_sale
from pos_client.services import audit, clock, coupons, giftcards, staff
from pos_client.services.auth import authenticate
from pos_client.services.catalog import find_product
from pos_client.services.coupons import PresentedCoupon, PresentedVoucher
from pos_client.member_state.store import load as member_state
from pos_client.promotions.facts import segments_of
from pos_client.services.members import Identified, MemberRecord, identify
from pos_client.services.programs import program_at
from pos_client.services.shifts import shift_for_sale
from pos_client.tender import Tender, TenderGiven, exact_card, settle
from pos_client.terminal import Terminal
from pos_client.timeutil import from_iso, to_iso, utcnow

#: A terminal with a server is online (no offline cap) only while its last successful sync is at most this old:
#: HQ has then just confirmed the member's balance and every earlier redemption (docs/core.md, "Offline").
CONFIRMED_WITHIN = timedelta(seconds=10)


@dataclass(frozen=True)
class BasketRequest:
    """A basket as the cashier rang it up: product codes with quantities, and the member's code if any."""

    items: tuple[tuple[str, int], ...]
    member_code: str | None = None
    redeem_points: int = 0
    punch_rewards: tuple[str, ...] = ()
    manager_pin: str | None = None
    cashier_id: str | None = None
    at: datetime | None = None
    #: What the customer handed over; None records the sale as paid exactly by card (module docstring).
    tenders: tuple[TenderGiven, ...] | None = None
    #: The PIN of the staff member ringing the sale up, from a headless caller (the CLI's `--cashier-pin`);
    #: the app signs its cashier in and passes `cashier_id` instead.
    cashier_pin: str | None = field(default=None, repr=False)
    #: `--coupon`: coupon QR tokens, issued coupon ids or public promo codes (`pos_client.services.coupons`).
    coupons: tuple[str, ...] = ()
    #: `--voucher`: issued voucher ids.
    vouchers: tuple[str, ...] = ()
    #: The amount to load on an open-amount gift card (a gift SKU at price 0), typed by the cashier.
    gift_amount: int | None = None
    #: The signed token of an existing gift card the basket's gift lines load (a top-up); None issues new cards.
    gift_card: str | None = None


@dataclass(frozen=True)
class SaleResult:
    sale_id: str
    quote: Quote
    created_at: datetime
    receipt_no: str = ""
    cashier_id: str | None = None
    expired_points: int = 0
    referrer_id: str | None = None
    extra: dict[str, object] = field(default_factory=dict)
    tenders: tuple[Tender, ...] = ()
    shift_id: str | None = None
    #: The gift cards this sale issued (`services.giftcards`), with their QR payloads for the receipt.
    gift_cards: tuple[giftcards.IssuedGift, ...] = ()

    @property
    def change(self) -> int:
        """The change handed back (only ever from cash)."""
        return sum(t.change for t in self.tenders)


NOT_AN_ITEM = message("basket.not_an_item", en="'{text}' is not an item (use SKU or SKU:QTY)",
                      he='\'{text}\' אינו פריט (כתבו מק"ט או מק"ט:כמות)')
QTY_NOT_WHOLE = message("basket.quantity_not_whole", en="quantity '{qty}' of {sku} is not a whole number",
                        he="הכמות '{qty}' של {sku} אינה מספר שלם")
QTY_AT_LEAST_ONE = message("basket.quantity_positive", en="quantity of {sku} must be at least 1 (got {qty})",
                           he="הכמות של {sku} חייבת להיות לפחות 1 (התקבל {qty})")


def parse_item(text: str) -> tuple[str, int]:
    """`SKU` or `SKU:QTY` from the command line or the scanner; the quantity must be a whole number ≥ 1."""
    sku, sep, qty_text = (text or "").partition(":")
    sku = sku.strip()
    if not sku:
        raise InvalidInputError(NOT_AN_ITEM, text=text)
    if not sep:
        return sku, 1
    qty_text = qty_text.strip()
    if not qty_text.lstrip("-").isdigit():
        raise InvalidInputError(QTY_NOT_WHOLE, qty=qty_text, sku=sku)
    qty = int(qty_text)
    if qty <= 0:
        raise InvalidInputError(QTY_AT_LEAST_ONE, sku=sku, qty=qty)
    return sku, qty


_LAST_SYNC_SQL = driver.Statement(select(Setting.value).where(Setting.key == "last_sync_ok_at"))


def is_offline(session: Session, terminal: Terminal, now: datetime) -> bool:
    """Whether the offline redemption cap applies: on every terminal with a server, unless its last successful
    sync ended within `CONFIRMED_WITHIN` before `now` (a sync "in the future" — a clock set back — does not
    count). Standalone terminals (no server) are the source of truth and never "offline"."""
    if not terminal.settings.server_url:
        return False
    row = driver.one(session, _LAST_SYNC_SQL)
    if row is None:
        return True
    age = now - from_iso(json.loads(row[0]))
    return not timedelta(0) <= age <= CONFIRMED_WITHIN


BASKET_EMPTY = message("basket.empty", en="the basket is empty", he="הסל ריק")


def _cart(session: Session, items: tuple[tuple[str, int], ...]) -> list[CartItem]:
    if not items:
        raise InvalidInputError(BASKET_EMPTY)
    merged: dict[str, int] = {}
    codes = json.dumps(sorted({code.strip() for code, _qty in items}))
    found = {row[0]: row for row in driver.all_rows(session, _PRODUCTS_SQL, {"codes": codes})}
    products: dict[str, tuple[str, str, int, str]] = {}
    for code, qty in items:
        row = found.get(code.strip())
        if row is None:  # a barcode, a lower-case SKU or an unknown code: the catalog's full lookup
            product = find_product(session, code)
            row = (product.sku, product.name, product.price, product.category)
        products[row[0]] = row
        merged[row[0]] = merged.get(row[0], 0) + qty
    return [CartItem(sku, products[sku][1], qty, products[sku][2], products[sku][3]) for sku, qty in merged.items()]


#: The basket's products by exact SKU, the codes passed as one JSON array (one statement, one parameter).
_PRODUCTS_SQL = driver.Statement(select(Product.sku, Product.name, Product.price, Product.category).where(
    Product.active, Product.sku.in_(select(func.json_each(bindparam("codes")).table_valued("value").c.value))))


@dataclass(frozen=True)
class Priced:
    program: Program
    member: MemberRecord | None
    state: MemberState | None
    quote: Quote
    manager_id: str | None
    coupons: tuple[PresentedCoupon, ...] = ()
    vouchers: tuple[PresentedVoucher, ...] = ()


def _promotion_inputs(session: Session, terminal: Terminal, request: BasketRequest, program: Program,
                      member: MemberRecord | None, state: MemberState | None, now: datetime,
                      offline: bool) -> tuple[MemberState | None, tuple[CouponUse, ...], tuple[VoucherUse, ...],
                                              tuple[PresentedCoupon, ...], tuple[PresentedVoucher, ...]]:
    """The member's segments and voucher facts on their state, and the coupons and vouchers the sale presents,
    checked (`pos_client.services.coupons`) and turned into `price()`'s `coupons` / `vouchers` arguments."""
    member_id = member.member_id if member else None
    can_spend = bool(state and state.can_spend)
    presented_c = tuple(coupons.present_coupons(session, program, member_id, can_spend, request.coupons, now,
                                                terminal_id=terminal.settings.terminal_id, offline=offline))
    presented_v = tuple(coupons.present_vouchers(session, program, member_id, request.vouchers, now)
                        if request.vouchers else ())
    if state is not None and member is not None:
        if program.segments:  # the audiences of member prices, coupons and campaigns may name segments
            state = replace(state, segments=segments_of(session, member, state, program, now))
        if program.vouchers:
            facts = coupons.voucher_facts(session, program, state.member_id, now)
            state = replace(state, voucher_progress=facts.progress, vouchers_issued_on=facts.issued_on)
    uses_c = tuple(CouponUse(coupon=c.code, ref=c.ref) for c in presented_c)
    uses_v = tuple(VoucherUse(voucher_id=v.voucher_id, voucher=v.code, value=v.value) for v in presented_v)
    return state, uses_c, uses_v, presented_c, presented_v


def price_request(session: Session, terminal: Terminal, request: BasketRequest, now: datetime,
           found: Identified | None = None, expire_at: datetime | None = None) -> Priced:
    program = program_at(session, now)
    cart = giftcards.open_amounts(_cart(session, request.items), program, request.gift_amount)
    member, state, manager_id = None, None, None
    if request.member_code:
        found = found or identify(session, request.member_code)
        member = found.member
        can_spend = found.can_spend
        if request.manager_pin:
            manager_id = authenticate(session, request.manager_pin, role="manager").user_id
            can_spend = True
        state = member_state(session, member, program, now, can_spend=can_spend,
                             terminal_id=terminal.settings.terminal_id, expire_at=expire_at)
    offline = is_offline(session, terminal, now)
    state, uses_c, uses_v, presented_c, presented_v = _promotion_inputs(session, terminal, request, program, member,
                                                                        state, now, offline)
    quote = price(cart, state, program, now, redeem_points=request.redeem_points,
                  punch_rewards=request.punch_rewards, offline=offline, coupons=uses_c, vouchers=uses_v)
    return Priced(program, member, state, quote, manager_id, presented_c, presented_v)


def quote_basket(terminal: Terminal, request: BasketRequest) -> Quote:
    """Price a basket without recording anything."""
    now = request.at or utcnow()
    with terminal.read() as session:
        expire_at = None if request.at else clock.verdict(session, now).expiry_time
        return price_request(session, terminal, request, now, expire_at=expire_at).quote


def checkout(terminal: Terminal, request: BasketRequest) -> SaleResult:
    """Record a sale durably and return its id with the quote it was priced with.

    Refused (`clock.ClockHoldError`) while the terminal's clock is held (`pos_client.services.clock`).
    """
    now = utcnow()
    with terminal.unit_of_work() as session:
        trusted = clock.guard(session, now)
        cashier_id = staff.acting(session, request.cashier_pin, request.cashier_id,
                                  manager_pin=request.manager_pin)
        return record_sale(session, terminal, replace(request, cashier_id=cashier_id, cashier_pin=None), now,
                           expire_at=trusted.expiry_time)


def record_sale(session: Session, terminal: Terminal, request: BasketRequest, now: datetime,
                expire_at: datetime | None = None) -> SaleResult:
    """The body of `checkout()` inside the caller's unit of work (also used to build the demo's history).

    The writes are driver-level statements (`pos_client.db.driver`): a durable sale costs its commit, not
    the ORM's bookkeeping. Points expire as of `expire_at` (default `now`). The sale itself is written by
    `pos_client.sales.write_sale`, as a refund is.
    """
    settings = terminal.settings
    found = identify(session, request.member_code) if request.member_code else None
    priced = price_request(session, terminal, request, now, found, expire_at)
    expired = priced.state.expiring_points if priced.state else 0
    quote, program = priced.quote, priced.program
    loads = giftcards.check_loads(quote, program)
    top_up = None
    if request.gift_card:
        top_up = (giftcards.check_top_up(session, request.gift_card, loads, program, now), request.gift_card)
    given = request.tenders
    if given is not None:
        given = giftcards.resolve_tenders(
            session, given, member_id=quote.member_id, can_spend=bool(priced.state and priced.state.can_spend),
            program=program, now=now, offline=is_offline(session, terminal, now), terminal_id=settings.terminal_id)
    tenders = exact_card(quote.total) if given is None else settle(quote.total, given, quote.currency)
    shift_id = shift_for_sale(session, tenders)
    sale_id = new_id()
    sale: SaleRow = {
        "sale_id": sale_id, "kind": "sale", "refund_of": None, "terminal_id": settings.terminal_id,
        "cashier_id": request.cashier_id, "member_id": quote.member_id, "program_version": program.version,
        "created_at": to_iso(now), "currency": quote.currency, "subtotal": quote.subtotal,
        "discount_total": quote.discount_total, "redeemed_points": quote.redeemed_points,
        "redeemed_value": quote.redeemed_value, "total": quote.total, "points_earned": quote.points_earned,
        "qualifying_spend": quote.qualifying_spend}
    write_sale(session, sale, [
        {"line_no": no, "sku": line.sku, "name": line.name, "category": line.category, "kind": line.kind,
         "qty": line.qty, "unit_price": line.unit_price, "amount": line.amount, "free_units": line.free_units,
         "free_by_card": line.free_by_card, "percent_discount": line.percent_discount,
         "redeemed_value": line.redeemed_value, "paid": line.paid, "stamps": line.stamps, "refund_line_of": None}
        for no, line in enumerate(quote.lines, start=1)], quote=quote.to_json(), tenders=tenders,
        shift_id=shift_id, receipt_prefix=settings.receipt_prefix)
    day = rules.store_date(now, program.timezone)
    giftcards.record_tenders(session, tenders, kind="redeem", terminal_id=settings.terminal_id, day=day,
                             created_at=sale["created_at"], sale_id=sale_id, cashier_id=request.cashier_id)
    issued = giftcards.issue_cards(session, terminal, program, loads, sale_id=sale_id, now=now,
                                   cashier_id=request.cashier_id, top_up=top_up)
    referrer = None
    if priced.member is not None:
        referrer = _write_member_entries(session, terminal, priced, sale_id, now, request.cashier_id)
    if priced.manager_id:
        session.add(AuditEntry(audit_id=new_id(), created_at=sale["created_at"], user_id=priced.manager_id,
                               action="pin_spend_override", target=sale_id,
                               reason=audit.SPEND_WITHOUT_CARD.render("en"),
                               details=json.dumps({"member_id": quote.member_id})))
    return SaleResult(sale_id=sale_id, quote=quote, created_at=now, expired_points=expired, referrer_id=referrer,
                      tenders=tenders, shift_id=shift_id, receipt_no=sale.get("receipt_no") or "",
                      cashier_id=request.cashier_id, gift_cards=issued)


def _write_member_entries(session: Session, terminal: Terminal, priced: Priced, sale_id: str, now: datetime,
                          cashier_id: str | None) -> str | None:
    quote, program, member = priced.quote, priced.program, priced.member
    assert member is not None
    mid = member.member_id
    drafts: list[EntryDraft] = []
    if priced.state and priced.state.expiring_points:
        drafts.append(EntryDraft(mid, "expire", points_delta=-priced.state.expiring_points,
                                 reason=f"points older than {program.points_expiry_days} days"))
    if quote.birthday_points:
        year = str(rules.store_date(now, program.timezone).year)
        drafts.append(EntryDraft(mid, "birthday", points_delta=quote.birthday_points, ref_code=year,
                                 reason=f"birthday {year}"))
    if quote.monthly_credit_points:
        month = rules.credit_month_code(now, program.timezone)
        drafts.append(EntryDraft(mid, "membership", points_delta=quote.monthly_credit_points,
                                 membership_code=quote.monthly_credit_plan, ref_code=month,
                                 reason=f"monthly credit {month}"))
    if quote.referral_points:
        drafts.append(EntryDraft(mid, "referral", points_delta=quote.referral_points, reason="referred member"))
    for step in quote.explanations:  # a campaign's bonus points, one entry per campaign (HQ checks each amount)
        if step.code == "campaign_bonus":
            drafts.append(EntryDraft(mid, "campaign", points_delta=int(str(step.params["points"])),
                                     ref_code=str(step.params["code"]), reason=f"campaign {step.params['code']}"))
    if quote.redeemed_points:
        drafts.append(EntryDraft(mid, "redeem", points_delta=-quote.redeemed_points, value=quote.redeemed_value))
    for code, spent in quote.stamps_spent.items():
        value = sum(line.unit_price * line.free_by_card.get(code, 0) for line in quote.lines)
        drafts.append(EntryDraft(mid, "stamp_reward", stamps_delta=-spent, punch_card=code, value=value))
    percent_total = sum(line.percent_discount for line in quote.lines)
    if percent_total:
        drafts.append(EntryDraft(mid, "tier_discount", value=percent_total, reason=f"{quote.discount_pct}%"))
    drafts.append(EntryDraft(mid, "earn", points_delta=quote.points_earned, spend_delta=quote.qualifying_spend,
                             reason=f"× {quote.earn_multiplier}"))
    for code, count in quote.stamps_earned.items():
        drafts.append(EntryDraft(mid, "stamp", stamps_delta=count, punch_card=code))
    for code, days in quote.memberships_sold.items():
        drafts.append(EntryDraft(mid, "membership", membership_code=code, membership_days=days))
    referrer = None
    if quote.referral_points and member.referred_by and program.referral and program.referral.referrer_points:
        referrer = member.referred_by
        drafts.append(EntryDraft(referrer, "referral", points_delta=program.referral.referrer_points,
                                 reason=f"referred {mid}"))
    drafts += coupons.use_drafts(mid, priced.coupons, priced.vouchers, quote)
    drafts += coupons.voucher_issue_drafts(program, mid, quote, now)
    drafts += coupons.birthday_drafts(session, program, mid, date.fromisoformat(member.birthday)
                                      if member.birthday else None, now)
    append_many(session, drafts, terminal_id=terminal.settings.terminal_id, now=now, sale_id=sale_id,
                cashier_id=cashier_id, program_version=program.version)
    return referrer
