"""`kupa sync [--once] [--server URL]`, registered on the main parser by `register()`.

The sync client lives in `sync/` and speaks HTTP with `requests`, which the core never imports (the
layering test checks it); the command therefore loads `sync.client` lazily, when it runs.
"""

from __future__ import annotations

import argparse
import importlib
import logging
from typing import Any, Callable

from pos_client.cli.output import emit
from pos_client.messages import CATALOGUE, default_language, message, render
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


def _lines(summary: dict[str, Any]) -> list[str]:
    lines = [f"Synced with {summary['server']}: pushed {summary['pushed']} ({summary['accepted']} accepted,"
             f" {summary['duplicate']} already there, {summary['rejected']} rejected);",
             f"pulled {summary['members']} members, {summary['cards']} cards, {summary['products']} products,"
             f" {summary['programs']} program versions, {summary['entries']} entries from other counters;"
             f" {summary['pending']} waiting."]
    lang = default_language()
    for item in summary.get("refused", [])[:MAX_REFUSED_LINES]:
        reason = render(item["code"], item["params"], lang) if item["code"] in CATALOGUE else item["reason"]
        lines.append(REFUSED.render(lang, kind=item["kind"], key=item["key"], reason=reason))
    if len(summary.get("refused", [])) > MAX_REFUSED_LINES:
        lines.append(MORE_REFUSED.render(lang, count=len(summary["refused"]) - MAX_REFUSED_LINES))
    if summary["rejected"]:
        lines.append("Rejected entries are kept with HQ's reason for the manager.")
    for item in summary["disagreements"]:
        lines.append(f"Member {item['member_id']}: {item['terminal']} points here, {item['hq']} at HQ.")
    return lines


def sync(args: argparse.Namespace) -> int:
    client: Any = importlib.import_module("sync.client")
    terminal = Terminal.open(args.data_dir)
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
