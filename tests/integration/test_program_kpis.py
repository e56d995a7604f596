"""The program's return through the CLI on a small store, every figure computed by hand (docs/kpis.md works
the same example): `kupa report kpis --json` → `incremental_sales`, `extra_gross_margin`, `roi`, the coupon
and voucher redemption rates, and `liability`; and the catalog's optional `cost` column."""

from __future__ import annotations

import json
import sqlite3
import uuid
from pathlib import Path

from tests.integration.conftest import DATA, MANAGER_PIN, Kupa

CATALOG = """sku,name,price,category,cost
COFFEE-S,Small coffee,900,coffee,300
COFFEE-L,Large coffee,1400,coffee,500
CROISSANT,Croissant,1200,bakery,400
SHOE,Running shoe,45000,shoes,
"""


def _program(tmp_path: Path) -> Path:
    document = json.loads((DATA / "program_full.json").read_text(encoding="utf-8"))
    document["version"] = 8
    document["coupons"] = [
        {"code": "WELCOME", "name": {"en": "Welcome 10%"}, "kind": "member", "discount": "percent", "pct": 10,
         "issue_on": ["enrolment"], "valid_days": 30},
        {"code": "PUBLIC10", "name": {"en": "10 off"}, "kind": "public", "discount": "amount", "amount": 1000,
         "promo_code": "SAVE10"}]
    path = tmp_path / "program.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def test_roi_and_incremental_sales_by_hand(kupa: Kupa, store: Path, tmp_path: Path) -> None:
    catalog = tmp_path / "catalog.csv"
    catalog.write_text(CATALOG, encoding="utf-8")
    assert kupa("catalog", "load", str(catalog)).code == 0
    assert kupa("program", "load", str(_program(tmp_path))).code == 0
    member = kupa("member", "add", "--name", "Dana Cohen", "--json").json  # 50 welcome points
    mid = member["member_id"]
    assert kupa("adjust", "--member", mid, "--points", "50", "--reason", "test", "--pin", MANAGER_PIN).code == 0
    # non-members: 900 (cost 300) and 1,200 (cost 400)
    assert kupa("checkout", "--item", "COFFEE-S").code == 0
    assert kupa("checkout", "--item", "CROISSANT").code == 0
    # the member: 2 × 1,400 (cost 2 × 500) paid with 100 points (1,000) → 1,800; then 2 × 1,200 (cost 800)
    first = kupa("checkout", "--member", member["card_token"], "--item", "COFFEE-L:2", "--redeem", "100", "--json")
    assert first.code == 0, first.err
    assert first.json["total"] == 1800
    second = kupa("checkout", "--member", mid, "--item", "CROISSANT:2", "--json").json
    assert second["total"] == 2400
    # one croissant comes back: 1,200 and its cost 400 leave the member's figures, the sale still counts
    assert kupa("refund", second["sale_id"], "--item", "CROISSANT", "--pin", MANAGER_PIN).code == 0

    result = kupa("report", "kpis", "--json")
    assert result.code == 0, result.err
    data = result.json
    assert (data["member_sales"], data["sales_total"], data["rewards_cost"]) == (2, 4, 1000)
    # members paid 1,800 + 2,400 − 1,200 = 3,000; the baseline is 2 sales × the non-members' (900 + 1,200) / 2
    assert data["incremental_sales"] == 3000 - 2 * 1050
    # members' margin 3,000 − (1,000 + 800 − 400) = 1,600, before the rewards 1,600 + 1,000 = 2,600; the
    # baseline's 2 sales × (2,100 − 700) / 2 = 1,400
    assert data["extra_gross_margin"] == 2600 - 1400
    assert data["roi"] == 0.2  # (1,200 − 1,000) / 1,000
    # points: 50 + 50 − 100 + 18 + 24 − 12 = 30, worth 300 at 100 points = 1,000
    assert data["liability"] == {"points": 30, "points_value": 300, "vouchers": 0, "gift_cards": 0,
                                 "store_credit": 0}
    assert kupa("member", "show", mid, "--json").json["points"] == 30
    # the welcome coupon was issued on enrolment and not used; no voucher was issued
    assert (data["coupon_redemption_rate"], data["voucher_redemption_rate"]) == (0.0, None)

    # the promotion lifecycle's entries (their kinds land with the coupon work): 2 member coupons issued,
    # one used; a public code's use is no redemption of an issued coupon; 4 vouchers issued, 2 used, 1 returned
    with sqlite3.connect(store / "kupa.sqlite3") as db:
        created = db.execute("select max(created_at) from ledger_entries").fetchone()[0]
        seq = db.execute("select max(seq) from ledger_entries").fetchone()[0]
        rows = [("coupon_issue", "WELCOME")] * 2 + [("coupon_use", "WELCOME"), ("coupon_use", "PUBLIC10")]
        rows += [("voucher_issue", "V5")] * 4 + [("voucher_use", "V5")] * 2 + [("voucher_return", "V5")]
        for i, (kind, code) in enumerate(rows, start=1):
            db.execute("insert into ledger_entries (entry_id, member_id, terminal_id, seq, kind, points_delta,"
                       " stamps_delta, spend_delta, value, membership_days, ref_code, created_at)"
                       " values (?, ?, 'T1', ?, ?, 0, 0, 0, 0, 0, ?, ?)",
                       (str(uuid.uuid4()), mid, seq + i, kind, code, created))
    data = kupa("report", "kpis", "--json").json
    # 3 member coupons issued (with the real one of the enrolment), 1 used; 4 vouchers issued, 2 used, 1 returned
    assert (data["coupon_redemption_rate"], data["voucher_redemption_rate"]) == (0.3333, 0.25)


def test_a_catalog_cost_must_be_whole_minor_units(kupa: Kupa, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("sku,name,price,category,cost\nNEW1,New,100,x,40\nNEW2,New two,100,x,12.5\n", encoding="utf-8")
    result = kupa("catalog", "load", str(bad))
    assert result.code == 1 and "line 3" in result.err and "cost" in result.err
    assert kupa("quote", "--item", "NEW1").code == 1  # nothing loaded
