"""Thin adapters over the two decoding libraries, zxing-cpp and pyzbar (ZBar).

The pipeline (`decode.py`) tries several image variants with both libraries; these adapters give it one shape
to work with: a `RawRead` (which library, which symbology, the text, the corners in the coordinates of the
image that was read). Both adapters are restricted to QR, Code 128 and EAN-13, so a decoy in another symbology
can never turn into a payload, and both turn the raw bytes into text only when they are valid UTF-8 without
control characters: anything else is dropped here, at the edge, and logged.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
import zxingcpp
from pyzbar import pyzbar
from pyzbar.pyzbar import ZBarSymbol

from pos_client.scanning.result import Point, Symbology

log = logging.getLogger(__name__)

GrayImage = npt.NDArray[np.uint8]
Library = Literal["zxing", "zbar"]

_ALLOWED_CONTROLS = frozenset("\t\n\r")

_ZX_FORMATS: dict[Symbology, zxingcpp.BarcodeFormat] = {
    "qr": zxingcpp.BarcodeFormat.QRCode,
    "code128": zxingcpp.BarcodeFormat.Code128,
    "ean13": zxingcpp.BarcodeFormat.EAN13,
}
_ZX_NAMES: dict[str, Symbology] = {"QRCode": "qr", "Code128": "code128", "EAN13": "ean13"}

_ZBAR_SYMBOLS: dict[Symbology, ZBarSymbol] = {
    "qr": ZBarSymbol.QRCODE,
    "code128": ZBarSymbol.CODE128,
    "ean13": ZBarSymbol.EAN13,
}
_ZBAR_NAMES: dict[str, Symbology] = {"QRCODE": "qr", "CODE128": "code128", "EAN13": "ean13"}


@dataclass(frozen=True, slots=True)
class RawRead:
    """One code as a library reported it, before the pipeline's checks."""

    library: Library
    symbology: Symbology
    payload: str
    points: tuple[Point, ...]


def text_from_bytes(data: bytes) -> str | None:
    """The payload as text, or None when it is not valid UTF-8 or carries control characters."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if not text or any((ord(ch) < 32 or 127 <= ord(ch) < 160) and ch not in _ALLOWED_CONTROLS for ch in text):
        return None
    return text


def _zx_formats(symbologies: tuple[Symbology, ...]) -> zxingcpp.BarcodeFormats:
    formats = zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.NONE)
    for sym in symbologies:
        formats |= _ZX_FORMATS[sym]
    return formats


def read_zxing(
    image: GrayImage,
    symbologies: tuple[Symbology, ...],
    *,
    try_rotate: bool = True,
    try_downscale: bool = True,
    global_binarizer: bool = False,
) -> list[RawRead]:
    """Decode `image` (8-bit grayscale) with zxing-cpp."""
    binarizer = zxingcpp.Binarizer.GlobalHistogram if global_binarizer else zxingcpp.Binarizer.LocalAverage
    results = zxingcpp.read_barcodes(
        np.ascontiguousarray(image),
        formats=_zx_formats(symbologies),
        try_rotate=try_rotate,
        try_downscale=try_downscale,
        binarizer=binarizer,
    )
    reads: list[RawRead] = []
    for res in results:
        symbology = _ZX_NAMES.get(res.format.name)
        text = text_from_bytes(bytes(res.bytes))
        if symbology is None or text is None:
            log.debug("zxing: dropped a %s read that is not usable text", res.format.name)
            continue
        pos = res.position
        corners = (pos.top_left, pos.top_right, pos.bottom_right, pos.bottom_left)
        reads.append(RawRead("zxing", symbology, text, tuple((float(p.x), float(p.y)) for p in corners)))
    return reads


def read_zbar(image: GrayImage, symbologies: tuple[Symbology, ...]) -> list[RawRead]:
    """Decode `image` (8-bit grayscale) with ZBar through pyzbar."""
    symbols = [_ZBAR_SYMBOLS[sym] for sym in symbologies]
    reads: list[RawRead] = []
    for res in pyzbar.decode(image, symbols=symbols):
        symbology = _ZBAR_NAMES.get(str(res.type))
        text = text_from_bytes(bytes(res.data))
        if symbology is None or text is None:
            log.debug("zbar: dropped a %s read that is not usable text", res.type)
            continue
        points = tuple((float(p.x), float(p.y)) for p in res.polygon)
        reads.append(RawRead("zbar", symbology, text, points))
    return reads
