"""Find the places in a frame that may hold a code, cheaply, before any costly clean-up.

Enhancing a whole 1280x720 frame and decoding it again takes tens of milliseconds; enhancing a 300x300 crop
takes one or two. So when the quick whole-frame read fails, the pipeline asks this module where the codes
might be: regions dense in strong edges (the modules of a QR code, the bars of a barcode), found on a small
copy of the frame with a gradient structure tensor. For each region it also reports the dominant edge
direction and how consistent it is (the coherence): bars of a 1D barcode all point one way, so a crop can be
turned until they stand upright, the direction both libraries scan best.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

log = logging.getLogger(__name__)

GrayImage = npt.NDArray[np.uint8]

#: Width of the small copy the search runs on.
WORK_WIDTH = 320
#: Regions smaller than this share of the frame are ignored (a code that small has modules under a pixel).
MIN_AREA_SHARE = 0.004
#: Above this coherence a region is taken for a 1D barcode and its crop is turned upright.
LINEAR_COHERENCE = 0.5
#: Two barcode-like regions whose bars differ by no more than this may be halves of one barcode.
MERGE_MAX_TURN_DEG = 12.0


@dataclass(frozen=True, slots=True)
class Candidate:
    """A region that may hold a code, in frame pixel coordinates."""

    box: tuple[int, int, int, int]  # x0, y0, x1, y1 with a margin, clipped to the frame
    angle_deg: float  # turning the crop by this much makes the dominant edges vertical bars
    coherence: float  # 0 (edges in every direction, like a QR code or text) .. 1 (parallel bars)
    score: float

    @property
    def looks_linear(self) -> bool:
        """True when the region's edges are mostly parallel, as in a 1D barcode."""
        return self.coherence >= LINEAR_COHERENCE


def find_candidates(gray: GrayImage, max_candidates: int = 4, margin: float = 0.25) -> list[Candidate]:
    """The most code-like regions of `gray`, best first."""
    height, width = gray.shape
    factor = width / WORK_WIDTH if width > WORK_WIDTH else 1.0
    small = cv2.resize(gray, (round(width / factor), round(height / factor)), interpolation=cv2.INTER_AREA)
    gx = cv2.Sobel(small, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(small, cv2.CV_32F, 0, 1, ksize=3)
    window = (7, 7)
    jxx = cv2.blur(gx * gx, window)
    jyy = cv2.blur(gy * gy, window)
    jxy = cv2.blur(gx * gy, window)
    magnitude = np.sqrt(jxx + jyy)
    peak = float(magnitude.max())
    if peak <= 1e-3:
        return []
    scaled = cv2.convertScaleAbs(magnitude, alpha=255.0 / peak)
    _, mask = cv2.threshold(scaled, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    mask = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (9, 9)))
    mask = cv2.morphologyEx(mask, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (5, 5)))
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    min_area = MIN_AREA_SHARE * small.size
    regions: list[_Region] = []
    for contour in contours:
        area = cv2.contourArea(contour)
        if area < min_area:
            continue
        x, y, w, h = cv2.boundingRect(contour)
        inside = mask[y : y + h, x : x + w] > 0
        sums = (
            float(jxx[y : y + h, x : x + w][inside].sum()),
            float(jyy[y : y + h, x : x + w][inside].sum()),
            float(jxy[y : y + h, x : x + w][inside].sum()),
        )
        score = area * float(magnitude[y : y + h, x : x + w][inside].mean())
        regions.append(_Region((x, y, x + w, y + h), sums, score))
    regions = _merge_split_barcodes(regions)
    found = [r.candidate(factor, margin, width, height) for r in regions]
    found.sort(key=lambda c: -c.score)
    log.debug("%d candidate regions", len(found))
    return found[:max_candidates]


@dataclass(slots=True)
class _Region:
    """A region on the small copy: its box, its summed structure tensor (xx, yy, xy) and its score."""

    rect: tuple[int, int, int, int]
    tensor: tuple[float, float, float]
    score: float

    @property
    def coherence(self) -> float:
        sxx, syy, sxy = self.tensor
        return math.sqrt((sxx - syy) ** 2 + 4.0 * sxy**2) / (sxx + syy + 1e-6)

    @property
    def angle_deg(self) -> float:
        """Dominant gradient direction; the bars are perpendicular to it."""
        sxx, syy, sxy = self.tensor
        return 0.5 * math.degrees(math.atan2(2.0 * sxy, sxx - syy))

    def candidate(self, factor: float, margin: float, width: int, height: int) -> Candidate:
        x0, y0, x1, y1 = self.rect
        rect = (x0 * factor, y0 * factor, (x1 - x0) * factor, (y1 - y0) * factor)
        return Candidate(_grow(rect, margin, width, height), self.angle_deg, self.coherence, self.score)


def _merge_split_barcodes(regions: list[_Region]) -> list[_Region]:
    """Join neighbouring barcode-like regions with the same bar direction.

    Glare or a fold can wash out the middle of a barcode, and the edge map then shows two half-barcodes;
    neither half decodes, their union does.
    """
    merged = True
    while merged:
        merged = False
        for i, a in enumerate(regions):
            if a.coherence < LINEAR_COHERENCE:
                continue
            for j in range(i + 1, len(regions)):
                b = regions[j]
                turn = abs(a.angle_deg - b.angle_deg) % 180.0
                if b.coherence < LINEAR_COHERENCE or min(turn, 180.0 - turn) > MERGE_MAX_TURN_DEG:
                    continue
                if not _near(a.rect, b.rect):
                    continue
                rect = (min(a.rect[0], b.rect[0]), min(a.rect[1], b.rect[1]),
                        max(a.rect[2], b.rect[2]), max(a.rect[3], b.rect[3]))
                tensor = (a.tensor[0] + b.tensor[0], a.tensor[1] + b.tensor[1], a.tensor[2] + b.tensor[2])
                regions[i] = _Region(rect, tensor, a.score + b.score)
                del regions[j]
                merged = True
                break
            if merged:
                break
    return regions


def _near(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> bool:
    """Whether two boxes touch once each is grown by a fifth of its size."""
    ga = _grow((a[0], a[1], a[2] - a[0], a[3] - a[1]), 0.2, 1 << 30, 1 << 30, 2.0)
    gb = _grow((b[0], b[1], b[2] - b[0], b[3] - b[1]), 0.2, 1 << 30, 1 << 30, 2.0)
    return ga[0] <= gb[2] and gb[0] <= ga[2] and ga[1] <= gb[3] and gb[1] <= ga[3]


def _grow(
    rect: tuple[float, float, float, float], margin: float, width: int, height: int, min_pad: float = 12.0
) -> tuple[int, int, int, int]:
    """The box (x0, y0, x1, y1) of `rect` (x, y, w, h) grown by `margin` of its size, clipped."""
    x, y, w, h = rect
    dx, dy = max(w * margin, min_pad), max(h * margin, min_pad)
    return (
        max(0, int(x - dx)),
        max(0, int(y - dy)),
        min(width, int(math.ceil(x + w + dx))),
        min(height, int(math.ceil(y + h + dy))),
    )
