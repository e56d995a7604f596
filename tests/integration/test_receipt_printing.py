"""Thermal receipts through a real TCP printer on 127.0.0.1: the bytes, the raster read back, the failures.

The printer is `tests.escpos_fake.FakePrinter`; every job it receives is parsed strictly (init, status, GS v 0
blocks, feed, cut, drawer) and its raster decoded back into an image, compared dot for dot with the image the
core renders directly.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image, ImageChops

from pos_client.receipts.document import load_receipt
from pos_client.receipts.render import PDF_LAYOUT, render_receipt, thermal_image
from pos_client.services import printing
from pos_client.terminal import Terminal
from tests.escpos_fake import FakePrinter, closed_port, parse, raster_image
from tests.integration.conftest import MANAGER_PIN, Kupa


@pytest.fixture
def printer() -> Iterator[FakePrinter]:
    fake = FakePrinter("ok")
    yield fake
    fake.close()


def _sale(kupa: Kupa, *, member: bool = True) -> str:
    args = ["checkout", "--item", "COFFEE-L:2", "--item", "SHOE", "--json"]
    if member:
        enrolled = kupa("member", "add", "--name", "דנה כהן", "--phone", "054-1234567", "--json").json
        args += ["--member", enrolled["member_id"]]
    result = kupa(*args)
    assert result.code == 0, result.err
    return str(result.json["sale_id"])


def _rows(store: Path, table: str) -> int:
    with sqlite3.connect(store / "kupa.sqlite3") as db:
        return int(db.execute(f"select count(*) from {table}").fetchone()[0])


def _receipt(store: Path, sale_id: str):  # type: ignore[no-untyped-def]
    terminal = Terminal.open(store)
    try:
        with terminal.read() as session:
            return load_receipt(session, sale_id)
    finally:
        terminal.close()


def _bands(image: Image.Image) -> list[tuple[int, int]]:
    """The horizontal extent (first, last inked column) of each band of inked rows, top to bottom."""
    grey = image.convert("L")
    width, height = grey.size
    pixels = grey.load()
    bands, current = [], None
    for y in range(height):
        xs = [x for x in range(width) if pixels[x, y] < 128]
        if xs:
            current = (min(xs), max(xs)) if current is None else (min(current[0], xs[0]), max(current[1], xs[-1]))
        elif current is not None:
            bands.append(current)
            current = None
    return bands


def test_a_receipt_prints_as_raster_with_a_cut_and_reads_back_as_the_rendered_image(
        kupa: Kupa, store: Path, printer: FakePrinter) -> None:
    sale_id = _sale(kupa)
    assert kupa("config", "set", "printer", printer.url(), "--json").code == 0
    result = kupa("receipt", "print", sale_id[:10], "--json")
    assert result.code == 0, result.err
    assert result.json["printed"] is True and result.json["copy"] is False and result.json["sale_id"] == sale_id
    job = parse(printer.wait_jobs(1)[0])
    assert job.ops[:2] == ["init", "status4"] and job.ops[-2:] == ["feed6", "cut"]
    assert set(job.ops[2:-2]) == {"raster"} and job.drawer == []  # a reprint from the CLI never opens the drawer
    printed = raster_image(job)
    assert printed.width == 576
    expected = thermal_image(_receipt(store, sale_id), "en", 80)
    assert printed.size == expected.size
    assert ImageChops.difference(printed.convert("L"), expected.convert("L")).getbbox() is None
    assert 0.01 < sum(1 for v in printed.getdata() if v == 0) / (printed.width * printed.height) < 0.5


def test_a_long_receipt_goes_in_several_raster_blocks(kupa: Kupa, store: Path, printer: FakePrinter) -> None:
    sale_id = _sale(kupa)
    receipt = _receipt(store, sale_id)
    many = receipt.model_copy(update={"items": receipt.items * 20})  # taller than one 960-row block
    terminal = Terminal.open(store)
    try:
        from pos_client.receipts.printer_url import parse_printer_url
        from pos_client.receipts.thermal import print_image
        image = thermal_image(many, "en", 80)
        assert image.height > 960
        print_image(parse_printer_url(printer.url()), image)
    finally:
        terminal.close()
    job = parse(printer.wait_jobs(1)[0])
    assert job.ops.count("raster") == -(-image.height // 960)
    assert all(r.height <= 960 for r in job.rasters)
    assert ImageChops.difference(raster_image(job).convert("L"), image.convert("L")).getbbox() is None


def test_58mm_paper_prints_384_dots_wide(kupa: Kupa, store: Path, printer: FakePrinter) -> None:
    sale_id = _sale(kupa)
    assert kupa("config", "set", "paper", "58").code == 0
    shown = kupa("config", "show", "--json").json
    assert shown == {"printer": None, "paper": 58, "dots": 384, "drawer": "cash"}
    assert kupa("receipt", "print", sale_id, "--printer", printer.url()).code == 0
    printed = raster_image(parse(printer.wait_jobs(1)[0]))
    assert printed.width == 384
    expected = thermal_image(_receipt(store, sale_id), "en", 58)
    assert ImageChops.difference(printed.convert("L"), expected.convert("L")).getbbox() is None


def test_hebrew_receipt_is_mirrored_its_text_ink_right_aligned(kupa: Kupa, store: Path, printer: FakePrinter) -> None:
    sale_id = _sale(kupa)
    margin = 8
    images = {}
    for lang in ("en", "he"):
        assert kupa("receipt", "print", sale_id, "--printer", printer.url(), "--lang", lang).code == 0
        images[lang] = raster_image(parse(printer.wait_jobs(len(images) + 1)[-1]))
    for lang, image in images.items():
        bands = _bands(image)
        width = image.width
        flush_right_short = [b for b in bands if b[1] >= width - margin - 6 and b[0] > width // 3]
        flush_left_short = [b for b in bands if b[0] <= margin + 6 and b[1] < 2 * width // 3]
        if lang == "he":  # labels start at the right edge; nothing short hugs the left
            assert len(flush_right_short) >= 3 and flush_left_short == []
        else:
            assert len(flush_left_short) >= 3 and flush_right_short == []
    # Hebrew is the same document mirrored, not the English one: the two rasters differ
    assert ImageChops.difference(images["en"].convert("L").crop((0, 0, 576, 200)),
                                 images["he"].convert("L").crop((0, 0, 576, 200))).getbbox() is not None


def test_a_reprint_says_copy(kupa: Kupa, store: Path, printer: FakePrinter) -> None:
    sale_id = _sale(kupa)
    first = kupa("receipt", "print", sale_id, "--printer", printer.url(), "--json")
    second = kupa("receipt", "print", sale_id, "--printer", printer.url(), "--json")
    assert first.json["copy"] is False and second.json["copy"] is True
    original, copy = (raster_image(parse(job)) for job in printer.wait_jobs(2))
    receipt = _receipt(store, sale_id)
    expected_copy = thermal_image(receipt.as_copy(), "en", 80)
    assert ImageChops.difference(copy.convert("L"), expected_copy.convert("L")).getbbox() is None
    assert copy.height > original.height  # the COPY banner
    assert "Copy of the receipt" in kupa("receipt", "print", sale_id, "--printer", printer.url()).out


@pytest.mark.parametrize("how", ["closed", "silent", "no_paper"])
def test_a_failing_printer_is_refused_by_code_and_the_sale_stays(kupa: Kupa, store: Path, how: str) -> None:
    sale_id = _sale(kupa)
    before = {t: _rows(store, t) for t in ("sales", "sale_lines", "ledger_entries", "outbox")}
    fake = FakePrinter("silent" if how == "silent" else "no_paper") if how != "closed" else None
    url = fake.url(timeout=0.5) if fake else f"tcp://127.0.0.1:{closed_port()}?timeout=0.5"
    try:
        result = kupa("receipt", "print", sale_id, "--printer", url, "--json")
    finally:
        if fake:
            fake.close()
    expected = {"closed": "printer.refused", "silent": "printer.timeout", "no_paper": "printer.no_paper"}[how]
    assert result.code == 1
    assert result.json["message_code"] == expected
    assert f"kupa receipt print {_receipt(store, sale_id).reference}" in result.err  # kept; how to reprint
    assert {t: _rows(store, t) for t in before} == before
    with sqlite3.connect(store / "kupa.sqlite3") as db:
        assert db.execute("select status, error_code from print_jobs").fetchall() == [("failed", expected)]
    assert kupa("receipt", "failed", "--json").json["failed"][0]["sale_id"] == sale_id
    if how == "no_paper":
        assert parse(b"".join(fake.jobs) if fake else b"").ops == ["init", "status4"]  # nothing printed
    # the printer is back: the reprint is the original (nothing printed before) and the list empties
    with _Ok() as good:
        again = kupa("receipt", "print", sale_id, "--printer", good.url(), "--json")
        assert again.code == 0 and again.json["copy"] is False
        assert raster_image(parse(good.wait_jobs(1)[0])).width == 576
    assert kupa("receipt", "failed", "--json").json == {"failed": []}


class _Ok:
    def __enter__(self) -> FakePrinter:
        self.fake = FakePrinter("ok")
        return self.fake

    def __exit__(self, *exc: object) -> None:
        self.fake.close()


def test_the_sale_print_after_checkout_kicks_the_drawer_once(store: Path, kupa: Kupa, printer: FakePrinter) -> None:
    card_sale = _sale(kupa)  # paid by card (the CLI's default): the drawer stays shut
    assert kupa("shift", "open", "--float", "0", "--pin", MANAGER_PIN).code == 0
    sale_id = kupa("checkout", "--item", "COFFEE-L", "--pay", "cash:2000", "--json").json["sale_id"]
    assert kupa("config", "set", "printer", printer.url()).code == 0
    terminal = Terminal.open(store)
    try:
        assert not printing.print_receipt(terminal, card_sale, lang="en", after_sale=True).drawer
        outcome = printing.print_receipt(terminal, sale_id, lang="en", after_sale=True)
        assert outcome.printed and outcome.drawer and not outcome.copy
        again = printing.print_receipt(terminal, sale_id, lang="en", after_sale=True)  # a retry: a copy, no drawer
        assert again.copy and not again.drawer
        printing.set_config(terminal, "drawer", "never")
        other = _sale(kupa, member=False)
        assert not printing.print_receipt(terminal, other, lang="en", after_sale=True).drawer
    finally:
        terminal.close()
    jobs = [parse(job) for job in printer.wait_jobs(4)]  # the card sale, the cash sale, its copy, the last
    assert jobs[1].drawer == [(0, 50, 50)] and jobs[1].ops[-1] == "drawer"  # ESC p 0: pin 2, after the cut
    assert jobs[0].drawer == [] and jobs[2].drawer == [] and jobs[3].drawer == []


def test_a_printer_url_typo_is_refused_and_nothing_is_stored(kupa: Kupa) -> None:
    for url, code in [("tcp://", "printer.url_host"), ("tcp://host:99999", "printer.url_port"),
                      ("usb:04b8", "printer.url_usb"), ("serial:ttyUSB0", "printer.url_serial"),
                      ("cups:my printer", "printer.url_scheme"), ("lpt1", "printer.url_scheme"),
                      ("tcp://h:9100?timeout=0", "printer.url_timeout"), ("tcp://h?speed=1", "printer.url_option")]:
        result = kupa("config", "set", "printer", url, "--json")
        assert result.code == 1 and result.json["message_code"] == code, (url, result.out)
    assert kupa("config", "set", "paper", "57", "--json").json["message_code"] == "config.bad_paper"
    assert kupa("config", "set", "colour", "red", "--json").json["message_code"] == "config.unknown_key"
    assert kupa("config", "show", "--json").json["printer"] is None
    ok = kupa("config", "set", "printer", "USB:0x04B8:0x0202", "--json").json
    assert ok["printer"] == "usb:04b8:0202"
    assert kupa("config", "set", "printer", "none", "--json").json["printer"] is None


def test_no_printer_and_no_out_says_how_to_set_one(kupa: Kupa) -> None:
    sale_id = _sale(kupa)
    result = kupa("receipt", "print", sale_id, "--json")
    assert result.code == 1 and result.json["message_code"] == "printer.not_set"
    assert kupa("receipt", "print", "ab", "--json").json["message_code"] == "sale.short_ref"
    assert kupa("receipt", "print", "ffffffffff", "--json").json["message_code"] == "sale.not_found"


def test_pdf_receipt_is_80mm_wide_one_page_no_page_number(kupa: Kupa, store: Path, tmp_path: Path) -> None:
    sale_id = _sale(kupa)
    for lang in ("en", "he"):
        out = tmp_path / f"r-{lang}.pdf"
        result = kupa("receipt", "print", sale_id, "--out", str(out), "--lang", lang, "--json")
        assert result.code == 0, result.err
        pdf = out.read_bytes()
        boxes = re.findall(rb"/MediaBox \[ 0 0 ([\d.]+) ([\d.]+) \]", pdf)
        assert len(boxes) == 1 and pdf.count(b"/Type /Page\n") + pdf.count(b"/Type /Page ") <= 1
        width_pt = float(boxes[0][0])
        assert width_pt == pytest.approx(80 / 25.4 * 72, abs=0.2)  # the paper's width, exactly
        image_width = int(re.findall(rb"/Width (\d+)", pdf)[0])
        assert image_width == PDF_LAYOUT.width  # the page is the image, edge to edge
        assert b"/Font" not in pdf  # no text can be drawn over the image: no page number
        page = render_receipt(_receipt(store, sale_id), lang, PDF_LAYOUT)
        bands = _bands(page)
        rules = [b for b in bands if b[1] - b[0] > 0.9 * PDF_LAYOUT.width]
        assert rules  # the separators run across the whole paper (3 mm margins)
        side = [b for b in bands if b[1] - b[0] < PDF_LAYOUT.width // 2]
        if lang == "he":
            assert sum(1 for b in side if b[1] >= PDF_LAYOUT.width - PDF_LAYOUT.margin - 10) >= 3
        else:
            assert sum(1 for b in side if b[0] <= PDF_LAYOUT.margin + 10) >= 3
    assert kupa("receipt", "print", sale_id, "--out", str(tmp_path / "again.pdf"), "--json").json["copy"] is True


@pytest.mark.parametrize("url, module", [("usb:04b8:0202", "usb"), ("serial:/dev/ttyKUPA-none", "serial"),
                                         ("cups:Receipts", "cups")])
def test_usb_serial_and_cups_without_their_driver_name_the_package(kupa: Kupa, store: Path, url: str,
                                                                   module: str) -> None:
    import importlib.util

    sale_id = _sale(kupa)
    result = kupa("receipt", "print", sale_id, "--printer", url, "--json")
    assert result.code == 1
    if importlib.util.find_spec(module) is None:  # the case on Kupa's machines: these drivers are not installed
        package = {"usb": "pyusb", "serial": "pyserial", "cups": "pycups"}[module]
        assert result.json["message_code"] == "printer.driver_missing"
        assert result.json["params"]["package"] == package and f"pip install {package}" in result.err
    else:  # the driver is there but no such device: refused as unreachable, never a traceback
        assert result.json["error"] == "printer"
    assert _rows(store, "sales") >= 1
