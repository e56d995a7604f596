"""The coupon lifecycle's pure rules and its signed QR token (docs/promotions.md)."""

from __future__ import annotations

from datetime import date

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from pos_client.cards import coupon_tokens
from pos_client.cards.tokens import TokenError, public_raw
from pos_client.program.promotions import Coupon, Voucher
from pos_client.promotions import rules
from pos_client.scanning import check_payload
from pos_client.scanning.payload import REASON_BAD_COUPON

KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))


def _public(**limits: int) -> Coupon:
    return Coupon.model_validate({"code": "save5", "name": {"en": "Save 5"}, "kind": "public", "promo_code": "SAVE5",
                                  "discount": "amount", "amount": 500, **limits})


def test_last_valid_day_counts_the_day_of_issue_and_never_passes_the_coupons_end() -> None:
    assert rules.last_valid_day(date(2026, 12, 3), 30) == date(2027, 1, 1)
    assert rules.last_valid_day(date(2026, 12, 3), 1) == date(2026, 12, 3)
    assert rules.last_valid_day(date(2026, 12, 3), 30, ends=date(2026, 12, 31)) == date(2026, 12, 31)
    assert rules.last_valid_day(date(2026, 12, 3), 30, ends=date(2027, 1, 2)) == date(2027, 1, 1)
    assert rules.last_valid_day(date(2026, 12, 3), None) is None
    assert rules.last_valid_day(date(2026, 12, 3), None, ends=date(2027, 1, 2)) == date(2027, 1, 2)


def test_the_birthday_coupon_is_due_in_the_month_once_a_year() -> None:
    born = date(1990, 3, 17)
    assert rules.birthday_coupon_due(born, date(2027, 3, 1), None)
    assert rules.birthday_coupon_due(born, date(2027, 3, 31), 2026)
    assert not rules.birthday_coupon_due(born, date(2027, 3, 1), 2027)
    assert not rules.birthday_coupon_due(born, date(2027, 2, 28), None)
    assert not rules.birthday_coupon_due(born, date(2027, 4, 1), None)
    assert not rules.birthday_coupon_due(None, date(2027, 3, 1), None)


def test_public_limits_the_exact_use_each_allows() -> None:
    coupon = _public(per_member_limit=2, offline_limit=3)
    assert rules.public_limit_left(coupon, 1, 0, offline=False) is None
    assert rules.public_limit_left(coupon, 2, 0, offline=False) == "per_member"
    assert rules.public_limit_left(coupon, 0, 2, offline=True) is None
    assert rules.public_limit_left(coupon, 0, 3, offline=True) == "offline"
    assert rules.public_limit_left(coupon, 0, 99, offline=False) is None  # online: HQ's chain limit applies
    assert rules.public_limit_left(_public(), 10**6, 10**6, offline=True) is None


def test_new_refs_are_typeable_and_match_the_token_grammar() -> None:
    refs = {rules.new_ref("coupon") for _ in range(200)}
    assert len(refs) == 200
    assert all(len(r) == 11 and r[0] == "C" and set(r[1:]) <= set(rules.ALPHABET) for r in refs)
    assert rules.new_ref("voucher").startswith("V")


def test_a_coupon_token_round_trips_and_any_edit_fails_its_signature() -> None:
    ref = rules.new_ref("coupon")
    token = coupon_tokens.sign(KEY, "M0001000012", ref, date(2027, 1, 1))
    parsed = coupon_tokens.parse(token)
    assert (parsed.member_id, parsed.coupon_id, parsed.valid_until) == ("M0001000012", ref, date(2027, 1, 1))
    coupon_tokens.verify(parsed, public_raw(KEY))
    assert check_payload(token, "qr").kind == "coupon_token"
    no_end = coupon_tokens.parse(coupon_tokens.sign(KEY, "M0001000012", ref, None))
    assert no_end.valid_until is None
    body, sig = token.rsplit(".", 1)
    for edited in (body.replace("20270101", "20270102"), body.replace("M0001000012", "M0001000013")):
        with pytest.raises(TokenError) as caught:
            coupon_tokens.verify(coupon_tokens.parse(f"{edited}.{sig}"), public_raw(KEY))
        assert caught.value.reason.message.code == "card.signature_mismatch"


@pytest.mark.parametrize("text", ["KUPC1.", "KUPC1.a.b.c.d", "KUPC1.a.b.c.d.e.f", "KUPC1.a.b.c.d.e f"])
def test_a_damaged_coupon_code_is_refused_by_the_scanner(text: str) -> None:
    check = check_payload(text)
    assert (check.kind, check.reason) == ("invalid", REASON_BAD_COUPON)


@pytest.mark.parametrize("text", ["KUPC1.x", "KUPC1.abcdefgh.M0001.C123.20270101." + "A" * 86,
                                  "KUPC1.abcdefgh.M0001000012.CAAAAAAAAAA.20271301." + "A" * 86])
def test_a_malformed_coupon_token_is_refused_before_any_signature_check(text: str) -> None:
    with pytest.raises(TokenError):
        coupon_tokens.parse(text)


def test_spend_progress_carries_what_vouchers_have_not_used_up() -> None:
    voucher = Voucher.model_validate({"code": "per100", "name": {"en": "5 per 100"}, "trigger": "spend",
                                      "every": 10000, "value": 500})
    assert rules.spend_progress(voucher, 25000, 2) == 5000
    assert rules.spend_progress(voucher, 19999, 1) == 9999
    assert rules.spend_progress(voucher, 20000, 2) == 0
    assert rules.spend_progress(voucher, 15000, 2) == -5000  # a refund after the issue: bought back first
