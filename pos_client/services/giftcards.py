"""Gift cards and store credit at the counter: selling a card, paying with one, refunds to them, a balance.

The rules (docs/giftcards.md), each in one place here:

- **Selling**: every unit of a `gift_cards.skus` line issues one card loaded with the line's unit price (an
  open-amount SKU, catalog price 0, takes the amount the cashier typed: `BasketRequest.gift_amount`), which must
  lie within `min_load`..`max_load`. The card is signed by this terminal's key (`cards.gift_tokens`) and lives
  until `expiry_days` after the store day of issue, that day included.
- **Paying**: a gift card pays with its signed token (its number alone shows a balance, never spends it: as a
  phone number never spends points); store credit pays for the identified member when they may spend (their
  card's token or a manager's PIN). Each account pays at most its balance; an expired card pays nothing; while
  the terminal is offline (`checkout.is_offline`) one account pays at most `gift_cards.offline_daily_cap` per
  store day on this terminal. Every refusal is checked before anything is written.
- **Refunds** pay back the way the sale was paid (`tender.refund_allocation`: ledger tenders and cards first, in
  the order paid, then cash); `refund_to=store_credit` puts it all on the sale's member's store credit. A refunded
  gift card line takes its card's load back (`void`), refused when the card no longer holds it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from pos_client.cards import gift_tokens
from pos_client.cards.keys import load_key
from pos_client.cards.tokens import TokenError, b64decode
from pos_client.db.models import AuditEntry, GiftMovement, TrustedKey
from pos_client.ids import new_id
from pos_client.services.auth import authenticate
from pos_client.errors import AuthError, InvalidInputError, RuleViolation
from pos_client.giftcards import ledger
from pos_client.giftcards.ledger import GIFT_CARD, STORE_CREDIT, Movement
from pos_client.member_state.rules import store_date
from pos_client.messages import message
from pos_client.pricing import CartItem, Quote
from pos_client.program.schema import Program
from pos_client.services.programs import program_at
from pos_client.tender import MONEY_LEDGER_KINDS, Tender, TenderGiven, TenderKind
from pos_client.terminal import Terminal
from pos_client.timeutil import to_iso, utcnow

GIFT_NOT_SOLD = message("gift.not_sold", en="this program sells no gift cards", he="תוכנית זו אינה מוכרת כרטיסי מתנה")
AMOUNT_NEEDED = message("gift.amount_needed",
                        en="{sku} is an open-amount gift card: type the amount to load",
                        he="{sku} הוא כרטיס מתנה בסכום פתוח: הקלידו את הסכום לטעינה")
LOAD_RANGE = message("gift.load_range",
                     en="a gift card is loaded with {min:money} to {max:money} (got {amount:money})",
                     he="כרטיס מתנה נטען בסכום שבין {min:money} ל־{max:money} (התקבל {amount:money})")
NEEDS_TOKEN = message("gift.needs_token",
                      en="paying with gift card {card} needs its code scanned (the number alone shows the balance)",
                      he="תשלום בכרטיס המתנה {card} דורש סריקת הקוד שלו (המספר לבדו מציג רק את היתרה)")
BAD_CARD = message("gift.bad_card", en="the gift card is refused: {reason}", he="כרטיס המתנה נדחה: {reason}")
KEY_UNKNOWN = message("gift.key_unknown",
                      en="gift card {card} was signed by a terminal this one does not know yet: sync, then retry",
                      he="כרטיס המתנה {card} נחתם בקופה שקופה זו עדיין אינה מכירה: סנכרנו ונסו שוב")
KEY_REVOKED = message("gift.key_revoked", en="gift card {card} was signed by a revoked key",
                      he="כרטיס המתנה {card} נחתם במפתח שבוטל")
UNKNOWN_CARD = message("gift.unknown_card",
                       en="gift card {card} is not known on this terminal: sync with HQ, then retry",
                       he="כרטיס המתנה {card} אינו מוכר בקופה זו: סנכרנו עם המטה ונסו שוב")
EXPIRED = message("gift.expired", en="gift card {card} expired on {expired_on}",
                  he="כרטיס המתנה {card} פג תוקף ב־{expired_on}")
BALANCE = message("gift.balance_short",
                  en="{account} holds {balance:money}: it cannot pay {amount:money}",
                  he="ב־{account} יש {balance:money}: אי אפשר לשלם בו {amount:money}")
OFFLINE_CAP = message("gift.offline_cap",
                      en="offline, {account} may pay at most {cap:money} a day on this terminal: {allowed:money} "
                         "left today",
                      he="במצב לא מקוון, {account} יכול לשלם לכל היותר {cap:money} ביום בקופה זו: נותרו היום "
                         "{allowed:money}")
CREDIT_NEEDS_MEMBER = message("gift.credit_needs_member", en="store credit is a member's: identify the member first",
                              he="זיכוי בחנות שייך לחבר: זהו קודם את החבר")
CREDIT_NEEDS_CARD = message("gift.credit_needs_card",
                            en="paying with store credit needs the member's card scanned or a manager's PIN",
                            he="תשלום בזיכוי דורש סריקת כרטיס החבר או קוד מנהל")
REFUND_SPENT = message("gift.refund_spent",
                       en="gift card {card} holds {balance:money}, less than its load of {load:money}: it cannot be "
                          "refunded",
                       he="בכרטיס המתנה {card} יש {balance:money}, פחות מהטעינה שלו בסך {load:money}: אי אפשר להחזירו")
NOT_A_CARD = message("gift.not_a_card", en="'{code}' is not a Kupa gift card (scan its code or type its number)",
                     he="'{code}' אינו כרטיס מתנה של Kupa (סרקו את הקוד או הקלידו את המספר)")


@dataclass(frozen=True)
class IssuedGift:
    """A card a sale issued: its number, its QR payload, its load and its last paying day."""

    card: str
    token: str
    amount: int
    expires_on: date | None
    line_no: int

    def to_json(self) -> dict[str, Any]:
        return {"card": self.card, "token": self.token, "amount": self.amount,
                "expires_on": self.expires_on.isoformat() if self.expires_on else None}


# -- selling -----------------------------------------------------------------------------------------------

def open_amounts(cart: list[CartItem], program: Program, gift_amount: int | None) -> list[CartItem]:
    """The cart with every open-amount gift line (a gift SKU at price 0) priced at the typed `gift_amount`."""
    out = []
    for item in cart:
        if program.is_gift_card_sku(item.sku) and item.unit_price == 0:
            if gift_amount is None or gift_amount <= 0:
                raise InvalidInputError(AMOUNT_NEEDED, sku=item.sku)
            item = replace(item, unit_price=gift_amount)
        out.append(item)
    return out


def check_loads(quote: Quote, program: Program) -> list[tuple[int, int]]:
    """(line number, load) for every card the quote sells, one per unit, each within the program's range."""
    loads = []
    for no, line in enumerate(quote.lines, start=1):
        if line.kind != "gift_card":
            continue
        section = program.gift_cards
        if section is None:
            raise RuleViolation(GIFT_NOT_SOLD)
        if not section.load_ok(line.unit_price):
            raise RuleViolation(LOAD_RANGE, min=section.min_load, max=section.max_load, amount=line.unit_price,
                                currency=program.currency)
        loads += [(no, line.unit_price)] * line.qty
    return loads


