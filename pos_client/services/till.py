"""The cashier screen's view of the core: plain values in, plain DTOs out, one unit of work per call.

The Qt app (`ui/`) never opens a session or prices anything itself (STYLE.md, habit 5); it calls these
functions on its database worker and shows what they return. Everything here is headless and usable from
tests or a script. Products come back as frozen `ProductInfo` values, never ORM rows, so nothing lazy-loads
on the GUI thread.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import func, or_, select

from pos_client.cards import coupon_tokens, tokens
from pos_client.cards.render import CardFace, render_card_image
from pos_client.db.models import Member, OutboxRow, Product
from pos_client.errors import KupaError, NotFoundError
from pos_client.messages import message
from pos_client.pricing.explain import promotion_names
from pos_client.services import clock
from pos_client.services.auth import authenticate
from pos_client.services.catalog import find_product, search_products
from pos_client.member_fields import normalize_phone
from pos_client.services.members import enrol
from pos_client.services.programs import program_at
from pos_client.services.status import member_status
from pos_client.terminal import Terminal
from pos_client.timeutil import utcnow


@dataclass(frozen=True)
class ProductInfo:
    """A product as the till shows it; `price` in minor units."""

    sku: str
    name: str
    name_he: str | None
    price: int
    category: str
    barcode: str | None = None

    def label(self, lang: str) -> str:
        """The product's name in `lang`, falling back to English."""
        return self.name_he if lang == "he" and self.name_he else self.name


@dataclass(frozen=True)
class CashierInfo:
    """Who signed in."""

    user_id: str
    name: str
    role: str


@dataclass(frozen=True)
class ProgramLabels:
    """Localised names from the program in force: `{code: {"en": ..., "he": ...}}` per section."""

    currency: str
    tiers: dict[str, dict[str, str]]
    punch_cards: dict[str, dict[str, str]]
    memberships: dict[str, dict[str, str]]
    #: The redemption rule's numbers (`min_points`, `step`, `max_share_pct`, `offline_daily_cap_points`), for
    #: messages that say why a redemption is not allowed; empty when the program has no redemption.
    redeem: dict[str, int] = field(default_factory=dict)
    #: The store's time zone (the program's): every time a person reads is on the store's wall clock.
    timezone: str = "UTC"
    #: Promotion names by section and code (`pos_client.pricing.explain.promotion_names`), for their explanations.
    promotions: dict[str, dict[str, dict[str, str]]] = field(default_factory=dict)


@dataclass(frozen=True)
class Enrolled:
    """A member just enrolled at the counter, with the card to hand them."""

    member_id: str
    name: str
    card_number: str
    token: str
    welcome_points: int


@dataclass(frozen=True)
class Resolved:
    """What a scanned or typed code turned out to be: a product, or a member code to identify."""

    kind: str  # product | member | coupon
    product: ProductInfo | None = None
    member_code: str | None = None
    #: A coupon's QR token or a public promo code, to apply to the sale (`BasketRequest.coupons`).
    coupon: str | None = None


def _info(product: Product) -> ProductInfo:
    return ProductInfo(product.sku, product.name, product.name_he, product.price, product.category, product.barcode)


def sign_in(terminal: Terminal, pin: str) -> CashierInfo:
    """The active user with this PIN (`AuthError` otherwise); waits out a wrong-PIN lock-out first."""
    terminal.wait_out_pin_lockout()
    with terminal.read() as session:
        user = authenticate(session, pin)
        return CashierInfo(user.user_id, user.name, user.role)


def quick_picks(terminal: Terminal) -> list[ProductInfo]:
    """The store's quick-pick products, by name."""
    with terminal.read() as session:
        rows = session.scalars(select(Product).where(Product.active.is_(True), Product.quick_pick.is_(True))
                               .order_by(Product.category, Product.name))
        return [_info(p) for p in rows]


def product(terminal: Terminal, code: str) -> ProductInfo:
    """A product by SKU or barcode (`NotFoundError` otherwise)."""
    with terminal.read() as session:
        return _info(find_product(session, code))


def search(terminal: Terminal, text: str, limit: int = 20) -> list[ProductInfo]:
    """Products whose name (either language), SKU or barcode matches `text`."""
    if not text.strip():
        return []
    with terminal.read() as session:
        return [_info(p) for p in search_products(session, text, limit)]


NO_CODE = message("till.no_code", en="no code given", he="לא הוזן קוד")
NOT_PRODUCT_OR_CARD = message("till.not_product_or_card", en="that code is not a product or a member card",
                              he="הקוד אינו מוצר או כרטיס חבר")


def resolve_code(terminal: Terminal, code: str) -> Resolved:
    """Decide whether a scanned code is a product, a member or a coupon: member tokens are members, coupon tokens
    (`KUPC1.`) coupons, then products, then the program's public promo codes, then members."""
    code = (code or "").strip()
    if not code:
        raise NotFoundError(NO_CODE)
    if len(code) > 256 or not code.isprintable():
        raise NotFoundError(NOT_PRODUCT_OR_CARD)
    if tokens.looks_like_token(code):
        return Resolved("member", member_code=code)
    if coupon_tokens.looks_like_coupon_token(code):
        return Resolved("coupon", coupon=code)
    try:
        return Resolved("product", product=product(terminal, code))
    except NotFoundError:
        pass
    if is_promo_code(terminal, code):
        return Resolved("coupon", coupon=code)
    member_view(terminal, code)  # raises when it is no member either
    return Resolved("member", member_code=code)


