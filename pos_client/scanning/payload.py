"""Checks on a scanned payload, which is untrusted input like anything typed by a stranger.

A code held up to the camera (or typed by a keyboard-wedge scanner) may be a Kupa member card, a punch card,
a product barcode, a URL, 3 KB of junk, binary data, SQL, or text with right-to-left override characters
meant to disguise it. Nothing here parses deeper than the shape of the text, and nothing here raises: every
payload gets a `PayloadCheck` saying what it looks like, or why it is refused, in words a cashier can read.

- `member_token`: `KUPA1.` and six dot-separated parts in the URL-safe base64 alphabet. The signature is
  checked later, by `pos_client.cards.tokens`, not here.
- `coupon_token`: `KUPC1.` and six dot-separated parts, a member coupon's signed QR
  (`pos_client.cards.coupon_tokens`; its signature is checked there, not here).
- `gift_token`: `KUPAG1.` and five dot-separated parts (a gift card, `pos_client.cards.gift_tokens`; its
  signature is checked when it pays).

  The prefixes and the numbers of parts are the formats' (`pos_client.cards.formats`), not spelled here.
- `card_number`: a punch or plastic card, Code 128 letters and digits (4 to 32) or an EAN-13 with a valid
  check digit.
- `invalid`: anything else, with `reason`.

`is_plausible` is the lighter check the decoding pipeline applies to every read, whatever it is, to throw
away misreads (a wrong EAN-13 check digit, a Code 128 with characters Code 128 cannot carry).
"""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

from pos_client.cards import formats
from pos_client.cards.formats import TokenFormat
from pos_client.messages import Message, message
from pos_client.scanning.result import Symbology

log = logging.getLogger(__name__)

PayloadKind = Literal["member_token", "coupon_token", "gift_token", "card_number", "invalid"]

#: Longer payloads are refused before any other look (a Kupa token is about 130 characters).
MAX_PAYLOAD_LENGTH = 512

REASON_EMPTY = message("scan.reason.empty", en="empty code", he="קוד ריק")
REASON_TOO_LONG = message("scan.reason.too_long", en="too long", he="ארוך מדי")
REASON_BINARY = message("scan.reason.binary", en="binary data, not text", he="נתונים בינאריים, לא טקסט")
REASON_UNPRINTABLE = message("scan.reason.unprintable", en="unprintable characters", he="תווים שאינם ניתנים להצגה")
REASON_NOT_ASCII = message("scan.reason.not_ascii", en="characters a Kupa code never contains",
                           he="תווים שאינם מופיעים אף פעם בקוד של Kupa")
REASON_BAD_TOKEN = message("scan.reason.bad_token", en="damaged Kupa member code", he="קוד חבר של Kupa פגום")
REASON_BAD_COUPON = message("scan.reason.bad_coupon", en="damaged Kupa coupon code", he="קוד קופון של Kupa פגום")
REASON_BAD_GIFT = message("scan.reason.bad_gift", en="damaged Kupa gift card code", he="קוד כרטיס מתנה של Kupa פגום")
REASON_BAD_CHECK_DIGIT = message("scan.reason.check_digit", en="barcode check digit is wrong",
                                 he="ספרת הביקורת של הברקוד שגויה")
REASON_NOT_KUPA = message("scan.reason.not_kupa", en="not a Kupa code", he="אינו קוד של Kupa")

#: The signed kinds, by their shapes (`pos_client.cards.formats`, defined once): what each is, and why a damaged
#: one is refused.
_SIGNED: tuple[tuple[TokenFormat, PayloadKind, Message], ...] = (
    (formats.MEMBER_CARD, "member_token", REASON_BAD_TOKEN),
    (formats.COUPON, "coupon_token", REASON_BAD_COUPON),
    (formats.GIFT_CARD, "gift_token", REASON_BAD_GIFT))
