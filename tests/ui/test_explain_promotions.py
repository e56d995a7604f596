"""The quote's promotion lines as the till words them, in English and Hebrew, with the program's names."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

from pos_client.money import format_money
from pos_client.pricing import CartItem, MemberState, price
from pos_client.pricing.explain import promotion_names
from pos_client.pricing.model import CouponUse
from pos_client.program.schema import read_program_file
from pos_client.services.till import ProgramLabels
from ui.explain import explain_quote

DATA = Path(__file__).resolve().parents[1] / "data"


def test_member_price_and_coupon_lines_in_both_languages() -> None:
    program = read_program_file(DATA / "program_bn.json")
    now = datetime(2026, 12, 8, 15, tzinfo=timezone.utc)
    member = MemberState("M1", membership_code="plus", membership_expires=now + timedelta(days=30))
    quote = price([CartItem("BESTSELLER-1", "Novel", 1, 3000, "bestsellers")], member, program, now,
                  coupons=[CouponUse("kids_welcome", "C-1")])
    labels = ProgramLabels("USD", {}, {}, {}, promotions=promotion_names(program))
    english = explain_quote(quote, labels, {}, "en")
    assert "Premium: 40% off bestsellers: 40% of $30.00 = −$12.00" in english
    assert "Coupon Kids' Club welcome: 30% off one toy or book: −$5.40" in english
    hebrew = explain_quote(quote, labels, {}, "he")
    assert f"קופון ברוכים הבאים: 30% הנחה על צעצוע או ספר אחד: −{format_money(540, 'USD', 'he')}" in hebrew
