"""`kupa clock show` and `kupa clock confirm --pin PIN`: the headless form of the checkout screen's clock banner.

When the terminal's clock jumped (see `pos_client.services.clock`), sales stop until a manager confirms the
clock; `clock show --json` prints the state (`status` ok | unverified | behind | hq_disagrees, `hold`, the
last known good time, HQ's time and the difference at the last sync, and the message in `KUPA_LANG`).
"""

from __future__ import annotations

import argparse
from typing import Any, Callable

from pos_client.cli.output import emit
from pos_client.messages import default_language
from pos_client.services import clock
from pos_client.terminal import Terminal


def register(sub: Any, cmd: Callable[..., argparse.ArgumentParser], parser_class: type[argparse.ArgumentParser]) -> None:
    """Add `clock show` and `clock confirm` to the main parser's subparsers `sub`."""
    group = sub.add_parser("clock", help="the terminal's clock check").add_subparsers(
        dest="sub", required=True, parser_class=parser_class)
    cmd("show", show, "show the clock check's state", group)
    p = cmd("confirm", confirm, "a manager confirms the terminal's clock (lets sales go on)", group)
    p.add_argument("--pin", required=True, metavar="MANAGER_PIN")


def _lines(data: dict[str, Any]) -> list[str]:
    lines = [str(data["message"]) + ".", f"Now {data['now']}; last known good time {data['last_good'] or '-'}."]
    if data["hq_time"]:
        lines.append(f"At the last sync HQ's time was {data['hq_time']} ({data['hq_skew_seconds']:+.0f} s here).")
    return lines


def show(args: argparse.Namespace) -> int:
    data = clock.status(Terminal.open(args.data_dir), default_language())
    emit(data, args.json, _lines(data))
    return 0


def confirm(args: argparse.Namespace) -> int:
    verdict = clock.confirm(Terminal.open(args.data_dir), args.pin)
    data = verdict.to_json(default_language())
    emit(data, args.json, ["Clock confirmed by the manager (written to the audit log).", *_lines(data)])
    return 0
