"""Parse an untrusted JSON document within bounds: size, nesting depth and number length are checked first.

`json.loads` alone turns hostile files into crashes rather than messages: a document nested a few thousand
deep raises `RecursionError`, an integer of more than 4,300 digits raises a plain `ValueError`, and a
gigabyte file is read whole into memory. Program files and catalog files go through `load_bounded`, which
refuses each of these with a `DocumentTooLarge` / `DocumentTooDeep` / `DocumentInvalid` carrying what the
caller needs to word its own message.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

#: Strings (with their escapes) in a JSON text, removed before counting brackets.
_STRINGS = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
#: A run of digits longer than any number a Kupa document holds (int() refuses > 4,300 digits anyway).
_LONG_NUMBER = re.compile(r"[0-9]{100,}")
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")


class DocumentError(ValueError):
    """A JSON document that is refused before or while parsing."""


class DocumentTooLarge(DocumentError):
    def __init__(self, size: int, limit: int) -> None:
        super().__init__(f"{size} bytes, over the limit of {limit}")
        self.size, self.limit = size, limit


class DocumentTooDeep(DocumentError):
    def __init__(self, depth: int, limit: int) -> None:
        super().__init__(f"nested {depth} deep, over the limit of {limit}")
        self.depth, self.limit = depth, limit


class DocumentInvalid(DocumentError):
    """Not JSON: `line` and `reason` say where and why."""

    def __init__(self, line: int, reason: str) -> None:
        super().__init__(f"line {line}: {reason}")
        self.line, self.reason = line, reason


def read_bounded(path: Path, max_bytes: int) -> str:
    """The UTF-8 text of `path`, refused (`DocumentTooLarge`) before reading when the file is too big.

    `OSError` and `UnicodeDecodeError` pass through for the caller to word.
    """
    size = path.stat().st_size
    if size > max_bytes:
        raise DocumentTooLarge(size, max_bytes)
    with path.open("rb") as handle:
        data = handle.read(max_bytes + 1)  # a file that grew since stat() is still cut at the limit
    if len(data) > max_bytes:
        raise DocumentTooLarge(len(data), max_bytes)
    return data.decode("utf-8-sig")


def nesting_depth(text: str) -> int:
    """How deep arrays and objects nest in `text` (strings ignored), without parsing it."""
    depth = deepest = 0
    for char in _NOT_BRACKET.sub("", _STRINGS.sub("", text)):
        if char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


def load_bounded(text: str, *, max_bytes: int, max_depth: int,
                 object_pairs_hook: Callable[[list[tuple[str, Any]]], Any] | None = None,
                 parse_float: Callable[[str], Any] | None = None) -> Any:
    """`json.loads(text)` after checking its size (UTF-8 bytes) and nesting; every refusal a `DocumentError`.

    Errors raised by `object_pairs_hook` pass through unchanged.
    """
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > max_bytes:
        raise DocumentTooLarge(size, max_bytes)
    depth = nesting_depth(text)
    if depth > max_depth:
        raise DocumentTooDeep(depth, max_depth)
    # Strings become "" (JSON strings hold no raw newline, so line numbers stay right).
    long_number = _LONG_NUMBER.search(_STRINGS.sub('""', text))
    if long_number:
        line = long_number.string.count("\n", 0, long_number.start()) + 1
        raise DocumentInvalid(line, "a number with 100 digits or more")
    try:
        return json.loads(text, object_pairs_hook=object_pairs_hook, parse_float=parse_float)
    except json.JSONDecodeError as exc:
        raise DocumentInvalid(exc.lineno, exc.msg) from exc
    except RecursionError as exc:  # belt and braces: nesting_depth already refused deep documents
        raise DocumentTooDeep(max_depth + 1, max_depth) from exc
