"""Shared builders and Hypothesis strategies for the pricing tests (no test functions here).

Random programs are plain dicts validated by the real `Program` model, so every generated program is one
`load_program_text` would accept. Baskets draw from a small catalogue so that punch cards, excluded
categories and membership SKUs actually meet the products; member states cluster their qualifying spend
around the tier thresholds so the `<=` edge gets exercised.

The `expected_*` functions are independent oracles written from DESIGN.md, not copied from the engine.
"""

from __future__ import annotations

import copy
import json
import math
import os
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from dataclasses import replace

from hypothesis import event
from hypothesis import strategies as st

from pos_client.errors import AuthError, KupaError, RuleViolation
from pos_client.pricing import price

from pos_client.pricing.model import CartItem, CouponUse, MemberState, Quote, VoucherUse
from pos_client.pricing.refund import SoldLine, SoldSale
from pos_client.program.schema import Program, load_program_text

FULL_PROGRAM_PATH = Path(__file__).resolve().parents[1] / "data" / "program_full.json"
FULL_PROGRAM_TEXT = FULL_PROGRAM_PATH.read_text(encoding="utf-8")

UTC = timezone.utc

#: `./dev mutants` runs every surviving mutant through all the property tests; it sets KUPA_PROPERTY_SCALE
#: (5) to divide their example counts so a run over pricing/ fits in an hour on a 2-core machine. The suite
#: (CI) runs the full counts.
PROPERTY_SCALE = max(1, int(os.environ.get("KUPA_PROPERTY_SCALE", "1")))


def examples(count: int) -> int:
    """A property test's example count, divided by the mutation run's scale (never below 10)."""
    return max(10, count // PROPERTY_SCALE)

# -- example-test helpers ------------------------------------------------------------------------------------


def full_doc() -> dict[str, Any]:
    """DESIGN.md's example program as a dict (rates as `Decimal`), a fresh copy each call."""
    return copy.deepcopy(json.loads(FULL_PROGRAM_TEXT, parse_float=Decimal))


def jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)  # the form canonical_json() stores; load_program_text reads it back exactly
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [jsonable(v) for v in value]
    return value


def load_doc(doc: dict[str, Any]) -> Program:
    """Validate `doc` exactly as a program file would be (through `load_program_text`)."""
    return load_program_text(json.dumps(jsonable(doc), ensure_ascii=False))


def full_program(**changes: Any) -> Program:
    """The example program with top-level sections replaced (`None` removes a section)."""
    doc = full_doc()
    for key, value in changes.items():
        if value is None:
            doc.pop(key, None)
        else:
            doc[key] = value
    return load_doc(doc)


def item(sku: str, qty: int, unit_price: int, category: str = "food", name: str | None = None) -> CartItem:
    return CartItem(sku=sku, name=name or sku.title(), qty=qty, unit_price=unit_price, category=category)


def sold_sale(quote: Quote, program: Program) -> SoldSale:
    """The `SoldSale` a refund sees, built from a quote as `services.refunds._sold` builds it from sale lines."""
    lines = []
    for no, line in enumerate(quote.lines, start=1):
        plan = program.membership_by_sku(line.sku) if line.kind == "membership" else None
        lines.append(SoldLine(
            line_no=no, sku=line.sku, kind=line.kind, qty=line.qty, paid=line.paid,
            percent_discount=line.percent_discount, redeemed_value=line.redeemed_value,
            # the service stores these as JSON and reads them back: mimic the round trip
            free_by_card=json.loads(json.dumps(dict(line.free_by_card))),
            stamps=json.loads(json.dumps(dict(line.stamps))),
            membership_code=plan.code if plan else None,
            membership_days_per_unit=plan.period_days if plan else 0,
            # promotions travel in the stored quote's lines (docs/pricing.md): mimic the JSON round trip too
            promotion_discount=json.loads(json.dumps(dict(line.promotion_discount))),
            free_by_promotion=json.loads(json.dumps(dict(line.free_by_promotion))),
            earn_multiplier=Decimal(str(line.earn_multiplier))))
    used = tuple([f"coupon:{a.code}" for a in quote.coupons_applied]
                 + [f"voucher:{a.ref}" for a in quote.vouchers_applied])
    return SoldSale(lines=tuple(lines), points_earned=quote.points_earned, qualifying_spend=quote.qualifying_spend,
                    redeemed_points=quote.redeemed_points, redeemed_value=quote.redeemed_value,
                    stamps_needed={c.code: c.stamps_needed for c in program.punch_cards},
                    campaign_points=quote.campaign_points, promotions_used=used)


