"""Gift cards and store credit at HQ: the authoritative balance, each pushed movement checked against it.

A movement (`sync.protocol.WireGiftMovement`) is stored once under its id (a retry with the same body is a
duplicate; another body under the same id a conflict), only from the terminal that wrote it, and only when:

- its amount has its kind's sign (`pos_client.ledger_kinds.GIFT_MOVEMENT_SIGNS`);
- an `issue` names a card HQ does not hold yet; an `issue` or a `load` is within the `gift_cards` load range of
  the newest program HQ published; every other movement names an account HQ holds (store credit is opened by its first `refund`);
- a debit (`redeem`, `void`, `expire`) leaves the account at zero or above: **overspending is refused**
  (`sync.gift_overspent`), so HQ's balance never goes below zero. Two terminals offline may both take the same
  money: the second to push is refused and its sale stays, with the refusal, on the manager's list; the
  program's `offline_daily_cap` bounds what one terminal can take from a card while HQ cannot confirm it;
- a `redeem` is made on or before the card's last paying day, an `expire` after it.

The account's row is read `FOR UPDATE` on PostgreSQL, so two terminals pushing debits on one card at once are
checked one after the other. Each accepted movement adds a `giftcard` change for every terminal (a card pays in
any store), which the pull answers with the account's balance and the ids it sums (`balances`).
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pos_client.ledger_kinds import GIFT_MOVEMENT_SIGNS
from pos_client.program.schema import Program
from sync import refusals as R
from sync.hq.models import HqGiftAccount, HqGiftMovement, HqProgram
from sync.protocol import WireGiftBalance, WireGiftMovement
from sync.refusals import Refusal, refuse

_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def canonical(movement: WireGiftMovement) -> str:
    return _CANONICAL.encode(movement.model_dump(mode="json"))


def stored_body(session: Session, movement_id: str) -> str | None:
    row = session.get(HqGiftMovement, movement_id)
    return row.body if row is not None else None


def check(session: Session, m: WireGiftMovement, program: Program | None) -> Refusal | None:
    """Why HQ refuses the movement, or None; reads (and on PostgreSQL locks) the account's row."""
    key = m.movement_id
    if m.amount == 0 or (m.amount > 0) != (GIFT_MOVEMENT_SIGNS[m.kind] > 0):
        return refuse(R.GIFT_SIGN, key=key, kind=m.kind, amount=m.amount)
    account = session.get(HqGiftAccount, m.account, with_for_update=True)
    section = program.gift_cards if program else None
    if m.kind in ("issue", "load") and (m.account_kind != "gift_card" or section is None
                                        or not section.load_ok(m.amount)):
        return refuse(R.GIFT_LOAD, key=key, amount=m.amount, min=section.min_load if section else 0,
                      max=section.max_load if section else 0)
    if m.kind == "issue":
        if account is not None:
            return refuse(R.GIFT_EXISTS, key=key, account=m.account)
        return None
    if account is None:
        if m.account_kind == "store_credit" and m.kind == "refund":
            return None
        return refuse(R.GIFT_UNKNOWN, key=key, account=m.account)
    if m.kind == "redeem" and account.expires_on and m.store_day > account.expires_on:
        return refuse(R.GIFT_EXPIRED, key=key, account=m.account, expires_on=account.expires_on)
    if m.kind == "expire" and (account.expires_on is None or m.store_day <= account.expires_on):
        return refuse(R.GIFT_NOT_EXPIRED, key=key, account=m.account, expires_on=account.expires_on or "-")
    if account.balance + m.amount < 0:
        return refuse(R.GIFT_OVERSPENT, key=key, account=m.account, balance=account.balance, amount=-m.amount)
    return None


def accept(session: Session, m: WireGiftMovement, body: str) -> None:
    """Store the checked movement and move its account's balance (in the push's transaction)."""
    account = session.get(HqGiftAccount, m.account)
    if account is None:
        session.add(HqGiftAccount(account=m.account, account_kind=m.account_kind, balance=m.amount,
                                  expires_on=m.expires_on, issued_by=m.terminal_id))
    else:
        account.balance += m.amount
    session.add(HqGiftMovement(movement_id=m.movement_id, account=m.account, terminal_id=m.terminal_id,
                               amount=m.amount, body=body))
    session.flush()


def newest_program_version(session: Session) -> int | None:
    return session.scalar(select(func.max(HqProgram.version)))


def balances(session: Session, accounts: list[str]) -> list[WireGiftBalance]:
    """HQ's confirmed state of `accounts` (those it holds), with the ids of the movements each balance sums."""
    out: list[WireGiftBalance] = []
    for start in range(0, len(accounts), 900):
        chunk = accounts[start:start + 900]
        ids: dict[str, list[str]] = {a: [] for a in chunk}
        for account, movement_id in session.execute(select(HqGiftMovement.account, HqGiftMovement.movement_id)
                                                    .where(HqGiftMovement.account.in_(chunk))):
            ids[account].append(movement_id)
        for row in session.scalars(select(HqGiftAccount).where(HqGiftAccount.account.in_(chunk))):
            out.append(WireGiftBalance(account=row.account, account_kind=row.account_kind,  # type: ignore[arg-type]
                                       balance=row.balance, expires_on=row.expires_on,
                                       movements=sorted(ids[row.account])))
    return out


def show(session: Session, account: str) -> dict[str, Any] | None:
    """An account as HQ holds it (`kupa-hq giftcard show`), or None."""
    found = balances(session, [account])
    return found[0].model_dump(mode="json") if found else None
