"""`price()`: the loyalty program applied to a basket, with no I/O.

Order of application (DESIGN.md): line items → punch-card free items the cashier accepts → the tier or
membership percentage (best or added, per the program) → points redemption (capped, refused rather than
clamped) → total → points earned on the eligible amount actually paid × the largest multiplier → stamps →
qualifying spend. Sale-level amounts are computed once over the whole sale and then spread over the lines
with `allocate()`, so the line figures add up exactly and a partial refund can give back line by line.
"""

from __future__ import annotations

import math
from datetime import datetime
from decimal import Decimal
from fractions import Fraction
from typing import Iterable, Sequence

from pos_client.errors import AuthError, InvalidInputError, RuleViolation
from pos_client.messages import Text, message
from pos_client.money import allocate, format_money
from pos_client.member_state import rules
from pos_client.pricing import campaigns as campaign_rules
from pos_client.pricing import promotions
from pos_client.pricing.explain import explain_text
from pos_client.pricing.issue import vouchers_issued
from pos_client.pricing.lines import WorkLine
from pos_client.pricing.model import (MAX_SALE_SUBTOTAL, SALE_EARNS_TOO_MUCH, SALE_TOO_LARGE, CartItem, CouponUse,
                                      ExplainLine, LineKind, MemberState, Quote, QuoteLine, RedeemLimits, VoucherUse)
from pos_client.program.limits import MAX_ENTRY_POINTS
from pos_client.program.schema import Earn, Membership, Program, Tier

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


PUNCH_UNKNOWN = message("punch.unknown_card", en="unknown punch card '{card}'",
                        he="כרטיסייה לא מוכרת '{card}'")
PUNCH_NO_MEMBER = message("punch.needs_member", en="a punch-card reward needs a member",
                          he="הטבת כרטיסייה דורשת חבר מועדון")
PUNCH_NEEDS_CARD = message("punch.needs_card",
                           en="using a punch-card reward needs the member's card (scan the QR code) or a "
                              "manager PIN",
                           he="הטבת כרטיסייה דורשת את כרטיס החבר (סריקת QR) או קוד מנהל")
PUNCH_NOT_ENOUGH = message("punch.not_enough_stamps",
                           en="{card_name}: the member has {held} of {needed} stamps; no free item yet",
                           he="{card_name}: לחבר יש {held} מתוך {needed} חותמות; עדיין אין פריט חינם")
PUNCH_NO_ITEM = message("punch.no_qualifying_item",
                        en="{card_name}: the basket has no qualifying item to give free",
                        he="{card_name}: אין בסל פריט מתאים לתת בחינם")


