"""Sending a receipt image to an ESC/POS printer (python-escpos), and the drawer kick.

One job is: ESC @ (initialise), the paper status (DLE EOT 4) where the transport can read an answer, the image
as raster blocks (GS v 0, at most 960 dot rows each: some printers' buffers take no more), feed and cut (GS V),
and, on a cash sale, the drawer pulse (ESC p, pin 2, the usual RJ-11 drawer port). The library talks to the
transport; this module decides what a person is told when it fails.

python-escpos is imported only when something prints: at import it writes a pickle of its printer database into
a new temporary folder every time (a `kupa` command that never prints must not leave folders behind, nor fail on
a full disk). Kupa points it at one cache folder of its own (`ESCPOS_CAPABILITIES_PICKLE_DIR`).

Failures are sorted by what the cashier can do about them, each a `PrinterError` with its own message: the
printer cannot be reached (switched off, wrong address), refused the connection (on, but the port is closed or
busy with another job), did not answer in time, or reports no paper; a missing driver package for USB, serial
or CUPS is said by name. Nothing here raises anything else for an I/O failure, so a caller that recorded the
sale first can always tell the cashier "recorded; reprint later" instead of losing the sale.
"""

from __future__ import annotations

import functools
import logging
import os
import socket
from pathlib import Path
from typing import Any

import platformdirs
from PIL import Image

from pos_client.errors import KupaError
from pos_client.messages import message
from pos_client.receipts.printer_url import PrinterTarget

log = logging.getLogger(__name__)

#: GS v 0 block height: an image taller than this goes in several blocks.
RASTER_BLOCK_ROWS = 960
#: DLE EOT 4 answer bits: paper-end sensor (bits 5–6) and near-end sensor (bits 2–3).
PAPER_END_BITS, PAPER_NEAR_END_BITS = 0x60, 0x0C


class PrinterError(KupaError):
    """The receipt did not print; the sale it belongs to is recorded all the same."""

    code = "printer"


UNREACHABLE = message("printer.unreachable",
                      en="the printer {printer} cannot be reached: check that it is switched on and connected",
                      he="אין גישה למדפסת {printer}: בדקו שהיא דלוקה ומחוברת")
REFUSED = message("printer.refused",
                  en="the printer {printer} refused the connection: it may be busy or its port is closed",
                  he="המדפסת {printer} סירבה לחיבור: ייתכן שהיא עסוקה או שהפורט סגור")
TIMED_OUT = message("printer.timeout", en="the printer {printer} did not answer within {seconds} s",
                    he="המדפסת {printer} לא ענתה תוך {seconds} שניות")
NO_PAPER = message("printer.no_paper", en="the printer {printer} is out of paper: load a new roll",
                   he="במדפסת {printer} נגמר הנייר: הכניסו גליל חדש")
DRIVER_MISSING = message("printer.driver_missing",
                         en="printing to {kind} printers needs the Python package '{package}': install it "
                            "(pip install {package})",
                         he="הדפסה למדפסת {kind} דורשת את חבילת הפייתון '{package}': התקינו אותה "
                            "(pip install {package})")
FAILED = message("printer.failed", en="the printer {printer} failed: {reason}",
                 he="המדפסת {printer} נכשלה: {reason}")

_DRIVERS = {"usb": "pyusb", "serial": "pyserial", "cups": "pycups"}


@functools.lru_cache(maxsize=1)
def _library() -> Any:
    """python-escpos, imported once, its capabilities cache in Kupa's own cache folder."""
    cache = Path(platformdirs.user_cache_dir("kupa", "Kupa")) / "escpos"
    try:
        cache.mkdir(parents=True, exist_ok=True)
        os.environ.setdefault("ESCPOS_CAPABILITIES_PICKLE_DIR", str(cache))
    except OSError:  # pragma: no cover - an unwritable home: the library falls back to a temporary folder
        log.debug("no cache folder for python-escpos", exc_info=True)
    import escpos.constants
    import escpos.exceptions
    import escpos.printer

    return escpos


def _escpos_error() -> type[Exception]:
    error: type[Exception] = _library().exceptions.Error
    return error


def print_image(target: PrinterTarget, image: Image.Image, *, open_drawer: bool = False) -> None:
    """Print `image` (black and white, the paper's width in dots), cut, and kick the drawer if asked."""
    printer = _printer(target, image.width)
    EscposError = _escpos_error()
    try:
        _open(printer, target)
        printer.hw("INIT")
        if target.read_status and target.kind in ("tcp", "serial"):
            _check_paper(printer, target, _library().constants.RT_STATUS_PAPER)
        printer.image(image, impl="bitImageRaster", fragment_height=RASTER_BLOCK_ROWS)
        printer.cut()
        if open_drawer:
            printer.cashdraw(2)
    except PrinterError:
        raise
    except (OSError, EscposError) as exc:
        raise _sorted(exc, target) from exc
    finally:
        try:
            printer.close()
        except (OSError, EscposError):  # pragma: no cover - closing a broken link
            log.debug("closing the printer failed", exc_info=True)


