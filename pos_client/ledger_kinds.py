"""The ledger's entry kinds, defined once for the core, the projections, the sync protocol and HQ.

DESIGN.md's list plus `action` (program actions), and the coupon and voucher lifecycle (docs/promotions.md):
`coupon_issue` / `voucher_issue` (a member coupon or a reward voucher handed to a member), `coupon_use` /
`voucher_use` (spent on a sale), `coupon_return` / `voucher_return` (given back by the whole refund of that sale).
They move no points, stamps or spend: `ref_code` is the program's coupon or voucher code, `promo_ref` the issued
coupon's or voucher's id (or, for a public coupon's use, the promo code as typed), `value` the money. A kind added here is accepted by the ledger
(`pos_client.ledger.append_many`) and by the wire format (`sync.protocol.WireEntry`) alike.
"""

from __future__ import annotations

from typing import Literal, get_args

LedgerKind = Literal["earn", "redeem", "stamp", "stamp_reward", "tier_discount", "welcome", "birthday", "membership",
                     "donate", "adjust", "reverse", "expire", "referral", "action",
                     "coupon_issue", "coupon_use", "coupon_return", "voucher_issue", "voucher_use", "voucher_return"]

#: The promotion lifecycle's kinds (above): they change what a member holds, never points, stamps or spend.
PROMO_KINDS: frozenset[str] = frozenset({"coupon_issue", "coupon_use", "coupon_return", "voucher_issue", "voucher_use",
                                         "voucher_return"})

#: Every kind, in DESIGN.md's order.
LEDGER_KINDS: tuple[str, ...] = get_args(LedgerKind)
