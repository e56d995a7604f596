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
from pos_client.timeutil import to_iso


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
