"""Signed gift-card tokens: `KUPAG1.<key id>.<card number>.<issued date>.<signature>`.

The same signing as a member card (`pos_client.cards.tokens`: Ed25519 by the issuing terminal's key, over
everything before the last dot, URL-safe base64 without padding, the key id of its public half), a token kind
of its own so that a gift card is never taken for a member card nor the reverse. The card number is `G` and
16 digits, drawn at random by the issuing terminal (offline issuing needs no coordination; a clash is about
one in 10^16 per pair and HQ refuses a second issue of a number it holds). The number alone identifies the card
for a balance look-up; *paying* with it needs the signed token (as spending points needs the member's token).
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import date

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from pos_client.cards import formats, tokens
from pos_client.cards.tokens import Refusals, Signed
from pos_client.messages import message

#: The gift card token's shape (`pos_client.cards.formats`).
FORMAT = formats.GIFT_CARD
PREFIX = FORMAT.prefix
MAX_TOKEN_LENGTH = FORMAT.max_length
CARD_NUMBER = re.compile(r"^G[0-9]{16}$")

GIFT_TOKEN_MALFORMED = message("gift.token_malformed", en="the code is not a well-formed Kupa gift card",
                               he="הקוד אינו כרטיס מתנה תקין של Kupa")
GIFT_TOKEN_FORGED = message("gift.signature_mismatch",
                            en="the gift card's signature does not match: the code was forged or edited",
                            he="חתימת כרטיס המתנה אינה תואמת: הקוד זויף או נערך")
#: A gift token that does not read says only that; a forged one says so.
REFUSALS = Refusals(too_long=GIFT_TOKEN_MALFORMED, malformed=GIFT_TOKEN_MALFORMED, bad_parts=GIFT_TOKEN_MALFORMED,
                    sig_length=GIFT_TOKEN_MALFORMED, not_canonical=GIFT_TOKEN_MALFORMED, forged=GIFT_TOKEN_FORGED)


@dataclass(frozen=True)
class GiftToken(Signed):
    key_id: str
    card: str
    issued: date
    signature: bytes
    text: str


def looks_like_gift_token(text: str) -> bool:
    return FORMAT.looks_like(text)


def new_card_number() -> str:
    return "G" + "".join(secrets.choice("0123456789") for _ in range(16))


def parse(text: str) -> GiftToken:
    """The shape of a gift token (no signature check yet); `TokenError` when it is not one."""
    return tokens.read(FORMAT, REFUSALS, text, lambda m, sig: GiftToken(
        key_id=m["kid"], card=m["card"], issued=tokens.day(m["issued"]), signature=sig, text=text))


def sign(key: Ed25519PrivateKey, card: str, issued: date) -> str:
    """The QR payload of gift card `card`, issued on store day `issued`."""
    return tokens.sign_body(key, FORMAT, card, f"{issued:%Y%m%d}")


def verify(token: GiftToken, public_key_raw: bytes) -> None:
    tokens.check(token, public_key_raw, REFUSALS)
