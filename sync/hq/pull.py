"""Building a pull page: the changes after a terminal's cursor, at most `page_size` of them.

The page holds the *current* state of every member, card, key, product and program version named by the
changes in the window (a row changed twice is sent once), the entries themselves (immutable), and HQ's
confirmed balance of every member those entries touch. Memory is bounded by the page size: a terminal
bootstrapping 100,000 members reads them page by page, and HQ never loads the whole table. Members and
entries are read by joining the change window to their tables (no long IN lists). A terminal is not sent
back the entries it pushed itself (it has them), only the balances they touched.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from pydantic import TypeAdapter, ValidationError
from sqlalchemy import String, any_, bindparam, case, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from sync.hq.models import Change, HqBalance, HqCard, HqEntry, HqKey, HqMember, HqProduct, HqProgram
from sync.protocol import (PullPage, WireBalance, WireCard, WireEntry, WireKey, WireMember, WireProduct,
                           WireProgram)

log = logging.getLogger(__name__)
_CHUNK = 900  # stay under SQLite's bound-parameter limit
_ENTRY_LIST: TypeAdapter[list[WireEntry]] = TypeAdapter(list[WireEntry])


def _load(session: Session, model: Any, key: Any, refs: list[str]) -> list[Any]:
    rows: list[Any] = []
    for start in range(0, len(refs), _CHUNK):
        rows += session.scalars(select(model).where(key.in_(refs[start:start + _CHUNK]))).all()
    return rows


def _window(session: Session, kind: str, cursor: int, last: int, *columns: Any) -> list[Any]:
    """`columns` of the rows that changes of `kind` in (cursor, last] name, first change first, each once."""
    table = columns[0].table
    key = table.primary_key.columns.values()[0]
    rows = session.execute(select(*columns).join(Change, Change.ref == key)
                           .where(Change.kind == kind, Change.change_id > cursor, Change.change_id <= last)
                           .order_by(Change.change_id)).all()
    seen: set[Any] = set()
    out = []
    for row in rows:
        if row[0] not in seen:
            seen.add(row[0])
            out.append(row)
    return out


def _entries(bodies: list[str]) -> list[WireEntry]:
    """The entries of stored `bodies`, parsed in one pass. Should one not pass the protocol's model (stored by
    an older or buggy HQ), each is taken on its own and a bad one is sent as stored for the terminal to skip
    and report (`sync.screen`): nothing stored can fail a pull. A body that is not a JSON object is left out
    (logged), as the terminal could not even name it."""
    if not bodies:
        return []
    try:
        return _ENTRY_LIST.validate_json("[" + ",".join(bodies) + "]")
    except ValidationError:
        pass
    out: list[WireEntry] = []
    for body in bodies:
        try:
            out.append(WireEntry.model_validate_json(body))
        except ValidationError:
            try:
                raw = json.loads(body)
            except ValueError:
                raw = None
            if isinstance(raw, dict):
                out.append(WireEntry.model_construct(**raw))
            else:
                log.warning("a stored entry body is not a JSON object; left out of the pull: %.80s", body)
    return out


def build_page(session: Session, cursor: int, page_size: int, exclude_terminal: str | None = None) -> PullPage:
    """The page after `cursor`; entries pushed by `exclude_terminal` are left out (it has them) but still
    count for the balances sent. Rows come from HQ's own validated tables, so they are built without
    re-validation (`model_construct`); entry bodies are parsed in one pass."""
    changes = session.execute(select(Change.change_id, Change.kind).where(Change.change_id > cursor)
                              .order_by(Change.change_id).limit(page_size + 1)).all()
    has_more = len(changes) > page_size
    changes = changes[:page_size]
    if not changes:
        return PullPage(cursor=cursor, has_more=False)
    last = int(changes[-1][0])
    kinds = {kind for _id, kind in changes}
    refs: dict[str, list[str]] = {}
    for kind in kinds & {"card", "key", "product", "program"}:
        refs[kind] = list(dict.fromkeys(session.scalars(
            select(Change.ref).where(Change.kind == kind, Change.change_id > cursor, Change.change_id <= last)
            .order_by(Change.change_id))))
    m = HqMember.__table__.c
    members = [WireMember.model_construct(**row._mapping) for row in _window(
        session, "member", cursor, last, m.member_id, m.name, m.phone, m.email, m.birthday, m.bonus_weekday,
        m.referred_by, m.enrolled_at, m.enrolled_by_terminal)] if "member" in kinds else []
    e = HqEntry.__table__.c
    body = e.body if exclude_terminal is None else case((e.terminal_id != exclude_terminal, e.body), else_=None)
    entry_rows = _window(session, "entry", cursor, last, e.entry_id, e.terminal_id, e.member_id, body) \
        if "entry" in kinds else []  # the caller's own entries without their bodies: it has them
    bodies = [row[3] for row in entry_rows if row[1] != exclude_terminal]
    entries = _entries(bodies)
    touched = list(dict.fromkeys(row[2] for row in entry_rows))
    b = HqBalance.__table__.c
    balances: list[Any] = []
    if touched and session.connection().dialect.name == "postgresql":  # one `= ANY(array)`, one round trip
        balances += session.execute(select(b.member_id, b.points, b.stamps, b.entries).where(
            b.member_id == any_(bindparam("keys", touched, type_=ARRAY(String()))))).all()
    else:
        for start in range(0, len(touched), _CHUNK):
            balances += session.execute(select(b.member_id, b.points, b.stamps, b.entries)
                                        .where(b.member_id.in_(touched[start:start + _CHUNK]))).all()
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
        entries=entries,
        balances=[WireBalance.model_construct(member_id=row[0], points=row[1], stamps=json.loads(row[2] or "{}"),
                                              entries=row[3]) for row in balances],
    )
