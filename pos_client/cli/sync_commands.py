"""`kupa sync [--once] [--server URL]`, registered on the main parser by `register()`.

The sync client lives in `sync/` and speaks HTTP with `requests`, which the core never imports (the
layering test checks it); the command therefore loads `sync.client` lazily, when it runs.

`kupa sync` needs no PIN, on purpose: it only moves data already recorded — every sale, entry and card in the
outbox was authorised (PIN, card token, audit row) when it was made — and pulls what HQ validated; HQ
authenticates the terminal by its token and validates every item. It is also never stopped by the clock check
(`pos_client.services.clock`): a sync is what brings HQ's time to settle a clock question, and holding back
data already recorded would only widen the offline window.
"""

from __future__ import annotations

import argparse
import importlib
import logging
from typing import Any, Callable

from pos_client.cli.output import emit, say
from pos_client.messages import CATALOGUE, current_language, message, render
from pos_client.services.sync_report import notices
from pos_client.terminal import Terminal

log = logging.getLogger(__name__)
#: Refused items printed one per line after a cycle (the rest are counted; all stay in the manager's view).
MAX_REFUSED_LINES = 50
REFUSED = message("cli.sync.refused", en="HQ refused {kind} {key}: {reason}", he="המטה דחה {kind} {key}: {reason}")
MORE_REFUSED = message("cli.sync.more_refused", en="…and {count} more refused items (see the manager's view)",
                       he="…ועוד {count} פריטים שנדחו (ראו במסך המנהל)")


def register(sub: Any, cmd: Callable[..., argparse.ArgumentParser], parser_class: type[argparse.ArgumentParser]) -> None:
    """Add this module's subcommands to `sub` (the main parser's subparsers); `cmd` adds one command."""
    p = cmd("sync", sync, "push the outbox to HQ and pull changes")
    p.add_argument("--once", action="store_true", help="one cycle, then exit (default: keep syncing)")
    p.add_argument("--server", metavar="URL", help="HQ's address (default: the one given at 'kupa init')")
    p.add_argument("--interval", type=float, default=60.0, help="seconds between cycles without --once")
    p.add_argument("--skipped", action="store_true",
                   help="list the items pulled from HQ that could not be applied here (no sync)")
    p = cmd("walk-in", walk_in, "take in a member of another store: fetched from HQ, or earn-only while offline")
    p.add_argument("code", help="the member's card QR token, member id or card number")
    p.add_argument("--server", metavar="URL", help="HQ's address (default: the one given at 'kupa init')")


WALK_IN_FETCHED = message("cli.walk_in_fetched", en="Member {member_id} fetched from HQ: {points} points.",
                          he="החבר {member_id} התקבל מהמטה: {points} נקודות.")
WALK_IN_EARN_ONLY = message("cli.walk_in_earn_only",
                            en="HQ cannot be reached: member {member_id} may earn here, and spend once HQ "
                               "confirms them at the next sync.",
                            he="אין קשר למטה: החבר {member_id} יכול לצבור כאן, ולממש לאחר שהמטה יאשר אותו "
                               "בסנכרון הבא.")


def walk_in(args: argparse.Namespace) -> int:
    """`kupa walk-in CODE`: `sync.client.take_walk_in` (loaded lazily, like `kupa sync`)."""
    client: Any = importlib.import_module("sync.client")
    terminal = Terminal.open(args.data_dir)
    try:
        taken = client.take_walk_in(terminal, args.code, args.server)
    finally:
        terminal.close()
    data = {"member_id": taken.member_id, "how": taken.how, "points": taken.points}
    text = (say(WALK_IN_FETCHED, member_id=taken.member_id, points=taken.points) if taken.how == "fetched"
            else say(WALK_IN_EARN_ONLY, member_id=taken.member_id))
    emit(data, args.json, [text])
    return 0


SYNCED = message("cli.synced",
                 en="Synced with {server}: pushed {pushed} ({accepted} accepted, {duplicate} already "
                    "there, {rejected} rejected);",
                 he="סונכרן עם {server}: נשלחו {pushed} ({accepted} התקבלו, {duplicate} כבר היו שם, "
                    "{rejected} נדחו);")