def price(
    items: Sequence[CartItem],
    member: MemberState | None,
    program: Program,
    now: datetime,
    *,
    redeem_points: int = 0,
    punch_rewards: Iterable[str] = (),
    offline: bool = False,
    coupons: Sequence[CouponUse] = (),
    vouchers: Sequence[VoucherUse] = (),
) -> Quote:
    """Price `items` for `member` (None for a non-member sale) under `program` at `now` (aware UTC), with the
    `coupons` and `vouchers` the service layer validated (docs/pricing.md).

    Raises `RuleViolation` / `AuthError` for a redemption, a reward, a coupon or a voucher the program does
    not allow; nothing is ever silently clamped.
    """
    explain: list[ExplainLine] = []

    def say(code: str, text: str, **params: object) -> None:
        explain.append(ExplainLine(code, params, text))

    def say_promo(step: str, /, **params: object) -> None:
        """A promotion's step, its English text from the catalogue (pricing.explain)."""
        explain.append(ExplainLine(step, params, explain_text(step, params, program, "en") or step))
    cur = program.currency

    def money(amount: int) -> str:
        return format_money(amount, cur, "en")  # the English fallback text; the edges word the codes

    lines = [WorkLine(item, _kind(item, program, member), {}) for item in items]
    for line in lines:
        say("line", f"{line.item.qty} × {line.item.name} @ {money(line.item.unit_price)} = {money(line.amount)}"
                       + {"eligible": "", "excluded": " (excluded from the program)",
                          "membership": " (membership fee)", "gift_card": " (gift card load)"}[line.kind],
            sku=line.item.sku, qty=line.item.qty, unit_price=line.item.unit_price, amount=line.amount, kind=line.kind)
    subtotal = sum(line.amount for line in lines)
    if subtotal > MAX_SALE_SUBTOTAL:  # keeps every figure of the sale far inside SQLite's 64-bit integers
        raise InvalidInputError(SALE_TOO_LARGE, subtotal=money(subtotal), limit=money(MAX_SALE_SUBTOTAL))

    tier = rules.tier_for(program, member.qualifying_spend) if member else None
    plan = _active_plan(member, program, now)
    day = rules.store_date(now, program.timezone)
    who = promotions.Who(member, tier.code if tier else None, plan.code if plan else None)
    shelf_eligible = sum(ln.amount for ln in lines if ln.kind == "eligible")
    coupon_rules = promotions.checked_coupons(coupons, who, program, day, shelf_eligible)
    voucher_rules = promotions.checked_vouchers(vouchers, who, program)

    # 1. punch-card rewards the cashier accepted
    rewards = tuple(dict.fromkeys(punch_rewards))
    stamps_spent: dict[str, int] = {}
    for code in rewards:
        card = program.punch_card(code)
        if card is None:
            raise RuleViolation(PUNCH_UNKNOWN, reason="unknown_card", card=code)
        if member is None:
            raise RuleViolation(PUNCH_NO_MEMBER, reason="no_member", card=code)
        if not member.can_spend:
            raise AuthError(PUNCH_NEEDS_CARD,
                            reason="needs_card", card=code)
        held = member.stamps.get(code, 0)
        if held < card.stamps_needed:
            raise RuleViolation(PUNCH_NOT_ENOUGH, card_name=card.name,
                                reason="not_enough_stamps", card=code, held=held, needed=card.stamps_needed)
        candidates = [ln for ln in lines if card.qualifies(ln.item.sku, ln.item.category)
                      and ln.kind != "membership" and ln.item.qty > ln.free_units]
        if not candidates:
            raise RuleViolation(PUNCH_NO_ITEM, card_name=card.name,
                                reason="no_qualifying_item", card=code)
        cheapest = min(candidates, key=lambda ln: (ln.item.unit_price, lines.index(ln)))
        cheapest.free_by_card[code] = cheapest.free_by_card.get(code, 0) + 1
        stamps_spent[code] = card.stamps_needed
        say("punch_reward", f"{card.name.en} reward: 1 × {cheapest.item.name} free (−{money(cheapest.item.unit_price)}),"
            f" {card.stamps_needed} stamps spent", card=code, sku=cheapest.item.sku, value=cheapest.item.unit_price,
            stamps=card.stamps_needed)

    # 1b. free units of free-item coupons and vouchers (a whole unit at its shelf price)
    coupons_applied = promotions.free_item_coupons(lines, coupon_rules, say_promo)
    vouchers_applied = promotions.free_item_vouchers(lines, voucher_rules, say_promo)

    # 2. tier / membership percentage, member prices per line (one group without member prices)
    eligible = [ln for ln in lines if ln.kind == "eligible"]
    pct = _discount_pct(tier, plan.discount_pct if plan else None, program)
    percent_total, percent_base, member_price_discount = promotions.percentages(lines, pct, who, program, day,
                                                                                say_promo)
    if percent_total:
        source = _discount_source(tier, plan, program)
        say("discount", f"{source} discount {pct}% of {money(percent_base)} = −{money(percent_total)}",
            tier=tier.code if tier else None, plan=plan.code if plan else None, pct=str(pct),
            base=percent_base, value=percent_total)

    # 2b. percent and amount coupons, then value vouchers, on what is left
    coupons_applied += promotions.money_coupons(lines, coupon_rules, say_promo)
    vouchers_applied += promotions.value_vouchers(lines, voucher_rules, say_promo)

    # 3. points redemption
    after_discount = sum(ln.left for ln in eligible)
    limits = _redeem_limits(member, program, after_discount, offline)
    redeemed_value = _check_redemption(redeem_points, member, program, limits)
    for ln, share in zip(eligible, allocate(redeemed_value, [ln.left for ln in eligible])):
        ln.redeemed_value = share
    if redeem_points:
        say("redeem", f"Redeemed {redeem_points} points = −{money(redeemed_value)}", points=redeem_points,
            value=redeemed_value)

    discount_total = sum(ln.free_value + ln.percent_discount + sum(ln.promotion_discount.values()) for ln in lines)
    total = subtotal - discount_total - redeemed_value
    say("total", f"Total to pay {money(total)}", value=total)

    # 4. points earned on the eligible amount actually paid
    qualifying = after_discount - redeemed_value if member else 0
    multiplier, why = _multiplier(member, tier, plan, program, now)
    running = campaign_rules.running(program, who, day)
    campaign_rules.set_multipliers(lines, multiplier, running, say_promo)
    points_earned = 0
    if member and program.earn and qualifying > 0:
        points_earned = campaign_rules.earn_on_lines(lines, program.earn)
        if points_earned > MAX_ENTRY_POINTS:  # one entry's bound, which HQ holds every entry to
            raise InvalidInputError(SALE_EARNS_TOO_MUCH, points=points_earned, limit=MAX_ENTRY_POINTS)
        rate = f"{program.earn.points} point{'s' if program.earn.points != 1 else ''} per {money(program.earn.per)}"
        say("earn", f"Points earned: {money(qualifying)} paid on eligible items at {rate}"
            + (f" × {multiplier} ({why})" if multiplier != 1 else "") + f" = {points_earned}",
            base=qualifying, points_per=program.earn.points, per=program.earn.per, multiplier=str(multiplier),
            source=why, points=points_earned)
    campaign_points = campaign_rules.bonus_points(lines, running, say_promo) if member else 0

    # 5. stamps on the paid qualifying units
    stamps_earned: dict[str, int] = {}
    line_stamps: list[dict[str, int]] = []
    for ln in lines:
        per_card: dict[str, int] = {}
        if member and ln.kind != "membership":
            for card in program.punch_cards:
                if card.qualifies(ln.item.sku, ln.item.category) and ln.item.qty > ln.free_units:
                    per_card[card.code] = ln.item.qty - ln.free_units
                    stamps_earned[card.code] = stamps_earned.get(card.code, 0) + per_card[card.code]
        line_stamps.append(per_card)
    for code, count in stamps_earned.items():
        card = program.punch_card(code)
        assert card is not None
        say("stamps", f"{card.name.en}: +{count} stamp{'s' if count != 1 else ''}", card=code, stamps=count)

    memberships_sold: dict[str, int] = {}
    for ln in lines:
        sold = program.membership_by_sku(ln.item.sku)
        if ln.kind == "membership" and sold:
            memberships_sold[sold.code] = memberships_sold.get(sold.code, 0) + sold.period_days * ln.item.qty
            say("membership", f"{sold.name.en}: membership +{sold.period_days * ln.item.qty} days", plan=sold.code,
                days=sold.period_days * ln.item.qty)

    birthday_points = _birthday_points(member, program, now)
    if birthday_points:
        say("birthday", f"Happy birthday: +{birthday_points} points", points=birthday_points)
    credit = rules.monthly_credit_due(plan, member.last_credit_at, now, program.timezone) if member else 0
    if credit and plan is not None:
        say("monthly_credit", f"{plan.name.en} membership: monthly credit +{credit} points", plan=plan.code,
            points=credit, month=rules.credit_month_code(now, program.timezone))
    referral_points = program.referral.referee_points if (member and member.referral_pending and program.referral) else 0
    if referral_points:
        say("referral", f"First purchase of a referred member: +{referral_points} points", points=referral_points)

    rewards_due = tuple(
        card.code for card in program.punch_cards
        if member and member.stamps.get(card.code, 0) >= card.stamps_needed and card.code not in rewards
        and any(card.qualifies(ln.item.sku, ln.item.category) and ln.kind != "membership" for ln in lines))

    balance_after = 0
    if member:
        balance_after = (member.points - redeem_points + points_earned + birthday_points + credit + referral_points
                         + campaign_points)
    issued = vouchers_issued(program, member, who.tier, who.plan, day, lines, balance_after, say_promo)
    if member:
        balance_after -= issued.points_converted
        say("balance_after", f"Points balance after this sale: {balance_after}", points=balance_after)

    return Quote(
        program_version=program.version, currency=cur, member_id=member.member_id if member else None,
        tier=tier.code if tier else None,
        lines=tuple(QuoteLine(
            sku=ln.item.sku, name=ln.item.name, category=ln.item.category, kind=ln.kind, qty=ln.item.qty,
            unit_price=ln.item.unit_price, amount=ln.amount, free_units=ln.free_units,
            free_by_card=dict(ln.free_by_card), free_value=ln.free_value, percent_discount=ln.percent_discount,
            redeemed_value=ln.redeemed_value, stamps=stamps, promotion_discount=dict(ln.promotion_discount),
            free_by_promotion=dict(ln.free_by_promotion), earn_multiplier=ln.multiplier)
            for ln, stamps in zip(lines, line_stamps)),
        subtotal=subtotal, discount_pct=pct, discount_total=discount_total, redeemed_points=redeem_points,
        redeemed_value=redeemed_value, total=total, qualifying_spend=qualifying, earn_multiplier=multiplier,
        points_earned=points_earned, stamps_earned=stamps_earned, stamps_spent=stamps_spent, punch_rewards=rewards,
        rewards_due=rewards_due, memberships_sold=memberships_sold, birthday_points=birthday_points,
        referral_points=referral_points, points_balance_after=balance_after, redeem_limits=limits,
        explain=tuple(line.text for line in explain), explanations=tuple(explain),
        monthly_credit_points=credit, monthly_credit_plan=plan.code if credit and plan else None,
        coupons_applied=tuple(coupons_applied), vouchers_applied=tuple(vouchers_applied),
        member_price_discount=member_price_discount, campaign_points=campaign_points,
        vouchers_issued=tuple(issued.vouchers), voucher_progress=issued.progress,
        points_converted=issued.points_converted)


