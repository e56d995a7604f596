"""`program.json`: DESIGN.md's example loads section by section; every bad document is refused naming the field."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any, Callable

import pytest

from pos_client.errors import InvalidInputError
from pos_client.program.schema import Program, load_program_text

from pricing_strategies import FULL_PROGRAM_TEXT, full_doc, jsonable


@pytest.fixture(scope="module")
def program() -> Program:
    return load_program_text(FULL_PROGRAM_TEXT)


def refusal(doc: dict[str, Any] | None = None, *, text: str | None = None) -> str:
    """The message `load_program_text` refuses the document with."""
    if text is None:
        text = json.dumps(jsonable(doc), ensure_ascii=False)
    with pytest.raises(InvalidInputError) as refused:
        load_program_text(text)
    return refused.value.message


def changed(mutate: Callable[[dict[str, Any]], object]) -> dict[str, Any]:
    doc = full_doc()
    mutate(doc)
    return doc


# -- the full example ---------------------------------------------------------------------------------------


def test_every_section_of_the_example_loads(program: Program) -> None:
    assert (program.version, program.currency, program.timezone) == (7, "ILS", "Asia/Jerusalem")
    assert program.earn is not None
    assert (program.earn.points, program.earn.per, program.earn.exclude_categories) == (1, 100, ["tobacco", "gift_card"])
    assert program.redeem is not None
    r = program.redeem
    assert (r.points, r.value, r.min_points, r.step, r.max_share_pct, r.offline_daily_cap_points) == (
        100, 1000, 100, 100, Decimal(100), 2000)
    assert [(t.code, t.min_spend, t.discount_pct, t.earn_multiplier) for t in program.tiers] == [
        ("bronze", 0, Decimal(0), Decimal(1)), ("silver", 200_000, Decimal(5), Decimal(1)),
        ("gold", 500_000, Decimal(10), Decimal(2))]
    assert program.tiers[2].name.text("he") == "זהב" and program.tiers[2].name.text("fr") == "Gold"
    assert program.tier_window_days == 365
    (bonus,) = program.bonus_days
    assert (bonus.tiers, bonus.weekday, bonus.multiplier) == (["gold"], "member_choice", Decimal(3))
    (card,) = program.punch_cards
    assert (card.code, card.skus, card.stamps_needed, card.reward) == ("coffee", ["COFFEE-S", "COFFEE-L"], 9, "free_item")
    (plan,) = program.memberships
    assert (plan.code, plan.sku, plan.period_days, plan.discount_pct, plan.monthly_credit_points) == (
        "plus", "MEMBER-PLUS-Y", 365, Decimal(10), 0)
    assert program.discount_stacking == "best"
    assert program.welcome is not None and program.welcome.points == 50
    assert program.birthday is not None and program.birthday.points == 300
    assert program.referral is not None
    assert (program.referral.referrer_points, program.referral.referee_points) == (200, 100)
    assert program.points_expiry_days == 365
    assert [c.code for c in program.charities] == ["wildlife"]
    (action,) = program.actions
    assert (action.code, action.points, action.once) == ("newsletter", 50, True)


def test_rates_are_decimals_read_exactly() -> None:
    text = FULL_PROGRAM_TEXT.replace('"discount_pct": 5,', '"discount_pct": 0.1,')
    tier = load_program_text(text).tier("silver")
    assert tier is not None
    assert isinstance(tier.discount_pct, Decimal) and tier.discount_pct == Decimal("0.1")  # not 0.1000000000000000055…


def test_lookups(program: Program) -> None:
    assert program.tier_for_spend(199_999).code == "bronze"  # type: ignore[union-attr]
    assert program.tier_for_spend(200_000).code == "silver"  # type: ignore[union-attr]
    assert program.next_tier(200_000).code == "gold"  # type: ignore[union-attr]
    assert program.next_tier(500_000) is None
    assert program.membership_by_sku("MEMBER-PLUS-Y").code == "plus"  # type: ignore[union-attr]
    assert program.punch_card("coffee") is not None and program.punch_card("tea") is None
    assert program.charity("wildlife") is not None and program.action("newsletter") is not None


def test_only_version_and_currency_are_required() -> None:
    minimal = load_program_text('{"version": 1, "currency": "USD"}')
    assert minimal.earn is None and minimal.redeem is None and minimal.tiers == [] and minimal.timezone == "UTC"
    assert minimal.discount_stacking == "best"


def test_the_stored_form_reads_back_equal(program: Program) -> None:
    assert load_program_text(program.canonical_json()) == program


# -- refusals -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("mutate", "path"), [
    (lambda d: d["earn"].__setitem__("bogus", 1), "earn.bogus"),
    (lambda d: d.__setitem__("bogus", 1), "bogus"),
    (lambda d: d["tiers"][1].__setitem__("discount", 5), "tiers[1].discount"),
    (lambda d: d["redeem"].__setitem__("max_share", 50), "redeem.max_share"),
    (lambda d: d["punch_cards"][0].__setitem__("sku", "X"), "punch_cards[0].sku"),
])
def test_unknown_keys_are_refused_naming_the_path(mutate: Callable[[dict[str, Any]], object], path: str) -> None:
    assert f"{path}: unknown key" in refusal(changed(mutate))


def test_a_fraction_where_an_integer_belongs_is_refused_naming_the_field() -> None:
    text = FULL_PROGRAM_TEXT.replace('"min_spend": 0,', '"min_spend": 1.5,')
    message = refusal(text=text)
    assert "tiers[0].min_spend" in message and "integer" in message


@pytest.mark.parametrize(("mutate", "field", "words"), [
    (lambda d: d["tiers"][0].__setitem__("min_spend", "0"), "tiers[0].min_spend", "integer"),
    (lambda d: d.__setitem__("version", "7"), "version", "integer"),
    (lambda d: d.__setitem__("version", True), "version", "integer"),
    (lambda d: d.__setitem__("version", 0), "version", "greater than 0"),
    (lambda d: d.pop("version"), "version", "required"),
    (lambda d: d.pop("currency"), "currency", "required"),
    (lambda d: d.__setitem__("currency", "ils"), "currency", "pattern"),
    (lambda d: d["earn"].__setitem__("per", 0), "earn.per", "greater than 0"),
    (lambda d: d["redeem"].__setitem__("max_share_pct", 101), "redeem.max_share_pct", "less than or equal to 100"),
    (lambda d: d["tiers"][1].__setitem__("discount_pct", -1), "tiers[1].discount_pct", "greater than or equal"),
    (lambda d: d["tiers"][1].__setitem__("discount_pct", "ten"), "tiers[1].discount_pct", "decimal"),
    (lambda d: d["tiers"][1].__setitem__("discount_pct", True), "tiers[1].discount_pct", "Decimal"),
    (lambda d: d["tiers"][1].__setitem__("earn_multiplier", Decimal("0.5")), "tiers[1].earn_multiplier", "1"),
    (lambda d: d["tiers"][0].__setitem__("name", {"he": "ארד"}), "tiers[0].name.en", "required"),
    (lambda d: d["earn"].__setitem__("exclude_categories", "tobacco"), "earn.exclude_categories", "list"),
    (lambda d: d.__setitem__("tiers", {"bronze": 0}), "tiers", "list"),
    (lambda d: d.__setitem__("discount_stacking", "max"), "discount_stacking", "'best' or 'add'"),
    (lambda d: d["punch_cards"][0].__setitem__("reward", "discount"), "punch_cards[0].reward", "free_item"),
    (lambda d: d["punch_cards"][0].update(skus=[], categories=[]), "punch_cards[0]", "at least one sku or category"),
    (lambda d: d["memberships"][0].__setitem__("period_days", 0), "memberships[0].period_days", "greater than"),
    (lambda d: d["actions"][0].__setitem__("once", "yes"), "actions[0].once", "boolean"),
    (lambda d: d.__setitem__("timezone", "Mars/Olympus"), "timezone", "unknown time zone 'Mars/Olympus'"),
])
def test_wrong_values_are_refused_naming_the_field(mutate: Callable[[dict[str, Any]], object], field: str,
                                                   words: str) -> None:
    message = refusal(changed(mutate))
    assert message.startswith(f"program file: {field}: "), message
    assert words in message


@pytest.mark.parametrize("weekday", [7, -1, "monday", True, None])
def test_weekday_out_of_range_is_refused(weekday: object) -> None:
    message = refusal(changed(lambda d: d["bonus_days"][0].__setitem__("weekday", weekday)))
    assert message.startswith("program file: bonus_days[0].weekday: ")
    assert "0 (Monday) to 6 (Sunday)" in message


def test_weekday_as_a_json_fraction_is_refused() -> None:
    message = refusal(text=FULL_PROGRAM_TEXT.replace('"weekday": "member_choice"', '"weekday": 1.0'))
    assert "bonus_days[0].weekday" in message


@pytest.mark.parametrize("weekday", [0, 6, "member_choice"])
def test_weekday_in_range_is_accepted(weekday: object) -> None:
    doc = changed(lambda d: d["bonus_days"][0].__setitem__("weekday", weekday))
    assert load_program_text(json.dumps(jsonable(doc))).bonus_days[0].weekday == weekday


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity"])
def test_non_finite_rates_are_refused(literal: str) -> None:
    message = refusal(text=FULL_PROGRAM_TEXT.replace('"multiplier": 3', f'"multiplier": {literal}'))
    assert "bonus_days[0].multiplier" in message and "finite" in message


@pytest.mark.parametrize(("mutate", "words"), [
    (lambda d: d["tiers"][2].__setitem__("code", "silver"), "tiers: 'silver' appears twice"),
    (lambda d: d["tiers"][2].__setitem__("min_spend", 200_000), "tiers (min_spend): 200000 appears twice"),
    (lambda d: d["memberships"].append(dict(d["memberships"][0], code="plus2")),
     "memberships (sku): 'MEMBER-PLUS-Y' appears twice"),
    (lambda d: d["punch_cards"].append(dict(d["punch_cards"][0])), "punch_cards: 'coffee' appears twice"),
    (lambda d: d["bonus_days"][0].__setitem__("tiers", ["platinum"]), "bonus_days[0].tiers: unknown tier 'platinum'"),
    (lambda d: d["redeem"].__setitem__("min_points", 150), "redeem.min_points must be a multiple of redeem.step"),
])
def test_inconsistent_sections_are_refused_naming_them(mutate: Callable[[dict[str, Any]], object],
                                                       words: str) -> None:
    assert words in refusal(changed(mutate))


@pytest.mark.parametrize(("text", "words"), [
    ("{", "not valid JSON (line 1"),
    ('{"version": 1,\n "currency": "ILS",\n}', "not valid JSON (line 3"),
    ("", "not valid JSON"),
    ("[]", "must hold one JSON object"),
    ('"program"', "must hold one JSON object"),
    ("null", "must hold one JSON object"),
    ("7", "must hold one JSON object"),
])
def test_invalid_json_and_non_objects_are_refused(text: str, words: str) -> None:
    assert words in refusal(text=text)


def test_a_key_given_twice_is_refused() -> None:
    from pos_client.errors import InvalidInputError
    from pos_client.program.schema import load_program_text

    text = '{"version": 1, "currency": "ILS", "welcome": {"points": 5}, "welcome": {"points": 5000}}'
    try:
        load_program_text(text)
    except InvalidInputError as exc:
        assert "welcome" in exc.message and "twice" in exc.message
    else:  # pragma: no cover - the assertion below reports it
        raise AssertionError("a duplicate key was accepted")
