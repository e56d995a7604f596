"""The `kupa` CLI against a real SQLite terminal: the flows of DESIGN.md and their refusals."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from tests.integration.conftest import MANAGER_PIN, Kupa


def _enrol(kupa: Kupa, name: str = "Dana Cohen", phone: str = "054-1234567", **extra: str) -> dict:  # type: ignore[type-arg]
    args = ["member", "add", "--name", name, "--phone", phone, "--json"]
    for key, value in extra.items():
        args += [f"--{key.replace('_', '-')}", value]
    result = kupa(*args)
    assert result.code == 0, result.err
    return result.json


def _counts(store: Path) -> dict[str, int]:
    with sqlite3.connect(store / "kupa.sqlite3") as db:
        return {t: db.execute(f"select count(*) from {t}").fetchone()[0]
                for t in ("sales", "sale_lines", "ledger_entries", "outbox", "members", "audit_log")}


def test_enrol_gives_welcome_points_and_a_verifiable_token(kupa: Kupa) -> None:
    member = _enrol(kupa)
    assert member["member_id"].startswith("M") and member["card_token"].startswith("KUPA1.")
    shown = kupa("member", "show", member["card_token"], "--json").json
    assert shown["points"] == 50 and shown["tier"] == "bronze" and shown["can_spend"] is True
    assert shown["stamps"] == {"coffee": 0} and shown["membership"] is None
    assert shown["pending_sync"] == 1  # the welcome entry, waiting for HQ
    by_phone = kupa("member", "show", "+972 54 123 4567", "--json").json
    assert by_phone["member_id"] == member["member_id"] and by_phone["can_spend"] is False


def test_checkout_records_sale_entries_and_outbox_in_one_go(kupa: Kupa, store: Path) -> None:
    member = _enrol(kupa)
    before = _counts(store)
    sale = kupa("checkout", "--member", member["member_id"], "--item", "COFFEE-L:2", "--item", "SHOE",
                "--item", "CIG", "--json")
    assert sale.code == 0, sale.err
    data = sale.json
    # 2×1400 + 45000 = 47800 eligible; bronze: no discount; cigarettes excluded (3500)
    assert data["subtotal"] == 51300 and data["discount_total"] == 0 and data["total"] == 51300
    assert data["points_earned"] == 478 and data["stamps_earned"] == {"coffee": 2} and data["tier"] == "bronze"
    assert data["points_balance_after"] == 50 + 478
    after = _counts(store)
    assert after["sales"] == before["sales"] + 1 and after["sale_lines"] == before["sale_lines"] + 3
    # earn + stamp entries, each queued, plus the sale itself
    assert after["ledger_entries"] == before["ledger_entries"] + 2
    assert after["outbox"] == before["outbox"] + 3
    shown = kupa("member", "show", member["member_id"], "--json").json
    assert shown["points"] == 528 and shown["stamps"]["coffee"] == 2 and shown["qualifying_spend"] == 47800


def test_spending_needs_the_card_or_a_manager_pin(kupa: Kupa, store: Path) -> None:
    member = _enrol(kupa)
    kupa("adjust", "--member", member["member_id"], "--points", "950", "--reason", "test credit", "--pin", MANAGER_PIN)
    before = _counts(store)
    refused = kupa("checkout", "--member", "054-1234567", "--item", "SHOE", "--redeem", "100")
    assert refused.code == 1 and "card" in refused.err and "Traceback" not in refused.err
    assert _counts(store) == before
    by_token = kupa("checkout", "--member", member["card_token"], "--item", "SHOE", "--redeem", "100", "--json")
    assert by_token.code == 0 and by_token.json["redeemed_value"] == 1000
    by_pin = kupa("checkout", "--member", "054-1234567", "--item", "SHOE", "--redeem", "100", "--pin", MANAGER_PIN,
                  "--json")
    assert by_pin.code == 0
    wrong_pin = kupa("checkout", "--member", "054-1234567", "--item", "SHOE", "--redeem", "100", "--pin", "0000")
    assert wrong_pin.code == 1 and "PIN" in wrong_pin.err


def test_redemption_breaking_a_rule_is_refused_with_the_largest_allowed(kupa: Kupa, store: Path) -> None:
    member = _enrol(kupa)
    kupa("adjust", "--member", member["member_id"], "--points", "250", "--reason", "test credit", "--pin", MANAGER_PIN)
    before = _counts(store)
    result = kupa("checkout", "--member", member["card_token"], "--item", "SHOE", "--redeem", "350")
    assert result.code == 1
    assert "300" in result.err and "most allowed" in result.err  # balance 300, step 100
    assert _counts(store) == before


@pytest.mark.parametrize("item, message", [
    ("NOPE", "unknown product"), ("COFFEE-S:0", "at least 1"), ("COFFEE-S:-2", "at least 1"),
    ("COFFEE-S:two", "not a whole number"), (":3", "not an item"),
])
def test_bad_items_are_refused_and_write_nothing(kupa: Kupa, store: Path, item: str, message: str) -> None:
    before = _counts(store)
    result = kupa("checkout", "--item", item)
    assert result.code == 1 and message in result.err and result.out == ""
    assert _counts(store) == before


def test_unknown_member_is_refused(kupa: Kupa) -> None:
    result = kupa("quote", "--member", "M9999999", "--item", "COFFEE-S")
    assert result.code == 1 and "no member" in result.err


@pytest.mark.parametrize("code", ["KUPA1.AAAAAAAA.M1000001.1.20260101." + "A" * 86, "'; DROP TABLE members;--",
                                  "KUPA1." + "x" * 3000, "שלום\u202e", "\x00\x01binary"])
def test_forged_or_hostile_codes_are_refused(kupa: Kupa, code: str) -> None:
    result = kupa("member", "show", code)
    assert result.code == 1 and "Traceback" not in result.err


def test_edited_token_is_refused(kupa: Kupa) -> None:
    member = _enrol(kupa)
    token: str = member["card_token"]
    edited = token.replace(member["member_id"], member["member_id"][:-1] + "9")
    result = kupa("member", "show", edited)
    assert result.code == 1 and "not a valid member card" in result.err


def test_whole_refund_reverses_exactly_what_the_sale_did(kupa: Kupa, store: Path) -> None:
    member = _enrol(kupa)
    kupa("adjust", "--member", member["member_id"], "--points", "950", "--reason", "test credit", "--pin", MANAGER_PIN)
    before = kupa("member", "show", member["member_id"], "--json").json
    sale = kupa("checkout", "--member", member["card_token"], "--item", "COFFEE-L:3", "--item", "SHOE",
                "--redeem", "500", "--json").json
    refund = kupa("refund", sale["sale_id"], "--pin", MANAGER_PIN, "--json")
    assert refund.code == 0, refund.err
    assert refund.json["money_back"] == sale["total"] and refund.json["points_reversed"] == sale["points_earned"]
    assert refund.json["points_returned"] == 500
    after = kupa("member", "show", member["member_id"], "--json").json
    for key in ("points", "stamps", "qualifying_spend"):
        assert after[key] == before[key], key
    again = kupa("refund", sale["sale_id"], "--pin", MANAGER_PIN)
    assert again.code == 1 and "already fully refunded" in again.err


def test_partial_refunds_add_up_to_the_whole(kupa: Kupa) -> None:
    member = _enrol(kupa)
    before = kupa("member", "show", member["member_id"], "--json").json
    sale = kupa("checkout", "--member", member["member_id"], "--item", "COFFEE-L:3", "--item", "CROISSANT:2",
                "--json").json
    parts = [kupa("refund", sale["sale_id"], "--item", item, "--pin", MANAGER_PIN, "--json").json
             for item in ("COFFEE-L:1", "CROISSANT:1", "COFFEE-L:2", "CROISSANT:1")]
    assert sum(p["money_back"] for p in parts) == sale["total"]
    assert sum(p["points_reversed"] for p in parts) == sale["points_earned"]
    assert parts[-1]["fully_refunded"] is True
    after = kupa("member", "show", member["member_id"], "--json").json
    assert after["points"] == before["points"] and after["stamps"] == before["stamps"]
    too_many = kupa("refund", sale["sale_id"], "--item", "COFFEE-L:1", "--pin", MANAGER_PIN)
    assert too_many.code == 1


def test_refund_needs_the_manager_pin(kupa: Kupa, store: Path) -> None:
    sale = kupa("checkout", "--item", "COFFEE-S", "--json").json
    before = _counts(store)
    result = kupa("refund", sale["sale_id"], "--pin", "1234")
    assert result.code == 1 and "PIN" in result.err and _counts(store) == before


def test_punch_card_reward_and_membership_sale(kupa: Kupa) -> None:
    member = _enrol(kupa)
    kupa("checkout", "--member", member["member_id"], "--item", "COFFEE-S:9")
    not_yet = kupa("checkout", "--member", member["member_id"], "--item", "COFFEE-S", "--punch-reward", "coffee")
    assert not_yet.code == 1 and "card" in not_yet.err  # spending stamps needs the card too
    reward = kupa("checkout", "--member", member["card_token"], "--item", "COFFEE-S", "--item", "COFFEE-L",
                  "--punch-reward", "coffee", "--json").json
    assert reward["lines"][0]["free_units"] == 1 and reward["total"] == 1400
    assert reward["stamps_spent"] == {"coffee": 9} and reward["stamps_earned"] == {"coffee": 1}
    plan = kupa("checkout", "--member", member["member_id"], "--item", "MEMBER-PLUS-Y", "--json").json
    assert plan["points_earned"] == 0 and plan["lines"][0]["discount"] == 0
    shown = kupa("member", "show", member["member_id"], "--json").json
    assert shown["membership"]["code"] == "plus" and shown["stamps"]["coffee"] == 1


def test_donation_and_actions(kupa: Kupa) -> None:
    member = _enrol(kupa)
    assert kupa("donate", "--member", member["member_id"], "--points", "10", "--charity", "wildlife").code == 1
    gift = kupa("donate", "--member", member["card_token"], "--points", "10", "--charity", "wildlife", "--json")
    assert gift.code == 0 and gift.json["balance"] == 40
    assert kupa("donate", "--member", member["card_token"], "--points", "999", "--charity", "wildlife").code == 1
    assert kupa("donate", "--member", member["card_token"], "--points", "5", "--charity", "nope").code == 1
    first = kupa("action", "grant", "--member", member["member_id"], "--action", "newsletter", "--pin", MANAGER_PIN,
                 "--json")
    assert first.code == 0 and first.json["balance"] == 90
    again = kupa("action", "grant", "--member", member["member_id"], "--action", "newsletter", "--pin", MANAGER_PIN)
    assert again.code == 1 and "once" in again.err


def test_adjustment_is_audited_and_needs_a_reason(kupa: Kupa, store: Path) -> None:
    member = _enrol(kupa)
    assert kupa("adjust", "--member", member["member_id"], "--points", "10", "--reason", "", "--pin", MANAGER_PIN).code == 1
    assert kupa("adjust", "--member", member["member_id"], "--points", "x", "--reason", "why", "--pin", MANAGER_PIN).code == 1
    ok = kupa("adjust", "--member", member["member_id"], "--points", "-20", "--reason", "double scan", "--pin", MANAGER_PIN)
    assert ok.code == 0
    with sqlite3.connect(store / "kupa.sqlite3") as db:
        rows = db.execute("select action, target, reason from audit_log where action='adjust'").fetchall()
    assert rows == [("adjust", member["member_id"], "double scan")]


def test_referral_rewards_both_members_at_the_first_sale(kupa: Kupa) -> None:
    referrer = _enrol(kupa)
    referee = _enrol(kupa, name="Yael Levi", phone="052-7654321", referred_by=referrer["member_id"])
    first = kupa("checkout", "--member", referee["member_id"], "--item", "COFFEE-S", "--json").json
    assert first["referral_points"] == 100
    second = kupa("checkout", "--member", referee["member_id"], "--item", "COFFEE-S", "--json").json
    assert second["referral_points"] == 0
    assert kupa("member", "show", referrer["member_id"], "--json").json["points"] == 50 + 200


def test_program_load_refuses_a_bad_file_and_keeps_the_version_in_force(kupa: Kupa, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"version": 8, "currency": "ILS", "earn": {"points": 1, "per": 100, "oops": 1}}')
    result = kupa("program", "load", str(bad))
    assert result.code == 1 and "earn.oops" in result.err
    assert kupa("program", "show", "--json").json["version"] == 7
    older = tmp_path / "older.json"
    older.write_text('{"version": 3, "currency": "ILS"}')
    assert kupa("program", "load", str(older)).code == 1
    newer = tmp_path / "newer.json"
    newer.write_text('{"version": 8, "currency": "ILS", "earn": {"points": 2, "per": 100}}')
    assert kupa("program", "load", str(newer)).code == 0
    quote = kupa("quote", "--item", "COFFEE-S", "--json").json
    assert quote["program_version"] == 8


def test_catalog_with_a_bad_row_loads_nothing(kupa: Kupa, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("sku,name,price,category\nNEW1,New one,100,x\nNEW2,New two,12.50,x\n")
    result = kupa("catalog", "load", str(bad))
    assert result.code == 1 and "line 3" in result.err and "price" in result.err
    assert kupa("quote", "--item", "NEW1").code == 1


def test_ledger_rows_cannot_be_updated_or_deleted(kupa: Kupa, store: Path) -> None:
    _enrol(kupa)
    with sqlite3.connect(store / "kupa.sqlite3") as db:
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            db.execute("update ledger_entries set points_delta = 1000000")
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            db.execute("delete from ledger_entries")


def test_database_is_durable_by_configuration(store: Path) -> None:
    from pos_client.terminal import Terminal

    terminal = Terminal.open(store)
    with terminal.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    terminal.close()


def test_uninitialised_folder_gives_a_clear_message(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from pos_client.cli.main import main

    assert main(["--data-dir", str(tmp_path / "none"), "member", "show", "M1"]) == 1
    assert "kupa init" in capsys.readouterr().err


def test_two_stores_with_the_same_program_version_keep_their_own_rules(tmp_path: Path,
                                                                       capsys: pytest.CaptureFixture[str]) -> None:
    from pos_client.cli.main import main

    for name, currency in (("a", "ILS"), ("b", "USD")):
        store = str(tmp_path / name)
        assert main(["--data-dir", store, "init", "--terminal-id", name.upper()]) == 0
        (tmp_path / f"{name}.json").write_text(f'{{"version": 1, "currency": "{currency}"}}')
        assert main(["--data-dir", store, "program", "load", str(tmp_path / f"{name}.json")]) == 0
        (tmp_path / f"{name}.csv").write_text("sku,name,price,category\nX,Thing,100,misc\n")
        assert main(["--data-dir", store, "catalog", "load", str(tmp_path / f"{name}.csv")]) == 0
    capsys.readouterr()
    for name, currency in (("a", "ILS"), ("b", "USD"), ("a", "ILS")):
        assert main(["--data-dir", str(tmp_path / name), "quote", "--item", "X", "--json"]) == 0
        assert json.loads(capsys.readouterr().out)["currency"] == currency


def test_refunding_items_whose_stamps_were_spent_never_makes_stamps_negative(kupa: Kupa, store: Path) -> None:
    member = _enrol(kupa)
    first = kupa("checkout", "--member", member["member_id"], "--item", "COFFEE-S:9", "--json").json
    reward = kupa("checkout", "--member", member["card_token"], "--item", "COFFEE-S", "--punch-reward", "coffee",
                  "--json").json
    assert reward["stamps_spent"] == {"coffee": 9} and reward["total"] == 0
    refund = kupa("refund", first["sale_id"], "--pin", MANAGER_PIN, "--json")
    assert refund.code == 0 and refund.json["money_back"] == first["total"]
    assert kupa("member", "show", member["member_id"], "--json").json["stamps"]["coffee"] == 0
    with sqlite3.connect(store / "kupa.sqlite3") as db:
        assert db.execute("select min(stamps) from member_stamps").fetchone()[0] == 0
        reason = db.execute("select reason from ledger_entries where kind='reverse' and punch_card='coffee'").fetchall()
    assert reason == []  # nothing left to take back: no stamp reversal was written
