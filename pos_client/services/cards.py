"""Revoking a member card (lost, stolen): a manager action, audited, queued for HQ."""

from __future__ import annotations

import json

from pos_client.db.models import AuditEntry, Card, OutboxRow
from pos_client.errors import NotFoundError, StateError
from pos_client.ids import new_id
from pos_client.messages import message
from pos_client.services.auth import authenticate
from pos_client.terminal import Terminal
from pos_client.timeutil import to_iso, utcnow

NO_CARD = message("card.not_found", en="no card with number '{card}'", he="אין כרטיס שמספרו '{card}'")
CARD_ALREADY_REVOKED = message("card.already_revoked", en="card {card} was already revoked",
                               he="הכרטיס {card} כבר בוטל")


def revoke_card(terminal: Terminal, card_number: str, manager_pin: str, reason: str) -> Card:
    now = utcnow()
    with terminal.unit_of_work() as session:
        manager = authenticate(session, manager_pin, role="manager")
        card = session.get(Card, (card_number or "").strip().upper())
        if card is None:
            raise NotFoundError(NO_CARD, card=card_number)
        if card.revoked_at:
            raise StateError(CARD_ALREADY_REVOKED, card=card.card_number)
        card.revoked_at, card.revoked_reason = to_iso(now), reason
        session.add(AuditEntry(audit_id=new_id(), created_at=to_iso(now), user_id=manager.user_id,
                               action="card_revoke", target=card.card_number, reason=reason,
                               details=json.dumps({"member_id": card.member_id})))
        session.add(OutboxRow(kind="card", ref_id=card.card_number, payload=json.dumps(
            {"card_number": card.card_number, "member_id": card.member_id, "serial": card.serial,
             "revoked_at": card.revoked_at, "reason": reason}), created_at=to_iso(now)))
        return card
