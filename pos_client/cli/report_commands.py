"""`kupa report ...` commands, registered on the main parser by `register()`.

`kupa report kpis [--from D] [--to D] [--json] [--csv FILE]` prints the manager's KPIs (see
`pos_client.reports.kpis` for what each figure means); `kupa report members --csv FILE` exports the member
list. Dates are the store's calendar dates (the program's time zone), both inclusive.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any, Callable

from pos_client.cli.output import emit
from pos_client.money import format_money
from pos_client.reports import compute_kpis, write_figures_csv, write_members_csv
from pos_client.services.programs import program_at
from pos_client.terminal import Terminal
from pos_client.timeutil import parse_user_date, utcnow


def register(sub: Any, cmd: Callable[..., argparse.ArgumentParser], parser_class: type[argparse.ArgumentParser]) -> None:
    """Add this module's subcommands to `sub` (the main parser's subparsers); `cmd` adds one command."""
    report = sub.add_parser("report", help="manager reports").add_subparsers(dest="sub", required=True,
                                                                             parser_class=parser_class)
    p = cmd("kpis", report_kpis, "the loyalty program's KPIs for a range of dates", report)
    p.add_argument("--from", dest="date_from", metavar="YYYY-MM-DD", help="first day (default: the first sale)")
    p.add_argument("--to", dest="date_to", metavar="YYYY-MM-DD", help="last day (default: today)")
    p.add_argument("--csv", type=Path, metavar="FILE", help="also write the figures and series to a CSV file")
    p = cmd("members", report_members, "export the member list", report)
    p.add_argument("--csv", type=Path, metavar="FILE", required=True)


def report_kpis(args: argparse.Namespace) -> int:
    date_from = parse_user_date(args.date_from) if args.date_from else None
    date_to = parse_user_date(args.date_to) if args.date_to else None
    terminal = Terminal.open(args.data_dir)
    now = utcnow()
    with terminal.read() as session:
        program = program_at(session, now)
        kpis = compute_kpis(session, date_from, date_to, program.timezone, now=now, series=bool(args.csv))
    if args.csv:
        write_figures_csv(kpis, args.csv)
    data = kpis.to_json()
    emit(data, args.json, _kpi_text(data, program.currency, args.csv))
    return 0


def _kpi_text(data: dict[str, Any], currency: str, csv_path: Path | None) -> list[str]:
    def money(value: int | None) -> str:
        return "-" if value is None else format_money(value, currency)

    def pct(value: float | None) -> str:
        return "-" if value is None else f"{value * 100:.2f}%"

    r = data["range"]
    lines = [f"KPIs {r['from'] or 'first sale'} – {r['to']} ({r['timezone']})",
             f"Sales {data['sales_total']}, by members {data['member_sales']} (adoption {pct(data['adoption_rate'])})",
             f"Members {data['members_total']}, active {data['active_members']}, repeat purchase"
             f" {pct(data['repeat_purchase_rate'])}, churned {data['churned_members']}",
             f"Points earned {data['points_earned']}, redeemed {data['points_redeemed']}"
             f" (redemption {pct(data['redemption_rate'])})",
             f"Average basket: members {money(data['avg_basket_member'])},"
             f" non-members {money(data['avg_basket_non_member'])}",
             f"Rewards cost {money(data['rewards_cost'])}"]
    if csv_path:
        lines.append(f"Figures written to {csv_path}")
    return lines


def report_members(args: argparse.Namespace) -> int:
    terminal = Terminal.open(args.data_dir)
    with terminal.read() as session:
        count = write_members_csv(session, args.csv)
    emit({"members": count, "file": str(args.csv)}, args.json, f"{count} members written to {args.csv}")
    return 0
