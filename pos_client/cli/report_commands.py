"""`kupa report ...` commands, registered on the main parser by `register()`.

`kupa report kpis [--from D] [--to D] [--json] [--csv FILE]` prints the manager's KPIs (see
`pos_client.reports.kpis` for what each figure means); `kupa report members --csv FILE` exports the member
list. Dates are the store's calendar dates (the program's time zone), both inclusive.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any, Callable

from pos_client.cli.output import emit, say
from pos_client.messages import message
from pos_client.money import format_money
from pos_client.reports import compute_kpis, tiers, write_figures_csv, write_members_csv
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
    if args.csv:  # the series count members by tier: bring the stale tier rows up to date first
        tiers.catch_up_all(terminal.unit_of_work, now)
    with terminal.read() as session:
        program = program_at(session, now)
        kpis = compute_kpis(session, date_from, date_to, program.timezone, now=now, series=bool(args.csv),
                            program_return=True)
    if args.csv:
        write_figures_csv(kpis, args.csv)
    data = kpis.to_json()
    emit(data, args.json, kpi_text(data, program.currency, args.csv))
    return 0


KPI_RANGE = message("cli.kpi_range", en="KPIs {date_from} – {date_to} ({timezone})",
                    he="מדדים {date_from} – {date_to} ({timezone})")
KPI_FIRST_SALE = message("cli.kpi_first_sale", en="first sale", he="המכירה הראשונה")
KPI_SALES = message("cli.kpi_sales", en="Sales {sales}, by members {member_sales} (adoption {adoption})",
                    he="מכירות {sales}, מהן לחברים {member_sales} (אימוץ {adoption})")
KPI_MEMBERS = message("cli.kpi_members",
                      en="Members {members}, active {active}, repeat purchase {repeat}, churned {churned}",
                      he="חברים {members}, פעילים {active}, רכישה חוזרת {repeat}, נטשו {churned}")
KPI_POINTS = message("cli.kpi_points", en="Points earned {earned}, redeemed {redeemed} (redemption {rate})",
                     he="נקודות שנצברו {earned}, מומשו {redeemed} (שיעור מימוש {rate})")
KPI_BASKET = message("cli.kpi_basket", en="Average basket: members {members}, non-members {others}",
                     he="סל ממוצע: חברים {members}, לא חברים {others}")
KPI_COST = message("cli.kpi_cost", en="Rewards cost {cost}", he="עלות ההטבות {cost}")
KPI_CSV = message("cli.kpi_csv", en="Figures written to {path}", he="הנתונים נכתבו אל {path}")


def kpi_text(data: dict[str, Any], currency: str, csv_path: Path | None) -> list[str]:
    def money(value: int | None) -> str:
        return "-" if value is None else format_money(value, currency)

    def pct(value: float | None) -> str:
        return "-" if value is None else f"{value * 100:.2f}%"

    r = data["range"]
    lines = [say(KPI_RANGE, date_from=r["from"] or say(KPI_FIRST_SALE), date_to=r["to"], timezone=r["timezone"]),
             say(KPI_SALES, sales=data["sales_total"], member_sales=data["member_sales"],
                 adoption=pct(data["adoption_rate"])),
             say(KPI_MEMBERS, members=data["members_total"], active=data["active_members"],
                 repeat=pct(data["repeat_purchase_rate"]), churned=data["churned_members"]),
             say(KPI_POINTS, earned=data["points_earned"], redeemed=data["points_redeemed"],
                 rate=pct(data["redemption_rate"])),
             say(KPI_BASKET, members=money(data["avg_basket_member"]), others=money(data["avg_basket_non_member"])),
             say(KPI_COST, cost=money(data["rewards_cost"]))]
    if csv_path:
        lines.append(say(KPI_CSV, path=str(csv_path)))
    return lines


MEMBERS_WRITTEN = message("cli.members_written", en="{count} members written to {path}",
                          he="{count} חברים נכתבו אל {path}")


def report_members(args: argparse.Namespace) -> int:
    terminal = Terminal.open(args.data_dir)
    with terminal.read() as session:
        count = write_members_csv(session, args.csv)
    emit({"members": count, "file": str(args.csv)}, args.json, say(MEMBERS_WRITTEN, count=count, path=str(args.csv)))
    return 0
