"""Gift cards' pure parts: the section's load range and last paying day, the signed token, the scanner's
payload rule, and the `gift:` / `credit:` payments as typed."""

from __future__ import annotations

from datetime import date

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pydantic import ValidationError

from pos_client.cards import gift_tokens, tokens
from pos_client.cards.tokens import TokenError
from pos_client.errors import InvalidInputError
from pos_client.program.gift_cards import GiftCards
from pos_client.scanning.payload import check_payload
from pos_client.tender import TenderKind, parse_payment


def test_the_load_range_includes_both_ends() -> None:
    section = GiftCards(skus=["GIFT"], min_load=1000, max_load=50000)
    assert [section.load_ok(a) for a in (999, 1000, 50000, 50001)] == [False, True, True, False]
    with pytest.raises(ValidationError):
        GiftCards(min_load=5000, max_load=4999)


def test_the_last_paying_day_is_issue_day_plus_expiry_days() -> None:
    assert GiftCards(expiry_days=365).expires_on(date(2026, 3, 10)) == date(2027, 3, 10)
    assert GiftCards(expiry_days=1).expires_on(date(2026, 12, 31)) == date(2027, 1, 1)
    assert GiftCards().expires_on(date(2026, 3, 10)) is None


def test_a_gift_token_signs_and_verifies_and_an_edit_is_refused() -> None:
    key = Ed25519PrivateKey.generate()
    card = gift_tokens.new_card_number()
    text = gift_tokens.sign(key, card, date(2026, 3, 10))
    token = gift_tokens.parse(text)
    assert (token.card, token.issued, token.key_id) == (card, date(2026, 3, 10), tokens.key_id_for(
        tokens.public_raw(key)))
    gift_tokens.verify(token, tokens.public_raw(key))
    other = card[:-1] + ("1" if card[-1] != "1" else "2")
    with pytest.raises(TokenError):
        gift_tokens.verify(gift_tokens.parse(text.replace(card, other)), tokens.public_raw(key))
    with pytest.raises(TokenError):
        gift_tokens.verify(token, tokens.public_raw(Ed25519PrivateKey.generate()))
    for bad in ("", "KUPAG1.x", text + "A", text.replace("KUPAG1", "KUPA1"), "KUPAG1" + "." * 200):
        with pytest.raises(TokenError):
            gift_tokens.parse(bad)
    with pytest.raises(TokenError):  # a member card token is never a gift card
        gift_tokens.parse(tokens.sign(key, "M0001", 1, date(2026, 3, 10)))


def test_the_scanner_tells_a_gift_card_from_a_member_card() -> None:
    key = Ed25519PrivateKey.generate()
    gift = gift_tokens.sign(key, gift_tokens.new_card_number(), date(2026, 3, 10))
    assert check_payload(gift + "\r\n").kind == "gift_token"
    assert check_payload(tokens.sign(key, "M0001", 1, date(2026, 3, 10))).kind == "member_token"
    damaged = check_payload("KUPAG1.abc.def")
    assert damaged.kind == "invalid" and damaged.reason is not None and damaged.reason.code == "scan.reason.bad_gift"


def test_gift_and_credit_payments_as_typed() -> None:
    given = parse_payment("gift:KUPAG1.abcdefgh.G1234567890123456.20260310.sig:2500")
    assert (given.kind, given.amount, given.reference) == (
        TenderKind.GIFT_CARD, 2500, "KUPAG1.abcdefgh.G1234567890123456.20260310.sig")
    credit = parse_payment("credit:900")
    assert (credit.kind, credit.amount, credit.reference) == (TenderKind.STORE_CREDIT, 900, None)
    for bad, code in (("gift:2500", "tender.gift_needs_card"), ("gift::2500", "tender.gift_needs_card"),
                      ("gift:TOKEN:0", "tender.amount_positive"), ("gift:TOKEN:x", "tender.not_a_payment"),
                      ("credit:900:X1", "tender.credit_no_reference")):
        with pytest.raises(InvalidInputError) as caught:
            parse_payment(bad)
        assert caught.value.message_code == code, bad
