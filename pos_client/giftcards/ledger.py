"""The money ledger of gift cards and store credit: movements written with their outbox rows, balances read.

An *account* is a gift card (its number, `G` and 16 digits) or a member's store credit (the member id). Every
change is a `gift_movements` row (append-only; kinds and signs in `pos_client.ledger_kinds`) written in the
caller's transaction together with its outbox row, so HQ receives each movement exactly once (it stores them by
id; a retried push is a duplicate). The balance of an account is:

    HQ's confirmed balance (the last `gift_snapshots` body pulled: a sum of movements, with their ids)
    + every movement of this terminal that snapshot does not list yet.

So a movement HQ has confirmed is never counted twice, and one it has not seen yet is never forgotten. A
movement HQ refused (an overspent card) is never in a snapshot and keeps counting here: the terminal's figure
is the lower one until a manager looks at the refusal (`kupa sync --refused`).
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from pos_client.db import driver
from pos_client.db.models import GiftMovement, GiftSnapshot, OutboxRow, Sale
from pos_client.ids import new_id
from pos_client.ledger_kinds import GIFT_MOVEMENT_SIGNS

GIFT_CARD = "gift_card"
STORE_CREDIT = "store_credit"
#: The columns sent to HQ: all but an issued card's token (HQ never holds a card's spending code).
MOVEMENT_COLUMNS = tuple(c.key for c in GiftMovement.__table__.columns if c.key != "token")


@dataclass(frozen=True)
class Movement:
    """A movement to write: `amount` carries its kind's sign."""

    account: str
    account_kind: str
    kind: str
    amount: int
    line_no: int | None = None
    expires_on: date | None = None
    key_id: str | None = None
    token: str | None = None

    def __post_init__(self) -> None:
        if self.amount == 0 or (self.amount > 0) != (GIFT_MOVEMENT_SIGNS[self.kind] > 0):
            raise ValueError(f"a {self.kind} movement cannot be {self.amount}")


def movement_payload(row: dict[str, Any]) -> dict[str, Any]:
    """The outbox body of a movement (`sync.protocol.WireGiftMovement`): every column, as written."""
    return {key: row[key] for key in MOVEMENT_COLUMNS}


def write(session: Session, movements: list[Movement], *, terminal_id: str, store_day: date, created_at: str,
          sale_id: str | None, cashier_id: str | None) -> list[str]:
    """Write `movements` and their outbox rows in the caller's transaction; returns their ids."""
    rows: list[dict[str, Any]] = [{"movement_id": new_id(), "account": m.account, "account_kind": m.account_kind, "kind": m.kind,
             "amount": m.amount, "sale_id": sale_id, "line_no": m.line_no, "terminal_id": terminal_id,
             "store_day": store_day.isoformat(), "expires_on": m.expires_on.isoformat() if m.expires_on else None,
             "key_id": m.key_id, "token": m.token, "cashier_id": cashier_id, "created_at": created_at} for m in movements]
    if rows:
        driver.insert(session, GiftMovement, rows)
        driver.insert(session, OutboxRow, [{"kind": "gift_movement", "ref_id": row["movement_id"],
                                            "payload": json.dumps(movement_payload(row)),
                                            "created_at": created_at} for row in rows])
    return [str(row["movement_id"]) for row in rows]


@dataclass(frozen=True)
class Account:
    """What this terminal knows of an account: `known` is False for a card it has never seen (nor HQ sent)."""

    account: str
    account_kind: str
    balance: int
    confirmed: int
    pending: int
    expires_on: date | None
    known: bool
    movements: tuple[dict[str, Any], ...]

    def to_json(self) -> dict[str, Any]:
        return {"account": self.account, "account_kind": self.account_kind, "balance": self.balance,
                "confirmed_balance": self.confirmed, "pending": self.pending,
                "expires_on": self.expires_on.isoformat() if self.expires_on else None,
                "movements": list(self.movements)}


def snapshot(session: Session, account: str) -> dict[str, Any] | None:
    row = session.get(GiftSnapshot, account)
    return json.loads(row.body) if row is not None else None


