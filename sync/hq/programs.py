"""The program version in force at HQ at a moment: one lookup for `member show`, the KPI projections and
`report kpis`."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from pos_client.program.schema import Program, load_program_text
from pos_client.timeutil import to_iso
from sync.hq.models import HqProgram


def program_at(session: Session, now: datetime) -> Program | None:
    """The newest program version published at or before `now` (None before the first one)."""
    document = session.scalar(select(HqProgram.document).where(HqProgram.published_at <= to_iso(now))
                              .order_by(HqProgram.version.desc()).limit(1))
    return load_program_text(document) if document is not None else None
