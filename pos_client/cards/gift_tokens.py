"""Signed gift-card tokens: `KUPAG1.<key id>.<card number>.<issued date>.<signature>`.

The same signing as a member card (`pos_client.cards.tokens`: Ed25519 by the issuing terminal's key, over
everything before the last dot, URL-safe base64 without padding, the key id of its public half), a token kind
of its own so that a gift card is never taken for a member card nor the reverse. The card number is `G` and
16 digits, drawn at random by the issuing terminal (offline issuing needs no coordination; a clash is about
one in 10^16 per pair and HQ refuses a second issue of a number it holds). The number alone identifies the card
for a balance look-up; *paying* with it needs the signed token (as spending points needs the member's token).
"""

from __future__ import annotations

import binascii
import re
import secrets
from dataclasses import dataclass
from datetime import date

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from pos_client.cards.tokens import Signed, TokenError, b64decode, b64encode, key_id_for, public_raw, signature_ok
from pos_client.messages import message

PREFIX = "KUPAG1"
MAX_TOKEN_LENGTH = 160
CARD_NUMBER = re.compile(r"^G[0-9]{16}$")
_TOKEN_RE = re.compile(r"^KUPAG1\.(?P<kid>[A-Za-z0-9_-]{8})\.(?P<card>G[0-9]{16})\.(?P<issued>[0-9]{8})\."
                       r"(?P<sig>[A-Za-z0-9_-]{86})$")

GIFT_TOKEN_MALFORMED = message("gift.token_malformed", en="the code is not a well-formed Kupa gift card",
                               he="הקוד אינו כרטיס מתנה תקין של Kupa")
GIFT_TOKEN_FORGED = message("gift.signature_mismatch",
                            en="the gift card's signature does not match: the code was forged or edited",
                            he="חתימת כרטיס המתנה אינה תואמת: הקוד זויף או נערך")


@dataclass(frozen=True)
class GiftToken(Signed):
    key_id: str
    card: str
    issued: date
    signature: bytes
    text: str


def looks_like_gift_token(text: str) -> bool:
    return text.startswith(PREFIX + ".")


def new_card_number() -> str:
    return "G" + "".join(secrets.choice("0123456789") for _ in range(16))


def parse(text: str) -> GiftToken:
    """The shape of a gift token (no signature check yet); `TokenError` when it is not one."""
    match = _TOKEN_RE.match(text) if len(text) <= MAX_TOKEN_LENGTH else None
    if not match:
        raise TokenError(GIFT_TOKEN_MALFORMED)
    try:
        issued = date(int(match["issued"][:4]), int(match["issued"][4:6]), int(match["issued"][6:]))
        signature = b64decode(match["sig"])
    except (ValueError, binascii.Error) as exc:
        raise TokenError(GIFT_TOKEN_MALFORMED) from exc
    if len(signature) != 64 or b64encode(signature) != match["sig"]:  # only the canonical spelling is the card
        raise TokenError(GIFT_TOKEN_MALFORMED)
    return GiftToken(key_id=match["kid"], card=match["card"], issued=issued, signature=signature, text=text)


def sign(key: Ed25519PrivateKey, card: str, issued: date) -> str:
    """The QR payload of gift card `card`, issued on store day `issued`."""
    body = f"{PREFIX}.{key_id_for(public_raw(key))}.{card}.{issued:%Y%m%d}"
    return f"{body}.{b64encode(key.sign(body.encode('ascii')))}"


def verify(token: GiftToken, public_key_raw: bytes) -> None:
    if not signature_ok(public_key_raw, token.signature, token.signed_part):
        raise TokenError(GIFT_TOKEN_FORGED)