# -- oracles (from DESIGN.md) ------------------------------------------------------------------------------


def exact_floor(value: Fraction) -> int:
    return math.floor(value)


def expected_tier_code(program: Program, spend: int) -> str | None:
    reached = [t for t in program.tiers if t.min_spend <= spend]
    return max(reached, key=lambda t: t.min_spend).code if reached else None


def expected_pct(program: Program, member: MemberState | None, now: datetime) -> Fraction:
    if member is None:
        return Fraction(0)
    code = expected_tier_code(program, member.qualifying_spend)
    tier_pct = Fraction(program.tier(code).discount_pct) if code else Fraction(0)  # type: ignore[union-attr]
    plan = active_plan(program, member, now)
    plan_pct = Fraction(plan.discount_pct) if plan else Fraction(0)
    pct = tier_pct + plan_pct if program.discount_stacking == "add" else max(tier_pct, plan_pct)
    return min(pct, Fraction(100))


def active_plan(program: Program, member: MemberState | None, now: datetime):  # type: ignore[no-untyped-def]
    if member is None or member.membership_code is None or member.membership_expires is None:
        return None
    return program.membership(member.membership_code) if member.membership_expires > now else None


def expected_multiplier(program: Program, member: MemberState | None, now: datetime) -> Fraction:
    """The largest of 1, the tier's, the active plan's and every bonus day's that applies today (store zone)."""
    if member is None:
        return Fraction(1)
    weekday = now.astimezone(ZoneInfo(program.timezone)).weekday()
    code = expected_tier_code(program, member.qualifying_spend)
    options = [Fraction(1)]
    if code:
        options.append(Fraction(program.tier(code).earn_multiplier))  # type: ignore[union-attr]
    plan = active_plan(program, member, now)
    if plan:
        options.append(Fraction(plan.earn_multiplier))
    for bonus in program.bonus_days:
        if bonus.tiers and code not in bonus.tiers:
            continue
        day = member.bonus_weekday if bonus.weekday == "member_choice" else bonus.weekday
        if day == weekday:
            options.append(Fraction(bonus.multiplier))
    return max(options)


def admitted(program: Program, audience: Any, member: MemberState | None, now: datetime) -> bool:
    """Whether a promotion's audience takes this member (written from docs/pricing.md, not the engine's)."""
    if member is None:
        return False
    tier = expected_tier_code(program, member.qualifying_spend)
    plan = active_plan(program, member, now)
    return ((not audience.tiers or tier in audience.tiers) and (not audience.plans or (plan and plan.code in audience.plans))
            and (not audience.segments or bool(set(audience.segments) & set(member.segments))))


def store_day(program: Program, now: datetime) -> date:
    return now.astimezone(ZoneInfo(program.timezone)).date()


def in_window(section: Any, day: date) -> bool:
    return (section.starts is None or section.starts <= day) and (section.ends is None or day <= section.ends)


def reaches(section: Any, sku: str, category: str) -> bool:
    return (not section.skus and not section.categories) or sku in section.skus or category in section.categories


def expected_line_pct(program: Program, member: MemberState | None, now: datetime, sku: str,
                      category: str) -> Fraction:
    """The best of the tier/plan percentage and every member price that applies to the line."""
    base = expected_pct(program, member, now)
    best = base
    for mp in program.member_prices:
        if in_window(mp, store_day(program, now)) and admitted(program, mp, member, now) and reaches(mp, sku, category):
            offer = min(base + Fraction(mp.pct), Fraction(100)) if mp.stack_with_tier else Fraction(mp.pct)
            best = max(best, offer)
    return best


