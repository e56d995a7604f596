"""The cashier screen's view of the core: plain values in, plain DTOs out, one unit of work per call.

The Qt app (`ui/`) never opens a session or prices anything itself (STYLE.md, habit 5); it calls these
functions on its database worker and shows what they return. Everything here is headless and usable from
tests or a script. Products come back as frozen `ProductInfo` values, never ORM rows, so nothing lazy-loads
on the GUI thread.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select

from pos_client.cards import tokens
from pos_client.cards.render import CardFace, render_card_image
from pos_client.db.models import OutboxRow, Product
from pos_client.errors import KupaError, NotFoundError
from pos_client.services.auth import authenticate
from pos_client.services.catalog import find_product, search_products
from pos_client.services.members import enrol
from pos_client.services.programs import program_at
from pos_client.services.status import member_status
from pos_client.terminal import Terminal
from pos_client.timeutil import local_date, utcnow


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

    kind: str  # product | member
    product: ProductInfo | None = None
    member_code: str | None = None


def _info(product: Product) -> ProductInfo:
    return ProductInfo(product.sku, product.name, product.name_he, product.price, product.category, product.barcode)


def sign_in(terminal: Terminal, pin: str) -> CashierInfo:
    """The active user with this PIN (`AuthError` otherwise)."""
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


def resolve_code(terminal: Terminal, code: str) -> Resolved:
    """Decide whether a scanned code is a product or a member: tokens are members, then products, then members."""
    code = (code or "").strip()
    if not code:
        raise NotFoundError("no code given")
    if len(code) > 256 or not code.isprintable():
        raise NotFoundError("that code is not a product or a member card")
    if tokens.looks_like_token(code):
        return Resolved("member", member_code=code)
    try:
        return Resolved("product", product=product(terminal, code))
    except NotFoundError:
        pass
    member_view(terminal, code)  # raises when it is no member either
    return Resolved("member", member_code=code)


def member_view(terminal: Terminal, code: str) -> dict[str, Any]:
    """`member_status` plus what the member panel needs: whether it is the member's birthday month."""
    data = member_status(terminal, code)
    today = local_date(utcnow(), "UTC")
    birthday = data.get("birthday")
    data["birthday_this_month"] = bool(birthday) and date.fromisoformat(str(birthday)).month == today.month
    return data


def program_labels(terminal: Terminal) -> ProgramLabels:
    """Names of tiers, punch cards and plans in English and Hebrew, from the program in force."""
    with terminal.read() as session:
        program = program_at(session, utcnow())

    def names(items: Any) -> dict[str, dict[str, str]]:
        return {item.code: {"en": item.name.text("en"), "he": item.name.text("he")} for item in items}

    return ProgramLabels(program.currency, names(program.tiers), names(program.punch_cards),
                         names(program.memberships))


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
