"""`kupa-hq`: the HQ operator's command line (init, serve, terminals, program, catalog, members, report).

Every command takes `--db URL` (or `KUPA_HQ_DB`; default a SQLite file `kupa-hq.sqlite3` here) and `--json`
(exactly one JSON object on stdout). Errors an operator can fix print one line on stderr and exit 1.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path
from typing import Any

from pos_client.cli.output import report_error, say
from pos_client.errors import KupaError
from pos_client.messages import (LANGUAGES, current_language, default_language, message, reset_language,
                                 set_language)
from pos_client.ids import member_id_heads
from pos_client.timeutil import to_iso, utcnow
from sync.hq import admin, auth
from sync.hq.db import Database, db_url_from, migrate


def _emit(data: dict[str, Any], as_json: bool, lines: list[str]) -> None:
    sys.stdout.write((json.dumps(data, ensure_ascii=False) if as_json else "\n".join(lines)) + "\n")


def _db(args: argparse.Namespace) -> Database:
    db = Database(db_url_from(args.db))
    migrate(db.engine)
    return db


HQ_READY = message("hq.cli.ready", en="HQ database ready at {url}.",
                   he="מסד הנתונים של המטה מוכן בכתובת {url}.")


def cmd_init(args: argparse.Namespace) -> int:
    with _db(args) as db:
        pass
    _emit({"db": db.url, "ready": True}, args.json, [say(HQ_READY, url=db.url)])
    return 0


BAD_WORKERS = message("hq.cli.bad_workers", en="--workers must be between 1 and {limit} (got {value})",
                      he="--workers חייב להיות בין 1 ל-{limit} (התקבל {value})")
MAX_WORKERS = 64
WORKER_HEALTHCHECK_S = 60


def cmd_serve(args: argparse.Namespace) -> int:
    """Serve with uvicorn: one process, or `--workers N` processes sharing the port. HQ keeps no state in a
    process (`sync.hq.db`), so N workers behave as one HQ; the schema is migrated here, once, before they
    start, and each worker builds its app from `KUPA_HQ_DB` (`sync.hq.app.app_from_env`)."""
    import os

    import uvicorn

    from sync.hq.app import create_app

    if not 1 <= args.workers <= MAX_WORKERS:
        raise KupaError(BAD_WORKERS, limit=MAX_WORKERS, value=args.workers)
    url = db_url_from(args.db)
    tls = {"ssl_keyfile": args.ssl_keyfile, "ssl_certfile": args.ssl_certfile}
    if args.workers == 1:
        uvicorn.run(create_app(url), host=args.host, port=args.port, log_level="info", **tls)
        return 0
    with Database(url) as db:
        migrate(db.engine)
    os.environ["KUPA_HQ_DB"] = url
    # uvicorn restarts a worker that does not answer its supervisor's ping within the health-check timeout
    # (5 s by default); a worker importing HQ on a busy machine can take longer than that to start answering,
    # and would be killed and respawned for ever.
    uvicorn.run("sync.hq.app:app_from_env", factory=True, workers=args.workers, host=args.host, port=args.port,
                log_level="info", timeout_worker_healthcheck=WORKER_HEALTHCHECK_S, **tls)
    return 0


HQ_PARTITIONS = message("hq.cli.partitions", en="Monthly partitions made: {names}.",
                        he="מחיצות חודשיות נוצרו: {names}.")
HQ_PARTITIONS_NONE = message("hq.cli.partitions_none", en="Every monthly partition needed is there already.",
                             he="כל המחיצות החודשיות הדרושות כבר קיימות.")
BAD_AHEAD = message("hq.cli.bad_ahead", en="--months-ahead must be between 0 and 120 (got {value})",
                    he="--months-ahead חייב להיות בין 0 ל-120 (התקבל {value})")


def cmd_partitions_ensure(args: argparse.Namespace) -> int:
    """Make this month's and the next months' partitions of the ledger and sales tables (PostgreSQL; SQLite's
    tables are not partitioned and nothing is made). Idempotent: run it from cron once a month."""
    from sync.hq import partitions

    if not 0 <= args.months_ahead <= 120:
        raise KupaError(BAD_AHEAD, value=args.months_ahead)
    with _db(args) as db:
        made = partitions.ensure(db, partitions.months_ahead(utcnow(), args.months_ahead))
    _emit({"created": made}, args.json,
          [say(HQ_PARTITIONS, names=", ".join(made)) if made else say(HQ_PARTITIONS_NONE)])
    return 0


HQ_REGISTERED = message("hq.cli.registered",
                        en="Terminal {terminal_id} registered in store {store} (member ids {head}…).",
                        he="הקופה {terminal_id} נרשמה בחנות {store} (מספרי חברים {head}…).")
HQ_TOKEN_ONCE = message("hq.cli.token_once", en="Token (shown once): {token}",
                        he="אסימון (מוצג פעם אחת): {token}")
HQ_ON_TERMINAL = message("hq.cli.on_terminal", en="On the terminal: kupa init --server URL --token {token}",
                         he="בקופה: kupa init --server URL --token {token}")


def cmd_register(args: argparse.Namespace) -> int:
    try:
        with _db(args) as db, db.write() as session:
            reg = auth.register(session, args.name, to_iso(utcnow()), args.store)
    except auth.RegistrationError as exc:
        raise KupaError(exc.bound()) from exc
    _emit({"terminal_id": reg.terminal_id, "token": reg.token, "member_prefix": reg.member_prefix,
           "store_id": reg.store_id}, args.json,
          [say(HQ_REGISTERED, terminal_id=reg.terminal_id, head=member_id_heads(reg.member_prefix)[0],
               store=reg.store_id),
           say(HQ_TOKEN_ONCE, token=reg.token), say(HQ_ON_TERMINAL, token=reg.token)])
    return 0


HQ_REVOKED_DONE = message("hq.cli.revoked",
                          en="Terminal {terminal_id} revoked: its token is refused from now on.",
                          he="הקופה {terminal_id} בוטלה: האסימון שלה נדחה מעתה.")


def cmd_revoke(args: argparse.Namespace) -> int:
    try:
        with _db(args) as db, db.write() as session:
            terminal = auth.revoke(session, args.terminal_id, to_iso(utcnow()))
            revoked_at = terminal.revoked_at
    except auth.RegistrationError as exc:
        raise KupaError(exc.bound()) from exc
    _emit({"terminal_id": args.terminal_id, "revoked_at": revoked_at}, args.json,
          [say(HQ_REVOKED_DONE, terminal_id=args.terminal_id)])
    return 0


HQ_PUBLISHED = message("hq.cli.published", en="Program version {version} published.",
                       he="גרסה {version} של התוכנית פורסמה.")
HQ_WAS_PUBLISHED = message("hq.cli.was_published", en="Program version {version} was already published.",
                           he="גרסה {version} של התוכנית כבר פורסמה.")


def cmd_program(args: argparse.Namespace) -> int:
    with _db(args) as db:
        version, new = admin.publish_program(db, args.file)
    _emit({"version": version, "published": new}, args.json,
          [say(HQ_PUBLISHED if new else HQ_WAS_PUBLISHED, version=version)])
    return 0


HQ_PRODUCTS = message("hq.cli.products", en="{count} products loaded; terminals get them at their next sync.",
                      he="{count} מוצרים נטענו; הקופות יקבלו אותם בסנכרון הבא.")


def cmd_catalog(args: argparse.Namespace) -> int:
    with _db(args) as db:
        count = admin.load_catalog(db, args.file)
    _emit({"products": count}, args.json, [say(HQ_PRODUCTS, count=count)])
    return 0


HQ_IMPORTED = message("hq.cli.imported", en="{count} members imported.", he="{count} חברים יובאו.")


def cmd_member_import(args: argparse.Namespace) -> int:
    with _db(args) as db:
        count = admin.import_members(db, args.file, store=args.store)
    _emit({"members": count}, args.json, [say(HQ_IMPORTED, count=count)])
    return 0


HQ_MEMBER = message("hq.cli.member", en="{member_id}  {name}  {points} points (confirmed at HQ)",
                    he="{member_id}  {name}  {points} נקודות (מאושרות במטה)")
HQ_REVIEW = message("hq.cli.review", en="  — negative balance flagged for review",
                    he="  — יתרה שלילית סומנה לבדיקה")


def cmd_member_show(args: argparse.Namespace) -> int:
    with _db(args) as db:
        data = admin.member_show(db, args.code)
    _emit(data, args.json, [say(HQ_MEMBER, member_id=data["member_id"], name=data["name"], points=data["points"])
                            + (say(HQ_REVIEW) if data["review"] else "")])
    return 0


HQ_TOTALS = message("hq.cli.totals",
                    en="{terminals} terminals, {members} members, {sales} sales ({total} minor units), "
                       "{points} points outstanding.",
                    he="{terminals} קופות, {members} חברים, {sales} מכירות ({total} יחידות מטבע), "
                       "{points} נקודות פתוחות.")
HQ_REVIEW_LINE = message("hq.cli.review_line", en="REVIEW {member_id}: {points} points",
                         he="לבדיקה {member_id}: {points} נקודות")
HQ_REJECTED_LINE = message("hq.cli.rejected_line", en="REJECTED {terminal_id} {kind} {key} [{code}]: {reason}",
                           he="נדחה {terminal_id} {kind} {key} [{code}]: {reason}")


def cmd_report_kpis(args: argparse.Namespace) -> int:
    """The chain's KPIs (`sync.hq.kpis`): the terminal's figures and text, over HQ's projections; `--series`
    adds the chart series (members by tier caught up to today) to the JSON."""
    from pos_client.cli.report_commands import kpi_text
    from pos_client.timeutil import parse_user_date
    from sync.hq.kpis import report_kpis

    date_from = parse_user_date(args.date_from) if args.date_from else None
    date_to = parse_user_date(args.date_to) if args.date_to else None
    with _db(args) as db:
        kpis, program = report_kpis(db, date_from, date_to, series=args.series)
    data = kpis.to_json() | ({"series": kpis.series_json()} if args.series else {})
    _emit(data, args.json, kpi_text(data, program.currency if program else "ILS", None))
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    if args.what == "kpis":
        return cmd_report_kpis(args)
    with _db(args) as db:
        data = admin.report(db)
    lines = [say(HQ_TOTALS, terminals=data["terminals"], members=data["members"], sales=data["sales"],
                 total=data["sales_total"], points=data["points_outstanding"])]
    lines += [say(HQ_REVIEW_LINE, member_id=r["member_id"], points=r["points"]) for r in data["negative_balances"]]
    lines += [say(HQ_REJECTED_LINE, terminal_id=r["terminal_id"], kind=r["kind"], key=r["key"], code=r["code"] or "-",
                  reason=r["reason"])
              for r in data["rejected"]]
    _emit(data, args.json, lines)
    return 0


HQ_SEGMENTS = message("hq.cli.segments", en="Program version {version}: {members} members.",
                      he="גרסה {version} של התוכנית: {members} חברים.")
HQ_SEGMENT_LINE = message("hq.cli.segment_line", en="{code}  {name}: {members} members",
                          he="{code}  {name}: {members} חברים")


def cmd_segments_counts(args: argparse.Namespace) -> int:
    """How many members each of the program's segments holds (`sync.hq.segments`)."""
    from sync.hq.segments import segment_counts

    with _db(args) as db:
        data = segment_counts(db)
    lang = current_language()
    lines = [say(HQ_SEGMENTS, version=data["program_version"] or "-", members=data["members"])]
    lines += [say(HQ_SEGMENT_LINE, code=s["code"], name=s["name"].get(lang) or s["name"]["en"], members=s["members"])
              for s in data["segments"]]
    _emit(data, args.json, lines)
    return 0


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--db", default=argparse.SUPPRESS, help="database URL (default: $KUPA_HQ_DB or "
                                                                 "sqlite:///kupa-hq.sqlite3)")
    common.add_argument("--json", action="store_true", default=argparse.SUPPRESS)
    common.add_argument("--lang", choices=LANGUAGES, default=argparse.SUPPRESS,
                        help="the language of messages (default: $KUPA_LANG or en)")
    parser = argparse.ArgumentParser(prog="kupa-hq", description="Kupa HQ server", parents=[common])
    sub = parser.add_subparsers(dest="command", required=True)

    def cmd(parent: Any, name: str, func: Any, help_text: str) -> argparse.ArgumentParser:
        p: argparse.ArgumentParser = parent.add_parser(name, help=help_text, parents=[common])
        p.set_defaults(func=func)
        return p

    cmd(sub, "init", cmd_init, "create or upgrade HQ's database")
    p = cmd(sub, "serve", cmd_serve, "serve the sync API with uvicorn")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8700)
    p.add_argument("--ssl-keyfile")
    p.add_argument("--ssl-certfile")
    p.add_argument("--workers", type=int, default=1,
                   help="worker processes sharing the port (uvicorn); every one serves any terminal (default 1)")
    parts = sub.add_parser("partitions", help="monthly partitions of the ledger and sales tables (PostgreSQL)") \
        .add_subparsers(dest="sub", required=True)
    cmd(parts, "ensure", cmd_partitions_ensure, "make this month's and the coming months' partitions") \
        .add_argument("--months-ahead", type=int, default=3)
    p = cmd(sub, "register-terminal", cmd_register, "register a terminal, print its token")
    p.add_argument("name")
    p.add_argument("--store", default=auth.DEFAULT_STORE,
                   help=f"the store the terminal is in; its pulls carry that store's members (default: "
                        f"{auth.DEFAULT_STORE})")
    cmd(sub, "revoke-terminal", cmd_revoke, "refuse a terminal's token from now on").add_argument("terminal_id")
    program = sub.add_parser("program", help="program versions").add_subparsers(dest="sub", required=True)
    cmd(program, "publish", cmd_program, "publish a program version").add_argument("file", type=Path)
    catalog = sub.add_parser("catalog", help="products").add_subparsers(dest="sub", required=True)
    cmd(catalog, "load", cmd_catalog, "load products from CSV or JSON").add_argument("file", type=Path)
    member = sub.add_parser("member", help="members").add_subparsers(dest="sub", required=True)
    p = cmd(member, "import", cmd_member_import, "import members from JSON")
    p.add_argument("file", type=Path)
    p.add_argument("--store", default=auth.DEFAULT_STORE, help="the members' home store")
    cmd(member, "show", cmd_member_show, "a member's confirmed figures").add_argument("code")
    p = cmd(sub, "report", cmd_report, "chain totals, negative balances, rejected entries; `report kpis`: the "
                                       "chain's KPIs")
    p.add_argument("what", nargs="?", choices=["kpis"], help="kpis: the loyalty program's KPIs for a range of dates")
    p.add_argument("--from", dest="date_from", metavar="YYYY-MM-DD", help="kpis: first day (default: the first sale)")
    p.add_argument("--to", dest="date_to", metavar="YYYY-MM-DD", help="kpis: last day (default: today)")
    p.add_argument("--series", action="store_true", help="kpis: with the chart series (JSON)")
    segments = sub.add_parser("segments", help="the program's segments").add_subparsers(dest="sub", required=True)
    cmd(segments, "counts", cmd_segments_counts, "how many members each segment holds")
    return parser


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    args = build_parser().parse_args(argv)
    args.db = getattr(args, "db", None)
    args.json = getattr(args, "json", False)
    set_language(getattr(args, "lang", None) or default_language())
    try:
        return int(args.func(args) or 0)
    except KupaError as exc:
        report_error(exc, args.json, prog="kupa-hq")
        return 1
    finally:
        reset_language()


if __name__ == "__main__":
    raise SystemExit(main())
