"""What HQ holds from one terminal, for a terminal restored from a backup (docs/sync.md, "Restored terminals").

Every hello answers with the highest ledger sequence number, the highest member-id number and the highest
receipt number HQ has accepted from the caller (`HelloResponse.acked_seq`, `acked_member_seq`,
`acked_receipt_seq`); each is an index lookup (the (terminal_id, seq) index of `hq_entries` — one per monthly
partition on PostgreSQL —, the members' `enrolled_by_terminal` index, the sales' (terminal_id, receipt_seq)
index of HQ migration 0005). The seq is read from the entries themselves rather than `hq_entry_keys`, so a row
stored by any path counts. A terminal that
finds itself behind them asks `/v1/own-entries` for its own entries above a sequence number, page by page
in sequence order, to put back the ones its backup lost.
"""

from __future__ import annotations

import json

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pos_client.ids import member_id_heads, parse_member_id
from sync.hq.models import HqEntry, HqMember, HqSale
from sync.protocol import OwnEntriesPage


def acknowledged(session: Session, terminal_id: str, member_prefix: str) -> tuple[int, int]:
    """(highest seq, highest member-id counter under `member_prefix`) HQ accepted from `terminal_id`: the
    counter of its old-form ids (`M` + 3-digit prefix) and of its new-form ones (`pos_client.ids`), whichever
    is higher — a terminal shares one counter between the two forms."""
    seq = session.scalar(select(func.max(HqEntry.seq)).where(HqEntry.terminal_id == terminal_id)) or 0
    counter = 0
    for head in member_id_heads(member_prefix):
        mine = (HqMember.enrolled_by_terminal == terminal_id, HqMember.member_id.startswith(head, autoescape=True))
        # Two scans of the (enrolled_by_terminal, member_id) index, no sort: the longest ids, then the largest
        # of those (ids of one length sort as their numbers do).
        width = session.scalar(select(func.max(func.length(HqMember.member_id))).where(*mine)) or 0
        newest = session.scalar(select(func.max(HqMember.member_id)).where(
            *mine, func.length(HqMember.member_id) == width)) or ""
        parts = parse_member_id(newest) if newest else None
        if parts is not None and parts.prefix == member_prefix:
            counter = max(counter, parts.seq)
    return int(seq), counter


def receipt_seq(session: Session, terminal_id: str) -> int:
    """The highest receipt sequence number of `terminal_id`'s sales HQ holds (the index of HQ migration 0005)."""
    return int(session.scalar(select(func.max(HqSale.receipt_seq)).where(HqSale.terminal_id == terminal_id)) or 0)


def own_entries(session: Session, terminal_id: str, after_seq: int, limit: int) -> OwnEntriesPage:
    """`terminal_id`'s entries with a sequence number above `after_seq`, lowest first, at most `limit`."""
    rows = session.scalars(select(HqEntry.body).where(HqEntry.terminal_id == terminal_id, HqEntry.seq > after_seq)
                           .order_by(HqEntry.seq).limit(limit + 1)).all()
    entries = []
    for body in rows[:limit]:
        try:
            value = json.loads(body)
        except ValueError:
            continue  # nothing stored can stop a pull: a body that is not JSON is left out
        if isinstance(value, dict):
            entries.append(value)
    return OwnEntriesPage(entries=entries, has_more=len(rows) > limit)
