"""A manager forcing a sync from the app ("Sync now"): the PIN is checked and the request audited.

The sync itself runs in `sync/` (the core never speaks HTTP); this only records who asked, in the audit log
and in the outbox (HQ keeps the terminals' audit rows too).
"""

from __future__ import annotations

import json

from pos_client.db.models import AuditEntry, OutboxRow
from pos_client.ids import new_id
from pos_client.services import audit
from pos_client.services.auth import authenticate
from pos_client.services.till import CashierInfo
from pos_client.terminal import Terminal
from pos_client.timeutil import to_iso, utcnow


def authorize_sync_now(terminal: Terminal, pin: str) -> CashierInfo:
    """The manager with this PIN (`AuthError` otherwise), with an audit row `sync_now` written."""
    terminal.wait_out_pin_lockout()  # before the transaction: the wait never holds the write lock
    now = to_iso(utcnow())
    with terminal.unit_of_work() as session:
        manager = authenticate(session, pin, role="manager")
        audit_id = new_id()
        details = {"terminal_id": terminal.settings.terminal_id}
        session.add(AuditEntry(audit_id=audit_id, created_at=now, user_id=manager.user_id, action="sync_now",
                               target=terminal.settings.terminal_id, reason=audit.SYNC_FORCED.render("en"),
                               details=json.dumps(details)))
        session.add(OutboxRow(kind="audit", ref_id=audit_id, created_at=now, payload=json.dumps(
            {"audit_id": audit_id, "created_at": now, "user_id": manager.user_id, "action": "sync_now",
             "target": terminal.settings.terminal_id, "reason": "manager forced a sync", "details": details})))
        return CashierInfo(manager.user_id, manager.name, manager.role)
