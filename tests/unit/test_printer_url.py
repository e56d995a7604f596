"""The printer URL parser: every form it accepts, its canonical spelling, and each refusal by code, at the edges."""

from __future__ import annotations

import pytest

from pos_client.errors import InvalidInputError
from pos_client.receipts.printer_url import DEFAULT_TIMEOUT, parse_printer_url


@pytest.mark.parametrize("text, url", [
    ("tcp://192.168.1.50:9100", "tcp://192.168.1.50:9100"),
    ("tcp://printer.local", "tcp://printer.local:9100"),
    ("TCP://Printer.Local:1", "tcp://printer.local:1"),
    ("tcp://h:65535", "tcp://h:65535"),
    ("tcp://[::1]:9100", "tcp://[::1]:9100"),
    ("tcp://[fe80::1]", "tcp://[fe80::1]:9100"),
    ("tcp://h:9100?timeout=0.1", "tcp://h:9100?timeout=0.1"),
    ("tcp://h:9100?timeout=60&status=off", "tcp://h:9100?timeout=60&status=off"),
    ("tcp://h:9100?status=on", "tcp://h:9100"),
    ("usb:04b8:0202", "usb:04b8:0202"),
    ("usb:0x4B8:0x202", "usb:04b8:0202"),
    ("serial:/dev/ttyUSB0", "serial:/dev/ttyUSB0"),
    ("serial:/dev/ttyS1?baud=19200", "serial:/dev/ttyS1?baud=19200"),
    ("cups:TM-T20_receipts", "cups:TM-T20_receipts"),
    ("  tcp://h:9100  ", "tcp://h:9100"),
])
def test_accepted_forms_and_their_canonical_spelling(text: str, url: str) -> None:
    target = parse_printer_url(text)
    assert target.url == url
    assert parse_printer_url(target.url) == target  # the stored form reads back the same


def test_parts() -> None:
    tcp = parse_printer_url("tcp://10.0.0.7:9101?timeout=2.5")
    assert (tcp.kind, tcp.host, tcp.port, tcp.timeout, tcp.read_status) == ("tcp", "10.0.0.7", 9101, 2.5, True)
    assert parse_printer_url("tcp://h").timeout == DEFAULT_TIMEOUT
    usb = parse_printer_url("usb:04b8:0e15")
    assert (usb.vendor_id, usb.product_id) == (0x04B8, 0x0E15)
    assert parse_printer_url("serial:/dev/ttyUSB0").baud == 9600


@pytest.mark.parametrize("text, code", [
    ("", "printer.url_empty"),
    ("   ", "printer.url_empty"),
    ("printer", "printer.url_scheme"),
    ("http://h:9100", "printer.url_scheme"),
    ("tcp:h:9100", "printer.url_scheme"),
    ("tcp://h/path", "printer.url_scheme"),
    ("tcp://user@h", "printer.url_scheme"),
    ("tcp://h 1:9100", "printer.url_scheme"),
    ("tcp://", "printer.url_host"),
    ("tcp://-bad-:9100", "printer.url_host"),
    ("tcp://[::g]:9100", "printer.url_host"),
    ("tcp://[::1", "printer.url_host"),
    ("tcp://h:0", "printer.url_port"),
    ("tcp://h:65536", "printer.url_port"),
    ("tcp://h:", "printer.url_port"),
    ("tcp://h:91a", "printer.url_port"),
    ("tcp://h:٩١٠٠", "printer.url_port"),  # Arabic-Indic digits are digits to Python, not to a socket
    ("tcp://h?timeout=0.09", "printer.url_timeout"),
    ("tcp://h?timeout=60.1", "printer.url_timeout"),
    ("tcp://h?timeout=nan", "printer.url_timeout"),
    ("tcp://h?timeout=abc", "printer.url_timeout"),
    ("tcp://h?status=maybe", "printer.url_status"),
    ("tcp://h?baud=9600", "printer.url_option"),
    ("usb:04b8", "printer.url_usb"),
    ("usb:04b8:0202:1", "printer.url_usb"),
    ("usb:12345:0202", "printer.url_usb"),
    ("usb:0000:0202", "printer.url_usb"),
    ("usb:zz:0202", "printer.url_usb"),
    ("usb:04b8:0202?x=1", "printer.url_option"),
    ("serial:ttyUSB0", "printer.url_serial"),
    ("serial:/dev/../etc/passwd", "printer.url_serial"),
    ("serial:/dev/", "printer.url_serial"),
    ("serial:/dev/ttyS0?baud=12345", "printer.url_baud"),
    ("cups:", "printer.url_cups"),
    ("cups:a/b", "printer.url_cups"),
])
def test_refusals_by_code(text: str, code: str) -> None:
    with pytest.raises(InvalidInputError) as caught:
        parse_printer_url(text)
    assert caught.value.message_code == code
    assert caught.value.text("he") != caught.value.text("en")  # worded in both languages


def test_the_command_line_does_not_load_the_printer_library_until_it_prints() -> None:
    """python-escpos writes a cache file when imported: a `kupa` command that prints nothing must not (a full
    disk would break every command, and each import left a temporary folder behind)."""
    import subprocess
    import sys

    code = "import sys, pos_client.cli.main, pos_client.services.printing; print('escpos' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
