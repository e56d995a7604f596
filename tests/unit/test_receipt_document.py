"""The receipt document laid out in rows: the store's time zone, the copy banner, refunds, loyalty lines."""

from __future__ import annotations

from datetime import datetime, timezone

from pos_client.receipts.document import Names, Receipt, ReceiptItem, receipt_rows, receipt_text
from pos_client.receipts.render import PDF_LAYOUT, THERMAL, render_receipt, thermal_image


def _receipt(**extra: object) -> Receipt:
    base: dict[str, object] = dict(
        store_name="Test store", terminal_id="T1", reference="01a2-x", sale_id="01a2-x",
        created_at=datetime(2026, 1, 15, 22, 30, tzinfo=timezone.utc), timezone="Asia/Jerusalem", currency="ILS",
        items=(ReceiptItem(name=Names(en="Latte", he="לאטה"), qty=2, unit_price=1400, amount=2800, discount=280),),
        subtotal=2800, discount_total=280, total=2520, member_id="M1", member_name="Dana", points_earned=25,
        points_balance_after=75, stamps_earned=((Names(en="Coffee card", he="כרטיסיית קפה"), 2),))
    base.update(extra)
    return Receipt.model_validate(base)


def test_the_time_is_the_stores_the_day_after_in_utc_terms() -> None:
    rows = receipt_rows(_receipt(), "en")
    assert rows[1].start == "2026-01-16 00:30"  # 22:30 UTC is 00:30 the next day in Jerusalem (UTC+2)
    summer = receipt_rows(_receipt(created_at=datetime(2026, 7, 1, 20, 59, tzinfo=timezone.utc)), "en")
    assert summer[1].start == "2026-07-01 23:59"  # UTC+3 in summer


def test_lines_totals_and_loyalty_in_each_language() -> None:
    text = receipt_text(_receipt(), "en")
    for expected in ("Latte ×2  ₪28.00", "Discount  −₪2.80", "Total  ₪25.20", "Member: Dana (M1)",
                     "Points earned: 25", "Points balance: 75", "Coffee card: +2 stamps", "Receipt 01a2-x"):
        assert expected in text, expected
    hebrew = receipt_text(_receipt(), "he")
    assert "לאטה ×2" in hebrew and "סה״כ לתשלום" in hebrew and "כרטיסיית קפה" in hebrew
    assert "COPY" not in text and "העתק" not in hebrew


def test_a_copy_has_its_banner_right_under_the_store() -> None:
    rows = receipt_rows(_receipt().as_copy(), "he")
    assert rows[1].kind == "banner" and rows[1].start == "העתק"
    assert receipt_rows(_receipt().as_copy(), "en")[1].start == "COPY"


def test_a_refund_says_what_it_refunds_and_the_points_taken_back() -> None:
    text = receipt_text(_receipt(kind="refund", refund_of="01a2-orig", total=2520, points_earned=-25), "en")
    assert "REFUND of sale 01a2-orig" in text and "Refunded  ₪25.20" in text and "Points taken back: 25" in text


def test_no_member_no_loyalty_lines() -> None:
    text = receipt_text(_receipt(member_id=None, member_name=None, points_balance_after=None), "en")
    assert "Member" not in text and "Points" not in text


def test_the_images_are_the_papers_width_and_the_thermal_one_is_pure_black_and_white() -> None:
    for paper, dots in ((80, 576), (58, 384)):
        image = thermal_image(_receipt(), "he", paper)
        assert image.mode == "1" and image.width == dots
        assert set(image.convert("L").getdata()) == {0, 255}
    for layout in (*THERMAL.values(), PDF_LAYOUT):  # paper margins all round: white at the top and the bottom
        page = render_receipt(_receipt(), "he", layout)
        for y in (*range(layout.margin // 2), *range(page.height - layout.margin // 2, page.height)):
            assert page.crop((0, y, page.width, y + 1)).getextrema() == (255, 255), (layout.width, y)
    grey = render_receipt(_receipt(), "en", THERMAL[80])
    assert grey.mode == "L" and len(set(grey.getdata())) > 2  # the screen's copy keeps its anti-aliasing


def test_a_name_too_long_for_the_paper_is_shrunk_then_ellipsised_to_fit() -> None:
    from pos_client.receipts.render import _fit

    name = "Extra-large seasonal pumpkin spice oat latte with cinnamon"
    for max_w in (100, 250, 370):
        assert _fit(name, 20, False, max_w).width <= max_w
    assert _fit("Latte", 20, False, 370).width < 370 // 3  # a short name keeps its size: no shrinking needed
