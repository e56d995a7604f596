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
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from pos_client.messages import Message, message

PREFIX = "KUPA1"
MAX_TOKEN_LENGTH = 200
_TOKEN_RE = re.compile(
    r"^KUPA1\.(?P<kid>[A-Za-z0-9_-]{8})\.(?P<member>M[0-9]{4,12})\.(?P<serial>[0-9]{1,6})\."
    r"(?P<issued>[0-9]{8})\.(?P<sig>[A-Za-z0-9_-]{86})$")


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
    return text.startswith(PREFIX + ".")


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


def parse(text: str) -> CardToken:
    """Check the shape of a token (no signature check yet)."""
    if len(text) > MAX_TOKEN_LENGTH:
        raise TokenError(TOKEN_TOO_LONG)
    match = _TOKEN_RE.match(text)
    if not match:
        raise TokenError(TOKEN_MALFORMED)
    try:
        issued = date(int(match["issued"][:4]), int(match["issued"][4:6]), int(match["issued"][6:]))
        signature = b64decode(match["sig"])
    except (ValueError, binascii.Error) as exc:
        raise TokenError(TOKEN_BAD_PARTS) from exc
    if len(signature) != 64:
        raise TokenError(TOKEN_SIG_LENGTH)
    if b64encode(signature) != match["sig"]:
        # The last base64 character carries 4 spare bits: only the canonical spelling is the card's code, so an
        # edited code never passes as the original (found by tests/reliability/test_hostile_input.py).
        raise TokenError(TOKEN_NOT_CANONICAL)
    return CardToken(key_id=match["kid"], member_id=match["member"], serial=int(match["serial"]), issued=issued,
                     signature=signature, text=text)


def sign(key: Ed25519PrivateKey, member_id: str, serial: int, issued: date) -> str:
    """Make the QR payload for card `serial` of `member_id`."""
    body = f"{PREFIX}.{key_id_for(public_raw(key))}.{member_id}.{serial}.{issued:%Y%m%d}"
    return f"{body}.{b64encode(key.sign(body.encode('ascii')))}"


TOKEN_FORGED = message("card.signature_mismatch",
                       en="the card's signature does not match: the code was forged or edited",
                       he="חתימת הכרטיס אינה תואמת: הקוד זויף או נערך")


def verify(token: CardToken, public_key_raw: bytes) -> None:
    """Raise `TokenError` unless `token` was signed by the key whose raw public bytes are given."""
    if not _signature_matches(public_key_raw, token.signature, token.signed_part):
        raise TokenError(TOKEN_FORGED)


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


def signature_ok(public_key_raw: bytes, signature: bytes, signed: bytes) -> bool:
    """The one Ed25519 check every signed Kupa code uses (member cards here, gift cards in `gift_tokens`)."""
    return _signature_matches(public_key_raw, signature, signed)
