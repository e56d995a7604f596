"""Out-of-bound programs and catalogs at the real `kupa` and `kupa-hq` processes: one line, exit 1, nothing
stored; and the largest sale the bounds allow is recorded with every figure inside SQLite's integers."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from pos_client.program import limits as L
from pos_client.pricing.model import MAX_SALE_SUBTOTAL, MAX_UNIT_PRICE
from tests.integration.conftest import DATA

INT64 = 2**63 - 1
FULL = json.loads((DATA / "program_full.json").read_text(encoding="utf-8"))


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, timeout=120)


def kupa(store: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run("-m", "pos_client", "--data-dir", str(store), *args)


def hq(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run("-m", "sync.hq.cli", "--db", f"sqlite:///{db}", *args)


def one_line_refusal(result: subprocess.CompletedProcess[str], code: int = 1) -> str:
    assert result.returncode == code, (result.returncode, result.stderr)
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1, result.stderr
    return result.stderr.strip()


def with_changes(**changes: Any) -> dict[str, Any]:
    doc = json.loads(json.dumps(FULL))
    for path, value in changes.items():
        target = doc
        keys = path.split("__")
        for key in keys[:-1]:
            target = target[key]
        target[keys[-1]] = value
    return doc


def bad_programs(folder: Path) -> dict[str, tuple[Path, str]]:
    """The issue's crashing programs, each with the words its refusal must contain."""
    big = with_changes()
    big["punch_cards"] = [{"code": f"c{c}", "name": {"en": "Card"}, "stamps_needed": 9,
                           "skus": [f"SKU-{i:07d}-{'x' * 40}" for i in range(c, 8000, 100)]} for c in range(100)]
    deep = '{"version": 8, "currency": "ILS", "earn": ' + "[" * 5000 + "]" * 5000 + "}"
    files = {
        "earn_points": (json.dumps(with_changes(earn__points=10**13)), "earn.points: Input should be less than"),
        "welcome": (json.dumps(with_changes(welcome__points=10**19)), "welcome.points: Input should be less than"),
        "version": (json.dumps(with_changes(version=2**63)), "version: Input should be less than"),
        "455kb": (json.dumps(big), "program file is too large ("),
        "deep": (deep, f"nested too deep (more than {L.MAX_PROGRAM_DEPTH} levels)"),
    }
    out = {}
    for name, (text, words) in files.items():
        path = folder / f"{name}.json"
        path.write_text(text, encoding="utf-8")
        out[name] = (path, words)
    assert out["455kb"][0].stat().st_size > 450_000
    return out


def test_out_of_bound_programs_are_refused_cleanly_at_the_terminal(store: Path, tmp_path: Path) -> None:
    for name, (path, words) in bad_programs(tmp_path).items():
        line = one_line_refusal(kupa(store, "program", "load", str(path)))
        assert words in line, (name, line)
    shown = json.loads(kupa(store, "program", "show", "--json").stdout)
    assert shown["version"] == 7  # nothing was installed


def test_out_of_bound_programs_are_refused_cleanly_at_hq(tmp_path: Path) -> None:
    db = tmp_path / "hq.sqlite3"
    assert hq(db, "init").returncode == 0
    for name, (path, words) in bad_programs(tmp_path).items():
        line = one_line_refusal(hq(db, "program", "publish", str(path)))
        assert words in line, (name, line)
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM hq_programs").fetchone()[0] == 0


def test_out_of_bound_catalogs_are_refused_cleanly(store: Path, tmp_path: Path) -> None:
    cases = {
        "digits.csv": ("sku,name,price,category\nGUM,Gum," + "9" * 5000 + ",food\n", "line 2: field 'price'"),
        "big.csv": (f"sku,name,price,category\nGUM,Gum,{MAX_UNIT_PRICE + 1},food\n", "is out of range"),
        "deep.json": ("[" * 5000 + "]" * 5000, "nested too deep"),
        "number.json": ('[{"sku": "GUM", "name": "Gum", "price": ' + "9" * 400 + ', "category": "food"}]',
                        "a number with 100 digits or more"),
        "name_he.json": (json.dumps([{"sku": "GUM", "name": "Gum", "price": 100, "category": "food",
                                      "name_he": "מסטיק" * 40}]), "name_he"),
    }
    for name, (text, words) in cases.items():
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        line = one_line_refusal(kupa(store, "catalog", "load", str(path)))
        assert words in line, (name, line)


def test_the_largest_sale_under_the_largest_program_is_recorded_inside_64_bit_integers(
        store: Path, tmp_path: Path) -> None:
    doc = with_changes(version=L.MAX_VERSION, earn={"points": L.MAX_EARN_POINTS, "per": 1},
                       welcome={"points": L.MAX_GRANT_POINTS})
    for tier in doc["tiers"]:
        tier["earn_multiplier"] = L.MAX_MULTIPLIER
    program = tmp_path / "largest.json"
    program.write_text(json.dumps(doc), encoding="utf-8")
    assert kupa(store, "program", "load", str(program)).returncode == 0
    catalog = tmp_path / "bar.csv"
    coin = L.MAX_ENTRY_POINTS // (L.MAX_EARN_POINTS * L.MAX_MULTIPLIER)  # the price that earns the most one sale may
    catalog.write_text(f"sku,name,price,category\nBAR,Gold bar,{MAX_UNIT_PRICE},jewels\nCOIN,Coin,{coin},jewels\n",
                       encoding="utf-8")
    assert kupa(store, "catalog", "load", str(catalog)).returncode == 0
    member = json.loads(kupa(store, "member", "add", "--name", "Rich", "--json").stdout)["member_id"]
    units = MAX_SALE_SUBTOTAL // MAX_UNIT_PRICE
    sale = kupa(store, "checkout", "--item", f"BAR:{units}", "--json")  # the largest subtotal (no member)
    assert sale.returncode == 0, sale.stderr
    assert json.loads(sale.stdout)["total"] == MAX_SALE_SUBTOTAL
    line = one_line_refusal(kupa(store, "checkout", "--item", f"BAR:{units + 1}"))
    assert "over the largest one sale may have" in line
    sale = kupa(store, "checkout", "--member", member, "--item", "COIN", "--json")
    assert sale.returncode == 0, sale.stderr
    assert json.loads(sale.stdout)["points_earned"] == L.MAX_ENTRY_POINTS
    line = one_line_refusal(kupa(store, "checkout", "--member", member, "--item", "COIN:2"))
    assert f"over the {L.MAX_ENTRY_POINTS} one sale may earn" in line
    with sqlite3.connect(store / "kupa.sqlite3") as conn:
        largest = conn.execute("SELECT max(abs(points_delta)), max(abs(spend_delta)) FROM ledger_entries").fetchone()
        balance = conn.execute("SELECT points FROM member_balances WHERE member_id = ?", (member,)).fetchone()[0]
    assert all(0 < value < INT64 // 1000 for value in largest)
    assert balance == L.MAX_GRANT_POINTS + L.MAX_ENTRY_POINTS


@pytest.mark.parametrize("size", [L.MAX_PROGRAM_BYTES + 1])
def test_a_file_over_the_limit_is_not_read(store: Path, tmp_path: Path, size: int) -> None:
    path = tmp_path / "huge.json"
    path.write_bytes(b" " * size)  # not even JSON: refused by its size alone
    line = one_line_refusal(kupa(store, "program", "load", str(path)))
    assert line == f"kupa: program file is too large ({size} bytes; at most {L.MAX_PROGRAM_BYTES})"