def expected_line_multiplier(program: Program, member: MemberState | None, now: datetime, sku: str,
                             category: str) -> Fraction:
    """The largest of the base multiplier and every running campaign's that reaches the line."""
    best = expected_multiplier(program, member, now)
    for c in program.campaigns:
        if (c.multiplier is not None and in_window(c, store_day(program, now)) and admitted(program, c, member, now)
                and reaches(c, sku, category)):
            best = max(best, Fraction(c.multiplier))
    return best


def expected_max_redeem(program: Program, member: MemberState | None, eligible_after_discount: int,
                        offline: bool) -> int:
    """The largest redemption DESIGN.md allows: a multiple of `step`, ≥ `min_points`, ≤ the balance, whose
    value (in whole minor units of the share cap) is within `max_share_pct`, and within the offline cap."""
    rule = program.redeem
    if rule is None or member is None:
        return 0
    share_value = exact_floor(Fraction(eligible_after_discount) * Fraction(rule.max_share_pct) / 100)
    cap = min(member.points, share_value * rule.points // rule.value)
    if offline and rule.offline_daily_cap_points is not None:
        cap = min(cap, rule.offline_daily_cap_points - member.redeemed_today)
    largest = max(cap, 0) // rule.step * rule.step
    return largest if largest > 0 and largest >= rule.min_points else 0


def expected_reward_refusal(items: list[CartItem], member: MemberState | None, program: Program,
                            rewards: list[str]) -> str | None:
    """Why accepting `rewards` must be refused ("rule"/"auth"), or None when every reward is due."""
    free: dict[int, int] = {}
    for code in dict.fromkeys(rewards):
        card = program.punch_card(code)
        if card is None or member is None:
            return "rule"
        if not member.can_spend:
            return "auth"
        if member.stamps.get(code, 0) < card.stamps_needed:
            return "rule"
        candidates = [i for i, it in enumerate(items)
                      if card.qualifies(it.sku, it.category) and program.membership_by_sku(it.sku) is None
                      and it.qty > free.get(i, 0)]
        if not candidates:
            return "rule"
        cheapest = min(candidates, key=lambda i: (items[i].unit_price, i))
        free[cheapest] = free.get(cheapest, 0) + 1
    return None


# -- Hypothesis strategies ---------------------------------------------------------------------------------

CATEGORIES = ("food", "drink", "tobacco", "gift_card", "")
PRODUCTS = (  # sku, category
    ("COFFEE-S", "drink"), ("COFFEE-L", "drink"), ("TEA", "drink"), ("BREAD", "food"), ("CAKE", "food"),
    ("CIG-20", "tobacco"), ("GIFT-100", "gift_card"), ("MISC", ""),
)
MEMBERSHIP_SKUS = ("MEMBER-PLUS-Y", "MEMBER-MAX-M")
ZONES = ("UTC", "Asia/Jerusalem", "America/New_York", "Pacific/Kiritimati", "Pacific/Pago_Pago")
CURRENCIES = ("ILS", "USD", "JPY", "EUR")

codes = st.sampled_from(("bronze", "silver", "gold", "vip", "x1"))
MOSTLY = st.sampled_from((True, True, True, False))  # a weighted coin (small integers are drawn too often)
NEARLY_ALWAYS = st.sampled_from((True,) * 9 + (False,))


def decimals(low: int, high: int, places: int = 2) -> st.SearchStrategy[Decimal]:
    """Decimals in [low, high] with up to `places` decimal places, as a program file would write them."""
    scale = 10**places
    return st.integers(low * scale, high * scale).map(lambda n: Decimal(n) / scale)


def names(code: str) -> dict[str, str]:
    return {"en": code.title(), "he": "שם"}


@st.composite
def programs(draw: st.DrawFn) -> Program:
    """A random valid program: every optional section may be present or absent."""
    doc: dict[str, Any] = {"version": draw(st.integers(1, 50)), "currency": draw(st.sampled_from(CURRENCIES)),
                           "timezone": draw(st.sampled_from(ZONES))}
    if draw(NEARLY_ALWAYS):  # most programs earn and redeem; now and then one has neither section
        doc["earn"] = {"points": draw(st.integers(1, 10)), "per": draw(st.sampled_from((1, 3, 7, 100, 250, 1000))),
                       "exclude_categories": draw(st.lists(st.sampled_from(CATEGORIES[:4]), unique=True,
                                                           max_size=3))}
    if draw(NEARLY_ALWAYS):
        step = draw(st.sampled_from((1, 5, 10, 50, 100)))
        redeem: dict[str, Any] = {"points": draw(st.sampled_from((1, 3, 10, 100, 150))),
                                  "value": draw(st.sampled_from((1, 7, 10, 100, 1000))),
                                  "step": step, "min_points": step * draw(st.integers(0, 3)),
                                  "max_share_pct": draw(st.one_of(st.just(Decimal(100)), decimals(0, 100)))}
        if draw(st.booleans()):
            redeem["offline_daily_cap_points"] = draw(st.integers(0, 3000))
        doc["redeem"] = redeem
    tier_codes = draw(st.lists(codes, unique=True, max_size=4))
    spends = draw(st.lists(st.integers(1, 600_000), unique=True, min_size=len(tier_codes),
                           max_size=len(tier_codes)))
    if len(tier_codes) > 0 and draw(st.booleans()):
        spends[0] = 0
    doc["tiers"] = [{"code": c, "name": names(c), "min_spend": s,
                     "discount_pct": draw(st.one_of(st.sampled_from((Decimal(0), Decimal(5), Decimal(10))),
                                                    decimals(0, 100))),
                     "earn_multiplier": draw(st.one_of(st.just(Decimal(1)), decimals(1, 5)))}
                    for c, s in zip(tier_codes, spends)]
    doc["bonus_days"] = [{"tiers": draw(st.lists(st.sampled_from(tier_codes), unique=True)) if tier_codes else [],
                          "weekday": draw(st.one_of(st.just("member_choice"), st.integers(0, 6))),
                          "multiplier": draw(decimals(1, 6))}
                         for _ in range(draw(st.integers(0, 2)))]
    cards = []
    card_codes = draw(st.lists(st.sampled_from(("coffee", "bakery", "tea")), unique=True, min_size=1, max_size=2))
    for code in card_codes if draw(MOSTLY) else []:
        skus = draw(st.lists(st.sampled_from([p[0] for p in PRODUCTS] + list(MEMBERSHIP_SKUS)), unique=True,
                             max_size=3))
        cats = draw(st.lists(st.sampled_from(CATEGORIES[:4]), unique=True, max_size=2,
                             min_size=0 if skus else 1))
        cards.append({"code": code, "name": names(code), "skus": skus, "categories": cats,
                      "stamps_needed": draw(st.integers(1, 10))})
    doc["punch_cards"] = cards
    plans = []
    for code, sku in zip(("plus", "max"), draw(st.lists(st.sampled_from(MEMBERSHIP_SKUS), unique=True))):
        plans.append({"code": code, "name": names(code), "sku": sku, "period_days": draw(st.integers(1, 400)),
                      "discount_pct": draw(st.one_of(st.just(Decimal(10)), decimals(0, 60))),
                      "earn_multiplier": draw(st.one_of(st.just(Decimal(1)), decimals(1, 4)))})
    doc["memberships"] = plans
    doc["discount_stacking"] = draw(st.sampled_from(("best", "add")))
    if draw(st.booleans()):
        doc["birthday"] = {"points": draw(st.integers(0, 500))}
    if draw(st.booleans()):
        doc["referral"] = {"referrer_points": draw(st.integers(0, 300)),
                           "referee_points": draw(st.integers(0, 300))}
    if draw(MOSTLY):  # most programs carry promotions (docs/pricing.md); without them pricing is DESIGN.md's
        add_promotions(draw, doc, tier_codes, [str(p["code"]) for p in plans])
    return Program.model_validate(doc)


SKUS = tuple(p[0] for p in PRODUCTS)
WINDOWS = (  # (starts, ends): always (open or the whole test span), a week in 2026, closed long ago
    ("2025-01-01", "2027-12-31"), (None, None), (None, None), ("2025-01-01", "2027-12-31"), (None, "2027-12-31"),
    ("2025-01-01", None), ("2026-03-09", "2026-03-15"), ("2020-01-01", "2020-01-02"))


def _targets(draw: st.DrawFn) -> dict[str, Any]:
    return {"skus": draw(st.lists(st.sampled_from(SKUS), unique=True, max_size=2)),
            "categories": draw(st.lists(st.sampled_from(CATEGORIES[:4]), unique=True, max_size=2))}


def _audience(draw: st.DrawFn, tiers: list[str], plans: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if tiers and draw(st.integers(0, 3)) == 0:
        out["tiers"] = draw(st.lists(st.sampled_from(tiers), unique=True, min_size=1))
    if plans and draw(st.integers(0, 3)) == 0:
        out["plans"] = draw(st.lists(st.sampled_from(plans), unique=True, min_size=1))
    if draw(st.integers(0, 3)) == 0:
        out["segments"] = ["seg"]
    return out


def _window(draw: st.DrawFn, required: bool = False) -> dict[str, Any]:
    starts, ends = draw(st.sampled_from([w for w in WINDOWS if w[0] and w[1]] if required else WINDOWS))
    return {k: v for k, v in (("starts", starts), ("ends", ends)) if v}


def add_promotions(draw: st.DrawFn, doc: dict[str, Any], tiers: list[str], plans: list[str]) -> None:
    """Member prices, campaigns, coupons and vouchers over the strategies' catalogue (and one segment)."""
    doc["segments"] = [{"code": "seg", "name": names("seg")}]
    doc["member_prices"] = [{"code": f"mp{i}", "name": names(f"mp{i}"), "pct": draw(decimals(1, 100)),
                             "stack_with_tier": draw(st.booleans()), **_targets(draw), **_audience(draw, tiers, plans),
                             **_window(draw)} for i in range(draw(st.integers(0, 2)))]
    campaigns = []
    for i in range(draw(st.integers(0, 2))):
        c: dict[str, Any] = {"code": f"camp{i}", "name": names(f"camp{i}"), **_targets(draw),
                             **_audience(draw, tiers, plans), **_window(draw, required=True)}
        if draw(MOSTLY):
            c["multiplier"] = draw(decimals(1, 6))
        if "multiplier" not in c or draw(st.booleans()):
            c["bonus_points"] = draw(st.integers(1, 500))
            c["min_spend"] = draw(st.sampled_from((0, 1, 1_000, 50_000)))
        campaigns.append(c)
    doc["campaigns"] = campaigns
    coupons = []
    for i in range(draw(st.integers(0, 3))):
        kind = draw(st.sampled_from(("public", "member")))
        discount = draw(st.sampled_from(("percent", "amount", "free_item")))
        c = {"code": f"cp{i}", "name": names(f"cp{i}"), "kind": kind, "discount": discount, **_targets(draw),
             **_window(draw), "min_spend": draw(st.sampled_from((0, 0, 1_000, 20_000)))}
        if kind == "public":
            c["promo_code"] = f"CODE{i}"
        else:
            c.update(_audience(draw, tiers, plans))
        if discount == "percent":
            c["pct"] = draw(decimals(1, 100))
            if draw(st.booleans()):
                c["units"] = draw(st.integers(1, 3))
        elif discount == "amount":
            c["amount"] = draw(st.sampled_from((1, 500, 2_000, 100_000)))
        coupons.append(c)
    doc["coupons"] = coupons
    vouchers = []
    for i in range(draw(st.integers(0, 3))):
        trigger = draw(st.sampled_from(("spend", "points", "plan_monthly", "tier_annual", "category_month")))
        if trigger == "plan_monthly" and not plans or trigger == "tier_annual" and not tiers:
            trigger = "spend"
        v: dict[str, Any] = {"code": f"v{i}", "name": names(f"v{i}"), "trigger": trigger}
        if trigger in ("spend", "points"):
            v["every"] = draw(st.sampled_from((1, 100, 5_000, 10_000)))
        elif trigger == "plan_monthly":
            v["plan"] = draw(st.sampled_from(plans))
        elif trigger == "tier_annual":
            v["tier"] = draw(st.sampled_from(tiers))
        if trigger == "category_month" or draw(st.integers(0, 3)) == 0:
            v["spend_categories"] = draw(st.lists(st.sampled_from(CATEGORIES[:4]), unique=True, min_size=1,
                                                  max_size=2))
            v["min_spend"] = draw(st.sampled_from((1, 3_000, 100_000)))
        if draw(st.booleans()):
            v["free_item"] = True
            v.update(_targets(draw))
        else:
            v["value"] = draw(st.sampled_from((1, 300, 1_000, 500_000)))
        vouchers.append(v)
    doc["vouchers"] = vouchers


@st.composite
def baskets(draw: st.DrawFn, program: Program, with_memberships: bool, max_qty: int = 6) -> list[CartItem]:
    pool = list(PRODUCTS)
    if with_memberships:
        pool += [(m.sku, "") for m in program.memberships]
    price = st.one_of(st.integers(0, 5_000), st.integers(0, 200_000), st.sampled_from((0, 1, 5, 99, 150, 10_010)))
    items = []
    for sku, category in draw(st.lists(st.sampled_from(pool), min_size=1 if draw(MOSTLY) else 0, max_size=6)):
        if draw(st.integers(0, 5)) == 0:  # the same SKU filed under another category now and then
            category = draw(st.sampled_from(CATEGORIES))
        items.append(CartItem(sku=sku, name=sku.title(), qty=draw(st.integers(1, max_qty)),
                              unit_price=draw(price), category=category))
    return items


@st.composite
def members(draw: st.DrawFn, program: Program, now: datetime) -> MemberState | None:
    if not draw(st.sampled_from((True,) * 6 + (False,))):  # about one sale in seven is a non-member's
        return None
    thresholds = [t.min_spend for t in program.tiers]
    spend = draw(st.one_of(st.integers(0, 700_000),
                           st.sampled_from(thresholds or [0]).flatmap(lambda s: st.sampled_from((max(s - 1, 0), s)))))
    plan_code = None
    expires = None
    if len(program.memberships) > 0 and draw(st.booleans()):
        plan_code = draw(st.sampled_from([m.code for m in program.memberships]))
        expires = now + timedelta(days=draw(st.sampled_from((-30, -1, 1, 200))))
    birthday = draw(st.none() | st.dates(date(1940, 1, 1), date(2010, 12, 28)))
    return MemberState(
        member_id="M" + str(draw(st.integers(1, 99))),
        points=draw(st.one_of(st.integers(300, 50_000), st.integers(0, 300),
                              st.sampled_from((10_000, 0, 99, 100, 2_000)))),
        stamps={c.code: draw(st.one_of(st.integers(c.stamps_needed, c.stamps_needed + 4), st.integers(0, 12)))
                for c in program.punch_cards if draw(st.integers(0, 4))},
        qualifying_spend=spend, membership_code=plan_code, membership_expires=expires,
        bonus_weekday=draw(st.none() | st.integers(0, 6)), birthday=birthday,
        last_birthday_year=draw(st.none() | st.sampled_from((2024, 2025, 2026, 2027))),
        referral_pending=draw(st.booleans()),
        redeemed_today=draw(st.one_of(st.sampled_from((0, 500, 1_999, 2_000)), st.integers(0, 3000))),
        can_spend=draw(MOSTLY), segments=frozenset(draw(st.lists(st.just("seg"), max_size=1))),
        voucher_progress={v.code: draw(st.integers(-2_000, 20_000)) for v in program.vouchers if draw(st.booleans())},
        vouchers_issued_on={v.code: draw(st.sampled_from((date(2025, 12, 31), date(2026, 3, 1), date(2027, 6, 15))))
                            for v in program.vouchers if draw(st.booleans())})


moments = st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2027, 12, 31),
                       timezones=st.just(UTC))


