"""Member cards after enrolment: a new card for an existing member, and revoking one (lost, stolen).

A new card's token spends the member's points, so minting one is guarded like spending (DESIGN.md, "Member
cards"): it needs a manager's PIN or the member's current card (its signed token, verified here) — a phone
number, a member id or a card number alone never does. The first card, handed out at enrolment
(`members.enrol`), needs neither. Every new card is audited (`card_reissue`, with who allowed it and how).

Issuing is atomic: the old card stays valid unless the new one was written out. With a file to write,
`issue_new_card` renders the card and writes it to a temporary file beside the target *inside* the unit of
work that revokes the old cards and issues the new one; only when that file is on disk does the transaction
commit, and only then is the file moved into place (a rename in the same folder). An unwritable path, a
full disk or a crash before the commit leaves the database as it was and no stray file.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from pos_client.db.models import Card, OutboxRow
from pos_client.errors import AuthError, InvalidInputError, NotFoundError, StateError, StorageError
from pos_client.messages import message
from pos_client.services import clock
from pos_client.services import audit
from pos_client.services.auth import authenticate
from pos_client.services.members import identify, issue_card
from pos_client.terminal import Terminal
from pos_client.timeutil import to_iso, utcnow

NO_CARD = message("card.not_found", en="no card with number '{card}'", he="אין כרטיס שמספרו '{card}'")
CARD_ALREADY_REVOKED = message("card.already_revoked", en="card {card} was already revoked",
                               he="הכרטיס {card} כבר בוטל")
CARD_NEEDS_AUTH = message(
    "card.issue_needs_auth",
    en="A new card for {member_id} needs a manager PIN or the member's current card (scan its QR code): "
       "nothing was changed",
    he="כרטיס חדש עבור {member_id} דורש קוד מנהל או את הכרטיס הנוכחי של החבר (סריקת קוד ה-QR): לא בוצע שינוי")
CARD_WRITE_FAILED = message(
    "card.write_failed",
    en="Cannot write the card to {path} ({error}): nothing was changed, the member's card is still valid",
    he="לא ניתן לכתוב את הכרטיס אל {path} ({error}): לא בוצע שינוי, הכרטיס של החבר עדיין בתוקף")
CARD_MOVE_FAILED = message(
    "card.move_failed",
    en="The new card was issued and written to {temp}, but could not be moved to {path} ({error})",
    he="הכרטיס החדש הונפק ונכתב אל {temp}, אך לא ניתן היה להעביר אותו אל {path} ({error})")

#: What the audit row says when no reason is given.
DEFAULT_REASON = "new card"


@dataclass(frozen=True)
class IssuedCard:
    """A new card (the earlier ones are revoked); `token` is the QR payload to print."""

    member_id: str
    name: str
    card_number: str
    serial: int
    token: str
    issued: date
    revoked: tuple[str, ...]
    authorized_by: str  # manager_pin | card_token
    file: Path | None = None


def issue_new_card(terminal: Terminal, member_code: str, *, manager_pin: str | None = None,
                   reason: str | None = None, out: Path | None = None,
                   render: Callable[[IssuedCard], bytes] | None = None) -> IssuedCard:
    """Revoke `member_code`'s active cards and issue a new one, allowed by `manager_pin` or by `member_code`
    being the member's current card token; audited. With `out` (and `render`, the file's bytes for the new
    card), the card is written there atomically (module docstring)."""
    reason = " ".join((reason or "").split())[:200] or DEFAULT_REASON
    if out is not None and (render is None or out.is_dir()):
        raise InvalidInputError(CARD_WRITE_FAILED, path=str(out), error="a folder" if out.is_dir() else "no format")
    now = utcnow()
    temp: Path | None = None
    try:
        with terminal.unit_of_work() as session:
            clock.guard(session, now)
            found = identify(session, member_code)
            manager_id = authenticate(session, manager_pin, role="manager").user_id if manager_pin else None
            if manager_id is None and not (found.via == "token" and found.can_spend):
                raise AuthError(CARD_NEEDS_AUTH, member_id=found.member.member_id)
            issued = _issue(terminal, session, now, found.member.member_id, found.member.name, reason, manager_id)
            if out is not None and render is not None:
                issued = replace(issued, file=out)
                temp = _write_beside(out, render(issued))
    except BaseException:
        if temp is not None:
            temp.unlink(missing_ok=True)
        raise
    if temp is not None and out is not None:
        try:
            os.replace(temp, out)
        except OSError as exc:
            raise StorageError(CARD_MOVE_FAILED, temp=str(temp), path=str(out), error=exc.strerror or exc) from exc
    return issued


def _issue(terminal: Terminal, session: Session, now: datetime, member_id: str, name: str, reason: str,
           manager_id: str | None) -> IssuedCard:
    old = list(session.scalars(select(Card).where(Card.member_id == member_id, Card.revoked_at.is_(None))))
    authorized_by = "manager_pin" if manager_id else "card_token"
    audit_id = _record_decision(session, now, manager_id, "card_reissue", member_id, reason,
                                {"revoked": [c.card_number for c in old], "authorized_by": authorized_by})
    card, token = issue_card(terminal, session, member_id, now, audit_id=audit_id if manager_id else None)
    for revoked in old:
        revoked.revoked_reason = reason
        session.add(OutboxRow(kind="card", ref_id=revoked.card_number, created_at=to_iso(now), payload=json.dumps(
            {"card_number": revoked.card_number, "member_id": revoked.member_id, "serial": revoked.serial,
             "revoked_at": revoked.revoked_at, "reason": reason, "audit_id": audit_id if manager_id else None})))
    return IssuedCard(member_id, name, card.card_number, card.serial, token, now.date(),
                      tuple(c.card_number for c in old), authorized_by)


def _write_beside(out: Path, data: bytes) -> Path:
    """`data` in a new temporary file in `out`'s folder, on disk (fsync) before this returns."""
    try:
        handle, name = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".tmp")
    except OSError as exc:
        raise InvalidInputError(CARD_WRITE_FAILED, path=str(out), error=exc.strerror or str(exc)) from exc
    temp = Path(name)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
    except OSError as exc:
        temp.unlink(missing_ok=True)
        raise InvalidInputError(CARD_WRITE_FAILED, path=str(out), error=exc.strerror or str(exc)) from exc
    return temp


