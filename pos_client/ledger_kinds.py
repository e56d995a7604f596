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
                     "donate", "adjust", "reverse", "expire", "referral", "action", "campaign",
                     "coupon_issue", "coupon_use", "coupon_return", "voucher_issue", "voucher_use", "voucher_return"]

#: The promotion lifecycle's kinds (above): they change what a member holds, never points, stamps or spend.
PROMO_KINDS: frozenset[str] = frozenset({"coupon_issue", "coupon_use", "coupon_return", "voucher_issue", "voucher_use",
                                         "voucher_return"})

#: Every kind, in DESIGN.md's order.
LEDGER_KINDS: tuple[str, ...] = get_args(LedgerKind)

#: The kinds of a money movement on a gift card or a member's store credit (`gift_movements`, docs/giftcards.md):
#: `issue` (a new card loaded by its sale; +), `load` (more money on a card; +), `redeem` (paid a sale; −),
#: `refund` (a refund paid back to the card or credit; +), `void` (a refunded gift-card sale takes its load back;
#: −), `expire` (an expired card's balance written off; −). Store credit is created by `refund` alone.
GiftMovementKind = Literal["issue", "load", "redeem", "refund", "void", "expire"]
GIFT_MOVEMENT_KINDS: tuple[str, ...] = get_args(GiftMovementKind)
#: The sign each kind's amount carries (HQ checks it; the terminal writes it).
GIFT_MOVEMENT_SIGNS: dict[str, int] = {"issue": 1, "load": 1, "redeem": -1, "refund": 1, "void": -1, "expire": -1}
