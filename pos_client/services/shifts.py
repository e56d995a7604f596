"""Shifts: a till session opened with a cash float, cash put in or taken out with a reason, an X report at
any time, and a Z report at the close with the cash counted, what was expected, and the difference.

The rules (README, "Payments and shifts"):

- One shift is open on a terminal at a time. Opening, closing and moving cash take a manager's PIN and are
  written to the audit log.
- **Cash needs an open shift**: a sale or refund with a cash tender is refused while no shift is open (the
  drawer's money must belong to someone's count). A card-only sale is accepted without one and belongs to no
  shift; while a shift is open every sale and refund belongs to it (`sale_shifts`), whatever its tenders.
- Expected cash = float + cash sales (net of change) − cash refunds + cash in − cash out; `over_short` =
  counted − expected (negative: the drawer is short).
- The Z report is computed once, at the close, and kept as it was (`shift_closes.report`): `show()` returns
  it unchanged, so a reprint is the report the manager signed, never a recomputation.
- Points issued are the points the shift's sales earned (refunds' reversals listed apart); points redeemed
  are those spent on its sales (refunds' returns apart). Voids are the audit log's `void` rows in the shift's
  time span (the staff work records them).

`report_lines()` renders a report as text lines in English or Hebrew, for the CLI, the app and a printer.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from pos_client.db.models import AuditEntry, Sale, SaleShift, Shift, ShiftClose, ShiftEvent, Tender
from pos_client.errors import InvalidInputError, KupaError, NotFoundError, StateError
from pos_client.ids import new_id
from pos_client.messages import DEFAULT_CURRENCY, message
from pos_client.services import audit, clock, voids
from pos_client.services.auth import authenticate
from pos_client.services.manager_actions import check_reason
from pos_client.services.programs import program_at
from pos_client.tender import TenderKind
from pos_client.terminal import Terminal
from pos_client.timeutil import to_iso, utcnow

#: The largest float, cash movement or count accepted (minor units): ₪1,000,000.00, far above any drawer.
MAX_CASH = 100_000_000
#: The audit actions counted as voids in a shift's span.
VOID_ACTIONS = (voids.VOID_LINE, voids.VOID_SALE)

ALREADY_OPEN = message("shift.already_open", en="a shift is already open (since {opened_at}); close it first",
                       he="משמרת כבר פתוחה (מאז {opened_at}); סגרו אותה קודם")
NONE_OPEN = message("shift.none_open", en="no shift is open: open one with 'kupa shift open --float AMOUNT'",
                    he="אין משמרת פתוחה: פתחו אחת עם 'kupa shift open --float AMOUNT'")
CASH_NEEDS_SHIFT = message("shift.cash_needs_shift",
                           en="cash needs an open shift: open one with 'kupa shift open --float AMOUNT', or "
                              "pay by card",
                           he="תשלום במזומן דורש משמרת פתוחה: פתחו אחת עם 'kupa shift open --float AMOUNT', "
                              "או שלמו בכרטיס")
NO_SHIFT = message("shift.not_found", en="no shift with id '{shift_id}'", he="אין משמרת שמספרה '{shift_id}'")
BAD_CASH = message("shift.bad_amount", en="{what} must be a whole number of minor units from {low} to {high}",
                   he="{what} חייב להיות מספר שלם של יחידות מטבע בין {low} ל־{high}")
CASH_OUT_TOO_MUCH = message("shift.cash_out_too_much",
                            en="only {expected:money} is expected in the drawer; cannot take out {amount:money}",
                            he="במגירה צפויים רק {expected:money}; אי אפשר להוציא {amount:money}")


@dataclass(frozen=True)
class ShiftInfo:
    shift_id: str
    opened_at: str
    float_amount: int


def check_cash(amount: int, what: str, low: int = 0) -> int:
    """A float, a cash movement or a count: whole minor units within [`low`, `MAX_CASH`]."""
    if isinstance(amount, bool) or not isinstance(amount, int) or not low <= amount <= MAX_CASH:
        raise InvalidInputError(BAD_CASH, what=what, low=low, high=MAX_CASH)
    return amount


def open_shift_row(session: Session) -> Shift | None:
    """The shift open on this terminal (the newest without a close), if any."""
    return session.scalars(select(Shift).outerjoin(ShiftClose, ShiftClose.shift_id == Shift.shift_id)
                           .where(ShiftClose.shift_id.is_(None)).order_by(Shift.opened_at.desc()).limit(1)).first()


def the_open_shift(session: Session) -> Shift:
    """The shift open on this terminal, which moving cash, an X report and closing need (`shift.none_open`)."""
    shift = open_shift_row(session)
    if shift is None:
        raise StateError(NONE_OPEN)
    return shift


def shift_for_sale(session: Session, tenders: Any) -> str | None:
    """The shift a sale or refund being recorded belongs to; refused when it moves cash and none is open."""
    shift = open_shift_row(session)
    if shift is None and any(t.kind is TenderKind.CASH for t in tenders):
        raise StateError(CASH_NEEDS_SHIFT)
    return shift.shift_id if shift else None


def open_shift(terminal: Terminal, float_amount: int, manager_pin: str) -> ShiftInfo:
    """Open a shift with `float_amount` in the drawer."""
    float_amount = check_cash(float_amount, "--float")
    now = utcnow()
    with terminal.unit_of_work() as session:
        clock.guard(session, now)
        manager = authenticate(session, manager_pin, role="manager")
        current = open_shift_row(session)
        if current is not None:
            raise StateError(ALREADY_OPEN, opened_at=current.opened_at)
        shift = Shift(shift_id=new_id(), terminal_id=terminal.settings.terminal_id, opened_at=to_iso(now),
                      opened_by=manager.user_id, float_amount=float_amount)
        session.add(shift)
        audit.record(session, now, manager.user_id, "shift_open", shift.shift_id, "shift opened",
                     {"float": float_amount})
        return ShiftInfo(shift.shift_id, shift.opened_at, float_amount)


def move_cash(terminal: Terminal, kind: str, amount: int, reason: str, manager_pin: str) -> dict[str, Any]:
    """Put cash into (`cash_in`) or take it out of (`cash_out`) the open shift's drawer, with the reason."""
    assert kind in ("cash_in", "cash_out")
    amount = check_cash(amount, "AMOUNT", low=1)
    reason = check_reason(reason)
    now = utcnow()
    with terminal.unit_of_work() as session:
        clock.guard(session, now)
        manager = authenticate(session, manager_pin, role="manager")
        shift = the_open_shift(session)
        if kind == "cash_out":
            expected = _figures(session, shift, now)["expected_cash"]
            if amount > expected:
                raise StateError(CASH_OUT_TOO_MUCH, expected=expected, amount=amount)
        event = ShiftEvent(event_id=new_id(), shift_id=shift.shift_id, kind=kind, amount=amount, reason=reason,
                           user_id=manager.user_id, created_at=to_iso(now))
        session.add(event)
        audit.record(session, now, manager.user_id, f"shift_{kind}", shift.shift_id, reason, {"amount": amount})
        return {"shift_id": shift.shift_id, "event_id": event.event_id, "kind": kind, "amount": amount,
                "reason": reason}