def is_promo_code(terminal: Terminal, code: str) -> bool:
    """Whether `code` is a public promo code of the program in force (`Program.coupon_by_promo_code`)."""
    with terminal.read() as session:
        try:
            program = program_at(session, utcnow())
        except KupaError:  # no program yet: no promo codes
            return False
        return program.coupon_by_promo_code(code.strip()) is not None


def member_view(terminal: Terminal, code: str) -> dict[str, Any]:
    """`member_status`, with what the member panel needs (`birthday_this_month`: in the store's zone, by
    `pos_client.member_state.rules.is_birthday_month`, as the sale grants the points)."""
    return member_status(terminal, code)


def program_labels(terminal: Terminal) -> ProgramLabels:
    """Names of tiers, punch cards and plans in English and Hebrew, from the program in force."""
    with terminal.read() as session:
        program = program_at(session, utcnow())

    def names(items: Any) -> dict[str, dict[str, str]]:
        return {item.code: {"en": item.name.text("en"), "he": item.name.text("he")} for item in items}

    redeem: dict[str, int] = {}
    if program.redeem is not None:
        rule = program.redeem
        redeem = {"min_points": rule.min_points, "step": rule.step, "max_share_pct": int(rule.max_share_pct),
                  "offline_daily_cap_points": int(rule.offline_daily_cap_points or 0)}
    return ProgramLabels(program.currency, names(program.tiers), names(program.punch_cards),
                         names(program.memberships), redeem, program.timezone, promotion_names(program))


def pending_entries(terminal: Terminal) -> int:
    """Outbox rows not yet accepted by HQ."""
    with terminal.read() as session:
        return int(session.scalar(select(func.count()).select_from(OutboxRow)
                                  .where(OutboxRow.status == "pending")) or 0)


def enrol_member(terminal: Terminal, *, name: str, phone: str | None, birthday: date | None,
                 cashier_id: str | None) -> Enrolled:
    """Enrol a member with the welcome points and a first card, in one unit of work."""
    now = utcnow()
    with terminal.unit_of_work() as session:
        clock.guard(session, now)
        try:
            program = program_at(session, now)
        except KupaError:
            program = None
        member, card, token = enrol(terminal, session, program, now, name=name, phone=phone or None,
                                    birthday=birthday, cashier_id=cashier_id)
        welcome = program.welcome.points if program and program.welcome else 0
        return Enrolled(member.member_id, member.name, card.card_number, token, welcome)


def card_png(terminal: Terminal, enrolled: Enrolled, tier_name: str, issued_label: str) -> bytes:
    """The member card as PNG bytes (the UI shows it large and prints it)."""
    face = CardFace(store_name=terminal.settings.store_name, member_name=enrolled.name,
                    member_id=enrolled.member_id, tier_name=tier_name, token=enrolled.token,
                    card_number=enrolled.card_number, issued=utcnow().date(), issued_label=issued_label)
    out = io.BytesIO()
    render_card_image(face).save(out, "PNG")
    return out.getvalue()


@dataclass(frozen=True)
class MemberHit:
    """One row of the member search: enough to pick the right person at the counter."""

    member_id: str
    name: str
    phone: str | None


MEMBER_SEARCH_LIMIT = 50


def search_members(terminal: Terminal, text: str, limit: int = MEMBER_SEARCH_LIMIT) -> list[MemberHit]:
    """Members whose name (any script), phone (compared normalised) or id contains `text`, by name.

    Identifying a member this way is like typing a phone number: enough to earn, never to spend. `%` and `_`
    in the text are matched literally. Merged members are left out.
    """
    text = (text or "").strip()[:60]
    if not text:
        return []
    like = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    conditions = [Member.name.like(like, escape="\\"), Member.member_id.like(like.upper(), escape="\\")]
    try:
        digits = normalize_phone(text)
    except KupaError:  # a partial number: its digits, when the text is only phone characters
        digits = re.sub(r"\D", "", text) if re.fullmatch(r"[\d\s()+-]+", text) else ""
    if len(digits) >= 3:
        conditions.append(Member.phone.like(f"%{digits}%"))
    with terminal.read() as session:
        rows = session.execute(select(Member.member_id, Member.name, Member.phone)
                               .where(Member.merged_into.is_(None), or_(*conditions))
                               .order_by(Member.name, Member.member_id).limit(max(1, min(limit, 200))))
        return [MemberHit(member_id, name, phone) for member_id, name, phone in rows]


def manager_check(terminal: Terminal, pin: str) -> CashierInfo:
    """The active manager with this PIN (`AuthError` "wrong manager PIN" otherwise); nothing is written.

    The till calls it before putting the PIN on a sale (`BasketRequest.manager_pin`), so a wrong PIN is
    refused at once; the checkout authenticates the PIN again and writes the override to the audit log.
    """
    terminal.wait_out_pin_lockout()
    with terminal.read() as session:
        user = authenticate(session, pin, role="manager")
        return CashierInfo(user.user_id, user.name, user.role)
