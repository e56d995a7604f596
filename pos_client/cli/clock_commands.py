"""`kupa clock show` and `kupa clock confirm --pin PIN`: the headless form of the checkout screen's clock banner.

When the terminal's clock jumped (see `pos_client.services.clock`), sales stop until a manager confirms the
clock; `clock show --json` prints the state (`status` ok | unverified | behind | hq_disagrees, `hold`, the
last known good time, HQ's time and the difference at the last sync, and the message in `KUPA_LANG`).
"""

from __future__ import annotations

import argparse
from typing import Any, Callable

from pos_client.cli.output import emit, say
from pos_client.messages import current_language, message
from pos_client.services import clock
from pos_client.terminal import Terminal


def register(sub: Any, cmd: Callable[..., argparse.ArgumentParser], parser_class: type[argparse.ArgumentParser]) -> None:
    """Add `clock show` and `clock confirm` to the main parser's subparsers `sub`."""
    group = sub.add_parser("clock", help="the terminal's clock check").add_subparsers(
        dest="sub", required=True, parser_class=parser_class)
    cmd("show", show, "show the clock check's state", group)
    p = cmd("confirm", confirm, "a manager confirms the terminal's clock (lets sales go on)", group)
    p.add_argument("--pin", required=True, metavar="MANAGER_PIN")


CLOCK_TIMES = message("cli.clock_times", en="Now {now}; last known good time {last_good}.",
                      he="עכשיו {now}; הזמן התקין האחרון הידוע {last_good}.")
CLOCK_HQ_TIME = message("cli.clock_hq_time", en="At the last sync HQ's time was {hq_time} ({skew:+d} s here).",
                        he="בסנכרון האחרון השעה במטה הייתה {hq_time} ({skew:+d} שניות כאן).")
CLOCK_CONFIRMED = message("cli.clock_confirmed", en="Clock confirmed by the manager (written to the audit log).",
                          he="השעון אושר על ידי המנהל (נרשם ביומן הביקורת).")


def _lines(data: dict[str, Any]) -> list[str]:
    lines = [str(data["message"]) + ".", say(CLOCK_TIMES, now=data["now"], last_good=data["last_good"] or "-")]
    if data["hq_time"]:
        lines.append(say(CLOCK_HQ_TIME, hq_time=data["hq_time"], skew=round(float(data["hq_skew_seconds"]))))
    return lines


def show(args: argparse.Namespace) -> int:
    data = clock.status(Terminal.open(args.data_dir), current_language())
    emit(data, args.json, _lines(data))
    return 0


def confirm(args: argparse.Namespace) -> int:
    verdict = clock.confirm(Terminal.open(args.data_dir), args.pin)
    data = verdict.to_json(current_language())
    emit(data, args.json, [say(CLOCK_CONFIRMED), *_lines(data)])
    return 0
