"""Item models of the manager's screens: a member's ledger and the audit log (rows of core DTOs).

Both are read-only `QAbstractTableModel`s with a `Column` enum and role-based `data()` (STYLE.md, habit 10);
the rows are `manager.HistoryRow` / `manager_reports.AuditRow` values computed on the worker. Numbers align to
the trailing edge (right in English, left in Hebrew); signed deltas show their sign.
"""

from __future__ import annotations

from enum import IntEnum
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, Qt
from PySide6.QtGui import QBrush, QColor

from pos_client.messages import current_language
from pos_client.money import format_money
from pos_client.services.audit import system_reason
from pos_client.services.manager import HistoryRow
from pos_client.services.manager_reports import AuditRow
from ui.row_model import Index, RowTableModel

SALE_ID_ROLE = Qt.ItemDataRole.UserRole + 1
ENTRY_ROLE = Qt.ItemDataRole.UserRole + 2


def _tr(text: str) -> str:
    return QCoreApplication.translate("ManagerModels", text)


def kind_label(kind: str) -> str:
    """A ledger entry kind in the current language."""
    labels = {"earn": _tr("Earned"), "redeem": _tr("Redeemed"), "stamp": _tr("Stamp"),
              "stamp_reward": _tr("Free item"), "tier_discount": _tr("Tier discount"), "welcome": _tr("Welcome"),
              "birthday": _tr("Birthday"), "membership": _tr("Paid plan"), "donate": _tr("Donation"),
              "adjust": _tr("Adjustment"), "reverse": _tr("Refund"), "expire": _tr("Expired"),
              "referral": _tr("Referral"), "action": _tr("Action")}
    return labels.get(kind, kind)


def action_label(action: str) -> str:
    """An audit action kind in the current language."""
    labels = {"adjust": _tr("Points adjustment"), "donate": _tr("Donation"), "refund": _tr("Refund"),
              "card_revoke": _tr("Card revoked"), "card_reissue": _tr("Card reissued"),
              "member_edit": _tr("Member details edited"), "member_merge": _tr("Members merged"),
              "pin_spend_override": _tr("Spending allowed without card"), "program_load": _tr("Program loaded"),
              "clock_confirm": _tr("Clock confirmed"), "action_grant": _tr("Action points granted"),
              "sync_now": _tr("Sync started by a manager"),
              "staff_add": _tr("Staff member added"), "staff_disable": _tr("Staff member disabled"),
              "staff_pin_change": _tr("Own PIN changed"), "staff_pin_reset": _tr("PIN reset by a manager"),
              "staff_policy": _tr("Cashier PIN rule changed"), "void_line": _tr("Line voided"),
              "void_sale": _tr("Sale voided"), "no_sale": _tr("Drawer opened without a sale"),
              "config_set": _tr("Terminal setting changed")}
    return labels.get(action, action)


def sync_label(state: str, error: str | None) -> str:
    """synced / waiting / rejected (with HQ's reason)."""
    if state == "rejected":
        return _tr("Rejected: {0}").format(error or "")
    return _tr("Waiting") if state == "waiting" else _tr("Synced")


LRM = "\u200e"  # keeps dates and signed numbers in reading order inside right-to-left text


def _signed(value: int) -> str:
    return f"{LRM}+{value}" if value > 0 else f"{LRM}{value}" if value else ""


def detail_label(key: str) -> str:
    """An audit detail's key (as the services write them) in the current language; unknown keys as they are."""
    labels = {"points": _tr("points"), "stamps": _tr("stamps"), "entry_id": _tr("entry"),
              "balance_before": _tr("balance before"), "override": _tr("override"), "member_id": _tr("member"),
              "merged": _tr("merged member"), "action": _tr("action"), "revoked": _tr("cards revoked"),
              "authorized_by": _tr("authorised by"), "was": _tr("clock was"), "now": _tr("confirmed at"),
              "name": _tr("name"), "phone": _tr("phone"), "email": _tr("e-mail"), "birthday": _tr("birthday"),
              "bonus_weekday": _tr("bonus weekday"), "status": _tr("status"), "terminal_id": _tr("terminal"),
              "refund_id": _tr("refund"), "money_back": _tr("money back"), "units": _tr("units")}
    return labels.get(key, key)


