"""The values pricing reads and the quote it returns: plain frozen dataclasses, no I/O.

A `Quote` explains itself: every line carries how its amount became what the customer pays, and `explain`
holds human-readable sentences in the order pricing applied the rules, so the UI and the receipt can show
why each number is what it is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal, Mapping, NamedTuple

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
    #: The member's segment codes (`pos_client.promotions.segments.member_segments`): promotions' audiences.
    segments: frozenset[str] = frozenset()
    #: Per voucher code: what the member carries towards the next voucher (qualifying spend for `spend`, this
    #: store month's category spend for `category_month`), before this sale.
    voucher_progress: Mapping[str, int] = field(default_factory=dict)
    #: Per voucher code: the store date of the last issue (once-per-period triggers).
    vouchers_issued_on: Mapping[str, date] = field(default_factory=dict)


@dataclass(frozen=True)
class CouponUse:
    """A coupon the service layer validated and authorised for this sale (ownership, single use, limits)."""

    coupon: str  #: the program's coupon code
    ref: str  #: the issued coupon's id (member coupon) or the promo code as typed (public)


@dataclass(frozen=True)
class VoucherUse:
    """An issued voucher handed in for this sale."""

    voucher_id: str  #: the issued voucher's id
    voucher: str  #: the program's voucher code
    value: int | None  #: its money value; None for a free-item voucher


@dataclass(frozen=True)
class VoucherIssue:
    """`count` vouchers of the program's voucher `voucher` that this sale's triggers issue."""

    voucher: str
    count: int


class Applied(NamedTuple):
    """A coupon or voucher as it applied, a tuple (code, ref, value): the program's code, the coupon's ref or
    the voucher's id, and what it took (a free item's shelf price)."""

    code: str
    ref: str
    value: int


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
    #: What each promotion took from the line in money, by key `member_price:CODE`, `coupon:CODE` or
    #: `voucher:ID` (docs/pricing.md); a member price's entry is beyond the tier/plan part in `percent_discount`.
    promotion_discount: Mapping[str, int] = field(default_factory=dict)
    #: Units a free-item coupon or voucher made free, by the same keys (their value is in `free_value`).
    free_by_promotion: Mapping[str, int] = field(default_factory=dict)
    #: The earn multiplier of this line (the largest of tier, plan, bonus day and campaigns).
    earn_multiplier: Decimal = Decimal(1)

    @property
    def discount(self) -> int:
        return self.free_value + self.percent_discount + sum(self.promotion_discount.values())

    @property
    def paid(self) -> int:
        return self.amount - self.discount - self.redeemed_value

    def to_json(self) -> dict[str, Any]:
        return {
            "sku": self.sku, "name": self.name, "category": self.category, "kind": self.kind,
            "qty": self.qty, "unit_price": self.unit_price, "amount": self.amount,
            "discount": self.discount, "free_units": self.free_units, "free_value": self.free_value,
            "percent_discount": self.percent_discount, "redeemed_value": self.redeemed_value, "paid": self.paid,
            "stamps": dict(self.stamps), "promotion_discount": dict(self.promotion_discount),
            "free_by_promotion": dict(self.free_by_promotion), "earn_multiplier": str(self.earn_multiplier),
        }


@dataclass(frozen=True)
class ExplainLine:
    """One step of a quote's explanation: a stable `code` with its values, and the English sentence.

    Codes: line, punch_reward, discount, redeem, total, earn, stamps, membership, birthday, monthly_credit,
    referral, balance_after; promotions (docs/pricing.md, worded by `pricing.explain`): member_price, coupon,
    coupon_free_item, voucher, voucher_free_item, campaign, campaign_bonus, voucher_issued, points_converted. Amounts in `params` are minor units; a UI words them in its own language.
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
    #: Coupons as applied: (code, ref, value taken; a free item's shelf price).
    coupons_applied: tuple[Applied, ...] = ()
    #: Vouchers as applied: (code, voucher id, value paid or a free item's shelf price).
    vouchers_applied: tuple[Applied, ...] = ()
    #: What member prices took beyond the tier/plan percentage, over the sale.
    member_price_discount: int = 0
    #: Campaigns' bonus points granted by this sale (beside `points_earned`).
    campaign_points: int = 0
    #: The vouchers this sale's triggers issue.
    vouchers_issued: tuple[VoucherIssue, ...] = ()
    #: Per voucher code with carried progress (spend, category_month): the progress after this sale.
    voucher_progress: Mapping[str, int] = field(default_factory=dict)
    #: Points debited by `points` vouchers issued (already out of `points_balance_after`).
    points_converted: int = 0

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
            "explanations": [{"code": e.code, "params": {k: _jsonable(v) for k, v in e.params.items()},
                              "text": e.text} for e in self.explanations],
            "coupons_applied": [{"coupon": a.code, "ref": a.ref, "value": a.value} for a in self.coupons_applied],
            "vouchers_applied": [{"voucher": a.code, "voucher_id": a.ref, "value": a.value}
                                 for a in self.vouchers_applied],
            "member_price_discount": self.member_price_discount,
            "campaign_points": self.campaign_points,
            "vouchers_issued": [{"voucher": v.voucher, "count": v.count} for v in self.vouchers_issued],
            "voucher_progress": dict(self.voucher_progress),
            "points_converted": self.points_converted,
        }


def _jsonable(value: object) -> object:
    """An explanation parameter as JSON: numbers and strings as they are, a Decimal as its string."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return str(value)
