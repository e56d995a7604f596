"""The messages catalogue: every code in both languages with the same placeholders, and no raise site that
bypasses it.

Importing every module of `pos_client`, `sync` and `ui` runs every module-level `message()` declaration, so
the catalogue checked here is the whole of it (ui needs Qt, offscreen; a module that cannot be imported
fails the test rather than hiding its messages).
"""

from __future__ import annotations

import ast
import importlib
import os
import pkgutil
import string
from pathlib import Path

import pytest

from pos_client.errors import InvalidInputError, KupaError, RuleViolation
from pos_client.messages import (CATALOGUE, Message, Text, current_language, message, render, reset_language,
                                 set_language)

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("pos_client", "sync", "ui")
HEBREW = range(0x05D0, 0x05EB)


def _import_everything() -> list[str]:
    names = []
    for package in PACKAGES:
        module = importlib.import_module(package)
        names.append(package)
        for info in pkgutil.walk_packages(module.__path__, prefix=package + "."):
            if ".migrations" in info.name or info.name.endswith("__main__"):  # Alembic scripts; `python -m`
                continue
            importlib.import_module(info.name)
            names.append(info.name)
    return names


@pytest.fixture(scope="module")
def catalogue() -> dict[str, Message]:
    _import_everything()
    return dict(CATALOGUE)


def _has_letters(template: str) -> bool:
    """Whether the template has words of its own (not only placeholders and punctuation)."""
    return any(ch.isalpha() for literal, *_ in string.Formatter().parse(template) for ch in literal)


def test_the_catalogue_is_the_whole_program(catalogue: dict[str, Message]) -> None:
    # sanity: the conversion declared well over a hundred messages across the three packages
    assert len(catalogue) > 150
    areas = {code.split(".")[0] for code in catalogue}
    assert {"member", "card", "redeem", "punch", "basket", "catalog", "sync", "cli", "refund"} <= areas


def test_every_code_has_both_languages_with_the_same_placeholders(catalogue: dict[str, Message]) -> None:
    problems = []
    for code, declared in sorted(catalogue.items()):
        if not declared.en.strip() or not declared.he.strip():
            problems.append(f"{code}: a language is empty")
            continue
        if declared.placeholders("en") != declared.placeholders("he"):
            problems.append(f"{code}: placeholders differ: {declared.placeholders('en')} vs "
                            f"{declared.placeholders('he')}")
        if _has_letters(declared.en) and not any(ord(ch) in HEBREW for ch in declared.he):
            problems.append(f"{code}: the Hebrew text has no Hebrew in it: {declared.he!r}")
        if code.count(".") < 1 or code != code.lower():
            problems.append(f"{code}: a code is 'area.what' in lower case")
    assert not problems, "\n".join(problems)


def test_a_code_missing_a_language_or_a_placeholder_is_caught() -> None:
    """The check above can fail: a Hebrew text that drops a placeholder, or an empty one."""
    dropped = Message("test.dropped", en="cannot redeem {points} points", he="אי אפשר לממש נקודות")
    assert dropped.placeholders("en") != dropped.placeholders("he")
    money_only_in_one = Message("test.spec", en="{amount:money} back", he="{amount} הוחזרו")
    assert money_only_in_one.placeholders("en") != money_only_in_one.placeholders("he")


def test_a_code_declared_twice_with_other_words_fails_at_import() -> None:
    message("test.twice", en="same", he="אותו דבר")
    message("test.twice", en="same", he="אותו דבר")  # the same words: harmless (a module imported twice)
    with pytest.raises(RuntimeError, match="declared twice"):
        message("test.twice", en="other", he="אחר")
    del CATALOGUE["test.twice"]


# --- no raise site bypasses the catalogue --------------------------------------------------------------------

def _kupa_error_names() -> set[str]:
    _import_everything()
    names, todo = set(), [KupaError]
    while todo:
        cls = todo.pop()
        names.add(cls.__name__)
        todo.extend(cls.__subclasses__())
    return names


def _is_plain_text(node: ast.expr) -> bool:
    """A literal sentence: "…", f"…", "…" + x, "…".format(…), "…" % x."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str)
    if isinstance(node, ast.JoinedStr):
        return True
    if isinstance(node, ast.BinOp):
        return _is_plain_text(node.left) or _is_plain_text(node.right)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format":
        return _is_plain_text(node.func.value)
    if isinstance(node, ast.IfExp):
        return _is_plain_text(node.body) or _is_plain_text(node.orelse)
    return False


def plain_string_raises(source: str, error_names: set[str]) -> list[int]:
    """The lines where a KupaError (sub)class is called with a sentence instead of a catalogue message."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and node.args:
            func = node.func
            name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
            if name in error_names and _is_plain_text(node.args[0]):
                lines.append(node.lineno)
    return lines