def is_open(terminal: Terminal) -> bool:
    """Whether a shift is open (the till's payment dialog takes cash only then)."""
    with terminal.read() as session:
        return open_shift_row(session) is not None


def store_zone(terminal: Terminal) -> str | None:
    """The store's time zone (the program's), for showing a report's times; None before any program."""
    try:
        with terminal.read() as session:
            return program_at(session, utcnow()).timezone
    except KupaError:
        return None


def x_report(terminal: Terminal) -> dict[str, Any]:
    """The open shift's figures so far (an X report: nothing is written or closed)."""
    now = utcnow()
    with terminal.read() as session:
        shift = the_open_shift(session)
        return _figures(session, shift, now)


def close_shift(terminal: Terminal, counted: int, manager_pin: str) -> dict[str, Any]:
    """Close the open shift with the cash `counted` in the drawer; returns the Z report, which is kept."""
    counted = check_cash(counted, "--counted")
    now = utcnow()
    with terminal.unit_of_work() as session:
        clock.guard(session, now)
        manager = authenticate(session, manager_pin, role="manager")
        shift = the_open_shift(session)
        report = _figures(session, shift, now)
        report.update(kind="Z", closed_at=to_iso(now), closed_by=manager.user_id, counted=counted,
                      over_short=counted - report["expected_cash"])
        session.add(ShiftClose(shift_id=shift.shift_id, closed_at=report["closed_at"], closed_by=manager.user_id,
                               counted=counted, expected_cash=report["expected_cash"],
                               over_short=report["over_short"], report=json.dumps(report, ensure_ascii=False)))
        audit.record(session, now, manager.user_id, "shift_close", shift.shift_id, "shift closed",
                     {"counted": counted, "expected_cash": report["expected_cash"],
                      "over_short": report["over_short"]})
        return report


