"""Building a pull page: the changes after a terminal's cursor that are its store's or everyone's, at most
`page_size` of them.

The page holds the *current* state of every member, card, key, product and program version named by the
changes in the window (a row changed twice is sent once), and the HQ-confirmed snapshot of every member named
(`sync.hq.snapshot`) — never another terminal's raw entries. The window is read from the change log by
`(store_id, change_id)`: the rows of the caller's store (`sync.hq.scope` writes one per store a member is
linked to) and the rows every terminal needs (`store_id` NULL: programs, catalog, keys). So a pull costs what
its store changed, whatever the size of the chain. Memory is bounded by the page size: a terminal
bootstrapping 100,000 members reads them page by page. Change rows of kind `entry` (written before HQ
migration 0006) stand for their entry's member.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from sync.hq import giftcards, scope, snapshot
from sync.hq.models import Change, HqCard, HqEntry, HqKey, HqMember, HqProduct, HqProgram
from sync.protocol import (MemberFetch, PullPage, WireCard, WireKey, WireMember, WireProduct,
                           WireProgram)

log = logging.getLogger(__name__)
_CHUNK = 900  # stay under SQLite's bound-parameter limit


def _load(session: Session, model: Any, key: Any, refs: list[str]) -> list[Any]:
    rows: list[Any] = []
    for start in range(0, len(refs), _CHUNK):
        rows += session.scalars(select(model).where(key.in_(refs[start:start + _CHUNK]))).all()
    return rows


def _changes(session: Session, cursor: int, limit: int, store_id: str | None) -> list[Any]:
    """(change_id, kind, ref) after `cursor`, the store's and everyone's, oldest first: two range scans of
    `ix_hq_changes_store` merged (an OR would not use the index on every engine)."""
    cols = (Change.change_id, Change.kind, Change.ref)
    rows = list(session.execute(select(*cols).where(Change.store_id.is_(None), Change.change_id > cursor)
                                .order_by(Change.change_id).limit(limit)).all())
    if store_id is not None:
        rows += session.execute(select(*cols).where(Change.store_id == store_id, Change.change_id > cursor)
                                .order_by(Change.change_id).limit(limit)).all()
        rows.sort(key=lambda row: row[0])
    return rows[:limit]


def build_page(session: Session, cursor: int, page_size: int, store_id: str | None) -> PullPage:
    """The page after `cursor` for a terminal of `store_id`. Rows come from HQ's own validated tables, so they
    are built without re-validation (`model_construct`)."""
    changes = _changes(session, cursor, page_size + 1, store_id)
    has_more = len(changes) > page_size
    changes = changes[:page_size]
    if not changes:
        return PullPage(cursor=cursor, has_more=False)
    last = int(changes[-1][0])
    refs: dict[str, list[str]] = {}
    for _id, kind, ref in changes:
        refs.setdefault(kind, []).append(ref)
    refs = {kind: list(dict.fromkeys(values)) for kind, values in refs.items()}
    named = list(refs.get("member", []))
    if refs.get("entry"):  # a log from before HQ migration 0006: an entry stands for its member
        named += [m for m in _load_column(session, HqEntry.member_id, HqEntry.entry_id, refs["entry"])]
    named = list(dict.fromkeys(named))
    m = HqMember.__table__.c
    member_cols = (m.member_id, m.name, m.phone, m.email, m.birthday, m.bonus_weekday, m.referred_by,
                   m.enrolled_at, m.enrolled_by_terminal)
    members = []
    for start in range(0, len(named), _CHUNK):
        members += [WireMember.model_construct(**row._mapping) for row in session.execute(
            select(*member_cols).where(m.member_id.in_(named[start:start + _CHUNK])))]
    known = [row.member_id for row in members]
    return PullPage(
        cursor=last,
        has_more=has_more,
        members=members,
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
        snapshots=snapshot.snapshots(session, known),
        gift_balances=giftcards.balances(session, refs.get("giftcard", [])),
    )


def _load_column(session: Session, column: Any, key: Any, refs: list[str]) -> list[Any]:
    out: list[Any] = []
    for start in range(0, len(refs), _CHUNK):
        out += session.scalars(select(column).where(key.in_(refs[start:start + _CHUNK]))).all()
    return out


def fetch_member(session: Session, code: str, store_id: str | None, now: str) -> MemberFetch | None:
    """The member behind `code` (a member id or a card number) with their cards and snapshot, linked to
    `store_id` so the store's pulls carry them from now on (in the caller's write transaction); None if HQ
    knows no such member."""
    code = code.strip().upper()
    member = session.get(HqMember, code)
    if member is None:
        card = session.get(HqCard, code)
        member = session.get(HqMember, card.member_id) if card is not None else None
    if member is None:
        return None
    if store_id is not None:
        scope.link(session, [member.member_id], store_id, "fetch", now)
    cards: list[Any] = list(session.scalars(select(HqCard).where(HqCard.member_id == member.member_id)
                                            .order_by(HqCard.serial)))
    return MemberFetch(
        member=WireMember.model_construct(**{c: getattr(member, c) for c in WireMember.model_fields}),
        cards=[WireCard(card_number=c.card_number, member_id=c.member_id, serial=c.serial, key_id=c.key_id,
                        issued_at=c.issued_at, revoked_at=c.revoked_at, reason=c.reason) for c in cards],
        snapshot=snapshot.snapshots(session, [member.member_id])[0])
