"""CSV exports of the KPI figures and of the member list, for the manager's spreadsheet.

Files are UTF-8 with a byte-order mark, because Excel opens a BOM-less CSV in the machine's legacy code
page and turns Hebrew names into mojibake; the `csv` module quotes as needed. A cell that a spreadsheet
would run as a formula (a name typed as `=HYPERLINK(...)`) is prefixed with an apostrophe. Amounts stay
integer minor units, as everywhere in Kupa, so sums in the sheet are exact.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from pos_client.errors import InvalidInputError
from pos_client.messages import message
from pos_client.program.schema import Program
from pos_client.reports import queries as q
from pos_client.member_state import rules
from pos_client.member_state import store as member_store
from pos_client.reports.kpis import FIGURE_KEYS, Kpis
from pos_client.services.programs import program_at
from pos_client.timeutil import from_iso, store_zone, utcnow

MEMBER_COLUMNS = ("member_id", "name", "phone", "tier", "points", "qualifying_spend", "last_sale")


def safe_cell(value: object) -> object:
    """Neutralise text a spreadsheet would evaluate as a formula; numbers and phone numbers pass as they are."""
    if not isinstance(value, str) or not value:
        return value
    if value[0] in "=@\t\r" or (value[0] in "+-" and not value[1:].replace(" ", "").replace("-", "").isdigit()):
        return "'" + value
    return value


CANNOT_WRITE = message("file.cannot_write", en="cannot write {path}: {error}",
                       he="אי אפשר לכתוב את {path}: {error}")


def _write(path: Path, rows: Iterable[Iterable[object]]) -> int:
    count = 0
    try:
        with path.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            for row in rows:
                writer.writerow([safe_cell(cell) for cell in row])
                count += 1
    except OSError as exc:
        raise InvalidInputError(CANNOT_WRITE, path=str(path), error=exc.strerror or str(exc)) from exc
    return count


def figure_rows(kpis: Kpis) -> list[list[object]]:
    """The figures as `figure,value` rows, then each chart series as its own small table."""
    figures = kpis.figures()
    rows: list[list[object]] = [["figure", "value"], ["from", kpis.date_from.isoformat() if kpis.date_from else ""],
                                ["to", kpis.date_to.isoformat()], ["timezone", kpis.timezone]]
    rows += [[key, "" if figures[key] is None else figures[key]] for key in FIGURE_KEYS]
    for name, points in kpis.series_json().items():
        rows.append([])
        rows.append([name])
        if points:
            columns = list(points[0])
            rows.append(columns)
            rows += [["" if p[c] is None else p[c] for c in columns] for p in points]
    return rows


def write_figures_csv(kpis: Kpis, path: Path) -> int:
    """Write the figures and series to `path`; returns the number of rows written."""
    return _write(path, figure_rows(kpis))


def member_rows(session: Session, *, now: datetime | None = None,
                program: Program | None = None) -> list[tuple[Any, ...]]:
    """One row per member (merged-away records left out), as `kupa member show` would report them now.

    Points leave out those already past the program's expiry (as `member show` does); the tier and the
    qualifying spend are over the tier window ending now; the last sale is the store's local time.
    """
    now = now or utcnow()
    program = program or program_at(session, now)
    zone = store_zone(program.timezone)
    expiry = program.points_expiry_days
    params = {**member_store.window_params(now, program.tier_window_days),
              **member_store.expiry_params(now, expiry)}
    rows = []
    for r in session.execute(text(q.MEMBER_LIST), params):
        points = int(r.points)
        expiring = rules.fifo_expiring(points, int(r.credits), int(r.debits), int(r.recent)) if expiry else 0
        spend = rules.clamp_spend(int(r.spend))
        tier = rules.tier_for(program, spend)
        last = from_iso(r.last_sale_at).astimezone(zone).strftime("%Y-%m-%d %H:%M") if r.last_sale_at else ""
        rows.append((r.member_id, r.name, r.phone or "", tier.code if tier else "", points - expiring, spend, last))
    return rows


def write_members_csv(session: Session, path: Path, *, now: datetime | None = None,
                      program: Program | None = None) -> int:
    """Write the member list to `path`; returns the number of members written."""
    rows = member_rows(session, now=now, program=program)
    _write(path, [MEMBER_COLUMNS, *rows])
    return len(rows)
