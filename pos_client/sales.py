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
import re
from typing import Any, NotRequired, TypedDict

from sqlalchemy import Integer, cast, func, select
from sqlalchemy.orm import Session

from pos_client.db import driver
from pos_client.db.models import OutboxRow, Sale, SaleLine, SaleShift, Setting, Tender
from pos_client.errors import InvalidInputError, NotFoundError
from pos_client.messages import message
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
    receipt_no: NotRequired[str | None]  # given by `write_sale`
    receipt_seq: NotRequired[int | None]


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


def write_sale(session: Session, sale: SaleRow, lines: Sequence[LineRow], *, receipt_prefix: str,
               quote: Mapping[str, Any] | None = None, reason: str | None = None, tenders: Sequence[TenderLine] = (),
               shift_id: str | None = None) -> None:
    """Write `sale` (a sale or a refund), its lines, its tenders, its shift, its outbox row and its report
    projections.

    The sale takes the terminal's next receipt number here, in the caller's transaction (`next_receipt`):
    `sale["receipt_no"]` and `sale["receipt_seq"]` are set for the caller to show.
    """
    sale["receipt_seq"] = seq = next_receipt_seq(session)
    sale["receipt_no"] = format_receipt(receipt_prefix, seq)
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


# -- receipt numbers ---------------------------------------------------------------------------------------

#: The next receipt number: past every one this terminal's sales hold and past the highest HQ holds from it
#: (`receipt_seq_floor`, set by the sync when the terminal was restored from a backup: docs/sync.md,
#: "Restored terminals"). One read of the receipt index's last key and one of a setting.
_NEXT_RECEIPT = driver.Statement(select(func.max(
    func.coalesce(select(func.max(Sale.receipt_seq)).scalar_subquery(), 0),
    func.coalesce(select(cast(Setting.value, Integer)).where(Setting.key == "receipt_seq_floor").scalar_subquery(),
                  0))))
RECEIPT_DIGITS = 6
_RECEIPT_RE = re.compile(r"^(T[0-9]{1,6})-([0-9]{1,12})$", re.IGNORECASE)
_ID_PREFIX_RE = re.compile(r"^[0-9a-f-]{1,36}$", re.IGNORECASE)
#: The shortest sale id prefix accepted (a shorter one matches too many sales to mean anything).
MIN_ID_PREFIX = 4


def next_receipt_seq(session: Session) -> int:
    row = driver.one(session, _NEXT_RECEIPT, {})
    return int(row[0] if row and row[0] else 0) + 1


def format_receipt(prefix: str, seq: int) -> str:
    """`T1-000123`: the terminal's part and the sequence number, at least `RECEIPT_DIGITS` digits."""
    return f"{prefix}-{seq:0{RECEIPT_DIGITS}d}"


NO_SALE = message("sale.not_found", en="no sale with id '{sale_id}'", he="אין מכירה שמספרה '{sale_id}'")
NO_RECEIPT = message("sale.no_receipt", en="no sale with receipt number {receipt}",
                     he="אין מכירה עם מספר קבלה {receipt}")
AMBIGUOUS_SALE = message("sale.ambiguous",
                         en="'{ref}' is the start of {count} sale ids: type more of the id, or the receipt number",
                         he="'{ref}' הוא תחילתם של {count} מזהי מכירה: הקלידו עוד מהמזהה, או את מספר הקבלה")
SHORT_SALE_REF = message("sale.short_ref",
                         en="'{ref}' is too short: type a receipt number (e.g. T1-000123) or at least {digits} "
                            "characters of the sale id",
                         he="'{ref}' קצר מדי: הקלידו מספר קבלה (למשל T1-000123) או לפחות {digits} תווים ממזהה "
                            "המכירה")


def parse_receipt(ref: str) -> tuple[str, int] | None:
    """(`T1`, 123) for `T1-000123` (any case, any zero padding); None if `ref` is not a receipt number."""
    found = _RECEIPT_RE.match((ref or "").strip())
    if not found:
        return None
    return "T" + str(int(found.group(1)[1:])), int(found.group(2))


def find_sale(session: Session, ref: str) -> Sale:
    """The sale (or refund) `ref` names: a receipt number (`T1-000123`), a sale id, or a unique prefix of one.

    The one resolver behind every command and screen that takes a sale (refund, show, the manager's ledger):
    `NotFoundError` when nothing matches (`sale.no_receipt`, `sale.not_found`), `InvalidInputError` when a
    prefix matches several sales (`sale.ambiguous`, with how many) or is too short to mean one.
    """
    text = (ref or "").strip()
    receipt = parse_receipt(text)
    if receipt is not None:
        prefix, seq = receipt
        sale = session.scalar(select(Sale).where(Sale.receipt_seq == seq))
        stored = parse_receipt(sale.receipt_no or "") if sale is not None else None
        if sale is None or stored is None or stored[0] != prefix:
            raise NotFoundError(NO_RECEIPT, receipt=format_receipt(prefix, seq))
        return sale
    if not text or len(text) > 36 or not _ID_PREFIX_RE.match(text):
        raise NotFoundError(NO_SALE, sale_id=text[:40])
    found = session.get(Sale, text.lower())
    if found is not None:
        return found
    if len(text) < MIN_ID_PREFIX:
        raise InvalidInputError(SHORT_SALE_REF, ref=text, digits=MIN_ID_PREFIX)
    low = text.lower()
    matches = session.scalars(select(Sale).where(Sale.sale_id >= low, Sale.sale_id < low + "\uffff")
                              .order_by(Sale.sale_id).limit(2)).all()
    if not matches:
        raise NotFoundError(NO_SALE, sale_id=text)
    if len(matches) > 1:
        count = session.scalar(select(func.count()).select_from(Sale).where(
            Sale.sale_id >= low, Sale.sale_id < low + "\uffff")) or 0
        raise InvalidInputError(AMBIGUOUS_SALE, ref=text, count=count)
    return matches[0]
