"""The manager's read-only lists: the audit log, one sale's detail, the KPIs for the dashboard — no Qt.

`audit_log()` filters by manager, action kind and a range of store dates (both inclusive, like the KPI range).
`sale_detail()` is what the member status screen opens from a ledger row: the sale as recorded (its stored
quote's explanation), its lines with what is left to refund, and its refunds. `dashboard()` computes the KPIs
and series for a range in one read (the dashboard calls it on the worker), and `export_csv()` writes them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select

from pos_client.db.models import AuditEntry, Sale, SaleLine, Staff
from pos_client.errors import InvalidInputError, NotFoundError
from pos_client.reports import Kpis, compute_kpis, tiers, write_figures_csv, write_members_csv
from pos_client.reports.kpis import RANGE_BACKWARDS
from pos_client.sales import NO_SALE, find_sale
from pos_client.services import staff
from pos_client.services.programs import program_at
from pos_client.services.refunds import refunded_units
from pos_client.terminal import Terminal
from pos_client.timeutil import from_iso, store_zone, to_iso, utcnow

AUDIT_LIMIT = 2000


@dataclass(frozen=True)
class AuditRow:
    """One audit entry; `when` in the store's local time."""

    audit_id: str
    when: str
    user_id: str | None
    user_name: str | None
    action: str
    target: str | None
    reason: str | None
    details: dict[str, Any]


@dataclass(frozen=True)
class AuditFilters:
    """What the audit viewer's filters offer: managers (id, name) and the action kinds recorded."""

    managers: tuple[tuple[str, str], ...]
    actions: tuple[str, ...]


@dataclass(frozen=True)
class SaleLineInfo:
    line_no: int
    sku: str
    name: str
    qty: int
    paid: int
    refunded: int


@dataclass(frozen=True)
class SaleDetail:
    """A recorded sale as the manager opens it; money in minor units."""

    sale_id: str
    when: str
    cashier: str | None
    member_id: str | None
    currency: str
    subtotal: int
    discount_total: int
    redeemed_points: int
    redeemed_value: int
    total: int
    points_earned: int
    lines: tuple[SaleLineInfo, ...]
    explain: tuple[str, ...]
    refunds: tuple[tuple[str, str, int], ...]  # (refund's receipt number or id, when, money back)
    receipt_no: str | None = None

    @property
    def refundable(self) -> bool:
        return any(line.qty > line.refunded for line in self.lines)


def _zone(terminal: Terminal) -> str:
    with terminal.read() as session:
        return program_at(session, utcnow()).timezone


def _local(stamp: str, zone: str) -> str:
    return from_iso(stamp).astimezone(store_zone(zone)).strftime("%Y-%m-%d %H:%M")


def audit_filters(terminal: Terminal) -> AuditFilters:
    """Managers and action kinds for the audit viewer's filters."""
    with terminal.read() as session:
        managers = tuple((str(sid), name) for sid, name in session.execute(
            select(Staff.staff_id, Staff.name).where(Staff.role == "manager").order_by(Staff.name)))
        actions = tuple(session.scalars(select(AuditEntry.action).distinct().order_by(AuditEntry.action)))
    return AuditFilters(managers, actions)


def audit_log(terminal: Terminal, *, user_id: str | None = None, action: str | None = None,
              date_from: date | None = None, date_to: date | None = None, limit: int = AUDIT_LIMIT) -> list[AuditRow]:
    """Audit entries, newest first, filtered by user, action and store dates (inclusive)."""
    if date_from and date_to and date_from > date_to:
        raise InvalidInputError(RANGE_BACKWARDS, date_from=date_from, date_to=date_to)
    zone = _zone(terminal)
    tz = store_zone(zone)
    query = select(AuditEntry)
    if user_id:  # the member's number, or the id rows written before migration 0013 name them by
        query = query.where(AuditEntry.user_id.in_(_ids_of(terminal, user_id)))
    if action:
        query = query.where(AuditEntry.action == action)
    if date_from:
        query = query.where(AuditEntry.created_at >= to_iso(datetime.combine(date_from, time(0), tzinfo=tz)))
    if date_to:
        query = query.where(AuditEntry.created_at < to_iso(datetime.combine(date_to + timedelta(days=1), time(0),
                                                                            tzinfo=tz)))
    query = query.order_by(AuditEntry.created_at.desc()).limit(max(1, min(limit, 10_000)))
    with terminal.read() as session:
        names = staff.names(session)
        rows = []
        for entry in session.scalars(query):
            name = names.get(entry.user_id or "")
            try:
                details = json.loads(entry.details or "{}")
            except ValueError:
                details = {"text": entry.details}
            rows.append(AuditRow(entry.audit_id, _local(entry.created_at, zone), entry.user_id, name, entry.action,
                                 entry.target, entry.reason, details if isinstance(details, dict) else {}))
    return rows


