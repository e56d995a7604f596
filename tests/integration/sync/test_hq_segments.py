"""HQ counts the members of each segment with the terminals' own rules: `kupa-hq segments counts --json` on a
real HQ (SQLite, and PostgreSQL with `KUPA_TEST_POSTGRES_URL`) after a terminal synced its sales, agreeing
with what `kupa member show` lists at the counter."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from sync.hq import admin
from sync.hq.cli import main as hq_main

from sync_harness import DATA, MANAGER_PIN, Hq


def _publish_segments(hq: Hq, tmp_path: Path) -> None:
    document = json.loads((DATA / "program_full.json").read_text(encoding="utf-8"))
    document["version"] = 8

    def name(en: str) -> dict[str, str]:
        return {"en": en, "he": en}

    document["segments"] = [
        {"code": "coffee_fan", "name": name("Coffee fan"),
         "category_spend": {"categories": ["coffee"], "days": 30, "min_spend": 2000}},
        {"code": "regular", "name": name("Regular"), "visits": {"days": 30, "min": 2}},
        {"code": "silver_up", "name": name("Silver and up"), "tiers": ["silver", "gold"]},
        {"code": "stamps4", "name": name("Four stamps"), "stamps": {"card": "coffee", "min": 4}},
        {"code": "new", "name": name("New"), "days_since_enrolment": {"max": 30}},
        {"code": "lapsed", "name": name("Lapsed"), "days_since_last_purchase": {"min": 30}},
    ]
    path = tmp_path / "program_v8.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    admin.publish_program(hq.db, path)


def test_hq_segment_counts_agree_with_the_counter(hq: Hq, make_till: Any, tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    _publish_segments(hq, tmp_path)
    till = make_till("T1")
    assert till.kupa("program", "show")["version"] == 8
    coffee = till.kupa("member", "add", "--name", "Coffee Fan")["member_id"]
    shoes = till.kupa("member", "add", "--name", "Shoe Buyer")["member_id"]
    idle = till.kupa("member", "add", "--name", "Just Joined")["member_id"]
    till.kupa("checkout", "--member", coffee, "--item", "COFFEE-L:2")  # 2,800 on coffee, 2 stamps
    till.kupa("checkout", "--member", coffee, "--item", "COFFEE-S:2")  # 2 more stamps, a second visit
    sale = till.kupa("checkout", "--member", shoes, "--item", "SHOE:6")  # 270,000
    till.kupa("refund", sale["sale_id"], "--item", "SHOE:1", "--pin", MANAGER_PIN)  # 225,000: still silver
    till.sync()

    at_counter = {m: till.kupa("member", "show", m)["segments"] for m in (coffee, shoes, idle)}
    assert at_counter == {coffee: ["coffee_fan", "new", "regular", "stamps4"], shoes: ["new", "silver_up"],
                          idle: ["new"]}
    capsys.readouterr()
    assert hq_main(["--db", hq.db_url, "segments", "counts", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    expected = Counter(code for codes in at_counter.values() for code in codes)
    assert data["program_version"] == 8 and data["members"] == 3
    assert {s["code"]: s["members"] for s in data["segments"]} == {
        "coffee_fan": 1, "regular": 1, "silver_up": 1, "stamps4": 1, "new": 3, "lapsed": 0} == {
        code: expected.get(code, 0) for code in ("coffee_fan", "regular", "silver_up", "stamps4", "new", "lapsed")}
    assert data["segments"][0]["name"] == {"en": "Coffee fan", "he": "Coffee fan"}
    # the text form: one line per segment
    assert hq_main(["--db", hq.db_url, "segments", "counts"]) == 0
    assert "coffee_fan  Coffee fan: 1 members" in capsys.readouterr().out


def test_cost_prices_reach_the_terminals_with_the_catalog(hq: Hq, make_till: Any, tmp_path: Path) -> None:
    catalog = tmp_path / "costs.csv"
    catalog.write_text("sku,name,price,category,cost\nCOFFEE-S,Small coffee,900,coffee,300\n"
                       "CROISSANT,Croissant,1200,bakery,\n", encoding="utf-8")
    admin.load_catalog(hq.db, catalog)
    till = make_till("T1")
    terminal = till.open()
    try:
        with terminal.read() as session:
            costs = {sku: cost for sku, cost in session.execute(
                text("select sku, cost from products where sku in ('COFFEE-S', 'CROISSANT')"))}
    finally:
        terminal.close()
    assert costs == {"COFFEE-S": 300, "CROISSANT": None}
