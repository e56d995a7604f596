"""A shift report (X or Z, `pos_client.services.shifts`) as text lines in English or Hebrew.

One renderer for every edge that shows a report as text: the CLI without `--json`, the app's X report view,
and the receipt printer (the printer work prints these lines as they are). Money goes through the messages'
`{x:money}` formatting (`pos_client.money.format_money`), times in the store's zone.
"""

from __future__ import annotations

from typing import Any

from pos_client.messages import message
from pos_client.timeutil import from_iso

TITLE_X = message("shift.text.title_x", en="X report (shift still open)", he="דוח X (המשמרת פתוחה)")
TITLE_Z = message("shift.text.title_z", en="Z report (shift closed)", he="דוח Z (משמרת סגורה)")
SHIFT = message("shift.text.shift", en="Shift {shift_id} on {terminal}", he="משמרת {shift_id} בקופה {terminal}")
OPENED = message("shift.text.opened", en="Opened {at}", he="נפתחה {at}")
CLOSED = message("shift.text.closed", en="Closed {at}", he="נסגרה {at}")
AT = message("shift.text.at", en="As of {at}", he="נכון ל־{at}")
FLOAT = message("shift.text.float", en="Opening float: {amount:money}", he="קופה פותחת: {amount:money}")
SALES = message("shift.text.sales", en="Sales: {count}, {amount:money}", he="מכירות: {count}, {amount:money}")
REFUNDS = message("shift.text.refunds", en="Refunds: {count}, {amount:money}",
                  he="החזרות: {count}, {amount:money}")
BY_TENDER = message("shift.text.by_tender", en="{kind}: sales {sales:money}, refunds {refunds:money}, net "
                                               "{net:money}",
                    he="{kind}: מכירות {sales:money}, החזרות {refunds:money}, נטו {net:money}")
CHANGE = message("shift.text.change", en="Change given: {amount:money}", he="עודף שניתן: {amount:money}")
CASH_IN = message("shift.text.cash_in", en="Cash in: {amount:money} ({reason})",
                  he="הכנסת מזומן: {amount:money} ({reason})")
CASH_OUT = message("shift.text.cash_out", en="Cash out: {amount:money} ({reason})",
                   he="הוצאת מזומן: {amount:money} ({reason})")
EXPECTED = message("shift.text.expected", en="Expected cash in drawer: {amount:money}",
                   he="מזומן צפוי במגירה: {amount:money}")
COUNTED = message("shift.text.counted", en="Counted: {amount:money}", he="נספר: {amount:money}")
OVER = message("shift.text.over", en="Over: {amount:money}", he="עודף בקופה: {amount:money}")
SHORT = message("shift.text.short", en="Short: {amount:money}", he="חוסר בקופה: {amount:money}")
EVEN = message("shift.text.even", en="Drawer balances exactly", he="הקופה מאוזנת בדיוק")
VOIDS = message("shift.text.voids", en="Voided sales: {count}", he="מכירות שבוטלו: {count}")
POINTS = message("shift.text.points",
                 en="Points issued {issued} (reversed {reversed}), redeemed {redeemed} (returned {returned})",
                 he="נקודות שהוענקו {issued} (בוטלו {reversed}), מומשו {redeemed} (הוחזרו {returned})")
KIND_CASH = message("tender.kind.cash", en="Cash", he="מזומן")
KIND_CARD = message("tender.kind.card", en="Card", he="כרטיס")
KIND_GIFT_CARD = message("tender.kind.gift_card", en="Gift card", he="כרטיס מתנה")
KIND_STORE_CREDIT = message("tender.kind.store_credit", en="Store credit", he="זיכוי חנות")
KIND_NAMES = {"cash": KIND_CASH, "card": KIND_CARD, "gift_card": KIND_GIFT_CARD, "store_credit": KIND_STORE_CREDIT}


def kind_name(kind: str, lang: str) -> str:
    """A tender kind's name in `lang` (its code when unknown)."""
    name = KIND_NAMES.get(kind)
    return name.render(lang) if name else kind


def _time(text: str, zone: str | None) -> str:
    from zoneinfo import ZoneInfo

    moment = from_iso(text)
    if zone:
        moment = moment.astimezone(ZoneInfo(zone))
    return moment.strftime("%Y-%m-%d %H:%M")


def report_lines(report: dict[str, Any], lang: str, zone: str | None = None) -> list[str]:
    """The report as lines of text in `lang`, times in the store's `zone` (UTC when None)."""
    cur = report["currency"]
    lines = [(TITLE_Z if report["kind"] == "Z" else TITLE_X).render(lang),
             SHIFT.render(lang, shift_id=report["shift_id"][:8], terminal=report["terminal_id"]),
             OPENED.render(lang, at=_time(report["opened_at"], zone))]
    if report.get("closed_at"):
        lines.append(CLOSED.render(lang, at=_time(report["closed_at"], zone)))
    else:
        lines.append(AT.render(lang, at=_time(report["at"], zone)))
    lines += [FLOAT.render(lang, amount=report["float"], currency=cur),
              SALES.render(lang, count=report["sales"]["count"], amount=report["sales"]["total"], currency=cur),
              REFUNDS.render(lang, count=report["refunds"]["count"], amount=report["refunds"]["total"],
                             currency=cur)]
    for kind, row in report["tenders"].items():
        lines.append(BY_TENDER.render(lang, kind=kind_name(kind, lang), sales=row["sales"], refunds=row["refunds"],
                                      net=row["net"], currency=cur))
    lines.append(CHANGE.render(lang, amount=report["change_given"], currency=cur))
    for move in report["cash_moves"]:
        text = CASH_IN if move["kind"] == "cash_in" else CASH_OUT
        lines.append(text.render(lang, amount=move["amount"], reason=move["reason"], currency=cur))
    lines.append(EXPECTED.render(lang, amount=report["expected_cash"], currency=cur))
    if report.get("counted") is not None:
        lines.append(COUNTED.render(lang, amount=report["counted"], currency=cur))
        over_short = report["over_short"]
        if over_short > 0:
            lines.append(OVER.render(lang, amount=over_short, currency=cur))
        elif over_short < 0:
            lines.append(SHORT.render(lang, amount=-over_short, currency=cur))
        else:
            lines.append(EVEN.render(lang))
    lines.append(VOIDS.render(lang, count=report["voids"]))
    points = report["points"]
    lines.append(POINTS.render(lang, issued=points["issued"], reversed=points["reversed"],
                               redeemed=points["redeemed"], returned=points["returned"]))
    return lines