def details_text(details: dict[str, Any]) -> str:
    """An audit row's details as one readable line (`name: old → new`, lists joined), keys translated."""
    parts = []
    for key, value in details.items():
        if key == "changed" and isinstance(value, dict):
            parts += [f"{detail_label(field)}: {(c or {}).get('from') or '—'} → {(c or {}).get('to') or '—'}"
                      for field, c in value.items()]
        elif isinstance(value, (list, tuple)):
            parts.append(f"{detail_label(key)}: {', '.join(str(v) for v in value) or '—'}")
        elif isinstance(value, dict):
            parts.append(f"{detail_label(key)}: " + ", ".join(f"{detail_label(k)} {v}" for k, v in value.items()
                                                             if v not in (None, "")))
        else:
            parts.append(f"{detail_label(key)}: {value}")
    return "; ".join(parts)


def reason_text(row: AuditRow) -> str:
    """The row's reason: a reason the code wrote in the current language (`audit.system_reason`), else as the
    manager typed it."""
    return system_reason(row.action, row.details, current_language()) or row.reason or ""


class LedgerModel(RowTableModel[HistoryRow]):
    """A member's ledger entries, newest first."""

    class Column(IntEnum):
        WHEN = 0
        KIND = 1
        POINTS = 2
        STAMPS = 3
        SPEND = 4
        SALE = 5
        CASHIER = 6
        TERMINAL = 7
        SYNC = 8

    def __init__(self, currency: str = "ILS", parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.currency = currency

    def headers(self) -> tuple[str, ...]:
        return (_tr("Date"), _tr("Kind"), _tr("Points"), _tr("Stamps"), _tr("Spend"), _tr("Sale"), _tr("Cashier"),
                _tr("Terminal"), _tr("Sync"))

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        cell = self.cell(index)
        if cell is None:
            return None
        entry, column = cell
        if role == Qt.ItemDataRole.DisplayRole:
            texts: dict[int, str] = {
                self.Column.WHEN: LRM + entry.when, self.Column.KIND: kind_label(entry.kind),
                self.Column.POINTS: _signed(entry.points), self.Column.STAMPS: _signed(entry.stamps),
                self.Column.SPEND: format_money(entry.spend, self.currency) if entry.spend else "",
                self.Column.SALE: entry.receipt_no or (entry.sale_id or "")[:8], self.Column.CASHIER: entry.cashier or "",
                self.Column.TERMINAL: entry.terminal, self.Column.SYNC: sync_label(entry.sync, entry.sync_error),
            }
            return texts[column]
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == self.Column.SYNC and entry.sync_error:
                return entry.sync_error
            return entry.reason or None
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (self.Column.POINTS, self.Column.STAMPS,
                                                                     self.Column.SPEND):
            return int(Qt.AlignmentFlag.AlignTrailing | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole and column == self.Column.SYNC and entry.sync == "rejected":
            return QBrush(QColor("#b00020"))
        if role == SALE_ID_ROLE:
            return entry.sale_id
        if role == ENTRY_ROLE:
            return entry.entry_id
        return None


class AuditModel(RowTableModel[AuditRow]):
    """Audit log rows, newest first."""

    class Column(IntEnum):
        WHEN = 0
        MANAGER = 1
        ACTION = 2
        TARGET = 3
        REASON = 4
        DETAILS = 5

    def headers(self) -> tuple[str, ...]:
        return (_tr("Date"), _tr("Manager"), _tr("Action"), _tr("Member / sale / card"), _tr("Reason"),
                _tr("Details"))

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        cell = self.cell(index)
        if cell is None:
            return None
        entry, column = cell
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            texts: dict[int, str] = {
                self.Column.WHEN: LRM + entry.when, self.Column.MANAGER: entry.user_name or entry.user_id or "",
                self.Column.ACTION: action_label(entry.action), self.Column.TARGET: entry.target or "",
                self.Column.REASON: reason_text(entry), self.Column.DETAILS: details_text(entry.details),
            }
            return texts[column]
        return None
