"""The shapes of Kupa's signed codes, each defined once: member card, member coupon, gift card.

Every signed Kupa code is `<prefix>.<key id>.<field>….<signature>`: the key id is 8 characters of URL-safe
base64, the signature 86 (Ed25519's 64 bytes, URL-safe base64 without padding) over everything before the last
dot. Only the prefix and the fields between the key id and the signature differ from one kind to another; a
`TokenFormat` names them, and everything else reads them from it: `pos_client.cards.tokens.read` parses any of
the three, `tokens.sign_body` writes it, and the scanner's payload check (`pos_client.scanning.payload`, which
must stay light: no cryptography here) recognises each by its prefix and its number of parts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

#: A key id: the first 8 characters of the URL-safe base64 SHA-256 of the raw public key.
KEY_ID = r"[A-Za-z0-9_-]{8}"
#: An Ed25519 signature (64 bytes) in URL-safe base64 without padding.
SIGNATURE = r"[A-Za-z0-9_-]{86}"
#: An issued coupon's id: `C` and ten characters of Crockford's base32 (`pos_client.promotions.rules.new_ref`).
COUPON_ID = r"C[0-9A-HJKMNP-TV-Z]{10}"


@dataclass(frozen=True)
class TokenFormat:
    """One kind of signed code: its `prefix` (without the dot), the regular expressions of its fields between
    the key id and the signature (each a named group), and the longest text that may be one."""

    prefix: str
    fields: tuple[str, ...]
    max_length: int
    pattern: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        parts = (re.escape(self.prefix), f"(?P<kid>{KEY_ID})", *self.fields, f"(?P<sig>{SIGNATURE})")
        object.__setattr__(self, "pattern", re.compile("^" + r"\.".join(parts) + "$"))

    @property
    def parts(self) -> int:
        """How many dot-separated parts a code of this kind has (prefix, key id, fields, signature)."""
        return len(self.fields) + 3

    def looks_like(self, text: str) -> bool:
        """Whether `text` claims to be a code of this kind (its prefix and a dot): what to try parsing it as."""
        return text.startswith(self.prefix + ".")

    def body(self, key_id: str, *values: str) -> str:
        """The signed part of a code of this kind: prefix, key id and the field values, dot-separated."""
        return ".".join((self.prefix, key_id, *values))


MEMBER_CARD = TokenFormat("KUPA1", (r"(?P<member>M[0-9]{4,12})", r"(?P<serial>[0-9]{1,6})", r"(?P<issued>[0-9]{8})"),
                          max_length=200)
COUPON = TokenFormat("KUPC1", (r"(?P<member>M[0-9]{4,12})", rf"(?P<coupon>{COUPON_ID})", r"(?P<until>0|[0-9]{8})"),
                     max_length=200)
GIFT_CARD = TokenFormat("KUPAG1", (r"(?P<card>G[0-9]{16})", r"(?P<issued>[0-9]{8})"), max_length=160)
