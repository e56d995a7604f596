"""Segments and offers on a real terminal: `kupa member show --json` lists the member's `segments` and the
`offers` that apply now, from the member's sales recorded by the checkout's own code (refunds included)."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Iterator

import pytest

from pos_client.cli.main import main
from pos_client.program.schema import load_program_text
from pos_client.services.checkout import BasketRequest, record_sale
from pos_client.services.members import enrol
from pos_client.services.programs import install_program
from pos_client.services.setup import init_terminal
from pos_client.terminal import Terminal
from pos_client.timeutil import FAKE_NOW_ENV, to_iso

DATA = Path(__file__).resolve().parents[1] / "data"
PIN = "9999"
#: 2026-06-01 00:30 in Jerusalem: the first half-hour of June at the store (still May 31st in UTC).
NOW = datetime(2026, 5, 31, 21, 30, tzinfo=timezone.utc)
LONG_AGO = NOW - timedelta(days=2000)


def segment_program() -> dict[str, Any]:
    document = json.loads((DATA / "program_full.json").read_text(encoding="utf-8"))

    def name(en: str) -> dict[str, str]:
        return {"en": en, "he": en}

    document["segments"] = [
        {"code": "lapsed", "name": name("Lapsed"), "days_since_last_purchase": {"min": 30}},
        {"code": "coffee_fan", "name": name("Coffee fan"),
         "category_spend": {"categories": ["coffee"], "days": 30, "min_spend": 2300}},
        {"code": "regular", "name": name("Regular"), "visits": {"days": 30, "min": 2}},
        {"code": "birthday", "name": name("Birthday"), "birthday_month": True},
    ]
    document["coupons"] = [{"code": "COMEBACK", "name": name("Come back: 20% off"), "kind": "member",
                            "discount": "percent", "pct": 20, "issue_on": ["offer"], "valid_days": 14}]
    document["campaigns"] = [{"code": "BDAY2X", "name": name("Birthday double points"), "multiplier": 2,
                              "segments": ["birthday"], "starts": "2026-06-01", "ends": "2026-06-30"}]
    document["offers"] = [
        {"code": "winback", "name": name("We miss you"), "segments": ["lapsed"], "coupon": "COMEBACK",
         "starts": "2026-06-01"},
        {"code": "bday", "name": name("Happy birthday"), "segments": ["birthday"], "campaign": "BDAY2X",
         "message": name("Double points all month"), "starts": "2026-06-01", "ends": "2026-06-30"},
    ]
    return document


@pytest.fixture
def shop(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv(FAKE_NOW_ENV, to_iso(NOW))
    root = tmp_path / "store"
    result = init_terminal(root, terminal_id="T1", manager_pin=PIN, store_name="Test store")
    with result.terminal.unit_of_work() as session:
        install_program(session, load_program_text(json.dumps(segment_program())), LONG_AGO)
    result.terminal.close()
    assert main(["--data-dir", str(root), "catalog", "load", str(DATA / "catalog.csv")]) == 0
    yield root


def member_at(shop: Path, when: datetime, birthday: date | None = None) -> str:
    terminal = Terminal.open(shop)
    try:
        with terminal.unit_of_work() as session:
            member, _card, _token = enrol(terminal, session, None, when, name="Dana Segment", birthday=birthday)
            return member.member_id
    finally:
        terminal.close()


def sale_at(shop: Path, when: datetime, member: str, *items: tuple[str, int]) -> str:
    terminal = Terminal.open(shop)
    try:
        with terminal.unit_of_work() as session:
            return record_sale(session, terminal, BasketRequest(items=tuple(items), member_code=member), when).sale_id
    finally:
        terminal.close()


def show(shop: Path, capsys: pytest.CaptureFixture[str], member: str) -> dict[str, Any]:
    capsys.readouterr()
    assert main(["--data-dir", str(shop), "member", "show", member, "--json"]) == 0
    return json.loads(capsys.readouterr().out)  # type: ignore[no-any-return]


def test_lapsed_exactly_30_store_days_gets_the_winback_offer(shop: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Bought 2026-05-02 23:59 store time: 30 store days before 2026-06-01 (lapsed); one minute later is
    2026-05-03, 29 days (not lapsed)."""
    lapsed, recent = member_at(shop, LONG_AGO), member_at(shop, LONG_AGO)
    sale_at(shop, datetime(2026, 5, 2, 20, 59, tzinfo=timezone.utc), lapsed, ("CROISSANT", 1))
    sale_at(shop, datetime(2026, 5, 2, 21, 0, tzinfo=timezone.utc), recent, ("CROISSANT", 1))
    shown = show(shop, capsys, lapsed)
    assert shown["segments"] == ["lapsed"]
    assert [o["code"] for o in shown["offers"]] == ["winback"]
    assert shown["offers"][0]["coupon"] == {"code": "COMEBACK", "name": {"en": "Come back: 20% off",
                                                                         "he": "Come back: 20% off"}}
    assert show(shop, capsys, recent)["segments"] == []
    assert show(shop, capsys, recent)["offers"] == []


def test_birthday_month_starts_at_local_midnight(shop: Path, capsys: pytest.CaptureFixture[str]) -> None:
    june, may = member_at(shop, LONG_AGO, date(1990, 6, 20)), member_at(shop, LONG_AGO, date(1990, 5, 31))
    shown = show(shop, capsys, june)
    assert shown["segments"] == ["birthday"]
    assert [(o["code"], o["campaign"]["code"]) for o in shown["offers"]] == [("bday", "BDAY2X")]
    assert show(shop, capsys, may)["segments"] == []
    capsys.readouterr()
    assert main(["--data-dir", str(shop), "member", "show", june]) == 0
    text = capsys.readouterr().out
    assert "Segments: birthday" in text and "Offer bday: Double points all month" in text


def test_category_spend_and_visits_count_the_sales_net_of_refunds(shop: Path,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    member = member_at(shop, LONG_AGO)
    sale_at(shop, NOW - timedelta(days=40), member, ("COFFEE-L", 5))  # out of the 30 days
    sale_at(shop, NOW - timedelta(days=10), member, ("COFFEE-L", 1))  # 1,400
    last = sale_at(shop, NOW - timedelta(hours=2), member, ("COFFEE-S", 1), ("CROISSANT", 1))  # 900 coffee
    assert show(shop, capsys, member)["segments"] == ["coffee_fan", "regular"]
    assert main(["--data-dir", str(shop), "refund", last, "--item", "CROISSANT", "--pin", PIN]) == 0
    assert show(shop, capsys, member)["segments"] == ["coffee_fan", "regular"]  # the coffee stays
    assert main(["--data-dir", str(shop), "refund", last, "--item", "COFFEE-S", "--pin", PIN]) == 0
    assert show(shop, capsys, member)["segments"] == []  # refunded whole: no visit, no spend
