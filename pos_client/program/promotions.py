"""The promotion sections of `program.json`: member prices, coupons, reward vouchers, gift cards, campaigns,
segments and offers (docs/pricing.md says how pricing applies them and in which order).

Each section is optional and validated like the rest of the program (unknown keys refused, every number and
list bounded), so HQ's `program publish` and the terminal's `program load` accept exactly the same documents.
What the sections share is defined once here:

- `Targets` — which lines a promotion reaches: `skus` and `categories` (both empty: every eligible line).
- `Audience` — which members it is for: `tiers`, `plans` (membership codes) and `segments` (all empty: every
  identified member). Codes are checked against the program's own tiers, plans and segments.
- `Window` — `starts` / `ends`, store-local calendar dates, both days included (a campaign "ends 2026-12-06"
  still runs at 23:59 store time on the 6th).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import Field, StrictBool, StrictInt, model_validator

from pos_client.program import limits as L
from pos_client.program.gift_cards import GiftCards as GiftCards  # its own module; named here too
from pos_client.program.fields import (Category, Code, ExpiryDays, LocalizedName, Multiplier, NonNegInt, Percent,
                                       Sku, Spend, StampsNeeded, StrictModel, WindowDays)

Skus = Annotated[list[Sku], Field(max_length=L.MAX_CARD_SKUS)]
Categories = Annotated[list[Category], Field(max_length=L.MAX_CATEGORIES)]
Codes = Annotated[list[Code], Field(max_length=L.MAX_PROMOTIONS)]
Money = Annotated[StrictInt, Field(gt=0, le=L.MAX_SPEND)]
Uses = Annotated[StrictInt, Field(gt=0, le=L.MAX_PROMOTION_USES)]
#: A public promo code as a customer types it: letters and digits, case-insensitive (stored upper-case).
PromoCode = Annotated[str, Field(min_length=3, max_length=24, pattern=r"^[A-Za-z0-9\-]+$")]


class Targets(StrictModel):
    """The lines a promotion reaches: these SKUs and categories; with neither, every eligible line."""

    skus: Skus = []
    categories: Categories = []

    def reaches(self, sku: str, category: str) -> bool:
        return (not self.skus and not self.categories) or sku in self.skus or category in self.categories


class Audience(StrictModel):
    """The members a promotion is for (all empty: every identified member; never a non-member sale)."""

    tiers: Codes = []
    plans: Codes = []
    segments: Codes = []

    def admits(self, tier: str | None, plan: str | None, segments: frozenset[str]) -> bool:
        """Every list given must match: a tier in `tiers`, a plan in `plans`, a segment in `segments`."""
        return ((not self.tiers or tier in self.tiers) and (not self.plans or plan in self.plans)
                and (not self.segments or bool(segments.intersection(self.segments))))


class Window(StrictModel):
    """Store-local dates, both included; either end may be open."""

    starts: date | None = None
    ends: date | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Window:
        if self.starts and self.ends and self.ends < self.starts:
            raise ValueError("ends must be on or after starts")
        return self

    def open_on(self, day: date) -> bool:
        return (self.starts is None or self.starts <= day) and (self.ends is None or day <= self.ends)


class MemberPrice(Targets, Audience, Window):
    """"40% off bestsellers for Plus members": a percentage off the targeted lines for the audience.

    On a line, the best applicable member price wins; it replaces the tier/plan percentage on that line when
    larger, unless `stack_with_tier` adds the two (capped at 100%)."""

    code: Code
    name: LocalizedName
    pct: Annotated[Percent, Field(gt=0)]
    stack_with_tier: StrictBool = False


class Campaign(Targets, Audience, Window):
    """A time-boxed earn boost on the targeted lines: a multiplier (never compounding with tier, plan and
    bonus-day multipliers: the largest applies) and/or bonus points once per qualifying sale."""

    code: Code
    name: LocalizedName
    multiplier: Multiplier | None = None
    bonus_points: NonNegInt = 0
    #: The qualifying paid amount on the targeted lines a sale needs for `bonus_points`.
    min_spend: Spend = 0

    @model_validator(mode="after")
    def _does_something(self) -> Campaign:
        if self.starts is None or self.ends is None:
            raise ValueError("a campaign needs both starts and ends")
        if self.multiplier is None and not self.bonus_points:
            raise ValueError("a campaign needs a multiplier or bonus_points")
        return self


CouponIssue = Literal["enrolment", "birthday", "manual", "offer"]


class Coupon(Targets, Audience, Window):
    """A discount shown at the counter: `percent` or `amount` off the targeted lines, or one targeted item
    free (`free_item`, the cheapest), once the basket's eligible subtotal reaches `min_spend`.

    `public` coupons carry a `promo_code` anyone may type or scan, bounded by `per_member_limit` and
    `chain_limit` (and, offline, by `offline_limit` uses per terminal until HQ confirms). `member` coupons are
    issued to one member (`issue_on`) as a signed single-use QR, valid `valid_days` from issue."""

    code: Code
    name: LocalizedName
    kind: Literal["public", "member"]
    discount: Literal["percent", "amount", "free_item"]
    pct: Annotated[Percent, Field(gt=0)] | None = None
    amount: Money | None = None
    min_spend: Spend = 0
    promo_code: PromoCode | None = None
    per_member_limit: Uses | None = None
    chain_limit: Uses | None = None
    offline_limit: Uses | None = None
    issue_on: Annotated[list[CouponIssue], Field(max_length=4)] = []
    valid_days: WindowDays | None = None
    #: A `percent` coupon on at most this many targeted units, the dearest first ("30% off one toy or book");
    #: None: every targeted unit.
    units: Annotated[StrictInt, Field(gt=0, le=L.MAX_PROMOTION_USES)] | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Coupon:
        if self.units is not None and self.discount != "percent":
            raise ValueError("units is given only when discount is 'percent'")
        if (self.discount == "percent") != (self.pct is not None):
            raise ValueError("pct is given exactly when discount is 'percent'")
        if (self.discount == "amount") != (self.amount is not None):
            raise ValueError("amount is given exactly when discount is 'amount'")
        if (self.kind == "public") != (self.promo_code is not None):
            raise ValueError("promo_code is given exactly when kind is 'public'")
        if self.kind == "public" and (self.issue_on or self.valid_days):
            raise ValueError("a public coupon is not issued: no issue_on or valid_days")
        if self.kind == "member" and (self.per_member_limit or self.chain_limit or self.offline_limit):
            raise ValueError("a member coupon is single-use: no use limits")
        return self


VoucherTrigger = Literal["spend", "points", "plan_monthly", "tier_annual", "category_month"]


class Voucher(Targets):
    """Reward dollars: a voucher worth `value` (or one targeted item free) issued to a member by a trigger,
    valid `expires_days` from issue:

    - `spend`: every `every` minor units of qualifying spend ("$5 for every $100");
    - `points`: every `every` points converted (the points are debited when it is issued);
    - `plan_monthly`: once per store month of an active `plan` ("CarePass $10 every month");
    - `tier_annual`: once per year for members of `tier` ("Gold's $10 annual reward");
    - `category_month`: once per store month when the member's spend in `categories` reaches `min_spend`
      within that month ("spend $30 on beauty in a month for a free gift").

    `skus`/`categories` (Targets) limit a `free_item` voucher's item; a value voucher pays any eligible line.
    """

    code: Code
    name: LocalizedName
    trigger: VoucherTrigger
    every: Annotated[StrictInt, Field(gt=0, le=L.MAX_SPEND)] | None = None
    plan: Code | None = None
    tier: Code | None = None
    spend_categories: Categories = []
    min_spend: Spend = 0
    value: Money | None = None
    free_item: StrictBool = False
    expires_days: ExpiryDays = 90

    @model_validator(mode="after")
    def _consistent(self) -> Voucher:
        if (self.value is None) == (not self.free_item):
            raise ValueError("a voucher has either a value or free_item: true")
        needs = {"spend": self.every, "points": self.every, "plan_monthly": self.plan, "tier_annual": self.tier,
                 "category_month": self.spend_categories and self.min_spend}
        if not needs[self.trigger]:
            what = {"spend": "every", "points": "every", "plan_monthly": "plan", "tier_annual": "tier",
                    "category_month": "spend_categories and min_spend"}[self.trigger]
            raise ValueError(f"a '{self.trigger}' voucher needs {what}")
        return self


class DayRange(StrictModel):
    """Days, both ends included; either may be open. Days are whole store-calendar days between two store
    dates (a purchase yesterday evening is 1 day ago this morning), `pos_client.promotions.segments`."""

    min: Annotated[StrictInt, Field(ge=0, le=L.MAX_EXPIRY_DAYS)] | None = None
    max: Annotated[StrictInt, Field(ge=0, le=L.MAX_EXPIRY_DAYS)] | None = None

    @model_validator(mode="after")
    def _ordered(self) -> DayRange:
        if self.min is not None and self.max is not None and self.max < self.min:
            raise ValueError("max must be at least min")
        return self

    def holds(self, days: int | None) -> bool:
        return days is not None and (self.min is None or days >= self.min) and (self.max is None or days <= self.max)


class CategorySpend(StrictModel):
    """Spend in `categories` over the last `days` days of at least `min_spend`: the money paid on those lines
    (after every discount and points, net of refunds) on the store dates today − (days − 1) … today."""

    categories: Annotated[list[Category], Field(min_length=1, max_length=L.MAX_CATEGORIES)]
    days: WindowDays
    min_spend: Spend


class Visits(StrictModel):
    """At least `min` (and at most `max`, when given) sales over the last `days` days: store dates
    today − (days − 1) … today; a sale refunded whole is no visit."""

    days: WindowDays
    min: Annotated[StrictInt, Field(ge=0, le=L.MAX_PROMOTION_USES)] = 0
    max: Annotated[StrictInt, Field(ge=0, le=L.MAX_PROMOTION_USES)] | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Visits:
        if self.max is not None and self.max < self.min:
            raise ValueError("max must be at least min")
        return self


class StampsHeld(StrictModel):
    """At least `min` stamps held on the punch card `card`."""

    card: Code
    min: StampsNeeded


class Segment(StrictModel):
    """A group of members, by rules over what the terminal knows; every rule given must hold (no rule: every
    member). `birthday_month: false` means "not in their birthday month". A member who never bought anything
    holds no `days_since_last_purchase` range. Evaluated by `pos_client.promotions.segments.member_segments`."""

    code: Code
    name: LocalizedName
    tiers: Codes = []
    plans: Codes = []
    days_since_last_purchase: DayRange | None = None
    days_since_enrolment: DayRange | None = None
    category_spend: CategorySpend | None = None
    visits: Visits | None = None
    birthday_month: StrictBool | None = None
    stamps: StampsHeld | None = None


class Offer(Window):
    """What the counter shows a member of `segments` (empty: every member) while the offer runs: a coupon to
    apply with one key, a campaign that already applies, and/or a message."""

    code: Code
    name: LocalizedName
    segments: Codes = []
    coupon: Code | None = None
    campaign: Code | None = None
    message: LocalizedName | None = None

    @model_validator(mode="after")
    def _does_something(self) -> Offer:
        if self.coupon is None and self.campaign is None and self.message is None:
            raise ValueError("an offer needs a coupon, a campaign or a message")
        return self


def check_references(*, tiers: set[str], plans: set[str], cards: set[str], member_prices: list[MemberPrice],
                     coupons: list[Coupon], vouchers: list[Voucher], campaigns: list[Campaign],
                     segments: list[Segment], offers: list[Offer]) -> None:
    """Every code a promotion names exists in the program; every section's codes are unique."""
    segment_codes = {s.code for s in segments}
    coupon_codes = {c.code for c in coupons}
    campaign_codes = {c.code for c in campaigns}
    for section, items in (("member_prices", member_prices), ("coupons", coupons), ("vouchers", vouchers),
                           ("campaigns", campaigns), ("segments", segments), ("offers", offers)):
        seen: set[str] = set()
        for item in items:
            if item.code in seen:
                raise ValueError(f"{section}: {item.code!r} appears twice")
            seen.add(item.code)
    promo = [c.promo_code.upper() for c in coupons if c.promo_code]
    if len(promo) != len(set(promo)):
        raise ValueError("coupons: a promo_code appears twice")

    def known(where: str, names: list[str] | str | None, pool: set[str], what: str) -> None:
        for name in [names] if isinstance(names, str) else (names or []):
            if name not in pool:
                raise ValueError(f"{where}: unknown {what} {name!r}")

    audiences: list[tuple[str, Audience]] = [(f"member_prices[{i}]", m) for i, m in enumerate(member_prices)]
    audiences += [(f"coupons[{i}]", c) for i, c in enumerate(coupons)]
    audiences += [(f"campaigns[{i}]", c) for i, c in enumerate(campaigns)]
    for where, audience in audiences:
        known(where + ".tiers", audience.tiers, tiers, "tier")
        known(where + ".plans", audience.plans, plans, "plan")
        known(where + ".segments", audience.segments, segment_codes, "segment")
    for i, voucher in enumerate(vouchers):
        known(f"vouchers[{i}].plan", voucher.plan, plans, "plan")
        known(f"vouchers[{i}].tier", voucher.tier, tiers, "tier")
    for i, segment in enumerate(segments):
        known(f"segments[{i}].tiers", segment.tiers, tiers, "tier")
        known(f"segments[{i}].plans", segment.plans, plans, "plan")
        known(f"segments[{i}].stamps.card", segment.stamps.card if segment.stamps else None, cards, "punch card")
    for i, offer in enumerate(offers):
        known(f"offers[{i}].segments", offer.segments, segment_codes, "segment")
        known(f"offers[{i}].coupon", offer.coupon, coupon_codes, "coupon")
        known(f"offers[{i}].campaign", offer.campaign, campaign_codes, "campaign")
