"""Writing the audit log: one row per audited decision, in the business action's own transaction.

Every service that audits calls `record()`, so the rows have one shape (UTC time, who, what, on what, why,
details as JSON). A decision HQ must see — a manager's revocation or replacement of a card, which lets a
counter touch another counter's card (sync.hq.validate) — is also queued in the outbox (`queue=True`),
before the rows that name it.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from pos_client.db.models import AuditEntry, OutboxRow
from pos_client.ids import new_id
from pos_client.messages import message
from pos_client.timeutil import to_iso


#: Reasons the code writes itself (not a manager's words): stored in English, as every reason, and worded in
#: the reader's language from here by the manager's audit view (`system_reason`).
SPEND_WITHOUT_CARD = message("audit.reason.spend_without_card", en="points spent without the member's card",
                             he="נקודות מומשו בלי כרטיס החבר")
SYNC_FORCED = message("audit.reason.sync_forced", en="manager forced a sync", he="מנהל הפעיל סנכרון")
CLOCK_CONFIRMED = message("audit.reason.clock_confirmed", en="clock confirmed ({status})",
                          he="השעון אושר ({status})")


def system_reason(action: str, details: dict[str, Any], lang: str) -> str | None:
    """The reason of an audit row the code wrote itself, in `lang`, from its action and details; None when a
    person wrote it (shown as written)."""
    if action == "pin_spend_override":
        return SPEND_WITHOUT_CARD.render(lang)
    if action == "sync_now":
        return SYNC_FORCED.render(lang)
    if action == "clock_confirm":
        was = details.get("was")
        return CLOCK_CONFIRMED.render(lang, status=was.get("status", "") if isinstance(was, dict) else "")
    return None


def record(session: Session, now: datetime, user_id: str | None, action: str, target: str, reason: str,
           details: dict[str, Any], *, queue: bool = False) -> str:
    """Write the audit row (and queue it for HQ when `queue`); returns its id."""
    row = AuditEntry(audit_id=new_id(), created_at=to_iso(now), user_id=user_id, action=action, target=target,
                     reason=reason, details=json.dumps(details, ensure_ascii=False))
    session.add(row)
    if queue:
        session.add(OutboxRow(kind="audit", ref_id=row.audit_id, created_at=row.created_at, payload=json.dumps(
            {"audit_id": row.audit_id, "created_at": row.created_at, "user_id": user_id, "action": action,
             "target": target, "reason": reason, "details": details}, ensure_ascii=False)))
    return row.audit_id