CARD_LOAD_TOO_HIGH = message("gift.balance_too_high",
                              en="gift card {card} would hold {balance:money}, more than {max:money}",
                              he="בכרטיס המתנה {card} היו {balance:money}, יותר מ־{max:money}")


NOTHING_TO_LOAD = message("gift.nothing_to_load", en="a gift card is loaded by selling a gift card product with it",
                          he="כרטיס מתנה נטען במכירת מוצר כרטיס מתנה יחד איתו")


def check_top_up(session: Session, token: str, loads: list[tuple[int, int]], program: Program,
                 now: datetime) -> str:
    """The card a sale's gift lines load (`BasketRequest.gift_card`: its signed token), checked before anything
    is written: known, not expired, and holding at most `max_load` after the loads."""
    if not loads:
        raise InvalidInputError(NOTHING_TO_LOAD)
    card = card_from_token(session, token)
    state = ledger.account_state(session, card, GIFT_CARD)
    if not state.known:
        raise RuleViolation(UNKNOWN_CARD, card=card)
    if state.expires_on is not None and store_date(now, program.timezone) > state.expires_on:
        raise RuleViolation(EXPIRED, card=card, expired_on=state.expires_on.isoformat())
    after = state.balance + sum(amount for _line, amount in loads)
    assert program.gift_cards is not None  # check_loads refused a program without the section
    if after > program.gift_cards.max_load:
        raise RuleViolation(CARD_LOAD_TOO_HIGH, card=card, balance=after, max=program.gift_cards.max_load,
                            currency=program.currency)
    return card


