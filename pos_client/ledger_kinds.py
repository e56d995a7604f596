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