MEMBERSHIP_NEEDS_MEMBER = message("membership.needs_member",
                                  en="{product}: a membership can only be sold to an identified member",
                                  he="{product}: מנוי נמכר רק לחבר מזוהה")


def _kind(item: CartItem, program: Program, member: MemberState | None) -> LineKind:
    if program.is_gift_card_sku(item.sku):  # money sold as money: no discount, no points, no spend, no promotion
        return "gift_card"
    if program.membership_by_sku(item.sku):
        if member is None:
            raise RuleViolation(MEMBERSHIP_NEEDS_MEMBER, product=item.name,
                                reason="membership_needs_member", sku=item.sku)
        return "membership"
    if member is None or (program.earn and item.category in program.earn.exclude_categories):
        return "excluded" if member else "eligible"
    return "eligible"


def _active_plan(member: MemberState | None, program: Program, now: datetime) -> Membership | None:
    if member and member.membership_code and rules.plan_active(member.membership_code, member.membership_expires, now):
        return program.membership(member.membership_code)
    return None


def _discount_pct(tier: Tier | None, plan_pct: Decimal | None, program: Program) -> Decimal:
    tier_pct = tier.discount_pct if tier else Decimal(0)
    plan_pct = plan_pct or Decimal(0)
    pct = tier_pct + plan_pct if program.discount_stacking == "add" else max(tier_pct, plan_pct)
    return min(pct, Decimal(100))


