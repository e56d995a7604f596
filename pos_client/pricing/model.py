"""The values pricing reads and the quote it returns: plain frozen dataclasses, no I/O.

A `Quote` explains itself: every line carries how its amount became what the customer pays, and `explain`
holds human-readable sentences in the order pricing applied the rules, so the UI and the receipt can show
why each number is what it is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal, Mapping

from pos_client.errors import InvalidInputError
from pos_client.messages import message

LineKind = Literal["eligible", "excluded", "membership", "gift_card"]
MAX_QTY = 9999
MAX_UNIT_PRICE = 100_000_000
#: The largest subtotal one sale may have (₪100 million). With the program's bounds (pos_client.program.limits)
#: a sale earns at most 10¹⁰ × 1,000 × 100 = 10¹⁵ points: every figure stays far inside a 64-bit integer.
MAX_SALE_SUBTOTAL = 10_000_000_000
SALE_EARNS_TOO_MUCH = message("sale.earns_too_much",
                              en="the sale would earn {points} points, over the {limit} one sale may earn",
                              he="המכירה תצבור {points} נקודות, יותר מ-{limit} שמכירה אחת רשאית לצבור")
SALE_TOO_LARGE = message("sale.too_large",
                         en="the sale's subtotal {subtotal} is over the largest one sale may have ({limit})",
                         he="סכום הביניים של המכירה {subtotal} גבוה מהמרבי שמותר למכירה אחת ({limit})")


QTY_RANGE = message("basket.quantity_range",
                    en="quantity of {sku} must be a whole number from 1 to {max_qty}",
                    he="הכמות של {sku} חייבת להיות מספר שלם מ־1 עד {max_qty}")
PRICE_WHOLE = message("basket.price_whole", en="price of {sku} must be a whole number of minor units",
                      he="המחיר של {sku} חייב להיות מספר שלם של אגורות")


@dataclass(frozen=True)
class CartItem:
    """One basket line as rung up: a product, a quantity and the unit price in force."""

    sku: str
    name: str
    qty: int
    unit_price: int
    category: str = ""

    def __post_init__(self) -> None:
        if type(self.qty) is not int or not 0 < self.qty <= MAX_QTY:
            raise InvalidInputError(QTY_RANGE, sku=self.sku, max_qty=MAX_QTY)
        if type(self.unit_price) is not int or not 0 <= self.unit_price <= MAX_UNIT_PRICE:
            raise InvalidInputError(PRICE_WHOLE, sku=self.sku)


@dataclass(frozen=True)
class MemberState:
    """What pricing needs to know about a member at the moment of the sale.

    `qualifying_spend` is over the program's tier window ending now and excludes this sale (a tier change
    takes effect from the next sale). `redeemed_today` counts points this member redeemed on this terminal
    that HQ has not confirmed yet, whatever their day, for the offline cap (docs/core.md, "Offline"). `can_spend` is true when the member was identified by a signed
    card token or a manager PIN: a phone number alone never unlocks the balance.
    """

    member_id: str
    points: int = 0
    stamps: Mapping[str, int] = field(default_factory=dict)
    qualifying_spend: int = 0
    membership_code: str | None = None
    membership_expires: datetime | None = None
    bonus_weekday: int | None = None
    birthday: date | None = None
    last_birthday_year: int | None = None
    referral_pending: bool = False
    redeemed_today: int = 0
    can_spend: bool = False
    #: Points past the program's expiry that `points` already leaves out; a sale records their `expire` entry.
    expiring_points: int = 0
    #: When the member's paid plan last credited its monthly points (None: not this month or never).
    last_credit_at: datetime | None = None


@dataclass(frozen=True)
class QuoteLine:
    """A priced line. `paid` = `amount` − `discount` − `redeemed_value`; `discount` includes free units."""

    sku: str
    name: str
    category: str
    kind: LineKind
    qty: int
    unit_price: int
    amount: int
    free_units: int
    free_by_card: Mapping[str, int]
    free_value: int
    percent_discount: int
    redeemed_value: int
    stamps: Mapping[str, int]

    @property
    def discount(self) -> int:
        return self.free_value + self.percent_discount

    @property
    def paid(self) -> int:
        return self.amount - self.discount - self.redeemed_value

    def to_json(self) -> dict[str, Any]:
        return {
            "sku": self.sku, "name": self.name, "category": self.category, "kind": self.kind,
            "qty": self.qty, "unit_price": self.unit_price, "amount": self.amount,
            "discount": self.discount, "free_units": self.free_units, "free_value": self.free_value,
            "percent_discount": self.percent_discount, "redeemed_value": self.redeemed_value, "paid": self.paid,
            "stamps": dict(self.stamps),
        }


@dataclass(frozen=True)
class ExplainLine:
    """One step of a quote's explanation: a stable `code` with its values, and the English sentence.

    Codes: line, punch_reward, discount, redeem, total, earn, stamps, membership, birthday, monthly_credit,
    referral, balance_after. Amounts in `params` are minor units; a UI words them in its own language.
    """

    code: str
    params: Mapping[str, object]
    text: str


@dataclass(frozen=True)
class RedeemLimits:
    """What the redemption control may offer: multiples of `step` from `min_points` to `max_points`.

    `max_points` is 0 when nothing may be redeemed on this basket; `reason` then says why.
    """

    min_points: int
    step: int
    max_points: int
    reason: str = ""
    #: The member was identified without the signed card: nothing may be spent without the card or a PIN.
    needs_card: bool = False
    #: Which rule sets `max_points`: balance, share, offline_cap, no_member or no_redemption.
    rule: str = ""

    def allows(self, points: int) -> bool:
        return points == 0 or (self.min_points <= points <= self.max_points and points % self.step == 0)

    def options(self) -> list[int]:
        """Every redemption the control may offer, 0 first."""
        if self.needs_card or not self.max_points:
            return [0]
        return [0, *range(max(self.min_points, self.step), self.max_points + 1, self.step)]


@dataclass(frozen=True)
class Quote:
    """The result of `price()`; amounts in minor units, points and stamps as integers."""

    program_version: int
    currency: str
    member_id: str | None
    tier: str | None
    lines: tuple[QuoteLine, ...]
    subtotal: int
    discount_pct: Decimal
    discount_total: int
    redeemed_points: int
    redeemed_value: int
    total: int
    qualifying_spend: int
    earn_multiplier: Decimal
    points_earned: int
    stamps_earned: Mapping[str, int]
    stamps_spent: Mapping[str, int]
    punch_rewards: tuple[str, ...]
    rewards_due: tuple[str, ...]
    memberships_sold: Mapping[str, int]
    birthday_points: int
    referral_points: int
    points_balance_after: int
    redeem_limits: RedeemLimits
    explain: tuple[str, ...]
    explanations: tuple[ExplainLine, ...] = ()
    #: A paid plan's monthly credit granted by this sale (its first sale of the store month with the plan).
    monthly_credit_points: int = 0
    #: The plan that credits them.
    monthly_credit_plan: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The JSON shape of DESIGN.md's `quote`/`checkout` output."""
        return {
            "program_version": self.program_version,
            "currency": self.currency,
            "member_id": self.member_id,
            "tier": self.tier,
            "lines": [line.to_json() for line in self.lines],
            "subtotal": self.subtotal,
            "discount_pct": str(self.discount_pct),
            "discount_total": self.discount_total,
            "redeemed_points": self.redeemed_points,
            "redeemed_value": self.redeemed_value,
            "total": self.total,
            "qualifying_spend": self.qualifying_spend,
            "earn_multiplier": str(self.earn_multiplier),
            "points_earned": self.points_earned,
            "stamps_earned": dict(self.stamps_earned),
            "stamps_spent": dict(self.stamps_spent),
            "punch_rewards": list(self.punch_rewards),
            "rewards_due": list(self.rewards_due),
            "memberships_sold": dict(self.memberships_sold),
            "birthday_points": self.birthday_points,
            "referral_points": self.referral_points,
            "monthly_credit_points": self.monthly_credit_points,
            "points_balance_after": self.points_balance_after,
            "max_redeem_points": self.redeem_limits.max_points,
            "redeem_needs_card": self.redeem_limits.needs_card,
            "explain": list(self.explain),
        }
