"""Which store's pull a change belongs to: members linked to stores, change-log rows scoped by store.

A member is linked to a store (`hq_member_stores`) when a terminal of that store enrols them (their home),
pushes an entry or a card for them, or fetches them (`/v1/member`: a member of another store who walks in).
Every change to a member — their profile, a new entry (their snapshot), a card — is written to the change log
once for each store the member is linked to, and a pull reads only its own store's rows plus the rows every
terminal needs (programs, catalog, keys: `store_id` NULL). So a pull never reads, let alone sends, what the
rest of the chain did, and its cost does not grow with the number of terminals or stores. A member newly
linked to a store gets a `member` row and a row per card for that store, so the store's terminals receive
their profile, cards and snapshot.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from sync.hq.models import Change, HqCard, HqMemberStore, HqTerminal

_CHUNK = 900


def store_of(session: Session, terminal_id: str) -> str | None:
    """The store of `terminal_id` (None for HQ itself and unknown ids)."""
    return session.scalar(select(HqTerminal.store_id).where(HqTerminal.terminal_id == terminal_id))


def stores_of(session: Session, member_ids: list[str]) -> dict[str, list[str]]:
    """The stores each member is linked to."""
    out: dict[str, list[str]] = {m: [] for m in member_ids}
    for start in range(0, len(member_ids), _CHUNK):
        for member_id, store_id in session.execute(select(HqMemberStore.member_id, HqMemberStore.store_id).where(
                HqMemberStore.member_id.in_(member_ids[start:start + _CHUNK]))):
            out[member_id].append(store_id)
    return out


def _cards_of(session: Session, member_ids: list[str]) -> dict[str, list[str]]:
    cards: dict[str, list[str]] = {m: [] for m in member_ids}
    for start in range(0, len(member_ids), _CHUNK):
        for number, member_id in session.execute(select(HqCard.card_number, HqCard.member_id).where(
                HqCard.member_id.in_(member_ids[start:start + _CHUNK])).order_by(HqCard.serial)):
            cards[member_id].append(number)
    return cards


def _link_rows(session: Session, fresh: list[str], store_id: str, how: dict[str, str], now: str,
               linked: dict[str, list[str]]) -> None:
    session.execute(insert(HqMemberStore), [{"member_id": m, "store_id": store_id, "how": how[m], "linked_at": now}
                                            for m in fresh])
    for member_id in fresh:
        linked.setdefault(member_id, []).append(store_id)


def link(session: Session, member_ids: list[str], store_id: str, how: str, now: str,
         linked: dict[str, list[str]] | None = None) -> list[str]:
    """Link `member_ids` to `store_id` where they are not yet; returns the newly linked ones. Each newly
    linked member gets a `member` change and one per card for that store, so its terminals pull them."""
    linked = linked if linked is not None else stores_of(session, member_ids)
    fresh = [m for m in dict.fromkeys(member_ids) if store_id not in linked.get(m, [])]
    if not fresh:
        return []
    _link_rows(session, fresh, store_id, {m: how for m in fresh}, now, linked)
    cards = _cards_of(session, fresh)
    rows = []
    for member_id in fresh:
        rows.append({"kind": "member", "ref": member_id, "store_id": store_id})
        rows += [{"kind": "card", "ref": number, "store_id": store_id} for number in cards[member_id]]
    session.execute(insert(Change), rows)
    return fresh


def record(session: Session, terminal_id: str, changes: list[dict[str, Any]], now: str) -> None:
    """Write a push's changes to the log, scoped: `changes` are `{"kind", "ref", "member"?}` in item order
    (`member` names the member of an entry or a card). The pushing terminal's store is linked to every member
    it pushed for first (`home` for its enrolments, `entry` for the others — a walk-in, whose row and cards
    HQ already held are then sent to the store too); then each change goes to every store its member is
    linked to, an entry as a `member` change (the member's snapshot), once per member and store in the push.
    Changes without a member (none today) go to every terminal. In one INSERT, in item order."""
    named = list(dict.fromkeys(c.get("member") or c["ref"] for c in changes
                               if c["kind"] in ("member", "entry", "card")))
    linked = stores_of(session, named)
    store = store_of(session, terminal_id)
    rows: list[dict[str, Any]] = []
    sent: set[tuple[str, str, str | None]] = set()
    if store is not None:
        fresh = [m for m in named if store not in linked[m]]
        if fresh:
            enrolled = {c["ref"] for c in changes if c["kind"] == "member"}
            _link_rows(session, fresh, store, {m: "home" if m in enrolled else "entry" for m in fresh}, now, linked)
            others = [m for m in fresh if m not in enrolled]
            cards = _cards_of(session, others) if others else {}
            for member_id in others:
                rows.append({"kind": "member", "ref": member_id, "store_id": store})
                rows += [{"kind": "card", "ref": number, "store_id": store} for number in cards[member_id]]
            sent.update((row["kind"], row["ref"], store) for row in rows)
    for change in changes:
        member = (change.get("member") or change["ref"]) if change["kind"] in ("member", "entry", "card") else None
        if member is None:
            rows.append({"kind": change["kind"], "ref": change["ref"], "store_id": None})
            continue
        kind, ref = ("member", member) if change["kind"] == "entry" else (change["kind"], change["ref"])
        for store_id in linked.get(member, []):
            if (kind, ref, store_id) not in sent:
                sent.add((kind, ref, store_id))
                rows.append({"kind": kind, "ref": ref, "store_id": store_id})
    if rows:
        session.execute(insert(Change), rows)
