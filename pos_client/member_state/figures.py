"""A member's standing as people read it — tier, points, stamps, spend, plan — from a `MemberState`, pure.

The terminal (`kupa member show`, the member panel, the manager's screen) builds the state from its
projections (`store.load`); HQ (`kupa-hq member show`) folds the member's entries (`rules.fold`) and calls
`state_from_folded`. Both then call `standing`, so they answer the same figures.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pos_client.member_state import rules
from pos_client.pricing.model import MemberState
from pos_client.program.schema import Program
from pos_client.timeutil import to_iso


def state_from_folded(member_id: str, folded: rules.Folded, program: Program, now: datetime, *,
                      birthday: date | None = None, bonus_weekday: int | None = None,
                      referred_by: str | None = None) -> MemberState:
    """The member's state at `now` from their folded entries (as `store.load` reads it from the projections)."""
    expiring = rules.expiring_points(folded.points, folded.credits_total, folded.debits_total,
                                     folded.day_credits(), now, program.points_expiry_days)
    return MemberState(
        member_id=member_id, points=folded.points - expiring, stamps=dict(folded.stamps),
        qualifying_spend=rules.qualifying_spend(folded.day_spend(), now, program.tier_window_days),
        membership_code=folded.membership_code, membership_expires=folded.membership_expires,
        bonus_weekday=bonus_weekday, birthday=birthday, last_birthday_year=folded.last_birthday_year,
        referral_pending=bool(referred_by) and folded.sales_count == 0, expiring_points=expiring,
        last_credit_at=folded.last_credit_at)


def standing(state: MemberState, program: Program, now: datetime) -> dict[str, Any]:
    """The figures `member show` prints on both sides: tier, points, stamps, qualifying spend, next tier, plan,
    and whether it is the member's birthday month at the store."""
    spend = rules.clamp_spend(state.qualifying_spend)
    tier = rules.tier_for(program, spend)
    nxt = program.next_tier(spend)
    active = rules.plan_active(state.membership_code, state.membership_expires, now)
    return {
        "tier": tier.code if tier else None,
        "tier_name": tier.name.en if tier else None,
        "points": state.points,
        "stamps": {card.code: 0 for card in program.punch_cards} | {k: v for k, v in state.stamps.items()},
        "qualifying_spend": spend,
        "next_tier": {"code": nxt.code, "min_spend": nxt.min_spend, "missing": nxt.min_spend - spend} if nxt else None,
        "membership": ({"code": state.membership_code, "expires": to_iso(state.membership_expires)}
                       if active and state.membership_expires else None),
        "birthday_this_month": rules.is_birthday_month(state.birthday, now, program.timezone),
    }