def show(terminal: Terminal, shift_id: str) -> dict[str, Any]:
    """A closed shift's Z report as it was kept, or the open shift's X report."""
    with terminal.read() as session:
        closed = session.get(ShiftClose, (shift_id or "").strip())
        if closed is not None:
            kept: dict[str, Any] = json.loads(closed.report)
            return kept
        shift = session.get(Shift, (shift_id or "").strip())
        if shift is None:
            raise NotFoundError(NO_SHIFT, shift_id=shift_id)
        return _figures(session, shift, utcnow())


def list_shifts(terminal: Terminal, limit: int = 50) -> list[dict[str, Any]]:
    """The newest shifts first, with their close figures when closed."""
    with terminal.read() as session:
        rows = session.execute(select(Shift, ShiftClose).outerjoin(ShiftClose, ShiftClose.shift_id == Shift.shift_id)
                               .order_by(Shift.opened_at.desc()).limit(max(1, min(limit, 500))))
        return [{"shift_id": s.shift_id, "opened_at": s.opened_at, "float": s.float_amount,
                 "closed_at": c.closed_at if c else None, "counted": c.counted if c else None,
                 "over_short": c.over_short if c else None} for s, c in rows]


def _currency(session: Session, now: datetime) -> str:
    try:
        return program_at(session, now).currency
    except KupaError:
        return DEFAULT_CURRENCY


def _figures(session: Session, shift: Shift, now: datetime) -> dict[str, Any]:
    """Every figure of a shift's report, summed by SQL over the shift's own rows."""
    in_shift = select(SaleShift.sale_id).where(SaleShift.shift_id == shift.shift_id)
    is_sale = Sale.kind == "sale"
    totals = session.execute(select(
        func.count().filter(is_sale), func.coalesce(func.sum(case((is_sale, Sale.total), else_=0)), 0),
        func.count().filter(~is_sale), func.coalesce(func.sum(case((~is_sale, Sale.total), else_=0)), 0),
        func.coalesce(func.sum(case((is_sale, Sale.points_earned), else_=0)), 0),
        func.coalesce(func.sum(case((~is_sale, -Sale.points_earned), else_=0)), 0),
        func.coalesce(func.sum(case((is_sale, Sale.redeemed_points), else_=0)), 0),
        func.coalesce(func.sum(case((~is_sale, Sale.redeemed_points), else_=0)), 0),
    ).where(Sale.sale_id.in_(in_shift))).one()
    tenders: dict[str, dict[str, int]] = {}
    change = 0
    for kind, sale_kind, amount, change_given in session.execute(
            select(Tender.kind, Sale.kind, func.sum(Tender.amount), func.sum(Tender.change_given))
            .join(Sale, Sale.sale_id == Tender.sale_id).where(Tender.sale_id.in_(in_shift))
            .group_by(Tender.kind, Sale.kind).order_by(Tender.kind)):
        row = tenders.setdefault(kind, {"sales": 0, "refunds": 0, "net": 0})
        row["sales" if sale_kind == "sale" else "refunds"] += int(amount)
        row["net"] += int(amount) if sale_kind == "sale" else -int(amount)
        change += int(change_given or 0)
    moves: list[dict[str, Any]] = [{"kind": e.kind, "amount": e.amount, "reason": e.reason, "at": e.created_at, "user_id": e.user_id}
             for e in session.scalars(select(ShiftEvent).where(ShiftEvent.shift_id == shift.shift_id)
                                      .order_by(ShiftEvent.created_at, ShiftEvent.event_id))]
    cash_in = sum(m["amount"] for m in moves if m["kind"] == "cash_in")
    cash_out = sum(m["amount"] for m in moves if m["kind"] == "cash_out")
    cash_net = tenders.get(TenderKind.CASH.value, {}).get("net", 0)
    voids = session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.action.in_(VOID_ACTIONS), AuditEntry.created_at >= shift.opened_at,
        AuditEntry.created_at <= to_iso(now))) or 0
    return {
        "kind": "X", "shift_id": shift.shift_id, "terminal_id": shift.terminal_id, "currency": _currency(session, now),
        "opened_at": shift.opened_at, "opened_by": shift.opened_by, "at": to_iso(now),
        "closed_at": None, "closed_by": None, "float": shift.float_amount,
        "sales": {"count": int(totals[0]), "total": int(totals[1])},
        "refunds": {"count": int(totals[2]), "total": int(totals[3])},
        "tenders": tenders, "change_given": change,
        "cash_in": cash_in, "cash_out": cash_out, "cash_moves": moves,
        "expected_cash": shift.float_amount + cash_net + cash_in - cash_out,
        "counted": None, "over_short": None, "voids": int(voids),
        "points": {"issued": int(totals[4]), "reversed": int(totals[5]), "redeemed": int(totals[6]),
                   "returned": int(totals[7])},
    }