def test_no_kupa_error_is_raised_with_a_plain_sentence() -> None:
    names = _kupa_error_names() | {"TokenError"}
    offenders = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            for line in plain_string_raises(path.read_text(encoding="utf-8"), names):
                offenders.append(f"{path.relative_to(ROOT)}:{line}")
    assert not offenders, "raise with a catalogue message instead: " + ", ".join(offenders)


@pytest.mark.parametrize("source", [
    'raise InvalidInputError("the basket is empty")',
    'raise NotFoundError(f"no member with id {member_id}")',
    'raise RuleViolation("cannot redeem " + str(n) + " points", requested=n)',
    'raise errors.StateError("sale {0} was refunded".format(sale_id))',
    'exc = AuthError("wrong PIN" if manager else "wrong cashier PIN")',
])
def test_the_scan_catches_each_form_of_a_plain_sentence(source: str) -> None:
    assert plain_string_raises(source, _kupa_error_names()) == [1]


def test_the_scan_lets_catalogue_messages_pass() -> None:
    ok = 'raise InvalidInputError(BASKET_EMPTY)\nraise NotFoundError(NO_MEMBER_ID, member_id=code)\n' \
         'raise AuthError(WRONG_MANAGER_PIN if manager else WRONG_PIN)\nraise ValueError("a bug, not a refusal")'
    assert plain_string_raises(ok, _kupa_error_names()) == []


# --- rendering -------------------------------------------------------------------------------------------------

REFUSED = Message("test.refused", en="cannot redeem {requested} points: {why}", he="אי אפשר לממש {requested} נקודות: {why}")
WHY = Message("test.why", en="the member has {points} points", he="לחבר יש {points} נקודות")
BACK = Message("test.back", en="{amount:money} back", he="הוחזרו {amount:money}")


def test_an_error_carries_its_code_and_values_and_is_worded_in_each_language() -> None:
    exc = RuleViolation(REFUSED, requested=350, why=WHY.bind(points=300))
    assert exc.code == "rule_violation" and exc.message_code == "test.refused"
    assert exc.message == str(exc) == "cannot redeem 350 points: the member has 300 points"
    assert exc.text("he") == "אי אפשר לממש 350 נקודות: לחבר יש 300 נקודות"
    assert exc.to_json("he") == {
        "error": "rule_violation", "message_code": "test.refused",
        "message": "אי אפשר לממש 350 נקודות: לחבר יש 300 נקודות",
        "params": {"requested": 350, "why": {"message_code": "test.why", "params": {"points": 300}}}}
    again = InvalidInputError(exc.bound())
    assert again.text("he") == exc.text("he") and again.message_code == "test.refused"


def test_money_placeholders_follow_the_language_and_the_currency() -> None:
    assert BACK.render("en", amount=1250) == "₪12.50 back"
    assert BACK.render("he", amount=1250) == "הוחזרו \u200f12.50\u00a0\u200f₪"
    assert BACK.render("en", amount=1250, currency="USD") == "$12.50 back"
    assert BACK.render("he", amount=-99, currency="USD") == "הוחזרו \u200f-0.99\u00a0\u200f$"


def test_a_program_label_is_shown_in_the_language() -> None:
    from pos_client.program.schema import Program

    program = Program.model_validate({"version": 1, "currency": "ILS", "punch_cards": [
        {"code": "coffee", "name": {"en": "Coffee card", "he": "כרטיסיית קפה"}, "skus": ["C"], "stamps_needed": 9,
         "reward": "free_item"}]})
    card = program.punch_card("coffee")
    assert card is not None
    held = Message("test.held", en="{card}: {held} stamps", he="{card}: {held} חותמות")
    assert held.render("en", card=card.name, held=3) == "Coffee card: 3 stamps"
    assert held.render("he", card=card.name, held=3) == "כרטיסיית קפה: 3 חותמות"


def test_a_missing_parameter_shows_its_name_rather_than_failing() -> None:
    assert WHY.render("he") == "לחבר יש {points} נקודות"
    assert BACK.render("en") == "{amount} back"
    assert render("no.such.code", {}, "he") == "no.such.code"


def test_the_language_is_the_edges_choice_then_kupa_lang(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KUPA_LANG", "he_IL.UTF-8")
    reset_language()
    assert current_language() == "he"
    set_language("en")
    assert current_language() == "en"
    set_language("fr")  # a language Kupa does not speak: English
    assert current_language() == "en"
    reset_language()
    monkeypatch.delenv("KUPA_LANG")
    assert current_language() == "en"
    assert isinstance(WHY.bind(points=1), Text) and str(WHY.bind(points=1)) == "the member has 1 points"
