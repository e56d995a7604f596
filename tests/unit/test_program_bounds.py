"""Every number, list, string, the size and the nesting of `program.json` are bounded (pos_client/program/limits.py),
and within those bounds nothing pricing computes can leave a 64-bit integer."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from decimal import Decimal
from typing import Any

import pytest

from pos_client.errors import InvalidInputError
from pos_client.jsondoc import DocumentInvalid, DocumentTooDeep, load_bounded, nesting_depth
from pos_client.pricing.engine import price
from pos_client.pricing.model import MAX_QTY, MAX_SALE_SUBTOTAL, MAX_UNIT_PRICE, CartItem, MemberState
from pos_client.program import limits as L
from pos_client.program.schema import Program, load_program_text
from sync.protocol import WireEntry, WireProgram

from pricing_strategies import full_doc, jsonable

INT64 = 2**63 - 1
NOW = datetime(2026, 6, 15, 12, 0, tzinfo=timezone.utc)


def text_of(doc: dict[str, Any]) -> str:
    return json.dumps(jsonable(doc), ensure_ascii=False)


def refusal(text: str) -> str:
    with pytest.raises(InvalidInputError) as refused:
        load_program_text(text)
    return refused.value.message


# -- the numbers the issue found crashing --------------------------------------------------------------------


@pytest.mark.parametrize(("path", "value", "field"), [
    (("earn", "points"), 10**13, "earn.points"),
    (("welcome", "points"), 10**19, "welcome.points"),
    (("version",), 2**63, "version"),
    (("redeem", "value"), 10**18, "redeem.value"),
    (("tiers", 2, "min_spend"), 10**13, "tiers[2].min_spend"),
    (("birthday", "points"), 10**7 + 1, "birthday.points"),
    (("actions", 0, "points"), 10**7 + 1, "actions[0].points"),
    (("referral", "referrer_points"), 2**64, "referral.referrer_points"),
    (("punch_cards", 0, "stamps_needed"), 1001, "punch_cards[0].stamps_needed"),
    (("memberships", 0, "monthly_credit_points"), 10**8, "memberships[0].monthly_credit_points"),
    (("redeem", "offline_daily_cap_points"), 10**9 + 1, "redeem.offline_daily_cap_points"),
])
def test_a_number_past_its_bound_is_refused_naming_the_field(path: tuple[Any, ...], value: int, field: str) -> None:
    doc = full_doc()
    target: Any = doc
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    message = refusal(text_of(doc))
    assert message.startswith(f"program file: {field}: ") and "less than or equal" in message, message


@pytest.mark.parametrize(("field", "at_bound"), [
    ("version", L.MAX_VERSION), ("earn.points", L.MAX_EARN_POINTS), ("welcome.points", L.MAX_GRANT_POINTS),
])
def test_a_number_exactly_at_its_bound_is_accepted(field: str, at_bound: int) -> None:
    doc = full_doc()
    section, _, key = field.rpartition(".")
    (doc[section] if section else doc)[key] = at_bound
    program = load_program_text(text_of(doc))
    assert program.model_dump()[section][key] if section else program.version == at_bound


@pytest.mark.parametrize(("rate", "value"), [("max_share_pct", "100.0001"), ("max_share_pct", "-0.5")])
def test_percentages_stay_between_0_and_100(rate: str, value: str) -> None:
    doc = full_doc()
    doc["redeem"][rate] = Decimal(value)
    assert refusal(text_of(doc)).startswith(f"program file: redeem.{rate}: ")


def test_multipliers_stay_between_1_and_100_and_are_written_with_at_most_40_digits() -> None:
    doc = full_doc()
    doc["tiers"][2]["earn_multiplier"] = Decimal("100.5")
    assert refusal(text_of(doc)).startswith("program file: tiers[2].earn_multiplier: ")
    doc["tiers"][2]["earn_multiplier"] = Decimal("1." + "3" * 45)
    assert "digits" in refusal(text_of(doc))
    doc["tiers"][2]["earn_multiplier"] = Decimal("1E-100000")  # one digit, but a 100,000-digit fraction
    assert refusal(text_of(doc)).startswith("program file: tiers[2].earn_multiplier: ")


@pytest.mark.parametrize(("section", "limit"), [("tiers", L.MAX_TIERS), ("charities", L.MAX_CHARITIES),
                                                 ("actions", L.MAX_ACTIONS)])
def test_lists_are_bounded(section: str, limit: int) -> None:
    doc = full_doc()
    template = doc[section][0]
    items = []
    for i in range(limit + 1):
        entry = dict(template, code=f"c{i}")
        if section == "tiers":
            entry["min_spend"] = i
        items.append(entry)
    doc[section] = items[:limit]
    if section == "tiers":
        doc["bonus_days"] = []
    assert len(getattr(load_program_text(text_of(doc)), section)) == limit
    doc[section] = items
    assert refusal(text_of(doc)).startswith(f"program file: {section}: ")


def test_names_in_other_languages_are_short_strings() -> None:
    doc = full_doc()
    doc["tiers"][0]["name"]["fr"] = "Bronze"
    assert load_program_text(text_of(doc)).tiers[0].name.text("fr") == "Bronze"
    doc["tiers"][0]["name"]["fr"] = {"nested": ["a"]}
    assert refusal(text_of(doc)).startswith("program file: tiers[0].name: ")
    doc["tiers"][0]["name"]["fr"] = "x" * (L.MAX_NAME_CHARS + 1)
    assert refusal(text_of(doc)).startswith("program file: tiers[0].name: ")


# -- size and nesting ----------------------------------------------------------------------------------------


def big_valid_program(target_bytes: int) -> str:
    """A program valid in every field and just under `target_bytes` long (many punch cards with SKUs)."""
    doc = full_doc()
    base = len(text_of(doc).encode())
    sku = 'SKU-00000000-' + 'x' * 40  # 55 bytes with its quotes, comma and space
    per_sku = len(sku) + 4
    count = max(1, (target_bytes - base - 100 * 60) // per_sku)
    doc["punch_cards"] = [{"code": f"card{c}", "name": {"en": f"Card {c}"},
                           "skus": [f"SKU-{i:08d}-{'x' * 40}" for i in range(c, count, 100)], "stamps_needed": 9}
                          for c in range(100)]
    return text_of(doc)


def test_a_455_kb_program_is_refused_before_it_is_parsed() -> None:
    text = big_valid_program(455_000)
    assert len(text.encode()) > 450_000
    message = refusal(text)
    assert message == f"program file is too large ({len(text.encode())} bytes; at most {L.MAX_PROGRAM_BYTES})"


def test_the_largest_program_accepted_fits_the_terminals_wire_limit() -> None:
    """A file just under the byte limit, with every default added, still fits `WireProgram.document`."""
    text = big_valid_program(L.MAX_PROGRAM_BYTES - 6_000)
    assert L.MAX_PROGRAM_BYTES - 10_000 < len(text.encode()) <= L.MAX_PROGRAM_BYTES
    program = load_program_text(text)
    stored = program.canonical_json()
    assert len(stored) <= L.MAX_DOCUMENT_CHARS
    WireProgram(version=program.version, document=stored, published_at="2026-06-15T12:00:00+00:00")


def test_a_program_whose_stored_form_is_too_long_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    text = big_valid_program(20_000)
    stored = len(load_program_text(text).canonical_json())
    monkeypatch.setattr(L, "MAX_DOCUMENT_CHARS", stored - 1)
    assert refusal(text) == (f"program is too long once stored ({stored} characters; at most {stored - 1}): "
                             "shorten its lists")


@pytest.mark.parametrize("depth", [9, 100, 40_000])
def test_a_deeply_nested_program_gets_a_message_not_a_recursion_error(depth: int) -> None:
    text = '{"version": 1, "currency": "ILS", "earn": ' + "[" * depth + "]" * depth + "}"
    assert refusal(text) == f"program file is nested too deep (more than {L.MAX_PROGRAM_DEPTH} levels)"


def test_the_example_program_is_well_inside_the_nesting_limit() -> None:
    assert nesting_depth(text_of(full_doc())) <= 4 < L.MAX_PROGRAM_DEPTH


def test_brackets_inside_strings_do_not_count_as_nesting() -> None:
    text = json.dumps({"a": "[[[[[[[[[[{{{{{{{{\\\"]]]", "b": [["x"]]})
    assert nesting_depth(text) == 3
    assert load_bounded(text, max_bytes=1000, max_depth=3)["b"] == [["x"]]
    with pytest.raises(DocumentTooDeep):
        load_bounded(text, max_bytes=1000, max_depth=2)


def test_a_number_with_thousands_of_digits_is_refused_with_its_line() -> None:
    text = '{"version": 1,\n "currency": "ILS",\n "welcome": {"points": ' + "9" * 5000 + "}}"
    assert refusal(text) == "program file is not valid JSON (line 3: a number with 100 digits or more)"
    with pytest.raises(DocumentInvalid):
        load_bounded('["' + "1" * 200 + '", ' + "2" * 150 + "]", max_bytes=10_000, max_depth=5)
    assert load_bounded('["' + "1" * 200 + '"]', max_bytes=10_000, max_depth=5) == ["1" * 200]


# -- nothing overflows within the bounds ---------------------------------------------------------------------


def largest_program() -> Program:
    """Every rate and grant at its bound: the most points a sale could ever earn."""
    doc = full_doc()
    doc["version"] = L.MAX_VERSION
    doc["earn"] = {"points": L.MAX_EARN_POINTS, "per": 1}
    doc["redeem"] = {"points": 1, "value": L.MAX_REDEEM_VALUE, "max_share_pct": 100}
    for tier in doc["tiers"]:
        tier["earn_multiplier"] = L.MAX_MULTIPLIER
        tier["discount_pct"] = 0
    doc["bonus_days"] = [{"tiers": [], "weekday": 0, "multiplier": L.MAX_MULTIPLIER}]
    doc["welcome"] = doc["birthday"] = {"points": L.MAX_GRANT_POINTS}
    return load_program_text(text_of(doc))


def test_the_largest_sale_under_the_largest_program_stays_inside_64_bit_integers() -> None:
    program = largest_program()
    member = MemberState("M1", points=INT64 // 4, qualifying_spend=10**12, birthday=NOW.date(), can_spend=True)
    # the program's bounds alone would let one sale earn 10¹⁰ × 1,000 × 100 = 10¹⁵ points; one entry's bound
    # (which HQ holds every entry to) stops it at MAX_ENTRY_POINTS: exactly that much is priced, one more unit not
    coin = L.MAX_ENTRY_POINTS // (L.MAX_EARN_POINTS * L.MAX_MULTIPLIER)
    assert price([CartItem("COIN", "Coin", 1, coin, "jewels")], member, program, NOW).points_earned \
        == L.MAX_ENTRY_POINTS
    with pytest.raises(InvalidInputError) as refused:
        price([CartItem("COIN", "Coin", 2, coin, "jewels")], member, program, NOW)
    assert refused.value.message_code == "sale.earns_too_much"
    lines = [CartItem("BAR", "Gold bar", MAX_SALE_SUBTOTAL // MAX_UNIT_PRICE, MAX_UNIT_PRICE, "jewels")]
    quote = price(lines, None, program, NOW)  # the largest subtotal (no member: nothing earned)
    assert quote.subtotal == quote.total == MAX_SALE_SUBTOTAL
    figures = [quote.subtotal, quote.total, L.MAX_ENTRY_POINTS, quote.qualifying_spend]
    assert all(abs(value) < INT64 // 1000 for value in figures), figures
    # a whole day of the largest earning sales still leaves a balance inside SQLite's integers
    assert member.points + 1000 * L.MAX_ENTRY_POINTS < INT64
    # the redemption of every point the balance allows is worth no more than the sale
    basket = [CartItem("COIN", "Coin", 1, coin, "jewels")]
    most = price(basket, member, program, NOW).redeem_limits.max_points
    spent = price(basket, member, program, NOW, redeem_points=most)
    assert 0 <= spent.redeemed_value <= coin and spent.total >= 0


def test_a_sale_over_the_largest_subtotal_is_refused_before_pricing() -> None:
    program = largest_program()
    exact = [CartItem("BAR", "Gold bar", MAX_SALE_SUBTOTAL // MAX_UNIT_PRICE, MAX_UNIT_PRICE, "jewels")]
    assert price(exact, None, program, NOW).subtotal == MAX_SALE_SUBTOTAL
    with pytest.raises(InvalidInputError) as refused:
        price([*exact, CartItem("GUM", "Gum", 1, 1, "food")], None, program, NOW)
    assert refused.value.message_code == "sale.too_large"
    one_line = CartItem("BARS", "Gold bars", MAX_QTY, MAX_UNIT_PRICE, "jewels")  # a line may pass the cap alone
    with pytest.raises(InvalidInputError):
        price([one_line], None, program, NOW)


def test_every_grant_fits_a_wire_entry() -> None:
    """A welcome, birthday or action grant at its bound is a ledger entry HQ's protocol can carry."""
    WireEntry(entry_id="0" * 36, member_id="M1", terminal_id="T1", seq=1, kind="welcome",
              points_delta=L.MAX_GRANT_POINTS, created_at="2026-06-15T12:00:00+00:00")
