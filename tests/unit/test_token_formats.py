"""Issue #12: the three signed Kupa codes (member card `KUPA1.`, coupon `KUPC1.`, gift card `KUPAG1.`) are read
by one parser (`pos_client.cards.tokens.read`) from their shapes in `pos_client.cards.formats`, and the scanner's
payload check recognises them by those same shapes.

Each kind is signed for real with a fresh Ed25519 key, parsed back, verified, and its damaged variants refused
with its own refusals; a parser of its own in any token module (a second copy of the shape checks) would not go
through `tokens.read` and fails the first test.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from pos_client.cards import coupon_tokens, formats, gift_tokens, tokens
from pos_client.cards.formats import TokenFormat
from pos_client.cards.tokens import Refusals, Signed, TokenError
from pos_client.scanning import payload

KEY = Ed25519PrivateKey.generate()

#: (format, its refusals, a signed code of it, its module's parse and verify, the scanner's kind)
KINDS: list[tuple[TokenFormat, Refusals, str, Callable[[str], Any], Callable[[Any, bytes], None], str]] = [
    (formats.MEMBER_CARD, tokens.CARD_REFUSALS, tokens.sign(KEY, "M10000007", 2, date(2026, 2, 28)),
     tokens.parse, tokens.verify, "member_token"),
    (formats.COUPON, tokens.CARD_REFUSALS, coupon_tokens.sign(KEY, "M10000007", "C0123456789", date(2026, 12, 31)),
     coupon_tokens.parse, coupon_tokens.verify, "coupon_token"),
    (formats.GIFT_CARD, gift_tokens.REFUSALS, gift_tokens.sign(KEY, "G1234567890123456", date(2026, 3, 10)),
     gift_tokens.parse, gift_tokens.verify, "gift_token"),
]
IDS = [k[0].prefix for k in KINDS]


def test_every_kind_is_parsed_by_the_one_parser_with_its_own_format(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[TokenFormat] = []
    real = tokens.read

    def recording(fmt: TokenFormat, refusals: Refusals, text: str, build: Any) -> Any:
        seen.append(fmt)
        return real(fmt, refusals, text, build)

    monkeypatch.setattr(tokens, "read", recording)
    for _fmt, _refusals, text, parse, _verify, _kind in KINDS:
        parse(text)
    assert seen == [k[0] for k in KINDS]


@pytest.mark.parametrize("kind", KINDS, ids=IDS)
def test_a_signed_code_parses_verifies_and_scans_as_its_kind(kind: Any) -> None:
    fmt, _refusals, text, parse, verify, scanned = kind
    assert fmt.looks_like(text) and len(text.split(".")) == fmt.parts and len(text) <= fmt.max_length
    token = parse(text)
    assert isinstance(token, Signed) and token.key_id == tokens.key_id_for(tokens.public_raw(KEY))
    verify(token, tokens.public_raw(KEY))
    assert payload.check_payload(text).kind == scanned
    # one part fewer is no code of this kind, for the parser and for the scanner alike
    short = text.rsplit(".", 2)[0] + "." + text.rsplit(".", 1)[1]
    with pytest.raises(TokenError):
        parse(short)
    assert payload.check_payload(short).kind == "invalid"


def _edits(text: str) -> dict[str, str]:
    body, sig = text.rsplit(".", 1)
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    spare = alphabet[alphabet.index(sig[-1]) + 1]  # the last character's spare bits set: same bytes, other spelling
    return {"too_long": text + "A" * 200, "malformed": body + ".!" + sig[2:],
            "not_canonical": body + "." + sig[:-1] + spare}


@pytest.mark.parametrize("kind", KINDS, ids=IDS)
def test_damaged_codes_are_refused_by_their_kinds_refusals(kind: Any) -> None:
    fmt, refusals, text, parse, verify, _scanned = kind
    for what, damaged in _edits(text).items():
        with pytest.raises(TokenError) as caught:
            parse(damaged)
        assert caught.value.reason.message is getattr(refusals, what), what
    with pytest.raises(TokenError) as caught:  # a well-formed code signed by another key
        verify(parse(text), tokens.public_raw(Ed25519PrivateKey.generate()))
    assert caught.value.reason.message is refusals.forged
    date_field = next(i for i, f in enumerate(fmt.fields) if "issued" in f or "until" in f)
    parts = text.split(".")
    parts[2 + date_field] = "20260231"  # no such day: a malformed part
    with pytest.raises(TokenError) as caught:
        parse(".".join(parts))
    assert caught.value.reason.message is refusals.bad_parts


def test_the_scanner_reads_the_formats_not_its_own_prefixes() -> None:
    assert [fmt for fmt, _kind, _reason in payload._SIGNED] == [formats.MEMBER_CARD, formats.COUPON,
                                                                 formats.GIFT_CARD]
    assert not [name for name in vars(payload) if name.endswith(("_PREFIX", "_PARTS"))]
