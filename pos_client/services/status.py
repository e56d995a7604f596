"""A member's standing, as `kupa member show` and the manager's screen present it."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from pos_client.db.models import Card, LedgerEntry, OutboxRow
from pos_client.services.members import identify, member_state
from pos_client.services.programs import program_at
from pos_client.terminal import Terminal
from pos_client.timeutil import to_iso, utcnow


def member_status(terminal: Terminal, code: str) -> dict[str, Any]:
    """Everything `kupa member show` prints about the member behind `code`."""
    now = utcnow()
    with terminal.read() as session:
        found = identify(session, code)
        member = found.member
        program = program_at(session, now)
        state = member_state(session, member, program, now, can_spend=found.can_spend,
                             terminal_id=terminal.settings.terminal_id)
        tier = program.tier_for_spend(state.qualifying_spend)
        nxt = program.next_tier(state.qualifying_spend)
        entry_ids = select(LedgerEntry.entry_id).where(LedgerEntry.member_id == member.member_id)
        pending = session.scalar(select(func.count()).select_from(OutboxRow).where(
            OutboxRow.kind == "ledger_entry", OutboxRow.status == "pending", OutboxRow.ref_id.in_(entry_ids)))
        cards = [{"card_number": c.card_number, "serial": c.serial, "issued_at": c.issued_at,
                  "revoked_at": c.revoked_at} for c in session.scalars(
            select(Card).where(Card.member_id == member.member_id).order_by(Card.serial))]
        active_plan = (state.membership_code if state.membership_expires and state.membership_expires > now
                       else None)
        return {
            "member_id": member.member_id, "name": member.name, "phone": member.phone, "email": member.email,
            "birthday": member.birthday, "identified_by": found.via, "can_spend": found.can_spend,
            "tier": tier.code if tier else None,
            "tier_name": tier.name.en if tier else None,
            "points": state.points, "stamps": {card.code: state.stamps.get(card.code, 0) for card in program.punch_cards}
            | {k: v for k, v in state.stamps.items()},
            "stamps_needed": {card.code: card.stamps_needed for card in program.punch_cards},
            "qualifying_spend": state.qualifying_spend,
            "next_tier": ({"code": nxt.code, "min_spend": nxt.min_spend,
                           "missing": nxt.min_spend - state.qualifying_spend} if nxt else None),
            "membership": ({"code": active_plan, "expires": to_iso(state.membership_expires)}
                           if active_plan and state.membership_expires else None),
            "bonus_weekday": member.bonus_weekday, "referred_by": member.referred_by,
            "cards": cards, "pending_sync": int(pending or 0), "program_version": program.version,
            "currency": program.currency,
        }
