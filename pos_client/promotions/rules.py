"""The lifecycle's pure rules: issued ids, validity, the once-a-year birthday coupon, public-code limits, and
the voucher facts pricing reads. No I/O; `pos_client.services.coupons` feeds them from storage.

Dates are store-local calendar dates (`pos_client.member_state.rules.store_date`), both ends included, like
every date in the promotion sections (docs/promotions.md).
"""

from __future__ import annotations

import secrets
from datetime import date, timedelta
from typing import Literal

from pos_client.program.promotions import Coupon, Voucher

#: Crockford's base32: no I, L, O or U, so an id read aloud or typed is not mistaken.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
REF_LENGTH = 10  # 50 random bits: a chain issuing a million a day meets a collision once in ~3,000 years


def new_ref(kind: Literal["coupon", "voucher"]) -> str:
    """A new issued coupon (`C…`) or voucher (`V…`) id, unique chain-wide by randomness; HQ refuses a repeat."""
    return ("C" if kind == "coupon" else "V") + "".join(secrets.choice(ALPHABET) for _ in range(REF_LENGTH))


def last_valid_day(issued_on: date, days: int | None, ends: date | None = None) -> date | None:
    """The last store day an item issued on `issued_on` may be used: `days` days counting the day of issue
    (valid 30 days from 3 December → through 1 January), never past the coupon's own `ends`; None: no end."""
    until = issued_on + timedelta(days=days - 1) if days else None
    if ends is not None and (until is None or ends < until):
        return ends
    return until


def coupon_valid_until(coupon: Coupon, issued_on: date) -> date | None:
    return last_valid_day(issued_on, coupon.valid_days, coupon.ends)


def voucher_valid_until(voucher: Voucher, issued_on: date) -> date | None:
    return last_valid_day(issued_on, voucher.expires_days)


def valid_on(valid_until: date | None, day: date) -> bool:
    """Whether an issued coupon or voucher whose last valid day is `valid_until` (None: no end) may be used on
    store day `day`: through that day, inclusive. The one definition: the terminal's holdings
    (`holdings.Holding.usable_on`) and HQ's book (`sync.hq.promos`) both ask it (issue #12)."""
    return valid_until is None or day <= valid_until


def member_limit_reached(coupon: Coupon, member_uses: int) -> bool:
    """Whether a member whose uses of public coupon `coupon` not returned are `member_uses` may use it no more
    (its `per_member_limit`): checked by the terminal before a sale (`public_limit_left`) and by HQ when the
    use is pushed (`sync.hq.promos`), with the one definition here."""
    return coupon.per_member_limit is not None and member_uses >= coupon.per_member_limit


def issue_points(voucher: Voucher) -> int:
    """The points a voucher's issue entry moves: a `points` voucher converts `every` points, debited by its own
    issue entry; any other voucher (and every coupon) moves none. The terminal writes it
    (`services.coupons.voucher_issue_drafts`), HQ requires exactly it (`sync.hq.promos`)."""
    return -(voucher.every or 0) if voucher.trigger == "points" else 0


def birthday_coupon_due(birthday: date | None, today: date, last_issued_year: int | None) -> bool:
    """A birthday coupon is due in the member's birthday month (store date `today`), once per calendar year."""
    return birthday is not None and birthday.month == today.month and last_issued_year != today.year


def public_limit_left(coupon: Coupon, member_uses: int, unconfirmed_here: int, offline: bool) -> str | None:
    """Which limit a further use of a public coupon would break (`per_member` / `offline`), or None.

    `member_uses` are the member's uses of the coupon not returned; `unconfirmed_here` this terminal's uses HQ
    has not accepted yet (the offline exposure, as for redemptions: docs/core.md "Offline"). The chain-wide
    limit is HQ's to apply (it alone sees every counter); it refuses a use over it when the sale is pushed.
    """
    if member_limit_reached(coupon, member_uses):
        return "per_member"
    if offline and coupon.offline_limit is not None and unconfirmed_here >= coupon.offline_limit:
        return "offline"
    return None


def spend_progress(voucher: Voucher, lifetime_spend: int, issued: int) -> int:
    """A `spend` voucher's qualifying spend carried towards the next `every`: what the member's spend has not
    turned into vouchers yet. Below 0 after a refund of spend a voucher was issued for: that spend must be bought
    back before the next voucher (docs/pricing.md, "Refunds": the same spend never earns a voucher twice)."""
    return lifetime_spend - issued * (voucher.every or 0)