def _ids_of(terminal: Terminal, user_id: str) -> list[str]:
    with terminal.read() as session:
        legacy = session.scalar(select(Staff.legacy_id).where(Staff.staff_id == int(user_id))) \
            if user_id.isdigit() and len(user_id) < 10 else None
    return [user_id, legacy] if legacy else [user_id]


def sale_detail(terminal: Terminal, sale_id: str) -> SaleDetail:
    """The sale `sale_ref` names (a receipt number, an id or a unique prefix: `sales.find_sale`) with its
    lines, what is left to refund, its explanation and its refunds."""
    zone = _zone(terminal)
    with terminal.read() as session:
        sale = find_sale(session, sale_id)
        if sale.kind != "sale":
            raise NotFoundError(NO_SALE, sale_id=sale_id)
        done = refunded_units(session, sale.sale_id)
        lines = tuple(SaleLineInfo(line.line_no, line.sku, line.name, line.qty, line.paid, done.get(line.line_no, 0))
                      for line in session.scalars(select(SaleLine).where(SaleLine.sale_id == sale.sale_id)
                                                  .order_by(SaleLine.line_no)))
        refunds = tuple((r.receipt_no or r.sale_id, _local(r.created_at, zone), r.total) for r in session.scalars(
            select(Sale).where(Sale.refund_of == sale.sale_id).order_by(Sale.created_at)))
        cashier = staff.names(session).get(sale.cashier_id or "")
        try:
            explain = tuple(str(x) for x in json.loads(sale.quote or "{}").get("explain", []))
        except ValueError:
            explain = ()
        return SaleDetail(sale.sale_id, _local(sale.created_at, zone), cashier or sale.cashier_id,
                          sale.member_id, sale.currency, sale.subtotal, sale.discount_total, sale.redeemed_points,
                          sale.redeemed_value, sale.total, sale.points_earned, lines, explain, refunds,
                          sale.receipt_no)


@dataclass(frozen=True)
class DashboardData:
    """The KPIs of a range, and what the program brought: money paid by members and by non-members, and
    the basket uplift: the KPIs' `incremental_sales` (members' money paid minus as many sales at the
    non-members' average basket, docs/kpis.md; None when either group had no sale). Money in minor units."""

    kpis: Kpis
    member_revenue: int
    non_member_revenue: int
    basket_uplift: int | None


def dashboard(terminal: Terminal, date_from: date | None, date_to: date | None,
              now: datetime | None = None) -> DashboardData:
    """The KPIs and chart series for the store dates [date_from, date_to], as `kupa report kpis` computes them."""
    now = now or utcnow()
    tiers.catch_up_all(terminal.unit_of_work, now)  # members by tier counts rows brought up to date
    with terminal.read() as session:
        program = program_at(session, now)
        kpis = compute_kpis(session, date_from, date_to, program.timezone, now=now, program=program)
    member = sum(d.member_paid for d in kpis.sales_per_day)
    other = sum(d.non_member_paid for d in kpis.sales_per_day)
    uplift = kpis.incremental_sales if kpis.member_sales else None
    return DashboardData(kpis, member, other, uplift)


def export_csv(terminal: Terminal, kpis: Kpis, figures_path: Path | None, members_path: Path | None) -> int:
    """Write the figures (and series) and/or the member list as CSV; returns the rows written."""
    rows = 0
    if figures_path is not None:
        rows += write_figures_csv(kpis, figures_path)
    if members_path is not None:
        with terminal.read() as session:
            rows += write_members_csv(session, members_path)
    return rows
