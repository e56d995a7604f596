"""A store's first day, end to end through the `kupa` CLI (issue 15, "Done when"): set up from nothing (a manager,
two cashiers, a printer), run a shift with cash and card sales, a refund by receipt number and a reprint, and
close with a Z report whose figures match the sales — on a real SQLite terminal and the loopback ESC/POS printer
(`tests.escpos_fake`), every figure computed by hand.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pos_client.cli.main import main

from tests.escpos_fake import FakePrinter, parse
from tests.integration.conftest import DATA, CliResult

MANAGER, NOA, DAN = "9999", "4321", "8642"


@pytest.fixture
def printer() -> FakePrinter:
    fake = FakePrinter("ok")
    yield fake  # type: ignore[misc]
    fake.close()


def test_a_store_opens_sells_refunds_reprints_and_closes_with_a_matching_z(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], printer: FakePrinter) -> None:
    store = tmp_path / "store"

    def kupa(*args: str) -> CliResult:
        capsys.readouterr()
        code = main(["--data-dir", str(store), *args])
        out = capsys.readouterr()
        return CliResult(code, out.out, out.err)

    def ok(*args: str) -> dict:  # type: ignore[type-arg]
        result = kupa(*args, "--json")
        assert result.code == 0, (args, result.out, result.err)
        return result.json

    # -- set up from nothing ------------------------------------------------------------------------------
    assert kupa("init", "--terminal-id", "T1", "--manager-pin", MANAGER, "--store-name", "Corner Café").code == 0
    ok("program", "load", str(DATA / "program_full.json"))
    ok("catalog", "load", str(DATA / "catalog.csv"))
    noa = ok("staff", "add", "--name", "Noa", "--role", "cashier", "--pin", NOA, "--manager-pin", MANAGER)
    dan = ok("staff", "add", "--name", "Dan", "--role", "cashier", "--pin", DAN, "--manager-pin", MANAGER)
    people = ok("staff", "list")["staff"]
    assert [(s["role"], s["active"]) for s in people] == [("manager", True), ("cashier", True), ("cashier", True)]
    assert [s["name"] for s in people[1:]] == ["Noa", "Dan"]
    assert ok("config", "set", "printer", printer.url())["printer"].startswith("tcp://127.0.0.1:")
    # a store with cashiers names the cashier on every sale
    refused = kupa("checkout", "--item", "COFFEE-L", "--pay", "card:1400:A0", "--json")
    assert refused.code == 1 and refused.json["message_code"] == "staff.cashier_pin_required"

    # -- the shift ------------------------------------------------------------------------------------------
    ok("shift", "open", "--float", "20000", "--pin", MANAGER)
    # Noa: 2 large coffees and a croissant, ₪40.00, paid with a ₪50 note → ₪10.00 change
    cash = ok("checkout", "--item", "COFFEE-L:2", "--item", "CROISSANT", "--pay", "cash:5000", "--cashier-pin", NOA)
    assert (cash["total"], cash["change"], cash["receipt_no"]) == (4000, 1000, "T1-000001")
    assert cash["cashier_id"] == str(noa["staff_id"])
    # Dan: a running shoe, ₪450.00, by card
    card = ok("checkout", "--item", "SHOE", "--pay", "card:45000:AUTH-7", "--cashier-pin", DAN)
    assert (card["total"], card["change"], card["receipt_no"]) == (45000, 0, "T1-000002")
    assert card["cashier_id"] == str(dan["staff_id"])
    # Noa: a croissant, ₪12.00 exact in cash
    ok("checkout", "--item", "CROISSANT", "--pay", "cash:1200", "--cashier-pin", NOA)
    # the shoe comes back, asked for by the number printed on the receipt; back to the card it was paid with
    refund = ok("refund", "T1-000002", "--pin", MANAGER, "--cashier-pin", DAN)
    assert (refund["receipt_no"], refund["sale_receipt_no"], refund["money_back"]) == ("T1-000004", "T1-000002",
                                                                                      45000)
    assert [(t["kind"], t["amount"], t["reference"]) for t in refund["tenders"]] == [("card", 45000, "AUTH-7")]
    assert kupa("refund", "T1-000002", "--pin", MANAGER, "--cashier-pin", DAN, "--json").json[
        "message_code"] == "refund.already_refunded"

    # -- receipts: the first print is the original, the next says COPY --------------------------------------
    first = ok("receipt", "print", "T1-000001")
    again = ok("receipt", "print", "t1-1")
    assert (first["copy"], again["copy"]) == (False, True)
    jobs = [parse(job) for job in printer.wait_jobs(2)]
    assert all(job.rasters and "cut" in job.ops for job in jobs)
    shown = ok("sale", "show", "T1-000001")
    assert shown["receipt_no"] == "T1-000001" and shown["total"] == 4000

    # -- close: the Z report matches the sales ----------------------------------------------------------------
    # By hand: sales 4000 + 45000 + 1200 = 50200 (3); refunds 45000 (1), all by card.
    # Cash: 4000 + 1200 = 5200 in, no cash back → drawer 20000 + 5200 = 25200; counted ₪252.50 → over 50.
    # a no-sale (change for a customer) is audited under Noa and pulses the drawer
    opened = ok("drawer", "open", "--reason", "change for the parking meter", "--cashier-pin", NOA)
    assert opened["printer"].startswith("tcp://127.0.0.1:")
    drawer_job = parse(printer.wait_jobs(3)[2])
    assert drawer_job.drawer and not drawer_job.rasters
    z = ok("shift", "close", "--counted", "25250", "--pin", MANAGER, "--print")
    assert z["sales"] == {"count": 3, "total": 50200}
    assert z["refunds"] == {"count": 1, "total": 45000}
    assert z["tenders"] == {"card": {"sales": 45000, "refunds": 45000, "net": 0},
                            "cash": {"sales": 5200, "refunds": 0, "net": 5200}}
    assert z["change_given"] == 1000
    assert (z["expected_cash"], z["counted"], z["over_short"]) == (25200, 25250, 50)
    assert z["printed_on"] == opened["printer"]
    z_job = parse(printer.wait_jobs(4)[3])  # the Z came out of the printer as a raster, cut
    assert z_job.rasters and "cut" in z_job.ops and not z_job.drawer
    kept = ok("shift", "show", z["shift_id"])  # kept as it was closed
    assert kept == {key: value for key, value in z.items() if key != "printed_on"}
    listed = ok("sale", "list")["sales"]
    assert {s["receipt_no"] for s in listed} == {"T1-000001", "T1-000002", "T1-000003", "T1-000004"}
