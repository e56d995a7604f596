"""What a decoder hands back: one code found in a frame.

Kept in its own module so the readers, the pipeline, the stream confirmer and the Qt camera worker can all
share the type without importing each other. A `Decoded` is a frozen value: the camera worker may pass it
across threads, and the confirmer compares payloads without fear of mutation.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

#: The only symbologies Kupa reads: member QR codes and the Code 128 / EAN-13 barcodes of punch cards.
Symbology = Literal["qr", "code128", "ean13"]

SYMBOLOGIES: tuple[Symbology, ...] = ("qr", "code128", "ean13")

#: A point in frame pixel coordinates (x, y), floats because the code may come from a scaled variant.
Point = tuple[float, float]


@dataclass(frozen=True, slots=True)
class Decoded:
    """A code read from a frame.

    `quad` holds the code's corners in the coordinates of the frame given to `decode_frame` (clockwise from
    the decoder's idea of the top-left; for a 1D barcode it may be a thin box along the scan line), ready for
    `cv2.polylines` to draw a box around it.
    """

    symbology: Symbology
    payload: str
    quad: tuple[Point, ...]

    @property
    def is_linear(self) -> bool:
        """True for the 1D barcodes (Code 128, EAN-13)."""
        return self.symbology != "qr"

    def int_quad(self) -> list[tuple[int, int]]:
        """The corners rounded to whole pixels, as drawing functions want them."""
        return [(round(x), round(y)) for x, y in self.quad]
