"""Building a pull page: the changes after a terminal's cursor, at most `page_size` of them.

The page holds the *current* state of every member, card, key, product and program version named by the
changes in the window (a row changed twice is sent once), the entries themselves (immutable), and HQ's
confirmed balance of every member those entries touch. Memory is bounded by the page size: a terminal
bootstrapping 100,000 members reads them page by page, and HQ never loads the whole table.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from sync.hq.models import Change, HqBalance, HqCard, HqEntry, HqKey, HqMember, HqProduct, HqProgram
from sync.protocol import (PullPage, WireBalance, WireCard, WireEntry, WireKey, WireMember, WireProduct,
                           WireProgram)

_CHUNK = 900  # stay under SQLite's bound-parameter limit


def _load(session: Session, model: Any, key: Any, refs: list[str]) -> list[Any]:
    rows: list[Any] = []
    for start in range(0, len(refs), _CHUNK):
        rows += session.scalars(select(model).where(key.in_(refs[start:start + _CHUNK]))).all()
    return rows


def build_page(session: Session, cursor: int, page_size: int) -> PullPage:
    changes = session.execute(select(Change.change_id, Change.kind, Change.ref).where(Change.change_id > cursor)
                              .order_by(Change.change_id).limit(page_size + 1)).all()
    has_more = len(changes) > page_size
    changes = changes[:page_size]
    refs: dict[str, list[str]] = {}
    for _id, kind, ref in changes:
        bucket = refs.setdefault(kind, [])
        bucket.append(ref)
    refs = {kind: list(dict.fromkeys(values)) for kind, values in refs.items()}  # de-duplicated, in order

    members = {m.member_id: m for m in _load(session, HqMember, HqMember.member_id, refs.get("member", []))}
    entries = {e.entry_id: e for e in _load(session, HqEntry, HqEntry.entry_id, refs.get("entry", []))}
    touched = list(dict.fromkeys(e.member_id for e in entries.values()))
    balances = _load(session, HqBalance, HqBalance.member_id, touched)
    return PullPage(
        cursor=changes[-1][0] if changes else cursor,
        has_more=has_more,
        members=[WireMember(member_id=m.member_id, name=m.name, phone=m.phone, email=m.email, birthday=m.birthday,
                            bonus_weekday=m.bonus_weekday, referred_by=m.referred_by, enrolled_at=m.enrolled_at,
                            enrolled_by_terminal=m.enrolled_by_terminal)
                 for m in (members[r] for r in refs.get("member", []) if r in members)],
        cards=[WireCard(card_number=c.card_number, member_id=c.member_id, serial=c.serial, key_id=c.key_id,
                        issued_at=c.issued_at, revoked_at=c.revoked_at, reason=c.reason)
               for c in _load(session, HqCard, HqCard.card_number, refs.get("card", []))],
        keys=[WireKey(key_id=k.key_id, public_key=k.public_key, owner=k.owner, revoked_at=k.revoked_at)
              for k in _load(session, HqKey, HqKey.key_id, refs.get("key", []))],
        products=[WireProduct.model_validate_json(p.body)
                  for p in _load(session, HqProduct, HqProduct.sku, refs.get("product", []))],
        programs=sorted((WireProgram(version=p.version, document=p.document, published_at=p.published_at)
                         for p in _load(session, HqProgram, HqProgram.version,
                                        [int(v) for v in refs.get("program", [])])),  # type: ignore[misc]
                        key=lambda p: p.version),
        entries=[WireEntry.model_validate_json(entries[r].body) for r in refs.get("entry", []) if r in entries],
        balances=[WireBalance(member_id=b.member_id, points=b.points, stamps=json.loads(b.stamps or "{}"),
                              entries=b.entries) for b in balances],
    )