PULLED = message("cli.pulled",
                 en="pulled {members} members, {cards} cards, {products} products, {programs} program "
                    "versions, {snapshots} member balances confirmed by HQ; {pending} waiting.",
                 he="התקבלו {members} חברים, {cards} כרטיסים, {products} מוצרים, {programs} גרסאות "
                    "תוכנית, {snapshots} יתרות חברים שאושרו במטה; {pending} ממתינות.")
REJECTED_KEPT = message("cli.rejected_kept", en="Rejected entries are kept with HQ's reason for the manager.",
                        he="רשומות שנדחו נשמרות עם הסיבה של המטה, לעיון המנהל.")
CLOCK_ATTENTION = message("cli.clock_attention",
                          en="This terminal's clock needs attention ({state}): see 'kupa clock show'.",
                          he="שעון הקופה דורש בדיקה ({state}): ראו 'kupa clock show'.")
SKIPPED_MORE = message("cli.skipped_more", en="  … {count} more", he="  … ועוד {count}")
DISAGREE = message("cli.disagreement", en="Member {member_id}: {terminal} points here, {hq} at HQ.",
                   he="חבר {member_id}: {terminal} נקודות כאן, {hq} במטה.")


def _lines(summary: dict[str, Any]) -> list[str]:
    lines = [say(SYNCED, server=summary["server"], pushed=summary["pushed"], accepted=summary["accepted"],
                 duplicate=summary["duplicate"], rejected=summary["rejected"]),
             say(PULLED, members=summary["members"], cards=summary["cards"], products=summary["products"],
                 programs=summary["programs"], snapshots=summary.get("snapshots", 0), pending=summary["pending"])]
    lang = current_language()
    for item in summary.get("refused", [])[:MAX_REFUSED_LINES]:
        reason = render(item["code"], item["params"], lang) if item["code"] in CATALOGUE else item["reason"]
        lines.append(REFUSED.render(lang, kind=item["kind"], key=item["key"], reason=reason))
    if len(summary.get("refused", [])) > MAX_REFUSED_LINES:
        lines.append(MORE_REFUSED.render(lang, count=len(summary["refused"]) - MAX_REFUSED_LINES))
    if summary["rejected"]:
        lines.append(say(REJECTED_KEPT))
    if summary.get("clock", "ok") != "ok":
        lines.append(say(CLOCK_ATTENTION, state=summary["clock"]))
    for item in summary["disagreements"]:
        lines.append(say(DISAGREE, member_id=item["member_id"], terminal=item["terminal"], hq=item["hq"]))
    lines += [f"{text}." for text in notices(summary, current_language())]
    skipped = summary.get("skipped") or []
    if skipped:
        lines += [f"  {item['kind']} {item['ref']}: {item['reason']}" for item in skipped[:20]]
        if len(skipped) > 20:
            lines.append(say(SKIPPED_MORE, count=len(skipped) - 20))
    return lines


def sync(args: argparse.Namespace) -> int:
    client: Any = importlib.import_module("sync.client")
    terminal = Terminal.open(args.data_dir)
    if args.skipped:
        apply: Any = importlib.import_module("sync.apply")
        with terminal.read() as session:
            items = apply.skipped_items(session)
        emit({"skipped": items}, args.json, [f"{i['skipped_at'][:19]} {i['kind']} {i['ref']}: {i['reason']}"
                                             for i in items] or ["Nothing pulled from HQ was skipped."])
        return 0
    if args.once:
        summary = client.sync_once(terminal, args.server).to_json()
        emit(summary, args.json, _lines(summary))
        return 0

    def report(result: Any) -> None:
        if isinstance(result, Exception):
            log.warning("sync failed: %s", result)
        else:
            data = result.to_json()
            emit(data, args.json, _lines(data))

    client.run_forever(terminal, args.server, interval=args.interval, on_cycle=report)
    return 0
