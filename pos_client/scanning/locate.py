"""Find the places in a frame that may hold a code, cheaply, before any costly clean-up.

Enhancing a whole 1280x720 frame and decoding it again takes tens of milliseconds; enhancing a 300x300 crop
takes one or two. So when the quick whole-frame read fails, the pipeline asks this module where the codes
might be: regions dense in strong edges (the modules of a QR code, the bars of a barcode), found on a small
copy of the frame with a gradient structure tensor. For each region it also reports the dominant edge
direction and how consistent it is (the coherence): bars of a 1D barcode all point one way, so its crop can
be turned until they stand upright, the direction both libraries scan best (and ZBar then only needs to
scan rows).
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from typing import Any
from itertools import zip_longest

import cv2
import numpy as np
import numpy.typing as npt

from pos_client.scanning.result import Point

log = logging.getLogger(__name__)

GrayImage = npt.NDArray[np.uint8]
Points = npt.NDArray[np.float32]  # N x 2

#: Width of the small copy the search runs on.
WORK_WIDTH = 320
#: Regions smaller than this share of the frame are ignored (a code that small has modules under a pixel).
MIN_AREA_SHARE = 0.004
#: Above this coherence a region is taken for a 1D barcode and its crop is turned upright.
LINEAR_COHERENCE = 0.5
#: Pixels whose edges are this parallel (and strong) are looked at as a barcode of their own.
BAR_COHERENCE = 0.75
#: Two barcode-like regions whose bars differ by no more than this may be halves of one barcode.
MERGE_MAX_TURN_DEG = 12.0


@dataclass(frozen=True, slots=True)
class Candidate:
    """A region that may hold a code, in frame pixel coordinates."""

    corners: tuple[Point, ...]  # outline of the region (its minimum-area rectangle)
    angle_deg: float  # dominant gradient direction; turning by this much makes bars vertical
    coherence: float  # 0 (edges in every direction, like a QR code or text) .. 1 (parallel bars)
    score: float

    @property
    def looks_linear(self) -> bool:
        """True when the region's edges are mostly parallel, as in a 1D barcode."""
        return self.coherence >= LINEAR_COHERENCE

    @property
    def deskew_deg(self) -> float:
        """The turn to apply to the crop: bars upright for a barcode, none for anything else."""
        return self.angle_deg if self.looks_linear and abs(self.angle_deg) > 8.0 else 0.0


@dataclass(slots=True)
class _Region:
    """A region on the small copy: its outline points, summed structure tensor (xx, yy, xy) and score."""

    points: Points
    tensor: tuple[float, float, float]
    score: float

    @property
    def coherence(self) -> float:
        sxx, syy, sxy = self.tensor
        return math.sqrt((sxx - syy) ** 2 + 4.0 * sxy**2) / (sxx + syy + 1e-6)

    @property
    def angle_deg(self) -> float:
        sxx, syy, sxy = self.tensor
        return 0.5 * math.degrees(math.atan2(2.0 * sxy, sxx - syy))

    def bounds(self) -> tuple[float, float, float, float]:
        x0, y0 = self.points.min(axis=0)
        x1, y1 = self.points.max(axis=0)
        return float(x0), float(y0), float(x1), float(y1)

    def candidate(self, factor: float) -> Candidate:
        box = cv2.boxPoints(cv2.minAreaRect(self.points)) * factor
        corners = tuple((float(x), float(y)) for x, y in box)
        return Candidate(corners, self.angle_deg, self.coherence, self.score)


def _shrink(gray: GrayImage, factor: float) -> npt.NDArray[Any]:
    """`gray` made `factor` times smaller (area averaging)."""
    height, width = gray.shape
    return cv2.resize(gray, (round(width / factor), round(height / factor)), interpolation=cv2.INTER_AREA)


Tensor = npt.NDArray[np.float32]


