"""Signed member-coupon tokens: `KUPC1.<key id>.<member>.<coupon id>.<valid until>.<signature>`.

A member-bound coupon is printed or shown as a QR code like a member card (`pos_client.cards.render`), signed
the same way (`pos_client.cards.tokens`: Ed25519 by the issuing terminal's key, URL-safe base64 without
padding, only the canonical spelling accepted) over everything before the last dot. `valid until` is the
coupon's last store-local day as `YYYYMMDD`, or `0` when it has no end. The token is untrusted input: length-
and charset-checked first; a forged or edited one fails its signature and is refused by code
(`card.signature_mismatch`), before anything looks the coupon up.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from pos_client.cards import formats, tokens
from pos_client.cards.tokens import Signed

#: The coupon token's shape (`pos_client.cards.formats`); it refuses as a member card does.
FORMAT = formats.COUPON
PREFIX = FORMAT.prefix
MAX_TOKEN_LENGTH = FORMAT.max_length
COUPON_ID = formats.COUPON_ID


@dataclass(frozen=True)
class CouponToken(Signed):
    key_id: str
    member_id: str
    coupon_id: str
    valid_until: date | None
    signature: bytes
    text: str


def looks_like_coupon_token(text: str) -> bool:
    return FORMAT.looks_like(text)


def parse(text: str) -> CouponToken:
    """Check the shape of a coupon token (no signature check yet); `TokenError` when it is not one."""
    return tokens.read(FORMAT, tokens.CARD_REFUSALS, text, lambda m, sig: CouponToken(
        key_id=m["kid"], member_id=m["member"], coupon_id=m["coupon"],
        valid_until=None if m["until"] == "0" else tokens.day(m["until"]), signature=sig, text=text))


def sign(key: Ed25519PrivateKey, member_id: str, coupon_id: str, valid_until: date | None) -> str:
    """The QR payload of coupon `coupon_id` issued to `member_id`."""
    return tokens.sign_body(key, FORMAT, member_id, coupon_id, f"{valid_until:%Y%m%d}" if valid_until else "0")


def verify(token: CouponToken, public_key_raw: bytes) -> None:
    """Raise `TokenError` (`card.signature_mismatch`) unless the key whose raw public bytes are given signed it."""
    tokens.check(token, public_key_raw, tokens.CARD_REFUSALS)
