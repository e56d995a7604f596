"""Signed member-card tokens: `KUPA1.<key id>.<member>.<card serial>.<issued date>.<signature>`.

The signature is Ed25519 over the UTF-8 bytes of everything before the last dot, in URL-safe base64 without
padding. Each terminal signs with its own key (made at `kupa init`, so a member can be enrolled and handed a
card while offline); the key id is the first 8 characters of the URL-safe base64 SHA-256 of the raw public key.
A token is untrusted input: it is length- and charset-checked before any parsing, and every failure is a
`TokenError` with a reason a manager can read.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import TypeVar

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from pos_client.cards import formats
from pos_client.messages import Message, message

#: The member card's shape (`pos_client.cards.formats`, with the coupon's and the gift card's).
FORMAT = formats.MEMBER_CARD
PREFIX = FORMAT.prefix
MAX_TOKEN_LENGTH = FORMAT.max_length


class TokenError(Exception):
    """A code that looks like a card token but is not a valid one; `reason` says why."""

    def __init__(self, reason: Message, **params: object) -> None:
        super().__init__(reason.render("en", **params))
        #: Why, as a catalogue message with its values (`InvalidCardError` words it for the cashier).
        self.reason = reason.bind(**params)


class Signed:
    """A signed Kupa code (member card, coupon, gift card): its text up to the last dot is what the terminal's
    key signed."""

    text: str
    signature: bytes

    @property
    def signed_part(self) -> bytes:
        return self.text.rsplit(".", 1)[0].encode("ascii")


@dataclass(frozen=True)
class CardToken(Signed):
    key_id: str
    member_id: str
    serial: int
    issued: date
    signature: bytes
    text: str


def b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def key_id_for(public_raw: bytes) -> str:
    return b64encode(hashlib.sha256(public_raw).digest())[:8]


def public_raw(key: Ed25519PrivateKey | Ed25519PublicKey) -> bytes:
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return public.public_bytes_raw()


def looks_like_token(text: str) -> bool:
    return FORMAT.looks_like(text)


TOKEN_TOO_LONG = message("card.token_too_long", en="the code is too long to be a Kupa card",
                         he="הקוד ארוך מדי בשביל כרטיס של Kupa")
TOKEN_MALFORMED = message("card.token_malformed", en="the code is not a well-formed Kupa card token",
                          he="הקוד אינו אסימון תקין של כרטיס Kupa")
TOKEN_BAD_PARTS = message("card.token_bad_parts", en="the card token has a malformed date or signature",
                          he="התאריך או החתימה באסימון הכרטיס פגומים")
TOKEN_SIG_LENGTH = message("card.signature_length", en="the card token's signature has the wrong length",
                           he="אורך החתימה באסימון הכרטיס שגוי")
TOKEN_NOT_CANONICAL = message("card.signature_not_canonical",
                              en="the card token's signature is not in canonical form: the code was edited",
                              he="החתימה באסימון הכרטיס אינה בצורתה הקנונית: הקוד נערך")


TOKEN_FORGED = message("card.signature_mismatch",
                       en="the card's signature does not match: the code was forged or edited",
                       he="חתימת הכרטיס אינה תואמת: הקוד זויף או נערך")


@dataclass(frozen=True)
class Refusals:
    """What a kind of signed code says when it is too long, not of its shape, has a part that does not
    read (a date, the signature's base64), a signature of the wrong length or not canonically spelled, or one
    that does not match."""

    too_long: Message
    malformed: Message
    bad_parts: Message
    sig_length: Message
    not_canonical: Message
    forged: Message


#: The member card's refusals (a coupon token says the same).
CARD_REFUSALS = Refusals(TOKEN_TOO_LONG, TOKEN_MALFORMED, TOKEN_BAD_PARTS, TOKEN_SIG_LENGTH, TOKEN_NOT_CANONICAL,
                         TOKEN_FORGED)

S = TypeVar("S", bound=Signed)


def read(fmt: formats.TokenFormat, refusals: Refusals, text: str, build: Callable[[re.Match[str], bytes], S]) -> S:
    """The one parser of a signed Kupa code (no signature check yet): its length, its shape (`fmt`), then
    `build(match, signature)` makes the token from the fields (a `ValueError` in it, as from a date that does
    not exist, is a malformed part), and only the canonical spelling of a 64-byte signature is accepted."""
    if len(text) > fmt.max_length:
        raise TokenError(refusals.too_long)
    match = fmt.pattern.match(text)
    if not match:
        raise TokenError(refusals.malformed)
    try:
        signature = b64decode(match["sig"])
        token = build(match, signature)
    except (ValueError, binascii.Error) as exc:
        raise TokenError(refusals.bad_parts) from exc
    if len(signature) != 64:
        raise TokenError(refusals.sig_length)
    if b64encode(signature) != match["sig"]:
        # The last base64 character carries 4 spare bits: only the canonical spelling is the code, so an
        # edited code never passes as the original (found by tests/reliability/test_hostile_input.py).
        raise TokenError(refusals.not_canonical)
    return token


def day(text: str) -> date:
    """A `YYYYMMDD` field as a date (`ValueError` when there is no such day)."""
    return date(int(text[:4]), int(text[4:6]), int(text[6:]))


def sign_body(key: Ed25519PrivateKey, fmt: formats.TokenFormat, *values: str) -> str:
    """A signed code of kind `fmt` with these field values, signed by `key` (the QR payload)."""
    body = fmt.body(key_id_for(public_raw(key)), *values)
    return f"{body}.{b64encode(key.sign(body.encode('ascii')))}"


def check(token: Signed, public_key_raw: bytes, refusals: Refusals) -> None:
    """Raise `TokenError(refusals.forged)` unless the key whose raw public bytes are given signed `token`."""
    if not _signature_matches(public_key_raw, token.signature, token.signed_part):
        raise TokenError(refusals.forged)


def parse(text: str) -> CardToken:
    """Check the shape of a member card token (no signature check yet)."""
    return read(FORMAT, CARD_REFUSALS, text, lambda m, sig: CardToken(
        key_id=m["kid"], member_id=m["member"], serial=int(m["serial"]), issued=day(m["issued"]), signature=sig,
        text=text))


def sign(key: Ed25519PrivateKey, member_id: str, serial: int, issued: date) -> str:
    """Make the QR payload for card `serial` of `member_id`."""
    return sign_body(key, FORMAT, member_id, str(serial), f"{issued:%Y%m%d}")


def verify(token: CardToken, public_key_raw: bytes) -> None:
    """Raise `TokenError` unless `token` was signed by the key whose raw public bytes are given."""
    check(token, public_key_raw, CARD_REFUSALS)


@lru_cache(maxsize=1024)
def _signature_matches(public_key_raw: bytes, signature: bytes, signed: bytes) -> bool:
    """The Ed25519 check, remembered: its verdict depends on these three values alone, and a sale checks the
    card that the scan identifying the member checked a moment before. (Revocations are looked up on every
    use, never cached.)"""
    try:
        Ed25519PublicKey.from_public_bytes(public_key_raw).verify(signature, signed)
    except (InvalidSignature, ValueError):
        return False
    return True
