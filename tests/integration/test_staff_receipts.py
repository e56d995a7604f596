"""Staff, receipt numbers, voids and no-sales, through the `kupa` CLI and the services on a real SQLite file.

The store of the `kupa` fixture has terminal id T1 and one manager (PIN 9999, staff member #1).
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from pos_client.services import voids
from pos_client.terminal import Terminal

from tests.integration.conftest import MANAGER_PIN, Kupa


def _rows(store: Path, sql: str, *params: object) -> list[tuple[object, ...]]:
    with sqlite3.connect(store / "kupa.sqlite3") as db:
        return db.execute(sql, params).fetchall()


def _audit(store: Path, action: str) -> list[tuple[object, ...]]:
    return _rows(store, "SELECT user_id, target, reason, details FROM audit_log WHERE action = ? ORDER BY created_at",
                 action)


def _add(kupa: Kupa, name: str, role: str, pin: str) -> int:
    result = kupa("staff", "add", "--name", name, "--role", role, "--pin", pin, "--manager-pin", MANAGER_PIN,
                  "--json")
    assert result.code == 0, result.err
    return int(result.json["staff_id"])


# -- staff ---------------------------------------------------------------------------------------------------

def test_a_manager_adds_cashiers_who_are_listed_and_audited(kupa: Kupa, store: Path) -> None:
    noa = _add(kupa, "Noa", "cashier", "1234")
    avi = _add(kupa, "Avi", "manager", "87654321")
    listed = kupa("staff", "list", "--json").json["staff"]
    assert [(s["staff_id"], s["name"], s["role"], s["active"]) for s in listed] == [
        (1, "Manager", "manager", True), (noa, "Noa", "cashier", True), (avi, "Avi", "manager", True)]
    assert (noa, avi) == (2, 3)
    assert [(a[0], a[1]) for a in _audit(store, "staff_add")] == [("1", "2"), ("1", "3")]
    hashes = [h for (h,) in _rows(store, "SELECT pin_hash FROM staff")]
    assert all(h.startswith("scrypt$") and "1234" not in h for h in hashes)
    assert [h.split("$")[1] for h in hashes] == [str(2**16), str(2**14), str(2**16)]  # the role's cost


@pytest.mark.parametrize("pin", ["123", "123456789", "12a4", ""])
def test_pins_are_4_to_8_digits(kupa: Kupa, store: Path, pin: str) -> None:
    result = kupa("staff", "add", "--name", "Noa", "--role", "cashier", "--pin", pin, "--manager-pin", MANAGER_PIN,
                  "--json")
    assert result.code == 1 and result.json["message_code"] == "auth.pin_format"
    assert _rows(store, "SELECT count(*) FROM staff") == [(1,)]


def test_4_and_8_digits_are_accepted(kupa: Kupa) -> None:
    assert _add(kupa, "Four", "cashier", "4444") == 2
    assert _add(kupa, "Eight", "cashier", "88888888") == 3


def test_staff_changes_need_a_managers_pin_and_a_pin_in_use_is_refused(kupa: Kupa, store: Path) -> None:
    _add(kupa, "Noa", "cashier", "1234")
    wrong = kupa("staff", "add", "--name", "Dan", "--role", "cashier", "--pin", "5555", "--manager-pin", "1234",
                 "--json")
    assert wrong.code == 1 and wrong.json["message_code"] == "auth.wrong_manager_pin"  # a cashier's PIN is not one
    taken = kupa("staff", "add", "--name", "Dan", "--role", "cashier", "--pin", "1234", "--manager-pin",
                 MANAGER_PIN, "--json")
    assert taken.code == 1 and taken.json["message_code"] == "staff.pin_taken"
    assert _rows(store, "SELECT count(*) FROM staff") == [(2,)]
    with pytest.raises(SystemExit) as usage:  # argparse refuses a role outside the choices
        kupa("staff", "add", "--name", "Dan", "--role", "owner", "--pin", "5555", "--manager-pin", MANAGER_PIN)
    assert usage.value.code == 2


def test_a_cashier_changes_their_own_pin_and_a_manager_resets_anyones(kupa: Kupa, store: Path) -> None:
    noa, dan = _add(kupa, "Noa", "cashier", "1234"), _add(kupa, "Dan", "cashier", "5678")
    other = kupa("staff", "pin", str(dan), "--new-pin", "1111", "--old-pin", "1234", "--json")
    assert other.code == 1 and other.json["message_code"] == "staff.not_your_pin"
    assert kupa("staff", "pin", str(noa), "--new-pin", "2222", "--old-pin", "1234").code == 0
    assert kupa("staff", "pin", str(noa), "--new-pin", "3333", "--old-pin", "1234").code == 1  # the old one is gone
    assert kupa("staff", "pin", str(dan), "--new-pin", "7777", "--manager-pin", MANAGER_PIN).code == 0
    assert kupa("checkout", "--item", "COFFEE-S", "--cashier-pin", "7777", "--json").json["cashier_id"] == str(dan)
    assert kupa("checkout", "--item", "COFFEE-S", "--cashier-pin", "5678").code == 1
    assert [a[:2] for a in _audit(store, "staff_pin_change")] == [(str(noa), str(noa))]
    assert [a[:2] for a in _audit(store, "staff_pin_reset")] == [("1", str(dan))]
    assert "7777" not in json.dumps(_rows(store, "SELECT * FROM audit_log"))
    none = kupa("staff", "pin", str(noa), "--new-pin", "4444", "--json")
    assert none.code == 1 and none.json["message_code"] == "staff.pin_who"
    missing = kupa("staff", "pin", "99", "--new-pin", "4444", "--manager-pin", MANAGER_PIN, "--json")
    assert missing.code == 1 and missing.json["message_code"] == "staff.not_found"


def test_a_disabled_member_cannot_sign_in_and_the_last_manager_stays(kupa: Kupa, store: Path) -> None:
    noa = _add(kupa, "Noa", "cashier", "1234")
    assert kupa("staff", "disable", str(noa), "--manager-pin", MANAGER_PIN, "--reason", "left the shop").code == 0
    refused = kupa("checkout", "--item", "COFFEE-S", "--cashier-pin", "1234", "--json")
    assert refused.code == 1 and refused.json["message_code"] == "auth.wrong_pin"
    again = kupa("staff", "disable", str(noa), "--manager-pin", MANAGER_PIN, "--json")
    assert again.code == 1 and again.json["message_code"] == "staff.already_disabled"
    last = kupa("staff", "disable", "1", "--manager-pin", MANAGER_PIN, "--json")
    assert last.code == 1 and last.json["message_code"] == "staff.last_manager"
    assert _audit(store, "staff_disable")[0][:3] == ("1", str(noa), "left the shop")
    assert kupa("staff", "list", "--json").json["staff"][1]["active"] is False
    bad = kupa("staff", "disable", "x1", "--manager-pin", MANAGER_PIN, "--json")
    assert bad.code == 1 and bad.json["message_code"] == "staff.not_a_number"


# -- who rings the sale up -----------------------------------------------------------------------------------

def test_a_store_with_cashiers_requires_the_cashier_pin_on_cli_sales(kupa: Kupa, store: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    assert kupa("checkout", "--item", "COFFEE-S", "--json").json["cashier_id"] is None  # only a manager: optional
    noa = _add(kupa, "Noa", "cashier", "1234")
    refused = kupa("checkout", "--item", "COFFEE-S", "--json")
    assert refused.code == 1 and refused.json["message_code"] == "staff.cashier_pin_required"
    assert "--cashier-pin" in refused.err
    assert _rows(store, "SELECT count(*) FROM sales") == [(1,)]  # nothing written
    sale = kupa("checkout", "--item", "COFFEE-S", "--cashier-pin", "1234", "--json").json
    assert _rows(store, "SELECT cashier_id FROM sales WHERE sale_id = ?", sale["sale_id"]) == [(str(noa),)]
    monkeypatch.setenv("KUPA_CASHIER_PIN", "1234")
    assert kupa("checkout", "--item", "COFFEE-S", "--json").json["cashier_id"] == str(noa)
    monkeypatch.delenv("KUPA_CASHIER_PIN")
    assert kupa("checkout", "--item", "COFFEE-S", "--pin", MANAGER_PIN, "--json").json["cashier_id"] == "1"
    assert kupa("staff", "require-pin", "never", "--manager-pin", MANAGER_PIN).code == 0
    assert kupa("checkout", "--item", "COFFEE-S", "--json").json["cashier_id"] is None
    assert _audit(store, "staff_policy")[0][0] == "1"


def test_always_requires_it_even_without_cashiers(kupa: Kupa) -> None:
    assert kupa("staff", "require-pin", "always", "--manager-pin", MANAGER_PIN).code == 0
    assert kupa("checkout", "--item", "COFFEE-S", "--json").json["message_code"] == "staff.cashier_pin_required"
    assert kupa("checkout", "--item", "COFFEE-S", "--cashier-pin", MANAGER_PIN, "--json").json["cashier_id"] == "1"


def test_refunds_donations_and_entries_record_who_did_them(kupa: Kupa, store: Path) -> None:
    noa = _add(kupa, "Noa", "cashier", "1234")
    member = kupa("member", "add", "--name", "Dana", "--cashier-pin", "1234", "--json").json
    sale = kupa("checkout", "--member", member["member_id"], "--item", "SHOE", "--cashier-pin", "1234", "--json").json
    entries = _rows(store, "SELECT DISTINCT cashier_id FROM ledger_entries WHERE sale_id = ?", sale["sale_id"])
    assert entries == [(str(noa),)]
    refund = kupa("refund", sale["receipt_no"], "--pin", MANAGER_PIN, "--cashier-pin", "1234", "--json").json
    assert _rows(store, "SELECT cashier_id FROM sales WHERE sale_id = ?", refund["refund_id"]) == [(str(noa),)]
    audit = _audit(store, "refund")[0]
    assert audit[0] == "1" and json.loads(str(audit[3]))["cashier_id"] == str(noa)  # the manager allowed it
    kupa("donate", "--member", member["card_token"], "--points", "10", "--charity", "wildlife", "--cashier-pin", "1234")
    assert _rows(store, "SELECT cashier_id FROM ledger_entries WHERE kind = 'donate'") == [(str(noa),)]
    assert _rows(store, "SELECT cashier_id FROM ledger_entries WHERE kind = 'welcome'") == [(str(noa),)]


# -- receipt numbers -----------------------------------------------------------------------------------------

def test_receipt_numbers_are_sequential_and_every_form_finds_the_sale(kupa: Kupa, store: Path) -> None:
    sales = [kupa("checkout", "--item", "COFFEE-S", "--json").json for _ in range(3)]
    assert [s["receipt_no"] for s in sales] == ["T1-000001", "T1-000002", "T1-000003"]
    text = kupa("checkout", "--item", "COFFEE-L")
    assert text.out.splitlines()[0] == "Sale T1-000004 recorded."
    for ref in ("T1-000002", "t1-2", "T1-0000000002", sales[1]["sale_id"], sales[1]["sale_id"].upper()):
        assert kupa("sale", "show", ref, "--json").json["sale_id"] == sales[1]["sale_id"], ref
    unique = sales[1]["sale_id"][:30]
    assert kupa("sale", "show", unique, "--json").json["receipt_no"] == "T1-000002"
    refund = kupa("refund", "T1-000002", "--pin", MANAGER_PIN, "--json").json
    assert (refund["sale_id"], refund["receipt_no"], refund["sale_receipt_no"]) == (
        sales[1]["sale_id"], "T1-000005", "T1-000002")
    shown = kupa("sale", "show", "T1-000002", "--json").json
    assert shown["refunds"] == ["T1-000005"] and shown["lines"][0]["sku"] == "COFFEE-S"
    assert kupa("sale", "show", "T1-000005", "--json").json["refund_of_receipt_no"] == "T1-000002"
    again = kupa("refund", "T1-000005", "--pin", MANAGER_PIN, "--json")
    assert again.json["message_code"] == "refund.not_a_sale"
    seqs = _rows(store, "SELECT receipt_seq FROM sales ORDER BY created_at")
    assert seqs == [(1,), (2,), (3,), (4,), (5,)]


@pytest.mark.parametrize(("ref", "code"), [("T1-000099", "sale.no_receipt"), ("T2-000001", "sale.no_receipt"),
                                           ("nonsense!", "sale.not_found"), ("", "sale.not_found"),
                                           ("0", "sale.short_ref"), ("ffff", "sale.not_found")])
def test_a_reference_that_names_no_sale_is_refused_by_code(kupa: Kupa, ref: str, code: str) -> None:
    kupa("checkout", "--item", "COFFEE-S")
    result = kupa("refund", ref, "--pin", MANAGER_PIN, "--json")
    assert result.code == 1 and result.json["message_code"] == code
    assert kupa("sale", "show", ref, "--json").json["message_code"] == code


def test_a_prefix_shared_by_several_sales_is_ambiguous_not_a_guess(kupa: Kupa) -> None:
    ids = [kupa("checkout", "--item", "COFFEE-S", "--json").json["sale_id"] for _ in range(3)]
    shared = ids[0][:4]  # time-ordered ids: sales made together share their first digits
    assert all(i.startswith(shared) for i in ids)
    result = kupa("sale", "show", shared, "--json")
    assert result.code == 1 and result.json["message_code"] == "sale.ambiguous"
    assert result.json["params"]["count"] == 3


def test_sale_list_filters_by_store_dates_and_member(kupa: Kupa) -> None:
    member = kupa("member", "add", "--name", "Dana", "--json").json["member_id"]
    kupa("checkout", "--item", "COFFEE-S")
    kupa("checkout", "--member", member, "--item", "COFFEE-L")
    everything = kupa("sale", "list", "--json").json
    assert [s["receipt_no"] for s in everything["sales"]] == ["T1-000002", "T1-000001"]  # newest first
    mine = kupa("sale", "list", "--member", member, "--json").json["sales"]
    assert [(s["receipt_no"], s["member_id"]) for s in mine] == [("T1-000002", member)]
    assert kupa("sale", "list", "--from", "2000-01-01", "--to", "2000-01-02", "--json").json["count"] == 0
    backwards = kupa("sale", "list", "--from", "2026-02-01", "--to", "2026-01-01", "--json")
    assert backwards.code == 1


# -- voids and no-sales --------------------------------------------------------------------------------------

def test_voids_and_no_sales_are_audited_with_who_and_why(store: Path) -> None:
    terminal = Terminal.open(store)
    try:
        lines = [voids.VoidedLine("COFFEE-S", 2, 900), voids.VoidedLine("CROISSANT", 1, 1200)]
        voids.record_void(terminal, "1", lines, whole_sale=True, reason="customer changed their mind")
        voids.record_void(terminal, "1", lines[:1], whole_sale=False)
        voids.no_sale(terminal, "1", reason="change for the parking meter")
        assert voids.record_void(terminal, "1", [], whole_sale=True) == ""
    finally:
        terminal.close()
    whole = _audit(store, "void_sale")
    assert len(whole) == 1 and whole[0][:3] == ("1", "cart", "customer changed their mind")
    assert json.loads(str(whole[0][3]))["amount"] == 3000
    assert _audit(store, "void_line")[0][:3] == ("1", "COFFEE-S", "voided by the cashier")
    assert _audit(store, "no_sale")[0][:3] == ("1", "T1", "change for the parking meter")