def issue_cards(session: Session, terminal: Terminal, program: Program, loads: list[tuple[int, int]], *,
                sale_id: str, now: datetime, cashier_id: str | None,
                top_up: tuple[str, str] | None = None) -> tuple[IssuedGift, ...]:
    """Issue the cards `check_loads` planned, in the sale's transaction: an `issue` movement each; or, with
    `top_up` (card number, token), load that existing card instead (a `load` movement per unit)."""
    if not loads:
        return ()
    assert program.gift_cards is not None
    if top_up is not None:
        card, token = top_up
        expires_on = ledger.account_state(session, card, GIFT_CARD).expires_on
        ledger.write(session, [Movement(card, GIFT_CARD, "load", amount, line_no=line_no) for line_no, amount in loads],
                     terminal_id=terminal.settings.terminal_id, store_day=store_date(now, program.timezone),
                     created_at=to_iso(now), sale_id=sale_id, cashier_id=cashier_id)
        return tuple(IssuedGift(card, token, amount, expires_on, line_no) for line_no, amount in loads)
    key = load_key(terminal.keys_dir)
    day = store_date(now, program.timezone)
    expires = program.gift_cards.expires_on(day)
    issued = []
    for line_no, amount in loads:
        card = gift_tokens.new_card_number()
        token = gift_tokens.sign(key, card, day)
        issued.append(IssuedGift(card, token, amount, expires, line_no))
    ledger.write(session, [Movement(g.card, GIFT_CARD, "issue", g.amount, line_no=g.line_no, expires_on=expires,
                                    key_id=gift_tokens.parse(g.token).key_id, token=g.token) for g in issued],
                 terminal_id=terminal.settings.terminal_id, store_day=day, created_at=to_iso(now), sale_id=sale_id,
                 cashier_id=cashier_id)
    return tuple(issued)


# -- paying --------------------------------------------------------------------------------------------------

def card_from_token(session: Session, text: str) -> str:
    """The card number of a signed gift token, its signature checked against the trusted keys."""
    text = (text or "").strip()
    if gift_tokens.CARD_NUMBER.match(text.upper()):
        raise AuthError(NEEDS_TOKEN, card=text.upper())
    try:
        token = gift_tokens.parse(text)
    except TokenError as exc:
        raise InvalidInputError(BAD_CARD, reason=exc.reason) from exc
    key = session.get(TrustedKey, token.key_id)
    if key is None:
        raise AuthError(KEY_UNKNOWN, card=token.card)
    if key.revoked_at:
        raise AuthError(KEY_REVOKED, card=token.card)
    try:
        gift_tokens.verify(token, b64decode(key.public_key))
    except TokenError as exc:
        raise InvalidInputError(BAD_CARD, reason=exc.reason) from exc
    return token.card