@dataclass(frozen=True)
class Case:
    """One random pricing situation (without the redemption, which tests draw against its limits)."""

    program: Program
    items: list[CartItem]
    member: MemberState | None
    now: datetime
    rewards: list[str]
    offline: bool
    coupons: tuple[CouponUse, ...] = ()
    vouchers: tuple[VoucherUse, ...] = ()


@st.composite
def cases(draw: st.DrawFn, max_qty: int = 6) -> Case:
    program = draw(programs())
    now = draw(moments)
    member = draw(members(program, now))
    items = draw(baskets(program, with_memberships=member is not None, max_qty=max_qty))
    card_codes = [c.code for c in program.punch_cards]
    rewards: list[str] = []
    if len(card_codes) > 0 and draw(MOSTLY):
        rewards = draw(st.lists(st.sampled_from(card_codes), min_size=1, max_size=2))
        if not draw(NEARLY_ALWAYS):
            rewards.append("no-such-card")
    coupons = [CouponUse(c, f"ref-{c}") for c in draw(st.lists(st.sampled_from([c.code for c in program.coupons]),
                                                               max_size=3, unique=draw(NEARLY_ALWAYS)))
               ] if program.coupons else []
    vouchers = []
    for i, code in enumerate(draw(st.lists(st.sampled_from([v.code for v in program.vouchers]), max_size=3))
                             if program.vouchers else []):
        voucher = program.voucher(code)
        assert voucher is not None
        vouchers.append(VoucherUse(f"VID{i if draw(NEARLY_ALWAYS) else 0}", code, voucher.value))
    return Case(program, items, member, now, rewards, draw(st.booleans()), tuple(coupons), tuple(vouchers))


