"""The ledger's entry kinds, defined once for the core, the projections, the sync protocol and HQ.

DESIGN.md's list plus `action` (program actions). A kind added here is accepted by the ledger
(`pos_client.ledger.append_many`) and by the wire format (`sync.protocol.WireEntry`) alike.
"""

from __future__ import annotations

from typing import Literal, get_args

LedgerKind = Literal["earn", "redeem", "stamp", "stamp_reward", "tier_discount", "welcome", "birthday", "membership",
                     "donate", "adjust", "reverse", "expire", "referral", "action"]

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
