"""`kupa member edit`, `kupa member merge` and `kupa audit`: the manager's corrections, headless and audited."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from tests.integration.conftest import MANAGER_PIN, Kupa


def _enrol(kupa: Kupa, name: str, phone: str) -> str:
    result = kupa("member", "add", "--name", name, "--phone", phone, "--json")
    assert result.code == 0, result.err
    return str(result.json["member_id"])


def _audit_rows(store: Path) -> int:
    with sqlite3.connect(store / "kupa.sqlite3") as db:
        return int(db.execute("select count(*) from audit_log").fetchone()[0])


def test_edit_changes_only_the_fields_given_and_is_audited(kupa: Kupa, store: Path) -> None:
    member = _enrol(kupa, "Dana Cohen", "054-1234567")
    edited = kupa("member", "edit", "054-1234567", "--email", "dana@example.com", "--birthday", "1990-05-17",
                  "--reason", "customer asked", "--pin", MANAGER_PIN, "--json")
    assert edited.code == 0, edited.err
    assert edited.json == {"member_id": member, "changed": {"email": "dana@example.com", "birthday": "1990-05-17"}}
    cleared = kupa("member", "edit", member, "--clear", "email", "--bonus-weekday", "3", "--reason", "customer asked",
                   "--pin", MANAGER_PIN, "--json").json
    assert cleared["changed"] == {"email": None, "bonus_weekday": 3}
    shown = kupa("member", "show", member, "--json").json
    assert (shown["name"], shown["phone"], shown["email"], shown["birthday"]) == (
        "Dana Cohen", "0541234567", None, "1990-05-17")
    log = kupa("audit", "--action", "member_edit", "--json").json["entries"]
    assert [row["target"] for row in log] == [member, member] and log[0]["details"]["changed"] == {
        "email": {"from": "dana@example.com", "to": None}, "bonus_weekday": {"from": None, "to": 3}}


def test_bad_edits_are_refused_and_change_nothing(kupa: Kupa, store: Path) -> None:
    member = _enrol(kupa, "Dana Cohen", "054-1234567")
    _enrol(kupa, "Other", "052-7654321")
    before = _audit_rows(store)
    for args, message in ((["--bonus-weekday", "9"], "0 (Monday) to 6"), (["--birthday", "17/05/1990"], "not a date"),
                          (["--phone", "052-7654321"], "already exists"), (["--name", "Dana Cohen"], "nothing to change"),
                          (["--email", "nobody"], "not an e-mail"),
                          (["--phone", "052-1111111", "--clear", "phone"], "contradict")):
        result = kupa("member", "edit", member, *args, "--reason", "customer asked", "--pin", MANAGER_PIN)
        assert result.code == 1 and message in result.err and "Traceback" not in result.err, (args, result.err)
    wrong_pin = kupa("member", "edit", member, "--name", "Mallory", "--reason", "customer asked", "--pin", "0000")
    assert wrong_pin.code == 1 and "PIN" in wrong_pin.err
    no_reason = kupa("member", "edit", member, "--name", "Mallory", "--reason", "x", "--pin", MANAGER_PIN)
    assert no_reason.code == 1 and "reason" in no_reason.err
    assert _audit_rows(store) == before
    assert kupa("member", "show", member, "--json").json["name"] == "Dana Cohen"


def test_merge_moves_the_points_and_the_duplicate_finds_the_member_kept(kupa: Kupa, store: Path) -> None:
    keep = _enrol(kupa, "Dana Cohen", "054-1234567")
    duplicate = _enrol(kupa, "Dana C.", "052-7654321")
    assert kupa("checkout", "--member", duplicate, "--item", "SHOE").code == 0
    points = kupa("member", "show", duplicate, "--json").json["points"]
    refused = kupa("member", "merge", keep, duplicate, "--reason", "duplicate record", "--pin", "0000")
    assert refused.code == 1 and kupa("member", "show", duplicate, "--json").json["member_id"] == duplicate
    merged = kupa("member", "merge", keep, "052-7654321", "--reason", "duplicate record", "--pin", MANAGER_PIN, "--json")
    assert merged.code == 0, merged.err
    assert merged.json["kept"] == keep and merged.json["merged"] == duplicate and merged.json["points_moved"] == points
    shown = kupa("member", "show", duplicate, "--json").json
    assert shown["member_id"] == keep and shown["points"] == 50 + points
    again = kupa("member", "merge", keep, duplicate, "--reason", "duplicate record", "--pin", MANAGER_PIN)
    assert again.code == 1 and "Traceback" not in again.err


def test_audit_lists_newest_first_and_refuses_a_bad_limit(kupa: Kupa) -> None:
    member = _enrol(kupa, "Dana Cohen", "054-1234567")
    assert kupa("adjust", "--member", member, "--points", "20", "--reason", "coffee spilled", "--pin", MANAGER_PIN).code == 0
    assert kupa("member", "edit", member, "--name", "Dana Levi", "--reason", "married", "--pin", MANAGER_PIN).code == 0
    entries = kupa("audit", "--limit", "2", "--json").json["entries"]
    assert [(row["action"], row["reason"]) for row in entries] == [("member_edit", "married"),
                                                                   ("adjust", "coffee spilled")]
    text = kupa("audit", "--action", "adjust")
    assert text.code == 0 and "coffee spilled" in text.out and "married" not in text.out
    for bad in ("0", "x", "99999"):
        result = kupa("audit", "--limit", bad)
        assert result.code == 1 and "--limit" in result.err
    assert kupa("audit", "--from", "2026-13-01").code == 1
