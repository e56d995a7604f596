"""The contract between a quote's explanation and the screens that word it (`ui/explain.py`): every step
carries, in `params`, each value its sentence is made of, and those values are the quote's own.

The UI, the customer display and the receipt word each step from `params` in the reader's language; the
English `text` is only the fallback. A step whose value went missing (or became None) would print an empty
or wrong sentence in Hebrew while the English looked right — the pricing mutation sample found that no test
noticed (README, "Mutation testing").
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest

from pos_client.errors import InvalidInputError, RuleViolation
from pos_client.pricing import CartItem, MemberState, price
from pos_client.pricing.model import ExplainLine, Quote

from pricing_strategies import full_doc, item, load_doc

UTC = timezone.utc
NOW = datetime(2026, 3, 10, 10, 0, tzinfo=UTC)  # a Tuesday in March, 12:00 in Jerusalem

#: What `ui/explain.py` reads of each step.
KEYS: dict[str, set[str]] = {
    "line": {"sku", "qty", "unit_price", "amount", "kind"},
    "punch_reward": {"card", "sku", "value", "stamps"},
    "discount": {"pct", "base", "value"},
    "redeem": {"points", "value"},
    "total": {"value"},
    "earn": {"base", "points_per", "per", "multiplier", "source", "points"},
    "stamps": {"card", "stamps"},
    "membership": {"plan", "days"},
    "birthday": {"points"},
    "monthly_credit": {"plan", "points"},
    "referral": {"points"},
    "balance_after": {"points"},
}


def program_with_credit() -> Any:
    """DESIGN.md's example program, its plan crediting 100 points a month, selling gift cards as GIFT-50."""
    doc = full_doc()
    doc["memberships"][0]["monthly_credit_points"] = 100
    doc["gift_cards"] = {"skus": ["GIFT-50"]}
    return load_doc(doc)


def rich_quotes() -> list[Quote]:
    """Quotes that between them take every step of the explanation."""
    program = program_with_credit()
    plus = {"membership_code": "plus", "membership_expires": NOW + timedelta(days=30)}
    everything = MemberState("M1", points=1_000, stamps={"coffee": 9}, qualifying_spend=200_000, can_spend=True,
                             birthday=date(1990, 3, 25), referral_pending=True, **plus)
    basket = [item("COFFEE-L", 2, 1_500, "drink"), item("CROISSANT", 1, 800), item("BREAD", 1, 10_000),
              item("MEMBER-PLUS-Y", 1, 9_900, "")]
    first = price(basket, everything, program, NOW, redeem_points=300, punch_rewards=["coffee"])
    return [first]


def steps() -> list[tuple[ExplainLine, Quote]]:
    return [(step, q) for q in rich_quotes() for step in q.explanations]


def test_the_rich_quotes_take_every_step_of_the_explanation() -> None:
    assert {step.code for step, _ in steps()} >= set(KEYS)


@pytest.mark.parametrize("code", sorted(KEYS))
def test_every_step_carries_each_value_its_sentence_is_made_of(code: str) -> None:
    found = [step for step, _ in steps() if step.code == code]
    assert found
    for step in found:
        missing = {key for key in KEYS[code] if step.params.get(key) is None}
        assert not missing, f"{code} lacks {missing}: {dict(step.params)}"


def test_the_values_in_the_steps_are_the_quotes_own() -> None:
    for step, q in steps():
        p = step.params
        if step.code == "line":
            line = next(ln for ln in q.lines if ln.sku == p["sku"])
            assert (p["qty"], p["unit_price"], p["amount"], p["kind"]) == (line.qty, line.unit_price, line.amount,
                                                                          line.kind)
        elif step.code == "total":
            assert p["value"] == q.total
        elif step.code == "redeem":
            assert (p["points"], p["value"]) == (q.redeemed_points, q.redeemed_value)
        elif step.code == "earn":
            assert (p["points"], p["base"]) == (q.points_earned, q.qualifying_spend)
            assert Decimal(str(p["multiplier"])) == q.earn_multiplier
            assert p["points_per"] == 1 and p["per"] == 100 and p["source"] == ""
        elif step.code == "birthday":
            assert p["points"] == q.birthday_points == 300
        elif step.code == "monthly_credit":
            assert (p["plan"], p["points"]) == ("plus", 100)
        elif step.code == "membership":
            assert (p["plan"], p["days"]) == ("plus", 365)
        elif step.code == "balance_after":
            assert p["points"] == q.points_balance_after


def test_a_gift_card_load_is_explained_as_one() -> None:
    q = price([item("GIFT-50", 1, 5_000, "")], None, program_with_credit(), NOW)
    assert q.lines[0].kind == "gift_card" and q.explanations[0].text.endswith("(gift card load)")


def test_bad_input_names_the_product_it_came_from() -> None:
    with pytest.raises(InvalidInputError) as too_many:
        item("BREAD", 10**9, 100)
    assert too_many.value.params["sku"] == "BREAD"
    with pytest.raises(InvalidInputError) as fraction:
        CartItem(sku="BREAD", name="Bread", qty=1, unit_price=1.5, category="food")  # type: ignore[arg-type]
    assert fraction.value.params["sku"] == "BREAD"
    with pytest.raises(RuleViolation) as plan:
        price([item("MEMBER-PLUS-Y", 1, 9_900, "")], None, program_with_credit(), NOW)
    assert plan.value.params["sku"] == "MEMBER-PLUS-Y"
    with pytest.raises(RuleViolation) as card:
        price([item("COFFEE-L", 1, 1_500, "drink")], MemberState("M1", can_spend=True), program_with_credit(), NOW,
              punch_rewards=["tea"])
    assert card.value.params["card"] == "tea"
