"""The manager's KPIs against a small data set computed by hand, built through the real services.

Program: tests/data/program_full.json (Asia/Jerusalem, UTC+2 in winter; 1 point per ₪1 paid, floored; 100
points = ₪10; Silver from ₪2,000 of spend at 5%; welcome 50 points; coffee card of 9 stamps). Catalog:
COFFEE-S 900, COFFEE-L 1400, CROISSANT 1200, SHOE 45000. The report range is 2026-01-01..2026-02-28 at the
store, i.e. [2025-12-31T22:00Z, 2026-02-28T22:00Z); refunds are made "now" (the real clock), after all sales.

| who   | when (UTC)            | basket                     | paid   | points | rewards cost      | in range? |
|-------|-----------------------|----------------------------|--------|--------|-------------------|-----------|
| Alice | 2025-06-10 10:00      | SHOE                       | 45000  | 450    |                   | no        |
| Alice | 2026-01-05 10:00      | COFFEE-L ×2                | 2800   | 28     |                   | yes       |
| Alice | 2026-01-20 10:00      | SHOE, redeem 100 pts       | 44000  | 440    | 1000 redeemed     | yes       |
| Bob   | 2025-05-15 10:00      | COFFEE-S                   | 900    | 9      |                   | no        |
| Bob   | 2026-02-05 10:00      | COFFEE-S, fully refunded   | —      | —      |                   | not made  |
| Carol | 2026-02-01 10:00      | CROISSANT                  | 1200   | 12     |                   | yes       |
| Carol | 2026-02-10 10:00      | COFFEE-L, fully refunded   | —      | —      |                   | not made  |
| Dan   | 2025-12-01 10:00      | SHOE ×5 (→ Silver)         | 225000 | 2250   |                   | no        |
| Dan   | 2026-01-15 10:00      | SHOE, 5% Silver            | 42750  | 427    | 2250 discount     | yes       |
| Dan   | 2026-02-15 10:00      | COFFEE-L ×2 + CROISSANT,5% | 3800   | 38     | 200 discount      | yes       |
|       | refund CROISSANT      | gives back 1200−60         | −1140  | −11    | −60 discount      |           |
| Eve   | 2025-12-31 22:30      | COFFEE-S (01-01 00:30 loc) | 900    | 9      |                   | yes (edge)|
| Frank | 2025-10-05 10:00      | COFFEE-S ×9 (9 stamps)     | 8100   | 81     |                   | no        |
| Frank | 2026-01-10 10:00      | COFFEE-L free (punch card) | 0      | 0      | 1400 free item    | yes       |
| —     | 2025-12-31 21:59      | COFFEE-S (12-31 23:59 loc) | 900    |        |                   | no (edge) |
| —     | 2026-01-05 12:00      | COFFEE-S                   | 900    |        |                   | yes       |
| —     | 2026-01-25 10:00      | SHOE, fully refunded       | —      |        |                   | not made  |
| —     | 2026-02-20 10:00      | CROISSANT + COFFEE-S       | 2100   |        |                   | yes       |
| —     | 2026-02-28 22:30      | COFFEE-S (03-01 00:30 loc) | 900    |        |                   | no (edge) |

Carol (Hebrew name) enrolled 2026-01-10, everyone else before the range.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
from collections.abc import Iterator
from datetime import date, datetime, timezone
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import text

from pos_client.cli.main import main
from pos_client.reports import FIGURE_KEYS, PROGRAM_KEYS, compute_kpis
from pos_client.reports.kpis import half_up_average, rate
from pos_client.services import refunds
from pos_client.services.checkout import BasketRequest, record_sale
from pos_client.services.members import enrol
from pos_client.services.programs import program_at
from pos_client.terminal import Terminal

TZ = "Asia/Jerusalem"
FROM, TO = date(2026, 1, 1), date(2026, 2, 28)
CAROL = "כרמל לוי"
MANAGER_PIN = "9999"  # the template store's (tests/integration/conftest.py)


def _at(text_: str) -> datetime:
    return datetime.fromisoformat(text_).replace(tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def shop(_store_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    root = tmp_path_factory.mktemp("reports") / "store"
    shutil.copytree(_store_template, root)
    terminal = Terminal.open(root)
    with terminal.unit_of_work() as session:
        session.execute(text("update program_versions set loaded_at='2000-01-01T00:00:00+00:00'"))
    tokens: dict[str, str] = {}
    with terminal.unit_of_work() as session:
        for name, when in (("Alice", "2025-06-01"), ("Bob", "2025-05-01"), (CAROL, "2026-01-10T10:00"),
                           ("Dan", "2025-01-01"), ("Eve", "2025-11-01"), ("Frank", "2025-10-01")):
            moment = _at(when)
            _member, _card, token = enrol(terminal, session, program_at(session, moment), moment, name=name)
            tokens[name] = token
    sales: dict[str, str] = {}

    def sale(key: str, who: str | None, when: str, *items: tuple[str, int], redeem: int = 0,
             reward: tuple[str, ...] = ()) -> None:
        with terminal.unit_of_work() as session:
            request = BasketRequest(items=items, member_code=tokens[who] if who else None, redeem_points=redeem,
                                    punch_rewards=reward)
            sales[key] = record_sale(session, terminal, request, _at(when)).sale_id

    sale("bob0", "Bob", "2025-05-15T10:00", ("COFFEE-S", 1))
    sale("alice0", "Alice", "2025-06-10T10:00", ("SHOE", 1))
    sale("frank0", "Frank", "2025-10-05T10:00", ("COFFEE-S", 9))
    sale("dan0", "Dan", "2025-12-01T10:00", ("SHOE", 5))
    sale("edge_before", None, "2025-12-31T21:59", ("COFFEE-S", 1))
    sale("eve", "Eve", "2025-12-31T22:30", ("COFFEE-S", 1))
    sale("alice1", "Alice", "2026-01-05T10:00", ("COFFEE-L", 2))
    sale("anon1", None, "2026-01-05T12:00", ("COFFEE-S", 1))
    sale("frank1", "Frank", "2026-01-10T10:00", ("COFFEE-L", 1), reward=("coffee",))
    sale("dan1", "Dan", "2026-01-15T10:00", ("SHOE", 1))
    sale("alice2", "Alice", "2026-01-20T10:00", ("SHOE", 1), redeem=100)
    sale("anon_refunded", None, "2026-01-25T10:00", ("SHOE", 1))
    sale("carol1", CAROL, "2026-02-01T10:00", ("CROISSANT", 1))
    sale("bob_refunded", "Bob", "2026-02-05T10:00", ("COFFEE-S", 1))
    sale("carol_refunded", CAROL, "2026-02-10T10:00", ("COFFEE-L", 1))
    sale("dan2", "Dan", "2026-02-15T10:00", ("COFFEE-L", 2), ("CROISSANT", 1))
    sale("anon2", None, "2026-02-20T10:00", ("CROISSANT", 1), ("COFFEE-S", 1))
    sale("edge_after", None, "2026-02-28T22:30", ("COFFEE-S", 1))
    for key in ("anon_refunded", "bob_refunded"):
        refunds.refund(terminal, sales[key], None, MANAGER_PIN)
    # Carol's in two steps that end in a full refund; Dan's only the croissant
    refunds.refund(terminal, sales["carol_refunded"], [("COFFEE-L", 1)], MANAGER_PIN)
    partial = refunds.refund(terminal, sales["dan2"], [("CROISSANT", 1)], MANAGER_PIN)
    assert (partial.effect.money_back, partial.effect.points_reversed, partial.effect.discount_reversed) == (1140, 11, 60)
    terminal.close()
    yield root


def _kpis(shop: Path, date_from: date | None = FROM, date_to: date | None = TO):  # type: ignore[no-untyped-def]
    terminal = Terminal.open(shop)
    try:
        with terminal.read() as session:
            return compute_kpis(session, date_from, date_to, TZ, now=_at("2026-11-23T10:00"))
    finally:
        terminal.close()


def test_every_figure_matches_the_hand_computed_one(shop: Path) -> None:
    kpis = _kpis(shop)
    terminal = Terminal.open(shop)
    with terminal.read() as session:  # the program's return, as `kupa report kpis` asks for it
        full = compute_kpis(session, FROM, TO, TZ, now=_at("2026-11-23T10:00"), program_return=True).to_json()
    terminal.close()
    assert kpis.to_json()["liability"] is None and kpis.to_json()["extra_gross_margin"] is None
    shown = full
    program = {key: shown.pop(key) for key in PROGRAM_KEYS}
    liability = program.pop("liability")
    assert program == {
        "incremental_sales": 83810,  # members paid 94,310 (13472.86 × 7) − 7 sales × the non-members' 1,500
        "extra_gross_margin": None, "roi": None,  # the catalog has no cost prices
        "coupon_redemption_rate": None, "voucher_redemption_rate": None,  # none issued
    }
    assert liability["points_value"] == liability["points"] * 10  # 100 points are worth 1,000
    assert (liability["vouchers"], liability["gift_cards"], liability["store_credit"]) == (0, 0, 0)  # none held
    assert shown == {
        # Alice ×2, Carol, Dan ×2 (one partly refunded: still a sale), Eve (00:30 local), Frank; 2 anonymous
        "sales_total": 9, "member_sales": 7,
        "adoption_rate": 0.7778,  # 7 / 9
        "members_total": 6,  # all enrolled by the end of the range
        "active_members": 5,  # Alice, Carol, Dan, Eve, Frank (Bob's only sale in range was fully refunded)
        "repeat_purchase_rate": 0.4,  # Alice and Dan / 5
        "points_earned": 943,  # 28 + 440 + 12 + 427 + (38 − 11) + 9 + 0
        "points_redeemed": 100,  # Alice
        "redemption_rate": 0.106,  # 100 / 943 = 0.10604…
        "avg_basket_member": 13473,  # (2800 + 44000 + 1200 + 42750 + (3800 − 1140) + 900 + 0) / 7 = 13472.86
        "avg_basket_non_member": 1500,  # (900 + 2100) / 2
        "churned_members": 1,  # Bob: a sale in May 2025, none counted since 2025-12-01 (the last 90 days)
        "rewards_cost": 4790,  # 1000 redeemed + 2250 + (200 − 60) discounts + 1400 free coffee
        "range": {"from": "2026-01-01", "to": "2026-02-28", "timezone": TZ},
    }
    assert kpis.adoption_rate == Decimal("0.7778")


def test_series(shop: Path) -> None:
    series = _kpis(shop).series_json()
    days = series["sales_per_day"]
    assert len(days) == 59 and days[0]["day"] == "2026-01-01" and days[-1]["day"] == "2026-02-28"
    assert days[0] == {"day": "2026-01-01", "member": 1, "non_member": 0, "member_paid": 900, "non_member_paid": 0}
    assert days[4] == {"day": "2026-01-05", "member": 1, "non_member": 1, "member_paid": 2800,
                       "non_member_paid": 900}
    feb15 = next(d for d in days if d["day"] == "2026-02-15")
    assert (feb15["member"], feb15["member_paid"]) == (1, 2660)  # net of the croissant's refund
    assert sum(d["member"] for d in days) == 7 and sum(d["non_member"] for d in days) == 2
    weeks = series["points_per_week"]
    assert weeks[0]["week"] == "2025-12-29"  # the Monday of the week holding 2026-01-01
    assert sum(w["earned"] for w in weeks) == 943 and sum(w["redeemed"] for w in weeks) == 100
    jan19 = next(w for w in weeks if w["week"] == "2026-01-19")
    assert jan19 == {"week": "2026-01-19", "earned": 440, "redeemed": 100}
    # qualifying spend over the 365 days to the end of the range: Dan 225000 + 42750 + 3800 → Silver
    # (refund reversals are dated "now", after the range); everyone else under 200000 → Bronze
    assert series["members_by_tier"] == [{"tier": "bronze", "members": 5}, {"tier": "silver", "members": 1},
                                         {"tier": "gold", "members": 0}]
    assert [w for w in series["new_members_per_week"] if w["members"]] == [{"week": "2026-01-05", "members": 1}]


def test_range_edges_are_store_days(shop: Path) -> None:
    first_day = _kpis(shop, FROM, FROM)
    assert (first_day.sales_total, first_day.member_sales) == (1, 1)  # Eve at 00:30 local only
    eve = _kpis(shop, date(2025, 12, 31), date(2025, 12, 31))
    assert (eve.sales_total, eve.member_sales, eve.avg_basket_non_member) == (1, 0, 900)  # 23:59 local
    march = _kpis(shop, date(2026, 3, 1), date(2026, 3, 1))
    assert march.sales_total == 1 and march.active_members == 0 and march.adoption_rate == Decimal(0)
    empty = _kpis(shop, date(2024, 1, 1), date(2024, 1, 31))
    assert empty.sales_total == 0 and empty.adoption_rate is None and empty.avg_basket_member is None
    assert empty.redemption_rate is None and empty.repeat_purchase_rate is None and empty.members_total == 0


def test_refunded_sale_and_churn_follow_refunds(shop: Path) -> None:
    # In February alone: Carol (1200; her second sale was fully refunded) and Dan (net 2660); Bob's is gone
    feb = _kpis(shop, date(2026, 2, 1), TO)
    assert (feb.sales_total, feb.member_sales, feb.active_members) == (3, 2, 2)
    assert feb.avg_basket_member == 1930  # (1200 + 2660) / 2
    # Whole history to the end of the range: everybody but Bob bought in the last 90 days
    assert _kpis(shop, None, TO).churned_members == 1
    # Ending 2025-11-30: the last 90 days start 2025-09-02; Bob (May) and Alice (June) have churned
    autumn = _kpis(shop, None, date(2025, 11, 30))
    assert autumn.churned_members == 2 and autumn.members_total == 5  # Carol enrolled later


def test_rounding_helpers() -> None:
    assert half_up_average(5, 2) == 3 and half_up_average(7, 3) == 2 and half_up_average(0, 0) is None
    assert rate(1, 3) == Decimal("0.3333") and rate(2, 3) == Decimal("0.6667") and rate(1, 0) is None


def _cli(shop: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(["--data-dir", str(shop), *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_cli_json_has_exactly_the_keys(shop: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _cli(shop, capsys, "report", "kpis", "--from", "2026-01-01", "--to", "2026-02-28", "--json")
    assert code == 0 and err == ""
    data = json.loads(out)
    assert list(data) == [*FIGURE_KEYS, *PROGRAM_KEYS, "range"] and len(FIGURE_KEYS) == 13
    assert data["sales_total"] == 9 and data["rewards_cost"] == 4790 and data["adoption_rate"] == 0.7778
    assert out.count("\n") == 1


def test_csv_exports_keep_hebrew_and_have_a_bom(shop: Path, capsys: pytest.CaptureFixture[str],
                                                tmp_path: Path) -> None:
    figures, members = tmp_path / "kpis.csv", tmp_path / "members.csv"
    assert _cli(shop, capsys, "report", "kpis", "--from", "2026-01-01", "--to", "2026-02-28", "--csv",
                str(figures))[0] == 0
    assert figures.read_bytes().startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(figures.read_text(encoding="utf-8-sig"), newline="")))
    assert ["sales_total", "9"] in rows and ["adoption_rate", "0.7778"] in rows
    code, out, _err = _cli(shop, capsys, "report", "members", "--csv", str(members), "--json")
    assert code == 0 and json.loads(out)["members"] == 6
    raw = members.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and CAROL.encode("utf-8") in raw
    table = list(csv.DictReader(io.StringIO(members.read_text(encoding="utf-8-sig"), newline="")))
    assert list(table[0]) == ["member_id", "name", "phone", "tier", "points", "qualifying_spend", "last_sale"]
    carol = next(row for row in table if row["name"] == CAROL)
    assert carol["tier"] == "bronze"
    # the member list agrees with `kupa member show` for everyone
    for row in table:
        code, out, _err = _cli(shop, capsys, "member", "show", row["member_id"], "--json")
        shown = json.loads(out)
        assert (row["tier"], int(row["points"]), int(row["qualifying_spend"])) == (
            shown["tier"] or "", shown["points"], shown["qualifying_spend"])


@pytest.mark.parametrize("args", [("--from", "2026-13-01"), ("--to", "yesterday"),
                                  ("--from", "2026-03-01", "--to", "2026-02-01")])
def test_a_bad_date_is_refused_in_one_line(shop: Path, capsys: pytest.CaptureFixture[str],
                                          args: tuple[str, ...]) -> None:
    code, out, err = _cli(shop, capsys, "report", "kpis", *args, "--json")
    assert code == 1 and err.count("\n") == 1 and err.startswith("kupa: ")
    # with --json, the refusal is also one JSON object on stdout, by kind and message code
    refusal = json.loads(out)
    assert refusal["error"] == "invalid_input" and refusal["message_code"] in ("time.not_a_date",
                                                                              "report.range_backwards")
    assert refusal["message"] == err.removeprefix("kupa: ").rstrip("\n")
