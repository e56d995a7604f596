"""The offers that apply to a member now, pure: what the counter shows when a member is identified and
`kupa member show --json` lists under `offers`.

An offer applies on a store date when its window (`starts`..`ends`, both included) is open and the member is
in one of its `segments` (none: every member). Applying an offer's coupon at the counter issues that coupon
to the member through the coupon service (the lifecycle: `coupon_issue` with source `offer`); a campaign an
offer names already applies by its own audience and window; a message is only shown.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from pos_client.program.promotions import Offer
from pos_client.program.schema import Program


def offers_now(program: Program, segments: frozenset[str], today: date) -> list[Offer]:
    """The program's offers open on the store date `today` for a member of `segments`, in program order."""
    return [o for o in program.offers
            if o.open_on(today) and (not o.segments or not segments.isdisjoint(o.segments))]


def offer_json(program: Program, offer: Offer) -> dict[str, Any]:
    """An offer as `member show --json` prints it: its code and names, and its coupon's and campaign's."""
    coupon = program.coupon(offer.coupon) if offer.coupon else None
    campaign = program.campaign(offer.campaign) if offer.campaign else None
    return {
        "code": offer.code,
        "name": offer.name.model_dump(exclude_none=True),
        "segments": list(offer.segments),
        "coupon": {"code": coupon.code, "name": coupon.name.model_dump(exclude_none=True)} if coupon else None,
        "campaign": ({"code": campaign.code, "name": campaign.name.model_dump(exclude_none=True)}
                     if campaign else None),
        "message": offer.message.model_dump(exclude_none=True) if offer.message else None,
        "starts": offer.starts.isoformat() if offer.starts else None,
        "ends": offer.ends.isoformat() if offer.ends else None,
    }