def _discount_source(tier: Tier | None, plan: Membership | None, program: Program) -> str:
    tier_pct = tier.discount_pct if tier else Decimal(0)
    plan_pct = plan.discount_pct if plan else Decimal(0)
    tier_name = f"{tier.name.en} tier" if tier else ""
    plan_name = f"{plan.name.en} membership" if plan else ""
    if program.discount_stacking == "add" and tier_pct and plan_pct:
        return f"{tier_name} + {plan_name}"
    return plan_name if plan_pct > tier_pct else tier_name


def earn_points(paid: int, earn: Earn, multiplier: Decimal) -> int:
    """Points earned on `paid` minor units: floor(paid × points × multiplier / per), exact (`Fraction`, so a
    long multiplier cannot round the product up past an integer). HQ bounds pushed earns with it too."""
    return math.floor(Fraction(paid * earn.points) * Fraction(multiplier) / earn.per)


def largest_multiplier(program: Program) -> Decimal:
    """The largest earn multiplier `program` can ever apply (tiers, plans, bonus days, campaigns; they never
    compound)."""
    return max([campaign_rules.largest_campaign_multiplier(program)] + [t.earn_multiplier for t in program.tiers]
               + [m.earn_multiplier for m in program.memberships] + [b.multiplier for b in program.bonus_days])


