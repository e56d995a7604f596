"""Where a terminal's receipt printer is: one parser for the printer URL, with refusals by code.

A terminal names its printer with one short string (`kupa config set printer URL`, the app's settings):

- `tcp://HOST[:PORT]` — a network printer's raw port (9100 when left out); `HOST` is a name, an IPv4 address or
  a bracketed IPv6 one. Options: `?timeout=SECONDS` (0.1–60, default 5: how long to wait to connect, to send
  and for the status answer) and `?status=off` for a printer that never answers DLE EOT (then "out of paper"
  cannot be told before printing).
- `usb:VID:PID` — a USB printer by its vendor and product ids in hex (`usb:04b8:0202`, `usb:0x04b8:0x0202`).
- `serial:/dev/ttyUSB0` — a serial port (an absolute device path), `?baud=N` (default 9600).
- `cups:NAME` — a queue of the system's CUPS server, sent raw.

Why one parser: the CLI, the app and the print service all read this string, and a typo must be refused the
moment it is typed (with what is wrong, in the cashier's language), not at the first sale's receipt.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import parse_qsl

from pos_client.errors import InvalidInputError
from pos_client.messages import message

PrinterKind = Literal["tcp", "usb", "serial", "cups"]
DEFAULT_PORT = 9100
DEFAULT_TIMEOUT = 5.0
MIN_TIMEOUT, MAX_TIMEOUT = 0.1, 60.0
DEFAULT_BAUD = 9600
_BAUDS = (1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200)
_HOSTNAME = re.compile(r"^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}"
                       r"[A-Za-z0-9])?)*$")
_HEX_ID = re.compile(r"^(0x)?([0-9A-Fa-f]{1,4})$")
_CUPS_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,127}$")
_SERIAL_PATH = re.compile(r"^/[A-Za-z0-9_./-]{1,200}$")

URL_EMPTY = message("printer.url_empty", en="no printer given: use tcp://HOST:9100, usb:VID:PID, serial:/dev/… "
                                            "or cups:NAME",
                    he="לא צוינה מדפסת: השתמשו ב־tcp://HOST:9100, ב־usb:VID:PID, ב־serial:/dev/… או ב־cups:NAME")
URL_SCHEME = message("printer.url_scheme",
                     en="'{url}' is not a printer address: use tcp://HOST:9100, usb:VID:PID, serial:/dev/… "
                        "or cups:NAME",
                     he="'{url}' אינה כתובת של מדפסת: השתמשו ב־tcp://HOST:9100, ב־usb:VID:PID, ב־serial:/dev/… "
                        "או ב־cups:NAME")
URL_HOST = message("printer.url_host", en="'{host}' is not a host name or IP address (in '{url}')",
                   he="'{host}' אינו שם מחשב או כתובת IP (ב־'{url}')")
URL_PORT = message("printer.url_port", en="'{port}' is not a TCP port (1–65535) (in '{url}')",
                   he="'{port}' אינו פורט TCP (1–65535) (ב־'{url}')")
URL_USB = message("printer.url_usb", en="'{url}' is not a USB printer: use usb:VID:PID in hex, e.g. usb:04b8:0202",
                  he="'{url}' אינה מדפסת USB: השתמשו ב־usb:VID:PID בהקסדצימלי, למשל usb:04b8:0202")
URL_SERIAL = message("printer.url_serial",
                     en="'{url}' is not a serial port: use serial: and the device's full path, e.g. serial:/dev/ttyUSB0",
                     he="'{url}' אינה יציאה טורית: השתמשו ב־serial: ובנתיב המלא של ההתקן, למשל serial:/dev/ttyUSB0")
URL_CUPS = message("printer.url_cups", en="'{url}' is not a CUPS printer: use cups: and the queue's name "
                                          "(letters, digits, '-', '_', '.')",
                   he="'{url}' אינה מדפסת CUPS: השתמשו ב־cups: ובשם התור (אותיות, ספרות, '-', '_', '.')")
URL_OPTION = message("printer.url_option", en="'{option}' is not a setting of a {kind} printer (in '{url}')",
                     he="'{option}' אינה הגדרה של מדפסת {kind} (ב־'{url}')")
URL_TIMEOUT = message("printer.url_timeout", en="the timeout '{value}' must be a number of seconds from {low} to {high}",
                      he="זמן ההמתנה '{value}' חייב להיות מספר שניות בין {low} ל־{high}")
URL_STATUS = message("printer.url_status", en="status must be 'on' or 'off', not '{value}'",
                     he="status חייב להיות 'on' או 'off', ולא '{value}'")
URL_BAUD = message("printer.url_baud", en="'{value}' is not a serial speed (one of {bauds})",
                   he="'{value}' אינה מהירות של יציאה טורית (אחת מ־{bauds})")


@dataclass(frozen=True)
class PrinterTarget:
    """A parsed printer address; `url` is its canonical form (what is stored and shown)."""

    kind: PrinterKind
    host: str = ""
    port: int = DEFAULT_PORT
    vendor_id: int = 0
    product_id: int = 0
    device: str = ""
    baud: int = DEFAULT_BAUD
    name: str = ""
    timeout: float = DEFAULT_TIMEOUT
    read_status: bool = True
    options: tuple[tuple[str, str], ...] = field(default=(), repr=False)

    @property
    def url(self) -> str:
        if self.kind == "tcp":
            host = f"[{self.host}]" if ":" in self.host else self.host
            query = [f"timeout={self.timeout:g}"] if self.timeout != DEFAULT_TIMEOUT else []
            query += [] if self.read_status else ["status=off"]
            return f"tcp://{host}:{self.port}" + ("?" + "&".join(query) if query else "")
        if self.kind == "usb":
            return f"usb:{self.vendor_id:04x}:{self.product_id:04x}"
        if self.kind == "serial":
            return f"serial:{self.device}" + (f"?baud={self.baud}" if self.baud != DEFAULT_BAUD else "")
        return f"cups:{self.name}"

    def __str__(self) -> str:
        return self.url


def parse_printer_url(text: str) -> PrinterTarget:
    """The printer `text` names, or an `InvalidInputError` that says what is wrong with it."""
    url = (text or "").strip()
    if not url:
        raise InvalidInputError(URL_EMPTY)
    if any(c.isspace() or not c.isprintable() for c in url) or len(url) > 300:
        raise InvalidInputError(URL_SCHEME, url=url[:60])
    scheme, sep, rest = url.partition(":")
    scheme = scheme.lower()
    if not sep:
        raise InvalidInputError(URL_SCHEME, url=url)
    rest, _, query = rest.partition("?")
    options = _options(query, url, scheme)
    if scheme == "tcp":
        return _tcp(rest, options, url)
    if scheme == "usb":
        return _usb(rest, options, url)
    if scheme == "serial":
        return _serial(rest, options, url)
    if scheme == "cups":
        _allow(options, (), url, scheme)
        if not _CUPS_NAME.match(rest):
            raise InvalidInputError(URL_CUPS, url=url)
        return PrinterTarget("cups", name=rest)
    raise InvalidInputError(URL_SCHEME, url=url)


def _options(query: str, url: str, kind: str) -> dict[str, str]:
    if not query:
        return {}
    try:
        pairs = parse_qsl(query, keep_blank_values=True, strict_parsing=True)
    except ValueError as exc:
        raise InvalidInputError(URL_OPTION, option=query, kind=kind, url=url) from exc
    return {key.lower(): value for key, value in pairs}


def _allow(options: dict[str, str], known: tuple[str, ...], url: str, kind: str) -> None:
    for key in options:
        if key not in known:
            raise InvalidInputError(URL_OPTION, option=key, kind=kind, url=url)


def _tcp(rest: str, options: dict[str, str], url: str) -> PrinterTarget:
    _allow(options, ("timeout", "status"), url, "tcp")
    if not rest.startswith("//"):
        raise InvalidInputError(URL_SCHEME, url=url)
    netloc = rest[2:].rstrip("/")
    if "/" in netloc or "@" in netloc:
        raise InvalidInputError(URL_SCHEME, url=url)
    if netloc.startswith("["):  # [IPv6]:port
        host, close, after = netloc[1:].partition("]")
        if not close:
            raise InvalidInputError(URL_HOST, host=netloc, url=url)
        try:
            ipaddress.IPv6Address(host)
        except ValueError as exc:
            raise InvalidInputError(URL_HOST, host=host, url=url) from exc
        port_text = after[1:] if after.startswith(":") else ("" if not after else None)
        if port_text is None:
            raise InvalidInputError(URL_HOST, host=netloc, url=url)
    else:
        host, colon, port_text = netloc.partition(":")
        if colon and not port_text:
            raise InvalidInputError(URL_PORT, port="", url=url)
        if not _HOSTNAME.match(host):
            raise InvalidInputError(URL_HOST, host=host, url=url)
    port = DEFAULT_PORT
    if port_text:
        if not port_text.isascii() or not port_text.isdigit() or not 1 <= int(port_text) <= 65535:
            raise InvalidInputError(URL_PORT, port=port_text, url=url)
        port = int(port_text)
    timeout = DEFAULT_TIMEOUT
    if "timeout" in options:
        try:
            timeout = float(options["timeout"])
        except ValueError:
            timeout = -1.0
        if not MIN_TIMEOUT <= timeout <= MAX_TIMEOUT:  # NaN fails both comparisons too
            raise InvalidInputError(URL_TIMEOUT, value=options["timeout"], low=MIN_TIMEOUT, high=int(MAX_TIMEOUT))
    status = options.get("status", "on").lower()
    if status not in ("on", "off"):
        raise InvalidInputError(URL_STATUS, value=options["status"])
    return PrinterTarget("tcp", host=host.lower(), port=port, timeout=timeout, read_status=status == "on")


def _usb(rest: str, options: dict[str, str], url: str) -> PrinterTarget:
    _allow(options, (), url, "usb")
    parts = rest.split(":")
    matches = [_HEX_ID.match(part) for part in parts]
    if len(parts) != 2 or not all(matches):
        raise InvalidInputError(URL_USB, url=url)
    vendor, product = (int(m.group(2), 16) for m in matches if m)
    if not vendor or not product:
        raise InvalidInputError(URL_USB, url=url)
    return PrinterTarget("usb", vendor_id=vendor, product_id=product)


def _serial(rest: str, options: dict[str, str], url: str) -> PrinterTarget:
    _allow(options, ("baud",), url, "serial")
    if not _SERIAL_PATH.match(rest) or "/../" in rest + "/" or rest.endswith("/"):
        raise InvalidInputError(URL_SERIAL, url=url)
    baud = DEFAULT_BAUD
    if "baud" in options:
        value = options["baud"]
        if not value.isdigit() or int(value) not in _BAUDS:
            raise InvalidInputError(URL_BAUD, value=value, bauds=", ".join(map(str, _BAUDS)))
        baud = int(value)
    return PrinterTarget("serial", device=rest, baud=baud)