# -- promotions in the property tests ------------------------------------------------------------------


def quote_or_refusal(case: Case, redeem: int = 0, rewards: list[str] | None = None) -> Quote | KupaError:
    try:
        return price(case.items, case.member, case.program, case.now, redeem_points=redeem,
                     punch_rewards=case.rewards if rewards is None else rewards, offline=case.offline,
                     coupons=case.coupons, vouchers=case.vouchers)
    except (RuleViolation, AuthError) as exc:
        return exc


#: The refusals docs/pricing.md lists for coupons and vouchers.
PROMOTION_REFUSALS = {"coupon.unknown", "coupon.twice", "coupon.needs_member", "coupon.not_in_window",
                      "coupon.not_for_member", "coupon.min_spend", "coupon.no_target", "voucher.unknown",
                      "voucher.twice", "voucher.needs_member", "voucher.kind_mismatch", "voucher.no_target",
                      "voucher.nothing_to_pay"}


def without_refused_promotions(case: Case) -> Case:
    """The case with the coupons and vouchers the rules take: each refused one is checked and dropped."""
    while case.coupons or case.vouchers:
        due = expected_reward_refusal(case.items, case.member, case.program, case.rewards) is None
        result = quote_or_refusal(case if due else replace(case, rewards=[]))  # the rewards base_quote keeps
        if isinstance(result, AuthError) and result.message_code == "voucher.needs_card":
            assert case.member is not None and not case.member.can_spend
            event("refused: voucher.needs_card")
            case = replace(case, vouchers=())
            continue
        if not (isinstance(result, RuleViolation) and result.message_code in PROMOTION_REFUSALS):
            event("promotions accepted" if isinstance(result, Quote) else "promotions: other refusal")
            return case
        code, params = result.message_code, result.params
        event(f"refused: {code}")
        if code == "coupon.min_spend":
            coupon = case.program.coupon(str(params["coupon"]))
            assert coupon is not None and int(str(params["subtotal"])) < coupon.min_spend
        if code in ("coupon.twice", "voucher.twice"):
            seen = [c.coupon for c in case.coupons] if code == "coupon.twice" else [v.voucher_id for v in case.vouchers]
            assert len(seen) != len(set(seen))
        if code in ("voucher.needs_member", "coupon.needs_member"):
            assert case.member is None
        if code.startswith("coupon."):
            drop = str(params["coupon"])
            kept = [c for c in case.coupons if c.coupon != drop]
            case = replace(case, coupons=tuple(kept[:1] + [c for c in kept[1:]]) if code != "coupon.twice"
                           else tuple(dict((c.coupon, c) for c in case.coupons).values()))
        else:
            if code == "voucher.twice":
                case = replace(case, vouchers=tuple(dict((v.voucher_id, v) for v in case.vouchers).values()))
            else:
                drop = str(params.get("voucher_id") or params.get("voucher"))
                position = next(i for i, v in enumerate(case.vouchers) if drop in (v.voucher_id, v.voucher))
                case = replace(case, vouchers=case.vouchers[:position] + case.vouchers[position + 1:])
    return case