_TOKEN_PART = re.compile(r"[A-Za-z0-9_-]+={0,2}")
_CARD_NUMBER = re.compile(r"[A-Za-z0-9]{4,32}")
_EAN13 = re.compile(r"[0-9]{13}")
_WHITESPACE = " \t\r\n"


@dataclass(frozen=True, slots=True)
class PayloadCheck:
    """What a scanned payload is: `kind`, the cleaned `value`, and `reason` when it is refused."""

    kind: PayloadKind
    value: str
    reason: Message | None = None

    @property
    def ok(self) -> bool:
        """True for a member token, a coupon token, a gift card token or a card number."""
        return self.kind != "invalid"


def ean13_check_digit_ok(digits: str) -> bool:
    """Whether a 13-digit string ends with the EAN-13 check digit of the first twelve."""
    if not _EAN13.fullmatch(digits):
        return False
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(digits[:12]))
    return (10 - total % 10) % 10 == int(digits[12])


def is_plausible(symbology: Symbology, payload: str) -> bool:
    """A cheap sanity check of a decoder's read, before the pipeline keeps it."""
    if not payload or len(payload) > 8192:
        return False
    if symbology == "ean13":
        return ean13_check_digit_ok(payload)
    if symbology == "code128":
        return len(payload) <= 128 and all(" " <= ch <= "~" for ch in payload)
    return all(ch in "\t\r\n" or unicodedata.category(ch) not in ("Cc", "Cs") for ch in payload)


def _invalid(value: str, reason: Message) -> PayloadCheck:
    return PayloadCheck("invalid", value, reason)


def _as_text(payload: str | bytes) -> str | PayloadCheck:
    if isinstance(payload, str):
        return payload
    if len(payload) > MAX_PAYLOAD_LENGTH:
        return _invalid("", REASON_TOO_LONG)
    try:
        return payload.decode("ascii")
    except UnicodeDecodeError:
        return _invalid("", REASON_BINARY)


def check_payload(payload: str | bytes, symbology: Symbology | None = None) -> PayloadCheck:
    """Classify a scanned payload; `symbology` (None for a keyboard-wedge scanner) tightens the rules.

    Surrounding spaces and line ends (a wedge scanner's Enter) are trimmed; nothing else is changed.
    """
    text = _as_text(payload)
    if isinstance(text, PayloadCheck):
        return text
    if len(text) > MAX_PAYLOAD_LENGTH:
        return _invalid("", REASON_TOO_LONG)
    text = text.strip(_WHITESPACE)
    if not text:
        return _invalid("", REASON_EMPTY)
    shown = _printable_preview(text)
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp") for ch in text):
        return _invalid(shown, REASON_UNPRINTABLE)
    if not text.isascii():
        return _invalid(shown, REASON_NOT_ASCII)
    for fmt, kind, damaged in _SIGNED:
        if fmt.looks_like(text):
            parts = text.split(".")
            if len(parts) == fmt.parts and all(_TOKEN_PART.fullmatch(part) for part in parts[1:]):
                return PayloadCheck(kind, text)
            return _invalid(shown, damaged)
    if symbology == "ean13" or (symbology is None and _EAN13.fullmatch(text)):
        if not _EAN13.fullmatch(text):
            return _invalid(shown, REASON_NOT_KUPA)
        if not ean13_check_digit_ok(text):
            return _invalid(shown, REASON_BAD_CHECK_DIGIT)
        return PayloadCheck("card_number", text)
    if _CARD_NUMBER.fullmatch(text):
        return PayloadCheck("card_number", text)
    return _invalid(shown, REASON_NOT_KUPA)


def _printable_preview(text: str, limit: int = 40) -> str:
    """A short, safe rendering of a refused payload for logs and messages (anything odd escaped)."""
    shown = ""
    for ch in text:
        piece = ch if " " <= ch <= "~" else ch.encode("unicode_escape").decode("ascii")
        if len(shown) + len(piece) > limit:
            return shown + "..."
        shown += piece
    return shown
