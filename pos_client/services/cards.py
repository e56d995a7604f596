"""Revoking a member card (lost, stolen): a manager action, audited, queued for HQ."""

from __future__ import annotations

import json

from pos_client.db.models import AuditEntry, Card, OutboxRow
from pos_client.errors import NotFoundError, StateError
from pos_client.ids import new_id
from pos_client.services.auth import authenticate
from pos_client.terminal import Terminal
from pos_client.timeutil import to_iso, utcnow


def revoke_card(terminal: Terminal, card_number: str, manager_pin: str, reason: str) -> Card:
    now = utcnow()
    with terminal.unit_of_work() as session:
        manager = authenticate(session, manager_pin, role="manager")
        card = session.get(Card, (card_number or "").strip().upper())
        if card is None:
            raise NotFoundError(f"no card with number '{card_number}'")
        if card.revoked_at:
            raise StateError(f"card {card.card_number} was already revoked")
        card.revoked_at, card.revoked_reason = to_iso(now), reason
        audit = AuditEntry(audit_id=new_id(), created_at=to_iso(now), user_id=manager.user_id,
                           action="card_revoke", target=card.card_number, reason=reason,
                           details=json.dumps({"member_id": card.member_id}))
        session.add(audit)
        # The manager's decision goes to HQ first and the revocation names it (`audit_id`): HQ lets a counter
        # revoke another counter's card only with it (sync.hq.validate).
        session.add(OutboxRow(kind="audit", ref_id=audit.audit_id, created_at=audit.created_at, payload=json.dumps(
            {"audit_id": audit.audit_id, "created_at": audit.created_at, "user_id": audit.user_id,
             "action": audit.action, "target": audit.target, "reason": reason,
             "details": {"member_id": card.member_id}}, ensure_ascii=False)))
        session.add(OutboxRow(kind="card", ref_id=card.card_number, payload=json.dumps(
            {"card_number": card.card_number, "member_id": card.member_id, "serial": card.serial,
             "revoked_at": card.revoked_at, "reason": reason, "audit_id": audit.audit_id}), created_at=to_iso(now)))
        return card