def revoke_card(terminal: Terminal, card_number: str, manager_pin: str, reason: str) -> Card:
    """Revoke one card (a manager action), audited, queued for HQ."""
    now = utcnow()
    with terminal.unit_of_work() as session:
        manager = authenticate(session, manager_pin, role="manager")
        card = session.get(Card, (card_number or "").strip().upper())
        if card is None:
            raise NotFoundError(NO_CARD, card=card_number)
        if card.revoked_at:
            raise StateError(CARD_ALREADY_REVOKED, card=card.card_number)
        card.revoked_at, card.revoked_reason = to_iso(now), reason
        audit_id = _record_decision(session, now, manager.user_id, "card_revoke", card.card_number, reason,
                                    {"member_id": card.member_id})
        session.add(OutboxRow(kind="card", ref_id=card.card_number, payload=json.dumps(
            {"card_number": card.card_number, "member_id": card.member_id, "serial": card.serial,
             "revoked_at": card.revoked_at, "reason": reason, "audit_id": audit_id}), created_at=to_iso(now)))
        return card


def _record_decision(session: Session, now: datetime, user_id: str | None, action: str, target: str,
                     reason: str, details: dict[str, object]) -> str:
    """Audit a decision about cards; a manager's is also queued for HQ *before* the cards that name it
    (`audit_id`): HQ lets a counter revoke or replace another counter's card only with it (sync.hq.validate).
    A reissue the member allowed with their own card (no manager) is audited here only."""
    return audit.record(session, now, user_id, action, target, reason, details, queue=user_id is not None)
