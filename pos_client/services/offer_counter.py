"""The cashier takes an offer for the member at the counter: the offer's coupon, ready to apply to the sale.

Why here and not in the UI: whether an offer applies now is the offers' rule (`pos_client.promotions.offers`
over the member's segments, `pos_client.promotions.facts`), and issuing is the coupon lifecycle's
(`coupon_admin.issue_for_offer`). This module checks the one and runs the other, so a button pressed on a stale
panel (the offer closed at midnight, the member left the segment) is refused with a code, and pressing it twice
never issues two coupons: a coupon of the offer the member already holds unspent is handed out again.
"""

from __future__ import annotations

from pos_client.errors import InvalidInputError, RuleViolation
from pos_client.member_state.rules import store_date
from pos_client.member_state.store import load as member_state
from pos_client.messages import message
from pos_client.promotions import holdings
from pos_client.promotions.facts import segments_of
from pos_client.promotions.offers import offers_now
from pos_client.services import coupon_admin
from pos_client.services.coupons import token_for
from pos_client.services.members import identify
from pos_client.services.programs import program_at
from pos_client.terminal import Terminal
from pos_client.timeutil import utcnow

OFFER_NOT_NOW = message("offer.not_now", en="the offer {offer} does not apply to this member today",
                        he="ההצעה {offer} אינה חלה על חבר/ת המועדון היום")
OFFER_NO_COUPON = message("offer.no_coupon", en="the offer {offer} has no coupon to apply",
                          he="להצעה {offer} אין קופון להחלה")


def offer_coupon(terminal: Terminal, member_code: str, offer_code: str, *, cashier_id: str | None = None) -> str:
    """The signed token of the coupon offer `offer_code` gives the member behind `member_code`, issued now
    (source `offer`) unless the member already holds one of that coupon unspent; to be applied to the sale
    like a scanned coupon (`BasketRequest.coupons`)."""
    now = utcnow()
    with terminal.read() as session:
        found = identify(session, member_code)
        member = found.member
        program = program_at(session, now)
        state = member_state(session, member, program, now, can_spend=found.can_spend,
                             terminal_id=terminal.settings.terminal_id)
        today = store_date(now, program.timezone)
        offer = next((o for o in offers_now(program, segments_of(session, member, state, program, now), today)
                      if o.code == offer_code), None)
        if offer is None:
            raise RuleViolation(OFFER_NOT_NOW, offer=offer_code[:40])
        if offer.coupon is None:
            raise InvalidInputError(OFFER_NO_COUPON, offer=offer_code[:40])
        held = [h for h in holdings.held(session, member.member_id, "coupon", today) if h.code == offer.coupon]
        if held:
            return token_for(terminal, held[0])
    return str(coupon_admin.issue_for_offer(terminal, member_code, offer.coupon, cashier_id=cashier_id)["token"])
