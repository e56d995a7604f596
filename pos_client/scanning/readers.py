"""Thin adapters over the two decoding libraries, zxing-cpp and pyzbar (ZBar).

The pipeline (`decode.py`) tries several image variants with both libraries; these adapters give it one shape
to work with: a `RawRead` (which library, which symbology, the text, the corners in the coordinates of the
image that was read). Both adapters are restricted to QR, Code 128 and EAN-13, so a decoy in another symbology
can never turn into a payload, and both turn the raw bytes into text only when they are valid UTF-8 without
control characters: anything else is dropped here, at the edge, and logged. ZBar is driven through pyzbar's
ctypes wrapper rather than `pyzbar.decode`, to choose which scan lines it reads.
"""

from __future__ import annotations

import ctypes
import logging
from dataclasses import dataclass
from typing import Any, Literal

import cv2
import numpy as np
import numpy.typing as npt
import zxingcpp
from pyzbar import wrapper as zbar
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
_ZBAR_KINDS: dict[int, Symbology] = {int(code): sym for sym, code in _ZBAR_SYMBOLS.items()}
_Y800 = 0x30303859  # fourcc "Y800": 8-bit grayscale


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


def read_zbar(
    image: GrayImage,
    symbologies: tuple[Symbology, ...],
    *,
    row_step: int = 1,
    column_step: int = 1,
) -> list[RawRead]:
    """Decode `image` (8-bit grayscale) with ZBar.

    ZBar scans every row and every column (`row_step`, `column_step`: every n-th one, 0 for none). For a crop
    already turned so a barcode's bars stand upright, `column_step=0` (and a `row_step` above 1) skips the
    scans that cannot cross the bars, which halves the cost or better; on a whole frame, rows and columns
    can be scanned as two separate, cheaper steps. pyzbar's own `decode` cannot do that, so this drives ZBar through pyzbar's
    ctypes wrapper, as `decode` does.
    """
    height, width = image.shape
    pixels = np.ascontiguousarray(image, dtype=np.uint8)  # kept alive until ZBar is done with it
    scanner = zbar.zbar_image_scanner_create()
    if not scanner:
        raise MemoryError("ZBar could not create an image scanner")
    try:
        zbar.zbar_image_scanner_set_config(scanner, 0, zbar.ZBarConfig.CFG_ENABLE, 0)
        for sym in symbologies:
            zbar.zbar_image_scanner_set_config(scanner, _ZBAR_SYMBOLS[sym], zbar.ZBarConfig.CFG_ENABLE, 1)
        zbar.zbar_image_scanner_set_config(scanner, 0, zbar.ZBarConfig.CFG_X_DENSITY, max(0, column_step))
        zbar.zbar_image_scanner_set_config(scanner, 0, zbar.ZBarConfig.CFG_Y_DENSITY, max(0, row_step))
        zimage = zbar.zbar_image_create()
        if not zimage:
            raise MemoryError("ZBar could not create an image")
        try:
            zbar.zbar_image_set_format(zimage, _Y800)
            zbar.zbar_image_set_size(zimage, width, height)
            zbar.zbar_image_set_data(zimage, pixels.ctypes.data_as(ctypes.c_void_p), pixels.nbytes, None)
            if zbar.zbar_scan_image(scanner, zimage) < 0:
                raise ValueError("ZBar refused the image format")
            return _zbar_symbols(zimage)
        finally:
            zbar.zbar_image_destroy(zimage)
    finally:
        zbar.zbar_image_scanner_destroy(scanner)


def _zbar_symbols(zimage: Any) -> list[RawRead]:
    reads: list[RawRead] = []
    symbol = zbar.zbar_image_first_symbol(zimage)
    while symbol:
        kind = _ZBAR_KINDS.get(int(symbol.contents.type))
        raw = ctypes.string_at(zbar.zbar_symbol_get_data(symbol), zbar.zbar_symbol_get_data_length(symbol))
        text = text_from_bytes(raw)
        if kind is None or text is None:
            log.debug("zbar: dropped a read that is not usable text")
        else:
            points = tuple(
                (float(zbar.zbar_symbol_get_loc_x(symbol, i)), float(zbar.zbar_symbol_get_loc_y(symbol, i)))
                for i in range(zbar.zbar_symbol_get_loc_size(symbol))
            )
            reads.append(RawRead("zbar", kind, text, _hull(points)))
        symbol = zbar.zbar_symbol_next(symbol)
    return reads


def _hull(points: tuple[Point, ...]) -> tuple[Point, ...]:
    """The smallest box around ZBar's location points (the ends of each successful scan line)."""
    if len(points) <= 4:
        return points
    box = np.asarray(cv2.boxPoints(cv2.minAreaRect(np.asarray(points, dtype=np.float32))), dtype=np.float64)
    return tuple((float(x), float(y)) for x, y in box.tolist())
