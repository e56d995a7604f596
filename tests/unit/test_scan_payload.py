"""Payload checks: a scanned code is untrusted input, classified or refused with a reason, never a crash."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pos_client.scanning import check_payload
from pos_client.scanning.payload import (
    MAX_PAYLOAD_LENGTH,
    REASON_BAD_CHECK_DIGIT,
    REASON_BAD_TOKEN,
    REASON_BINARY,
    REASON_EMPTY,
    REASON_NOT_ASCII,
    REASON_NOT_KUPA,
    REASON_TOO_LONG,
    REASON_UNPRINTABLE,
    ean13_check_digit_ok,
    is_plausible,
)

TOKEN = (
    "KUPA1.jTEFyUfM.M620020.11.20261109."
    "uMvw9M2PrhmoBdhmbtgpI5PL5-Uo5C4hc1U0d7sug7AvCjVg_qAsr00MRVTODqUM-GezyJtGw_ZVCBvsElwxpw"
)


def test_member_token() -> None:
    check = check_payload(TOKEN, "qr")
    assert (check.kind, check.value, check.reason, check.ok) == ("member_token", TOKEN, None, True)


@pytest.mark.parametrize(
    "text",
    [
        "KUPA1.",
        "KUPA1.a.b.c.d",  # five parts
        TOKEN + ".extra",  # seven
        "KUPA1.jTEFyUfM..11.20261109.sig",  # an empty part
        "KUPA1.jTEF/UfM.M620020.11.20261109.sig",  # '/' is not URL-safe base64
        "KUPA1.jTEFyUfM.M620020.11.2026 1109.sig",
    ],
)
def test_damaged_token(text: str) -> None:
    check = check_payload(text)
    assert (check.kind, check.reason) == ("invalid", REASON_BAD_TOKEN)


@pytest.mark.parametrize(
    ("text", "symbology"),
    [("PC61511484", "code128"), ("PC61511484", None), ("ab12", "code128"), ("A" * 32, "code128"),
     ("2991325419449", "ean13"), ("2991325419449", None), ("PC61511484", "qr")],
)
def test_card_numbers(text: str, symbology: str | None) -> None:
    check = check_payload(text, symbology)  # type: ignore[arg-type]
    assert (check.kind, check.value) == ("card_number", text)


def test_wedge_scanner_enter_is_trimmed() -> None:
    assert check_payload("PC61511484\r\n").value == "PC61511484"
    assert check_payload(b"  2991325419449\n").kind == "card_number"


@pytest.mark.parametrize(
    ("payload", "symbology", "reason"),
    [
        ("2991325419448", "ean13", REASON_BAD_CHECK_DIGIT),
        ("2991325419448", None, REASON_BAD_CHECK_DIGIT),
        ("299132541944", "ean13", REASON_NOT_KUPA),
        ("abc", "code128", REASON_NOT_KUPA),  # too short for a card number
        ("A" * 33, "code128", REASON_NOT_KUPA),
        ("PC-6151-1484", "code128", REASON_NOT_KUPA),
        ("https://example.com/promo?x=1", "qr", REASON_NOT_KUPA),
        ("'; DROP TABLE members;--", "qr", REASON_NOT_KUPA),
        ("' OR 1=1 --", None, REASON_NOT_KUPA),
        ("x" * 3000, "qr", REASON_TOO_LONG),
        ("K" * (MAX_PAYLOAD_LENGTH + 1), "qr", REASON_TOO_LONG),
        (b"\x00\xff\xfe\x80binary", "qr", REASON_BINARY),
        (bytes(range(256)) * 12, "qr", REASON_TOO_LONG),
        (b"PC615\x00\x0711484", None, REASON_UNPRINTABLE),
        ("PC615\x1b[2J11484", "code128", REASON_UNPRINTABLE),
        ("\u202eKUPA1.a.b.c.d.e", "qr", REASON_UNPRINTABLE),  # right-to-left override
        ("PC6151\u200f1484", None, REASON_UNPRINTABLE),  # right-to-left mark
        ("כרטיס12345", "qr", REASON_NOT_ASCII),  # Hebrew letters
        ("PC６１５１１４８４", None, REASON_NOT_ASCII),  # full-width digits
        ("", None, REASON_EMPTY),
        ("  \r\n", None, REASON_EMPTY),
        (b"", None, REASON_EMPTY),
    ],
)
def test_refused_with_a_reason(payload: str | bytes, symbology: str | None, reason: str) -> None:
    check = check_payload(payload, symbology)  # type: ignore[arg-type]
    assert (check.kind, check.reason, check.ok) == ("invalid", reason, False)
    assert check.value.isascii() and check.value.isprintable() and len(check.value) <= 43


@given(st.one_of(st.text(max_size=700), st.binary(max_size=700)), st.sampled_from([None, "qr", "code128", "ean13"]))
def test_never_raises_and_accepts_only_safe_text(payload: str | bytes, symbology: str | None) -> None:
    check = check_payload(payload, symbology)  # type: ignore[arg-type]
    assert check.kind in ("member_token", "coupon_token", "card_number", "invalid")
    assert (check.reason is None) == check.ok
    if check.ok:
        assert check.value.isascii() and check.value.isprintable() and len(check.value) <= MAX_PAYLOAD_LENGTH
        assert not any(ch in check.value for ch in "'\";<>\\ ")
    else:
        assert check.value.isascii() and check.value.isprintable()


def test_ean13_check_digit() -> None:
    assert ean13_check_digit_ok("2991325419449")
    assert ean13_check_digit_ok("4006381333931")
    assert not ean13_check_digit_ok("4006381333932")
    assert not ean13_check_digit_ok("400638133393")
    assert not ean13_check_digit_ok("40063813339a1")


def test_plausible_reads() -> None:
    assert is_plausible("ean13", "2991325419449")
    assert not is_plausible("ean13", "2991325419448")
    assert is_plausible("code128", "PC61511484")
    assert not is_plausible("code128", "PC\x1d61511484")
    assert not is_plausible("code128", "")
    assert is_plausible("qr", "שלום, any text\n")
    assert not is_plausible("qr", "nul\x00byte")
