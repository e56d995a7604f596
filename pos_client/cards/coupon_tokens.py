"""Signed member-coupon tokens: `KUPC1.<key id>.<member>.<coupon id>.<valid until>.<signature>`.

A member-bound coupon is printed or shown as a QR code like a member card (`pos_client.cards.render`), signed
the same way (`pos_client.cards.tokens`: Ed25519 by the issuing terminal's key, URL-safe base64 without
padding, only the canonical spelling accepted) over everything before the last dot. `valid until` is the
coupon's last store-local day as `YYYYMMDD`, or `0` when it has no end. The token is untrusted input: length-
and charset-checked first; a forged or edited one fails its signature and is refused by code
(`card.signature_mismatch`), before anything looks the coupon up.
"""

from __future__ import annotations

import binascii
import re
from dataclasses import dataclass
from datetime import date

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from pos_client.cards import tokens
from pos_client.cards.tokens import Signed, TokenError, b64decode, b64encode, key_id_for, public_raw

PREFIX = "KUPC1"
MAX_TOKEN_LENGTH = 200
#: An issued coupon's id: `C` and ten characters of Crockford's base32 (`pos_client.promotions.rules.new_ref`).
COUPON_ID = r"C[0-9A-HJKMNP-TV-Z]{10}"
_TOKEN_RE = re.compile(
    rf"^KUPC1\.(?P<kid>[A-Za-z0-9_-]{{8}})\.(?P<member>M[0-9]{{4,12}})\.(?P<coupon>{COUPON_ID})\."
    r"(?P<until>0|[0-9]{8})\.(?P<sig>[A-Za-z0-9_-]{86})$")


@dataclass(frozen=True)
class CouponToken(Signed):
    key_id: str
    member_id: str
    coupon_id: str
    valid_until: date | None
    signature: bytes
    text: str


def looks_like_coupon_token(text: str) -> bool:
    return text.startswith(PREFIX + ".")


def parse(text: str) -> CouponToken:
    """Check the shape of a coupon token (no signature check yet); `TokenError` when it is not one."""
    if len(text) > MAX_TOKEN_LENGTH:
        raise TokenError(tokens.TOKEN_TOO_LONG)
    match = _TOKEN_RE.match(text)
    if not match:
        raise TokenError(tokens.TOKEN_MALFORMED)
    try:
        until = match["until"]
        valid_until = None if until == "0" else date(int(until[:4]), int(until[4:6]), int(until[6:]))
        signature = b64decode(match["sig"])
    except (ValueError, binascii.Error) as exc:
        raise TokenError(tokens.TOKEN_BAD_PARTS) from exc
    if len(signature) != 64:
        raise TokenError(tokens.TOKEN_SIG_LENGTH)
    if b64encode(signature) != match["sig"]:
        raise TokenError(tokens.TOKEN_NOT_CANONICAL)
    return CouponToken(key_id=match["kid"], member_id=match["member"], coupon_id=match["coupon"],
                       valid_until=valid_until, signature=signature, text=text)


def sign(key: Ed25519PrivateKey, member_id: str, coupon_id: str, valid_until: date | None) -> str:
    """The QR payload of coupon `coupon_id` issued to `member_id`."""
    until = f"{valid_until:%Y%m%d}" if valid_until else "0"
    body = f"{PREFIX}.{key_id_for(public_raw(key))}.{member_id}.{coupon_id}.{until}"
    return f"{body}.{b64encode(key.sign(body.encode('ascii')))}"


def verify(token: CouponToken, public_key_raw: bytes) -> None:
    """Raise `TokenError` (`card.signature_mismatch`) unless the key whose raw public bytes are given signed it."""
    if not tokens._signature_matches(public_key_raw, token.signature, token.signed_part):
        raise TokenError(tokens.TOKEN_FORGED)