def open_drawer(target: PrinterTarget) -> None:
    """Only the drawer pulse (a "no sale", or a drawer kick that failed with the receipt)."""
    printer = _printer(target, 576)
    EscposError = _escpos_error()
    try:
        _open(printer, target)
        printer.cashdraw(2)
    except (OSError, EscposError) as exc:
        raise _sorted(exc, target) from exc
    finally:
        try:
            printer.close()
        except (OSError, EscposError):  # pragma: no cover
            log.debug("closing the printer failed", exc_info=True)


def _printer(target: PrinterTarget, width: int) -> Any:
    """The python-escpos object for `target`, with a profile that knows the paper's width in dots."""
    try:
        drivers = _library().printer
    except OSError as exc:  # the library could not even load (a full disk while it writes its cache)
        raise PrinterError(FAILED, printer=target.url, reason=exc.strerror or type(exc).__name__) from exc
    kind = target.kind
    if kind == "tcp":
        printer: Any = _network_class()(target.host, port=target.port, timeout=target.timeout)
    elif kind == "usb":
        _need(drivers.Usb, target)
        printer = drivers.Usb(target.vendor_id, target.product_id, timeout=int(target.timeout * 1000))
    elif kind == "serial":
        _need(drivers.Serial, target)
        printer = drivers.Serial(target.device, baudrate=target.baud, timeout=target.timeout)
    else:
        _need(drivers.CupsPrinter, target)
        printer = drivers.CupsPrinter(target.name)
    profile: Any = printer.profile  # an instance: the width set here does not leak into other printers
    media = dict(profile.profile_data.get("media", {}))
    media["width"] = {"mm": "Unknown", "pixels": width}
    profile.profile_data = {**profile.profile_data, "media": media}
    return printer


@functools.lru_cache(maxsize=1)
def _network_class() -> Any:
    """python-escpos's network printer, opened with `socket.create_connection`.

    The library's own `open()` leaves the socket open when the connection fails (one file descriptor lost per
    failed receipt, in an app that runs all day) and handles IPv4 only; this one closes it and lets the
    socket's own error through (refused, timed out, unreachable), which `_sorted` words for the cashier.
    """

    class Network(_library().printer.Network):  # type: ignore[misc]
        def open(self, raise_not_found: bool = True) -> None:
            if self._device:
                self.close()
            self.device = socket.create_connection((self.host, self.port), timeout=self.timeout)

    return Network


def _need(driver: Any, target: PrinterTarget) -> None:
    if not driver.is_usable():
        raise PrinterError(DRIVER_MISSING, kind=target.kind.upper(), package=_DRIVERS[target.kind])


def _open(printer: Any, target: PrinterTarget) -> None:
    try:
        printer.open()
    except _escpos_error() as exc:  # the library wraps the socket's error: the cause says which one
        cause = exc.__cause__ or exc.__context__
        raise _sorted(cause if isinstance(cause, OSError) else exc, target) from exc


def _check_paper(printer: Any, target: PrinterTarget, query: bytes) -> None:
    """DLE EOT 4: refuse before printing when the paper-end sensor says the roll is out."""
    answer = printer.query_status(query)
    if not answer:
        raise PrinterError(UNREACHABLE, printer=target.url)
    if answer[0] & PAPER_END_BITS == PAPER_END_BITS:
        raise PrinterError(NO_PAPER, printer=target.url)
    if answer[0] & PAPER_NEAR_END_BITS == PAPER_NEAR_END_BITS:
        log.warning("printer %s: the paper roll is nearly out", target.url)


def _sorted(exc: BaseException, target: PrinterTarget) -> PrinterError:
    """The `PrinterError` a transport failure means to the cashier."""
    if isinstance(exc, (socket.timeout, TimeoutError)):
        return PrinterError(TIMED_OUT, printer=target.url, seconds=f"{target.timeout:g}")
    if isinstance(exc, ConnectionRefusedError):
        return PrinterError(REFUSED, printer=target.url)
    if isinstance(exc, OSError):
        return PrinterError(UNREACHABLE, printer=target.url)
    reason = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
    return PrinterError(FAILED, printer=target.url, reason=reason)