def _edges(img: npt.NDArray[Any], window: tuple[int, int]) \
        -> tuple[Tensor, Tensor, Tensor, Tensor, npt.NDArray[Any]] | None:
    """The structure tensor of `img` blurred over `window` (jxx, jyy, jxy), its edge magnitude, and the strong
    edges (Otsu's threshold on the magnitude); None for a flat image. Both region searches start here."""
    gx = np.asarray(cv2.Sobel(img, cv2.CV_32F, 1, 0, ksize=3), dtype=np.float32)
    gy = np.asarray(cv2.Sobel(img, cv2.CV_32F, 0, 1, ksize=3), dtype=np.float32)
    jxx = np.asarray(cv2.blur(np.multiply(gx, gx), window), dtype=np.float32)
    jyy = np.asarray(cv2.blur(np.multiply(gy, gy), window), dtype=np.float32)
    jxy = np.asarray(cv2.blur(np.multiply(gx, gy), window), dtype=np.float32)
    magnitude = np.sqrt(jxx + jyy)
    peak = float(magnitude.max())
    if peak <= 1e-3:
        return None
    scaled = cv2.convertScaleAbs(magnitude, alpha=255.0 / peak)
    _, strong = cv2.threshold(scaled, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    return jxx, jyy, jxy, magnitude, strong


def find_candidates(gray: GrayImage, max_candidates: int = 4) -> list[Candidate]:
    """The most code-like regions of `gray`, best first."""
    width = gray.shape[1]
    factor = width / WORK_WIDTH if width > WORK_WIDTH else 1.0
    small = _shrink(gray, factor)
    tensor = _edges(small, (7, 7))
    if tensor is None:
        return []
    jxx, jyy, jxy, magnitude, mask = tensor
    mask = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (9, 9)))
    mask = cv2.morphologyEx(mask, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (5, 5)))
    contours = list(cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)[0])
    min_area = MIN_AREA_SHARE * small.size
    regions: list[_Region] = []
    for contour in contours:
        area = cv2.contourArea(contour)
        if area < min_area:
            continue
        regions.append(_region(contour, mask, jxx, jyy, jxy, magnitude))
    regions = _merge_split_barcodes(regions)
    regions.sort(key=lambda r: -r.score)
    bars = sorted(_bar_regions(gray, factor, min_area), key=lambda r: -r.score)
    # Interleaved, so the first few crops hold both the strongest regions and the barcodes inside them.
    chosen: list[_Region] = []
    for pair in zip_longest(regions, bars):
        chosen.extend(r for r in pair if r is not None)
    log.debug("%d candidate regions (%d barcode-like)", len(chosen), len(bars))
    return [r.candidate(factor) for r in chosen[:max_candidates]]


def _bar_regions(gray: GrayImage, factor: float, min_area: float) -> list[_Region]:
    """Barcodes inside a busier region (the bars of a member card beside its text and its QR code).

    Found where the edges are strong *and* parallel, on a copy twice as fine as the main search's: there a
    webcam's 1.5-pixel bars are still resolved (on the coarse copy only a barcode's outline shows). Their own
    regions let the crop be turned upright. Returned in the coordinates of the main search's copy.
    """
    fine_factor = max(1.0, factor / 2.0)
    fine = gray if fine_factor == 1.0 else _shrink(gray, fine_factor)
    tensor = _edges(fine, (9, 9))
    if tensor is None:
        return []
    jxx, jyy, jxy, magnitude, strong = tensor
    coherence = np.sqrt((jxx - jyy) ** 2 + 4.0 * jxy**2) / (jxx + jyy + 1e-6)
    bars: npt.NDArray[Any] = np.where((strong > 0) & (coherence > BAR_COHERENCE), 255, 0).astype(np.uint8)
    bars = cv2.morphologyEx(bars, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (9, 9)))
    bars = cv2.morphologyEx(bars, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (7, 7)))
    back = fine_factor / factor  # fine copy -> main copy
    regions: list[_Region] = []
    for contour in cv2.findContours(bars, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)[0]:
        if cv2.contourArea(contour) * back * back < min_area:
            continue
        region = _region(contour, bars, jxx, jyy, jxy, magnitude)
        if region.coherence >= LINEAR_COHERENCE:
            region.points = region.points * np.float32(back)
            regions.append(region)
    return regions


def _region(contour: npt.NDArray[Any], mask: npt.NDArray[Any], jxx: npt.NDArray[np.float32],
            jyy: npt.NDArray[np.float32], jxy: npt.NDArray[np.float32],
            magnitude: npt.NDArray[np.float32]) -> _Region:
    """The region inside `contour`: its summed structure tensor and its score (area times edge strength)."""
    x, y, w, h = cv2.boundingRect(contour)
    inside = mask[y : y + h, x : x + w] > 0
    if not inside.any():
        inside = np.ones((h, w), bool)
    tensor = (
        float(jxx[y : y + h, x : x + w][inside].sum()),
        float(jyy[y : y + h, x : x + w][inside].sum()),
        float(jxy[y : y + h, x : x + w][inside].sum()),
    )
    score = float(cv2.contourArea(contour)) * float(magnitude[y : y + h, x : x + w][inside].mean())
    return _Region(contour.reshape(-1, 2).astype(np.float32), tensor, score)


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
                if not _near(a.bounds(), b.bounds()):
                    continue
                tensor = (a.tensor[0] + b.tensor[0], a.tensor[1] + b.tensor[1], a.tensor[2] + b.tensor[2])
                regions[i] = _Region(np.vstack([a.points, b.points]), tensor, a.score + b.score)
                del regions[j]
                merged = True
                break
            if merged:
                break
    return regions


def _near(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    """Whether two boxes (x0, y0, x1, y1) touch once each is grown by a fifth of its size."""
    ax, ay = 0.2 * (a[2] - a[0]) + 2.0, 0.2 * (a[3] - a[1]) + 2.0
    bx, by = 0.2 * (b[2] - b[0]) + 2.0, 0.2 * (b[3] - b[1]) + 2.0
    return a[0] - ax <= b[2] + bx and b[0] - bx <= a[2] + ax and a[1] - ay <= b[3] + by and b[1] - by <= a[3] + ay