def _multiplier(member: MemberState | None, tier: Tier | None, plan: Membership | None, program: Program,
                now: datetime) -> tuple[Decimal, str]:
    """The largest applicable multiplier (they never compound) and where it comes from."""
    if member is None:
        return Decimal(1), ""
    options: list[tuple[Decimal, str]] = [(Decimal(1), "")]
    if tier:
        options.append((tier.earn_multiplier, f"{tier.name.en} tier"))
    if plan is not None:
        options.append((plan.earn_multiplier, f"{plan.name.en} membership"))
    weekday = rules.store_date(now, program.timezone).weekday()
    for bonus in program.bonus_days:
        if bonus.tiers and (tier is None or tier.code not in bonus.tiers):
            continue
        day = member.bonus_weekday if bonus.weekday == "member_choice" else bonus.weekday
        if day == weekday:
            options.append((bonus.multiplier, f"bonus {WEEKDAYS[weekday]}"))
    return max(options, key=lambda option: option[0])


REDEEM_NO_PROGRAM = message("redeem.no_redemption", en="this program has no points redemption",
                            he="בתוכנית זו אין מימוש נקודות")
REDEEM_NO_MEMBER = message("redeem.needs_member", en="redeeming points needs a member",
                           he="מימוש נקודות דורש חבר מועדון")


