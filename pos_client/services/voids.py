"""Voids and no-sales: what leaves no sale behind is still written down, with who and why.

A *void* removes something rung up before the sale was completed: one line (`void_line`) or the whole cart
(`void_sale`). Nothing was sold, so there is no sale row and no ledger entry — which is exactly why it must be
audited: a line rung up, shown to the customer, paid in cash and voided is the classic till fraud, and a shift
report counts voids (`shift` reports read `audit_log` by these action codes). A *no-sale* is the cash drawer
opened without a sale (`no_sale`: change for a customer, a float check); the drawer itself is opened by the
printer's code, which calls `no_sale()` first.

Each is one audit row (`services.audit.record`) under the staff member who did it (the signed-in cashier's
id), with a reason (the cashier's words, or a default), and for a void the lines and their amounts in minor
units. They are local records, not queued for HQ: the shift report at this terminal is where they are read.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from pos_client.messages import message
from pos_client.services import audit
from pos_client.services.manager_actions import check_reason
from pos_client.terminal import Terminal
from pos_client.timeutil import utcnow

VOID_LINE, VOID_SALE, NO_SALE = "void_line", "void_sale", "no_sale"
ACTIONS = (VOID_LINE, VOID_SALE, NO_SALE)
DEFAULT_VOID_REASON = message("void.default_reason", en="voided by the cashier", he="בוטל על ידי הקופאי")
DEFAULT_NO_SALE_REASON = message("void.no_sale_reason", en="drawer opened without a sale",
                                 he="המגירה נפתחה ללא מכירה")


@dataclass(frozen=True)
class VoidedLine:
    """A cart line as it stood when voided; `unit_price` and `amount` in minor units."""

    sku: str
    qty: int
    unit_price: int

    @property
    def amount(self) -> int:
        return self.qty * self.unit_price


def _reason(reason: str | None, default: str) -> str:
    return check_reason(reason) if reason and reason.strip() else default


def record_void(terminal: Terminal, staff_id: str | None, lines: Sequence[VoidedLine], *, whole_sale: bool,
                reason: str | None = None, member_id: str | None = None) -> str:
    """Write a void of `lines` (one line, or the whole cart when `whole_sale`); returns the audit id.

    A cart with no lines voids nothing and writes nothing (returns "").
    """
    if not lines:
        return ""
    details: dict[str, Any] = {"lines": [asdict(line) | {"amount": line.amount} for line in lines],
                               "amount": sum(line.amount for line in lines), "member_id": member_id}
    with terminal.unit_of_work() as session:
        return audit.record(session, utcnow(), staff_id, VOID_SALE if whole_sale else VOID_LINE,
                            lines[0].sku if not whole_sale else "cart",
                            _reason(reason, DEFAULT_VOID_REASON.en), details)


def no_sale(terminal: Terminal, staff_id: str | None, reason: str | None = None) -> str:
    """Write a no-sale (the drawer opened without a sale); returns the audit id."""
    with terminal.unit_of_work() as session:
        return audit.record(session, utcnow(), staff_id, NO_SALE, terminal.settings.terminal_id,
                            _reason(reason, DEFAULT_NO_SALE_REASON.en), {})
