"""The receipt's promotion lines: a line per coupon and voucher used (what it took, within the discounts) and per
voucher issued, in English and Hebrew, read from the sale's stored quote with the program's names."""

from __future__ import annotations

from datetime import datetime, timezone

from pos_client.program.schema import Program
from pos_client.receipts.document import Names, Receipt, ReceiptPromotion, receipt_promotions, receipt_text

PROGRAM = Program.model_validate({
    "version": 1, "currency": "USD", "timezone": "America/New_York",
    "coupons": [{"code": "birthday_3", "name": {"en": "$3 birthday reward", "he": "הטבת יום הולדת 3$"},
                 "kind": "member", "discount": "amount", "amount": 300}],
    "vouchers": [{"code": "reward_5", "name": {"en": "$5 reward", "he": "שובר 5$"}, "trigger": "spend",
                  "every": 10000, "value": 500}]})


def test_promotions_read_from_the_stored_quote_with_the_programs_names() -> None:
    quote = {"coupons_applied": [{"coupon": "birthday_3", "ref": "C0123456789", "value": 300}],
             "vouchers_applied": [{"voucher": "reward_5", "voucher_id": "V0123456789", "value": 450}],
             "vouchers_issued": [{"voucher": "reward_5", "count": 2}, {"voucher": "gone", "count": 1}]}
    assert receipt_promotions(quote, PROGRAM) == (
        ReceiptPromotion(kind="coupon", name=Names(en="$3 birthday reward", he="הטבת יום הולדת 3$"), value=300),
        ReceiptPromotion(kind="voucher", name=Names(en="$5 reward", he="שובר 5$"), value=450),
        ReceiptPromotion(kind="voucher_issued", name=Names(en="$5 reward", he="שובר 5$"), count=2),
        ReceiptPromotion(kind="voucher_issued", name=Names(en="gone"), count=1))  # no longer in the program
    assert receipt_promotions({}, PROGRAM) == ()  # a sale stored before promotions


def test_receipt_lines_in_english_and_hebrew() -> None:
    receipt = Receipt(store_name="S", terminal_id="T1", reference="T1-000001", sale_id="s",
                      created_at=datetime(2026, 12, 3, 15, tzinfo=timezone.utc), timezone="America/New_York",
                      currency="USD", member_name="Ann", member_id="M1", subtotal=2000, discount_total=750,
                      total=1250, promotions=receipt_promotions(
                          {"coupons_applied": [{"coupon": "birthday_3", "ref": "C1", "value": 300}],
                           "vouchers_applied": [{"voucher": "reward_5", "voucher_id": "V1", "value": 450}],
                           "vouchers_issued": [{"voucher": "reward_5", "count": 1}]}, PROGRAM))
    english = receipt_text(receipt, "en").splitlines()
    assert "  Coupon: $3 birthday reward  −$3.00" in english and "  Voucher: $5 reward  −$4.50" in english
    assert "New voucher: $5 reward ×1" in english
    assert english.index("Discounts  −$7.50") < english.index("  Coupon: $3 birthday reward  −$3.00")
    hebrew = receipt_text(receipt, "he")
    assert "קופון: הטבת יום הולדת 3$" in hebrew and "שובר: שובר 5$" in hebrew and "שובר חדש: שובר 5$ ×1" in hebrew
