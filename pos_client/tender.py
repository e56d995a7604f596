"""How a sale is paid and how a refund pays back: pure rules over integer minor units, no I/O.

A *tender* is one way the customer paid: `cash` (the amount handed over, the change given back) or `card`
(taken by an external payment terminal, whose reference the cashier types or the terminal reports). Kinds
are a closed enum (`TenderKind`) so that the promotions work (issue #17) adds `gift_card` and `store_credit`
as new members with their own checks, without a new table: the rows (`pos_client.db.models.Tender`), the
wire body (`sync.protocol.WireTender`) and the shift report are keyed by the kind's value already.

The rules, each in one place here:

- **Cover**: what is handed over must cover the total; anything short is refused with the amount missing.
- **Change only from cash**: card tenders are applied first (in the order given), cash pays what is left and
  the last cash tender gives the change. A card that pays more than the total is refused (a card terminal
  takes an exact amount; a POS never hands out cash for a card overpayment — a classic cash-out fraud).
- **Every tender pays something**: a tender the others already covered (cash handed over after an exact
  card) is refused instead of being recorded as a zero line with all its money as change.
- **Refunds pay back the way the sale was paid** (`refund_allocation`): to the sale's card tenders first,
  in the order they were paid, each at most what it still holds after earlier refunds; cash gets the rest.
  Card first protects the drawer and stops "buy by card, return for cash"; a manager may choose otherwise
  (`refund_to="cash"`, audited by the refund service).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum

from pos_client.errors import InvalidInputError, RuleViolation
from pos_client.messages import message


class TenderKind(str, Enum):
    """How the customer paid. `gift_card` (a signed gift card's balance; typed `gift:TOKEN:AMOUNT`) and
    `store_credit` (the member's store credit; typed `credit:AMOUNT`) are checked against their money ledger
    by `pos_client.services.giftcards` before the sale settles (docs/giftcards.md)."""

    CASH = "cash"
    CARD = "card"
    GIFT_CARD = "gift_card"
    STORE_CREDIT = "store_credit"


#: The kinds paid from Kupa's own money ledger (a gift card, store credit): like a card, an exact amount.
MONEY_LEDGER_KINDS = (TenderKind.GIFT_CARD, TenderKind.STORE_CREDIT)
#: How the command line spells each kind (`gift:TOKEN:AMOUNT`, `credit:AMOUNT`); the stored value is the kind's.
_SPELLED = {"gift": TenderKind.GIFT_CARD, "credit": TenderKind.STORE_CREDIT}
#: Longest external reference kept (a card terminal's approval code, RRN or transaction id).
MAX_REFERENCE = 64


@dataclass(frozen=True)
class TenderGiven:
    """What the cashier entered: a kind, the amount handed over (cash) or charged (card), a reference."""

    kind: TenderKind
    amount: int
    reference: str | None = None


@dataclass(frozen=True)
class Tender:
    """One recorded tender: `amount` is what it paid of the total (or paid back, on a refund); for cash,
    `given` is what was handed over and `change` what went back (`given - change == amount`)."""

    kind: TenderKind
    amount: int
    given: int
    change: int = 0
    reference: str | None = None

    def to_json(self) -> dict[str, object]:
        return {"kind": self.kind.value, "amount": self.amount, "given": self.given, "change": self.change,
                "reference": self.reference}


NOT_A_PAYMENT = message("tender.not_a_payment",
                        en="'{text}' is not a payment (use cash:AMOUNT, card:AMOUNT[:REFERENCE], gift:TOKEN:AMOUNT "
                           "or credit:AMOUNT, amounts in minor units)",
                        he="'{text}' אינו תשלום (כתבו cash:סכום, card:סכום[:אסמכתא], gift:אסימון:סכום או "
                           "credit:סכום, סכומים ביחידות מטבע קטנות)")
UNKNOWN_KIND = message("tender.unknown_kind",
                       en="'{kind}' is not a way to pay (cash, card, gift or credit)",
                       he="'{kind}' אינו אמצעי תשלום (מזומן, כרטיס, כרטיס מתנה או זיכוי)")
GIFT_NEEDS_CARD = message("tender.gift_needs_card", en="a gift card payment needs the card's code",
                          he="תשלום בכרטיס מתנה דורש את קוד הכרטיס")
CREDIT_NO_REFERENCE = message("tender.credit_no_reference",
                              en="store credit takes no reference: it is the identified member's ('{text}')",
                              he="זיכוי בחנות אינו מקבל אסמכתא: הוא של החבר המזוהה ('{text}')")
AMOUNT_POSITIVE = message("tender.amount_positive", en="a payment must be more than zero (got '{text}')",
                          he="תשלום חייב להיות גדול מאפס (התקבל '{text}')")
REFERENCE_BAD = message("tender.reference_bad",
                        en="the card reference must be at most {max} printable characters",
                        he="אסמכתת הכרטיס חייבת להיות עד {max} תווים מודפסים")
CASH_NO_REFERENCE = message("tender.cash_no_reference", en="cash takes no reference ('{text}')",
                            he="מזומן אינו מקבל אסמכתא ('{text}')")
SHORT = message("tender.short",
                en="the payment does not cover the total: {total:money} to pay, {given:money} given, "
                   "{missing:money} missing",
                he="התשלום אינו מכסה את הסכום: לתשלום {total:money}, התקבלו {given:money}, חסרים "
                   "{missing:money}")
CARD_OVERPAYS = message("tender.card_overpays",
                        en="cards pay {cards:money}, more than the {total:money} to pay: change is given "
                           "only from cash",
                        he="הכרטיסים משלמים {cards:money}, יותר מ־{total:money} לתשלום: עודף ניתן רק ממזומן")
NOT_NEEDED = message("tender.not_needed",
                     en="the {kind} payment of {amount:money} is not needed: the total is already covered",
                     he="תשלום ה־{kind} בסך {amount:money} מיותר: הסכום כבר מכוסה")


def parse_payment(text: str) -> TenderGiven:
    """`cash:AMOUNT`, `card:AMOUNT`, `card:AMOUNT:REFERENCE`, `gift:TOKEN:AMOUNT` or `credit:AMOUNT` from the
    command line; amounts in minor units. A gift card's token is kept as given (its signature and balance are
    checked by `pos_client.services.giftcards` at the sale)."""
    text = text or ""
    if text[:5].lower() == "gift:" and len(text) <= 240:
        token, _sep, amount_text = text[5:].rpartition(":")
        if not token.strip():
            raise InvalidInputError(GIFT_NEEDS_CARD)
        text = f"gift:{amount_text}:{token.strip()}"
    parts = text.split(":", 2)
    if len(parts) < 2 or not parts[0].strip() or len(text) > 240:
        raise InvalidInputError(NOT_A_PAYMENT, text=text[:120])
    kind_text, amount_text = parts[0].strip().lower(), parts[1].strip()
    try:
        kind = _SPELLED.get(kind_text) or TenderKind(kind_text)
    except ValueError:
        raise InvalidInputError(UNKNOWN_KIND, kind=kind_text[:20]) from None
    if not amount_text.lstrip("-").isdigit() or len(amount_text) > 12:
        raise InvalidInputError(NOT_A_PAYMENT, text=text)
    reference = parts[2].strip() if len(parts) == 3 else None
    return check_given(TenderGiven(kind, int(amount_text), reference or None))


def check_given(given: TenderGiven) -> TenderGiven:
    """One entered tender on its own: an accepted kind, an amount above zero, a sane reference."""
    if given.amount <= 0:
        raise InvalidInputError(AMOUNT_POSITIVE, text=str(given.amount))
    if given.kind is TenderKind.GIFT_CARD and not given.reference:
        raise InvalidInputError(GIFT_NEEDS_CARD)
    if given.reference is not None:
        if given.kind is TenderKind.CASH:
            raise InvalidInputError(CASH_NO_REFERENCE, text=given.reference)
        if given.kind is TenderKind.STORE_CREDIT and not given.reference.startswith("M"):
            raise InvalidInputError(CREDIT_NO_REFERENCE, text=given.reference[:40])
        limit = 240 if given.kind is TenderKind.GIFT_CARD else MAX_REFERENCE  # a gift token until resolved
        if len(given.reference) > limit or not given.reference.isprintable():
            raise InvalidInputError(REFERENCE_BAD, max=MAX_REFERENCE)
    return given


def settle(total: int, given: Sequence[TenderGiven], currency: str) -> tuple[Tender, ...]:
    """The tenders that pay `total`, with the change, or a refusal (`RuleViolation`) that says what is wrong.

    Cards are applied first, then cash in the order given; the last cash tender gives the change. Nothing is
    recorded here: the checkout calls this before it writes anything, so a refusal leaves no trace.
    """
    for item in given:
        check_given(item)
    handed = sum(item.amount for item in given)
    if handed < total:
        raise RuleViolation(SHORT, total=total, given=handed, missing=total - handed, currency=currency)
    cards = [item for item in given if item.kind is not TenderKind.CASH]
    card_sum = sum(item.amount for item in cards)
    if card_sum > total:
        raise RuleViolation(CARD_OVERPAYS, cards=card_sum, total=total, currency=currency)
    left = total
    out: list[Tender] = []
    for item in cards:
        out.append(Tender(item.kind, item.amount, item.amount, 0, item.reference))
        left -= item.amount
    cash = [item for item in given if item.kind is TenderKind.CASH]
    for item in cash:
        if left == 0:
            raise RuleViolation(NOT_NEEDED, kind=item.kind.value, amount=item.amount, currency=currency)
        applied = min(item.amount, left)
        left -= applied
        out.append(Tender(TenderKind.CASH, applied, item.amount, item.amount - applied))
    return tuple(out)


def exact_card(total: int) -> tuple[Tender, ...]:
    """The tender of a sale recorded without any: paid exactly by card, no reference (see README,
    "Payments and shifts": scripts that predate tenders keep working and never touch the drawer)."""
    return (Tender(TenderKind.CARD, total, total),) if total > 0 else ()


def change_of(tenders: Sequence[Tender]) -> int:
    return sum(t.change for t in tenders)


@dataclass(frozen=True)
class Paid:
    """What one tender of the sale paid and what earlier refunds already paid back to it."""

    kind: TenderKind
    amount: int
    refunded: int = 0
    reference: str | None = None


def refund_allocation(money_back: int, paid: Sequence[Paid], refund_to: TenderKind | None = None) -> tuple[Tender, ...]:
    """How `money_back` goes back to the customer.

    By default the way the sale was paid: card tenders first, in the order they were paid, each up to what it
    still holds; cash takes the rest (also whatever a sale without tenders, or an older one, cannot place).
    `refund_to` (a manager's choice) sends it all one way; card refunds keep the first card's reference.
    """
    if money_back <= 0:
        return ()
    if refund_to is not None:
        reference = next((p.reference for p in paid if p.kind is refund_to), None)
        return (Tender(refund_to, money_back, money_back, 0, reference),)
    out: list[Tender] = []
    left = money_back
    for p in paid:
        if p.kind is TenderKind.CASH or left == 0:
            continue
        take = min(left, max(p.amount - p.refunded, 0))
        if take:
            out.append(Tender(p.kind, take, take, 0, p.reference))
            left -= take
    if left:
        out.append(Tender(TenderKind.CASH, left, left))
    return tuple(out)