def resolve_tenders(session: Session, given: Sequence[TenderGiven], *, member_id: str | None, can_spend: bool,
                    program: Program, now: datetime, offline: bool, terminal_id: str) -> tuple[TenderGiven, ...]:
    """The tenders with each gift card's token replaced by its number and store credit named by the member's
    id, once every ledger tender is allowed: a known, unexpired account holding what it pays, within the
    offline cap. Raises before anything is written."""
    out: list[TenderGiven] = []
    asked: dict[tuple[str, str], int] = {}
    for item in given:
        if item.kind is TenderKind.GIFT_CARD:
            item = replace(item, reference=card_from_token(session, item.reference or ""))
        elif item.kind is TenderKind.STORE_CREDIT:
            if member_id is None:
                raise RuleViolation(CREDIT_NEEDS_MEMBER)
            if not can_spend:
                raise AuthError(CREDIT_NEEDS_CARD)
            item = replace(item, reference=member_id)
        else:
            out.append(item)
            continue
        assert item.reference is not None
        key = (item.reference, GIFT_CARD if item.kind is TenderKind.GIFT_CARD else STORE_CREDIT)
        asked[key] = asked.get(key, 0) + item.amount
        out.append(item)
    day = store_date(now, program.timezone)
    cap = program.gift_cards.offline_daily_cap if program.gift_cards else 0
    for (account, kind), amount in asked.items():
        state = ledger.account_state(session, account, kind)
        if not state.known:
            raise RuleViolation(UNKNOWN_CARD, card=account)
        if state.expires_on is not None and day > state.expires_on:
            raise RuleViolation(EXPIRED, card=account, expired_on=state.expires_on.isoformat())
        if amount > state.balance:
            raise RuleViolation(BALANCE, account=account, balance=max(state.balance, 0), amount=amount,
                                currency=program.currency)
        if offline:
            spent = ledger.exposure(session, account, terminal_id, day)
            if spent + amount > cap:
                raise RuleViolation(OFFLINE_CAP, account=account, cap=cap, allowed=max(cap - spent, 0),
                                    currency=program.currency)
    return tuple(out)


def record_tenders(session: Session, tenders: Sequence[Tender], *, kind: str, terminal_id: str, day: date,
                   created_at: str, sale_id: str, cashier_id: str | None) -> None:
    """The movements of a sale's (`redeem`) or a refund's (`refund`) ledger tenders."""
    sign = -1 if kind == "redeem" else 1
    moves = [Movement(t.reference or "", GIFT_CARD if t.kind is TenderKind.GIFT_CARD else STORE_CREDIT, kind,
                      sign * t.amount) for t in tenders if t.kind in MONEY_LEDGER_KINDS]
    ledger.write(session, moves, terminal_id=terminal_id, store_day=day, created_at=created_at, sale_id=sale_id,
                 cashier_id=cashier_id)


# -- refunds -------------------------------------------------------------------------------------------------

def refund_voids(session: Session, sale_id: str, units: dict[int, int]) -> list[Movement]:
    """The `void` movements refunding `units` (line number → units) of a sale's gift card lines take: each
    refunded unit takes back one of the line's loads (a new card's or a top-up's) not taken back yet, from a
    card that still holds it (untouched cards first); refused when fewer such loads are left than units."""
    loads = ledger.issued_by_sale(session, sale_id)
    if not loads:
        return []
    voided = ledger.voided_by_refunds(session, sale_id)
    balance: dict[str, int] = {}
    moves = []
    for line_no, count in sorted(units.items()):
        left = []
        for m in (m for m in loads if m.line_no == line_no):
            if voided[m.account]:
                voided[m.account] -= 1
                continue
            left.append(m)
        for m in left:
            if m.account not in balance:
                balance[m.account] = ledger.account_state(session, m.account, GIFT_CARD).balance
        taken = 0
        for m in sorted(left, key=lambda m: balance[m.account] < m.amount):
            if taken == count:
                break
            if balance[m.account] < m.amount:  # spent gift money cannot come back as money: name the card
                raise RuleViolation(REFUND_SPENT, card=m.account, balance=max(balance[m.account], 0), load=m.amount)
            balance[m.account] -= m.amount
            moves.append(Movement(m.account, GIFT_CARD, "void", -m.amount))
            taken += 1
    return moves


# -- looking a card up -----------------------------------------------------------------------------------------

def card_number(session: Session, code: str) -> tuple[str, bool]:
    """(card number, whether a verified token named it) for a scanned token or a typed number."""
    text = (code or "").strip()
    if gift_tokens.CARD_NUMBER.match(text.upper()):
        return text.upper(), False
    if gift_tokens.looks_like_gift_token(text):
        return card_from_token(session, text), True
    raise InvalidInputError(NOT_A_CARD, code=text[:40])


