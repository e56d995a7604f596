"""A member's standing, as `kupa member show` and the manager's screen present it (the figures from
`pos_client.member_state.figures.standing`, as HQ's `member show` answers them)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from pos_client.services.giftcards import store_credit
from pos_client.db.models import Card, LedgerEntry, OutboxRow
from pos_client.member_state.figures import standing
from pos_client.member_state.rules import store_date
from pos_client.member_state.store import load as member_state
from pos_client.promotions.facts import segments_of
from pos_client.promotions.offers import offer_json, offers_now
from pos_client.services import coupon_admin
from pos_client.services.members import identify
from pos_client.services.programs import program_at
from pos_client.terminal import Terminal
from pos_client.timeutil import utcnow


def member_status(terminal: Terminal, code: str) -> dict[str, Any]:
    """Everything `kupa member show` prints about the member behind `code`."""
    now = utcnow()
    with terminal.read() as session:
        found = identify(session, code)
        member = found.member
        program = program_at(session, now)
        state = member_state(session, member, program, now, can_spend=found.can_spend,
                             terminal_id=terminal.settings.terminal_id)
        figures = standing(state, program, now)
        segments = segments_of(session, member, state, program, now)
        offers = offers_now(program, segments, store_date(now, program.timezone))
        entry_ids = select(LedgerEntry.entry_id).where(LedgerEntry.member_id == member.member_id)
        pending = session.scalar(select(func.count()).select_from(OutboxRow).where(
            OutboxRow.kind == "ledger_entry", OutboxRow.status == "pending", OutboxRow.ref_id.in_(entry_ids)))
        cards = [{"card_number": c.card_number, "serial": c.serial, "issued_at": c.issued_at,
                  "revoked_at": c.revoked_at} for c in session.scalars(
            select(Card).where(Card.member_id == member.member_id).order_by(Card.serial))]
        return {
            "member_id": member.member_id, "name": member.name, "phone": member.phone, "email": member.email,
            "birthday": member.birthday, "identified_by": found.via, "can_spend": found.can_spend,
            **figures,
            "stamps_needed": {card.code: card.stamps_needed for card in program.punch_cards},
            "bonus_weekday": member.bonus_weekday, "referred_by": member.referred_by,
            "cards": cards, "pending_sync": int(pending or 0), "program_version": program.version,
            "store_credit": store_credit(session, member.member_id),
            "currency": program.currency, "timezone": program.timezone,
            "segments": sorted(segments), "offers": [offer_json(program, o) for o in offers],
            **coupon_admin.held(terminal, session, program, member.member_id, now),
        }