def account_state(session: Session, account: str, account_kind: str) -> Account:
    """The account's balance (HQ's confirmed one plus this terminal's unconfirmed movements) and history here."""
    snap = snapshot(session, account)
    confirmed_ids = set(snap["movements"]) if snap else set()
    rows = session.execute(select(GiftMovement).where(GiftMovement.account == account)
                           .order_by(GiftMovement.created_at, GiftMovement.movement_id)).scalars().all()
    pending = [r for r in rows if r.movement_id not in confirmed_ids]
    confirmed = int(snap["balance"]) if snap else 0
    expires = snap.get("expires_on") if snap else None
    issued = [r for r in rows if r.kind == "issue"]
    if expires is None and issued:
        expires = issued[0].expires_on
    history = tuple({"movement_id": r.movement_id, "kind": r.kind, "amount": r.amount, "sale_id": r.sale_id,
                     "store_day": r.store_day, "created_at": r.created_at,
                     "confirmed": r.movement_id in confirmed_ids} for r in rows)
    pending_sum = sum(r.amount for r in pending)
    return Account(account, account_kind, confirmed + pending_sum, confirmed, pending_sum,
                   date.fromisoformat(expires) if expires else None,
                   known=snap is not None or bool(issued) or account_kind == STORE_CREDIT, movements=history)


def exposure(session: Session, account: str, terminal_id: str, day: date) -> int:
    """What the account paid at this terminal that the offline cap counts (a positive amount): its redemptions
    here on store day `day`, and every earlier one HQ has not confirmed yet (so a clock moved a day ahead does
    not open a new day of exposure, as for points: docs/core.md, "Offline")."""
    snap = snapshot(session, account)
    confirmed = set(snap["movements"]) if snap else set()
    rows = session.execute(select(GiftMovement.movement_id, GiftMovement.amount, GiftMovement.store_day).where(
        GiftMovement.account == account, GiftMovement.kind == "redeem", GiftMovement.terminal_id == terminal_id))
    return -sum(int(amount) for mid, amount, store_day in rows
                if store_day == day.isoformat() or mid not in confirmed)


def keep_snapshots(session: Session, balances: list[dict[str, Any]], confirmed_at: str) -> int:
    """Keep HQ's confirmed balances (`WireGiftBalance` bodies) as the accounts' bases; returns how many."""
    for body in balances:
        row = session.get(GiftSnapshot, body["account"])
        text = json.dumps(body, sort_keys=True)
        if row is None:
            session.add(GiftSnapshot(account=body["account"], body=text, confirmed_at=confirmed_at))
        else:
            row.body, row.confirmed_at = text, confirmed_at
    session.flush()
    return len(balances)


def issued_by_sale(session: Session, sale_id: str) -> list[GiftMovement]:
    """The money a sale put on cards: its `issue` (a new card) and `load` (an existing one) movements, by line."""
    return list(session.scalars(select(GiftMovement).where(GiftMovement.sale_id == sale_id,
                                                           GiftMovement.kind.in_(("issue", "load")))
                                .order_by(GiftMovement.line_no, GiftMovement.movement_id)))


def voided_by_refunds(session: Session, sale_id: str) -> Counter[str]:
    """How many loads of each card the refunds of sale `sale_id` already took back."""
    refunds = select(Sale.sale_id).where(Sale.refund_of == sale_id)
    return Counter(session.scalars(select(GiftMovement.account).where(GiftMovement.kind == "void",
                                                                      GiftMovement.sale_id.in_(refunds))))


def outstanding(session: Session, day: date) -> dict[str, int]:
    """The money this terminal knows to be held on gift cards and on store credit, by account kind, on store
    date `day` (the KPIs' liability): every account's balance as `account_state` gives it, a card past its last
    paying day left out. HQ's pull sends every card's balance, so a terminal that syncs knows the chain's."""
    kinds = dict(session.execute(select(GiftMovement.account, GiftMovement.account_kind).distinct()).tuples().all())
    for body in session.scalars(select(GiftSnapshot.body)):
        snap = json.loads(body)
        kinds.setdefault(snap["account"], snap["account_kind"])
    totals = {GIFT_CARD: 0, STORE_CREDIT: 0}
    for account, kind in kinds.items():
        state = account_state(session, account, kind)
        if state.expires_on is None or state.expires_on >= day:
            totals[kind] = totals.get(kind, 0) + max(state.balance, 0)
    return totals