def show(terminal: Terminal, code: str, at: datetime | None = None) -> dict[str, Any]:
    """A card's balance and history as this terminal knows them (`kupa giftcard show`)."""
    now = at or utcnow()
    with terminal.read() as session:
        program = program_at(session, now)
        card, verified = card_number(session, code)
        state = ledger.account_state(session, card, GIFT_CARD)
        if not state.known:
            raise RuleViolation(UNKNOWN_CARD, card=card)
        day = store_date(now, program.timezone)
        return {"card": card, "verified": verified, **state.to_json(),
                "expired": state.expires_on is not None and day > state.expires_on, "currency": program.currency}


NO_CODE_HERE = message("gift.no_code_here",
                       en="gift card {card} was issued at another terminal: scan its code to print it",
                       he="כרטיס המתנה {card} הונפק בקופה אחרת: סרקו את הקוד שלו כדי להדפיס אותו")


def printable(terminal: Terminal, code: str) -> dict[str, Any]:
    """What a printed gift card shows: its number, code (the token given, or the one this terminal issued it
    with), balance and last paying day."""
    with terminal.read() as session:
        card, verified = card_number(session, code)
        state = ledger.account_state(session, card, GIFT_CARD)
        if not state.known:
            raise RuleViolation(UNKNOWN_CARD, card=card)
        token = code.strip() if verified else next(
            (m.token for m in session.scalars(select(GiftMovement).where(GiftMovement.account == card,
                                                                         GiftMovement.kind == "issue")) if m.token),
            None)
        if token is None:
            raise RuleViolation(NO_CODE_HERE, card=card)
        return {"card": card, "token": token, "balance": state.balance, "issued": gift_tokens.parse(token).issued,
                "expires_on": state.expires_on, "currency": program_at(session, utcnow()).currency}


NOT_EXPIRED = message("gift.not_expired", en="gift card {card} pays until {expires_on}: nothing to write off",
                      he="כרטיס המתנה {card} בתוקף עד {expires_on}: אין מה למחוק")
NOTHING_LEFT = message("gift.nothing_left", en="gift card {card} holds nothing to write off",
                       he="בכרטיס המתנה {card} אין יתרה למחיקה")


def expire_card(terminal: Terminal, code: str, manager_pin: str) -> dict[str, Any]:
    """Write off an expired card's balance (`expire` movement, audited): the store's liability ends. Only after
    its last paying day, and only what this terminal knows the card holds (HQ refuses it below zero)."""
    now = utcnow()
    with terminal.unit_of_work() as session:
        manager = authenticate(session, manager_pin, role="manager")
        program = program_at(session, now)
        card, _verified = card_number(session, code)
        state = ledger.account_state(session, card, GIFT_CARD)
        if not state.known:
            raise RuleViolation(UNKNOWN_CARD, card=card)
        day = store_date(now, program.timezone)
        if state.expires_on is None or day <= state.expires_on:
            raise RuleViolation(NOT_EXPIRED, card=card,
                                expires_on=state.expires_on.isoformat() if state.expires_on else "-")
        if state.balance <= 0:
            raise RuleViolation(NOTHING_LEFT, card=card)
        created = to_iso(now)
        [movement_id] = ledger.write(session, [Movement(card, GIFT_CARD, "expire", -state.balance)],
                                     terminal_id=terminal.settings.terminal_id, store_day=day, created_at=created,
                                     sale_id=None, cashier_id=manager.user_id)
        session.add(AuditEntry(audit_id=new_id(), created_at=created, user_id=manager.user_id,
                               action="gift_expire", target=card, reason="gift card expired",
                               details=json.dumps({"movement_id": movement_id, "amount": state.balance})))
        return {"card": card, "written_off": state.balance, "movement_id": movement_id}


def store_credit(session: Session, member_id: str) -> int:
    """A member's store credit balance."""
    return ledger.account_state(session, member_id, STORE_CREDIT).balance