def _redeem_limits(member: MemberState | None, program: Program, after_discount: int, offline: bool) -> RedeemLimits:
    rule = program.redeem
    if rule is None:
        return RedeemLimits(0, 1, 0, str(REDEEM_NO_PROGRAM.bind()), rule="no_redemption")
    if member is None:
        return RedeemLimits(rule.min_points, rule.step, 0, str(REDEEM_NO_MEMBER.bind()), rule="no_member")
    share_value = math.floor(Fraction(after_discount) * Fraction(rule.max_share_pct) / 100)  # exact
    caps = [(member.points, "balance"), (share_value * rule.points // rule.value, "share")]
    if offline and rule.offline_daily_cap_points is not None:
        caps.append((rule.offline_daily_cap_points - member.redeemed_today, "offline_cap"))
    cap, which = min(caps, key=lambda c: c[0])
    reason = str(_limit_reason(which, member, program))
    largest = max(cap, 0) // rule.step * rule.step
    if largest < max(rule.min_points, rule.step):  # below the smallest redemption allowed
        largest = 0
    return RedeemLimits(rule.min_points, rule.step, largest, reason, needs_card=not member.can_spend, rule=which)


LIMIT_BALANCE = message("redeem.limit_balance", en="the member has {points} points",
                        he="לחבר יש {points} נקודות")
LIMIT_SHARE = message("redeem.limit_share", en="points may pay at most {pct}% of the eligible items",
                      he="נקודות יכולות לשלם עד {pct}% מהפריטים הזכאים")
LIMIT_OFFLINE = message("redeem.limit_offline_cap",
                        en="offline, a member may redeem at most {points} points a day",
                        he="במצב לא מקוון חבר יכול לממש עד {points} נקודות ביום")


def _limit_reason(which: str, member: MemberState, program: Program) -> Text:
    """Why the cap `which` (balance, share, offline_cap) limits a redemption, as a catalogue text."""
    rule = program.redeem
    assert rule is not None
    if which == "share":
        return LIMIT_SHARE.bind(pct=rule.max_share_pct)
    if which == "offline_cap":
        return LIMIT_OFFLINE.bind(points=rule.offline_daily_cap_points)
    return LIMIT_BALANCE.bind(points=member.points)


REDEEM_WHOLE = message("redeem.whole_number", en="points to redeem must be a whole number, 0 or more",
                       he="הנקודות למימוש חייבות להיות מספר שלם, 0 ומעלה")
REDEEM_REFUSED_NEEDS = message("redeem.needs_card",
                               en="spending points needs the member's card (scan the QR code) or a "
                                  "manager PIN",
                               he="מימוש נקודות דורש את כרטיס החבר (סריקת QR) או קוד מנהל")
REDEEM_STEP = message("redeem.step", en="redemptions go in steps of {step} points",
                      he="מממשים בקפיצות של {step} נקודות")
REDEEM_MIN = message("redeem.min_points", en="the minimum redemption is {min_points} points",
                     he="המימוש המינימלי הוא {min_points} נקודות")
REDEEM_MOST = message("redeem.most_allowed", en="the most allowed on this sale is {max_points} points",
                      he="המקסימום במכירה זו הוא {max_points} נקודות")
REDEEM_NONE = message("redeem.none_allowed", en="no points can be redeemed on this sale",
                      he="אין אפשרות לממש נקודות במכירה זו")
REDEEM_REFUSED = message("redeem.refused", en="cannot redeem {requested} points: {why}; {most}",
                         he="אי אפשר לממש {requested} נקודות: {why}; {most}")
REDEEM_NO_PROGRAM_REFUSAL = message("redeem.refused_no_redemption",
                                    en="This program has no points redemption",
                                    he="בתוכנית זו אין מימוש נקודות")
REDEEM_NO_MEMBER_REFUSAL = message("redeem.refused_needs_member", en="Redeeming points needs a member",
                                   he="מימוש נקודות דורש חבר מועדון")


def _check_redemption(points: int, member: MemberState | None, program: Program, limits: RedeemLimits) -> int:
    """Validate a requested redemption and return its value in minor units."""
    if type(points) is not int or points < 0:
        raise RuleViolation(REDEEM_WHOLE)
    if points == 0:
        return 0
    if program.redeem is None or member is None:
        raise RuleViolation(REDEEM_NO_PROGRAM_REFUSAL if program.redeem is None else REDEEM_NO_MEMBER_REFUSAL)
    if not member.can_spend:
        raise AuthError(REDEEM_REFUSED_NEEDS,
                        reason="needs_card")
    if not limits.allows(points):
        rule = program.redeem
        if points % rule.step:
            why, which = REDEEM_STEP.bind(step=rule.step), "step"
        elif points < rule.min_points:
            why, which = REDEEM_MIN.bind(min_points=rule.min_points), "min_points"
        else:
            why, which = _limit_reason(limits.rule, member, program), limits.rule
        most = REDEEM_MOST.bind(max_points=limits.max_points) if limits.max_points else REDEEM_NONE.bind()
        raise RuleViolation(REDEEM_REFUSED, why=why, most=most, requested=points,
                            max_points=limits.max_points, rule=which)
    return points * program.redeem.value // program.redeem.points


def _birthday_points(member: MemberState | None, program: Program, now: datetime) -> int:
    if member is None or program.birthday is None:
        return 0
    if rules.birthday_due(member.birthday, member.last_birthday_year, now, program.timezone):
        return program.birthday.points
    return 0
