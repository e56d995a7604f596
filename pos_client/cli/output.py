"""How the CLI speaks: one JSON object with `--json`, short sentences otherwise, errors on stderr.

Sentences come from the messages catalogue (`pos_client.messages`) in the language the command line chose
(`--lang` or `KUPA_LANG`, set once by `main()` with `set_language`); `--json` output is the same in every
language except the error's `message`.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from pos_client.errors import KupaError
from pos_client.messages import Message, current_language, message


def say(text: Message, /, **params: object) -> str:
    """`text` with `params` in the command line's language."""
    return text.render(current_language(), **params)


def emit(data: dict[str, Any], as_json: bool, text: str | list[str]) -> None:
    if as_json:
        sys.stdout.write(json.dumps(data, ensure_ascii=False, sort_keys=False) + "\n")
    else:
        lines = [text] if isinstance(text, str) else text
        sys.stdout.write("\n".join(lines) + "\n")


QUOTE_TOTALS = message("cli.quote_totals",
                       en="Subtotal {subtotal:money}, discounts {discounts:money}, points {points:money}, "
                          "total {total:money}",
                       he="סכום ביניים {subtotal:money}, הנחות {discounts:money}, נקודות {points:money}, "
                          "לתשלום {total:money}")


def quote_text(quote: dict[str, Any]) -> list[str]:
    lines = list(quote["explain"])
    lines.append(say(QUOTE_TOTALS, subtotal=quote["subtotal"], discounts=quote["discount_total"],
                     points=quote["redeemed_value"], total=quote["total"], currency=quote["currency"]))
    return lines


def error(message: str) -> None:
    sys.stderr.write(f"kupa: {message}\n")


def report_error(exc: KupaError, as_json: bool, prog: str = "kupa") -> None:
    """A refusal: one line on stderr in the reader's language; with `--json`, also the error as one object.

    The object is `{"error": kind, "message_code": code, "message": words, "params": values}`: `error` is the
    error's kind (`not_found`, `rule_violation`…), stable for scripts; `message_code` names the exact message.
    """
    lang = current_language()
    sys.stderr.write(f"{prog}: {exc.text(lang)}\n")
    if as_json:
        sys.stdout.write(json.dumps(exc.to_json(lang), ensure_ascii=False) + "\n")
