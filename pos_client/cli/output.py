"""How the CLI speaks: one JSON object with `--json`, short sentences otherwise, errors on stderr."""

from __future__ import annotations

import json
import sys
from typing import Any

from pos_client.money import format_money


def emit(data: dict[str, Any], as_json: bool, text: str | list[str]) -> None:
    if as_json:
        sys.stdout.write(json.dumps(data, ensure_ascii=False, sort_keys=False) + "\n")
    else:
        lines = [text] if isinstance(text, str) else text
        sys.stdout.write("\n".join(lines) + "\n")


def quote_text(quote: dict[str, Any]) -> list[str]:
    cur = quote["currency"]
    lines = list(quote["explain"])
    lines.append(f"Subtotal {format_money(quote['subtotal'], cur)}, discounts {format_money(quote['discount_total'], cur)},"
                 f" points {format_money(quote['redeemed_value'], cur)}, total {format_money(quote['total'], cur)}")
    return lines


def error(message: str) -> None:
    sys.stderr.write(f"kupa: {message}\n")
