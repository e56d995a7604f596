"""Finding recorded sales: one sale by its receipt number or id, and the sales of a period or a member.

`kupa sale show REF` and `kupa sale list` read through here; the sale itself is resolved by the one resolver,
`pos_client.sales.find_sale` (receipt number, id, or a unique prefix of an id). Dates are the store's local
dates (the program's time zone), both ends included, as the audit log and the reports count them.
"""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select

from pos_client.db.models import Sale, SaleLine
from pos_client.errors import InvalidInputError
from pos_client.reports.kpis import RANGE_BACKWARDS
from pos_client.sales import find_sale
from pos_client.services import staff
from pos_client.services.members import identify
from pos_client.services.programs import program_at
from pos_client.terminal import Terminal
from pos_client.timeutil import from_iso, store_zone, to_iso, utcnow

#: The most sales `list_sales` returns (newest first); `truncated` says when there were more.
LIST_LIMIT = 5000


def _summary(sale: Sale, names: dict[str, str], zone: str) -> dict[str, Any]:
    local = from_iso(sale.created_at).astimezone(store_zone(zone))
    return {"receipt_no": sale.receipt_no, "sale_id": sale.sale_id, "kind": sale.kind,
            "refund_of": sale.refund_of, "created_at": sale.created_at, "local_time": local.isoformat(),
            "when": local.strftime("%Y-%m-%d %H:%M"),
            "member_id": sale.member_id, "cashier_id": sale.cashier_id,
            "cashier": names.get(sale.cashier_id or ""), "currency": sale.currency, "subtotal": sale.subtotal,
            "discount_total": sale.discount_total, "redeemed_points": sale.redeemed_points,
            "redeemed_value": sale.redeemed_value, "total": sale.total, "points_earned": sale.points_earned}


def show_sale(terminal: Terminal, ref: str) -> dict[str, Any]:
    """The sale or refund `ref` names, with its lines and, for a sale, its refunds' receipt numbers."""
    with terminal.read() as session:
        zone = program_at(session, utcnow()).timezone
        sale = find_sale(session, ref)
        data = _summary(sale, staff.names(session), zone)
        data["lines"] = [{"line_no": line.line_no, "sku": line.sku, "name": line.name, "qty": line.qty,
                          "unit_price": line.unit_price, "amount": line.amount, "paid": line.paid,
                          "refund_line_of": line.refund_line_of}
                         for line in session.scalars(select(SaleLine).where(SaleLine.sale_id == sale.sale_id)
                                                     .order_by(SaleLine.line_no))]
        data["refunds"] = [r.receipt_no or r.sale_id for r in session.scalars(
            select(Sale).where(Sale.refund_of == sale.sale_id).order_by(Sale.created_at))]
        if sale.refund_of:
            original = session.get(Sale, sale.refund_of)
            data["refund_of_receipt_no"] = original.receipt_no if original else None
        try:
            data["explain"] = [str(x) for x in json.loads(sale.quote or "{}").get("explain", [])]
        except ValueError:
            data["explain"] = []
        return data


def list_sales(terminal: Terminal, *, date_from: date | None = None, date_to: date | None = None,
               member: str | None = None, limit: int = LIST_LIMIT) -> dict[str, Any]:
    """Sales and refunds recorded between the store dates (inclusive) and/or of one member, newest first."""
    if date_from and date_to and date_from > date_to:
        raise InvalidInputError(RANGE_BACKWARDS, date_from=date_from, date_to=date_to)
    with terminal.read() as session:
        zone = program_at(session, utcnow()).timezone
        tz = store_zone(zone)
        query = select(Sale)
        if member:
            query = query.where(Sale.member_id == identify(session, member).member.member_id)
        if date_from:
            query = query.where(Sale.created_at >= to_iso(datetime.combine(date_from, time(0), tzinfo=tz)))
        if date_to:
            query = query.where(Sale.created_at < to_iso(datetime.combine(date_to + timedelta(days=1), time(0),
                                                                          tzinfo=tz)))
        rows = session.scalars(query.order_by(Sale.created_at.desc(), Sale.sale_id.desc()).limit(limit + 1)).all()
        names = staff.names(session)
        sales = [_summary(sale, names, zone) for sale in rows[:limit]]
    return {"sales": sales, "count": len(sales), "truncated": len(rows) > limit}
