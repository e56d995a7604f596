"""Recording a sale or a refund: its row, its lines, its outbox payload for HQ and its report projections.

A checkout (`pos_client.services.checkout`) and a refund (`pos_client.services.refunds`) both end here, so
both reach HQ with the same body: every column of the `sales` row but the quote (member, cashier, program
version, money and points), its lines, and for a refund the manager's reason. The columns are the models'
(`pos_client.db.models.Sale` and `SaleLine`), so a column added there is written and sent without another
edit. Its tenders (`pos_client.tender`: how the sale was paid, how the refund paid back) travel in the same
body as `tenders` and are written as `tenders` rows; the shift it belongs to (if one is open) as a
`sale_shifts` row, which stays on the terminal. The writes are driver-level statements (`pos_client.db.driver`) in the caller's transaction; sales and
their lines are only ever inserted, never updated.

Order matters to the caller: a sale's row must exist before the ledger entries that name it (a foreign key),
while a refund's report correction reads the reversing entries, so a refund is recorded after them (they
name the refunded sale, not the refund).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any, TypedDict

from sqlalchemy.orm import Session

from pos_client.db import driver
from pos_client.db.models import OutboxRow, Sale, SaleLine, SaleShift, Tender
from pos_client.reports.projection import project_refund, project_sale
from pos_client.tender import Tender as TenderLine


class SaleRow(TypedDict):
    """A `sales` row without its quote (the quote is stored for receipts, not sent)."""

    sale_id: str
    kind: str  # sale | refund
    refund_of: str | None
    terminal_id: str
    cashier_id: str | None
    member_id: str | None
    program_version: int | None
    created_at: str
    currency: str
    subtotal: int
    discount_total: int
    redeemed_points: int
    redeemed_value: int
    total: int
    points_earned: int
    qualifying_spend: int


class LineRow(TypedDict):
    """A `sale_lines` row without its sale id; `free_by_card` and `stamps` as objects (stored as JSON text)."""

    line_no: int
    sku: str
    name: str
    category: str
    kind: str
    qty: int
    unit_price: int
    amount: int
    free_units: int
    free_by_card: Mapping[str, int]
    percent_discount: int
    redeemed_value: int
    paid: int
    stamps: Mapping[str, int]
    refund_line_of: int | None


SALE_COLUMNS = tuple(c.key for c in Sale.__table__.columns if c.key != "quote")
LINE_COLUMNS = tuple(c.key for c in SaleLine.__table__.columns if c.key != "sale_id")
_JSON_LINE_COLUMNS = frozenset({"free_by_card", "stamps"})


def sale_payload(sale: SaleRow, lines: Sequence[LineRow], reason: str | None = None,
                 tenders: Sequence[TenderLine] = ()) -> dict[str, Any]:
    """The outbox body of a sale or refund (`sync.protocol.WireSale`): the row, its lines, its tenders, a
    refund's reason."""
    body: dict[str, Any] = {key: sale[key] for key in SALE_COLUMNS}  # type: ignore[literal-required]
    body["lines"] = [{key: dict(line[key]) if key in _JSON_LINE_COLUMNS else line[key]  # type: ignore[literal-required]
                      for key in LINE_COLUMNS} for line in lines]
    body["tenders"] = [tender.to_json() for tender in tenders]
    if reason is not None:
        body["reason"] = reason
    return body


def write_sale(session: Session, sale: SaleRow, lines: Sequence[LineRow], *,
               quote: Mapping[str, Any] | None = None, reason: str | None = None, tenders: Sequence[TenderLine] = (),
               shift_id: str | None = None) -> None:
    """Write `sale` (a sale or a refund), its lines, its tenders, its shift, its outbox row and its report
    projections."""
    payload = sale_payload(sale, lines, reason, tenders)
    row = {key: payload[key] for key in SALE_COLUMNS}
    row["quote"] = json.dumps(quote or {}, ensure_ascii=False)
    driver.insert(session, Sale, [row])
    driver.insert(session, SaleLine, [
        {**line, "sale_id": sale["sale_id"], "free_by_card": json.dumps(line["free_by_card"]),
         "stamps": json.dumps(line["stamps"])} for line in payload["lines"]])
    if tenders:
        driver.insert(session, Tender, [
            {"sale_id": sale["sale_id"], "line_no": no, "kind": t.kind.value, "amount": t.amount, "given": t.given,
             "change_given": t.change, "reference": t.reference} for no, t in enumerate(tenders, start=1)])
    if shift_id is not None:
        driver.insert(session, SaleShift, [{"sale_id": sale["sale_id"], "shift_id": shift_id}])
    driver.insert(session, OutboxRow, [{
        "kind": "sale", "ref_id": sale["sale_id"], "payload": json.dumps(payload), "created_at": sale["created_at"]}])
    if sale["kind"] == "sale":
        project_sale(session, sale)
    elif sale["refund_of"] is not None:
        project_refund(session, sale["refund_of"])

