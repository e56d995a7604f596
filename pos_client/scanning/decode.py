"""The frame-decoding pipeline: from a webcam frame to the codes it shows, fast and never wrong.

Measured on the sample frames (docs/scanning.md), no single decoder is good enough: plain ZBar misses a quarter
of the codes and is slow on a whole frame; zxing-cpp is fast but misses codes that are glared, turned or soft.
So the pipeline is a cascade that stops at the first success and within a time budget:

1. zxing-cpp on the whole grayscale frame (a few milliseconds; reads most codes).
2. If that finds nothing, `locate.py` picks the few regions that look like codes, and each is cropped,
   turned upright if it looks like a barcode, and scaled so its modules span a few pixels.
3. On those crops, cheap before dear: zxing-cpp on the plain crop, then on enhanced crops (glare flattened,
   sharpened, equalised), then ZBar, whose line scanner reads some glared and soft barcodes zxing misses.
   The budget (by frame size, ~12 ms for 640x480) is checked before every step, so an empty frame costs
   the same as a hard one and a camera stream never falls behind.

Wrong payloads are worse than misses (a wrong card number credits a stranger), so a read is kept only if it
passes `payload.is_plausible` (EAN-13 checksum, Code 128 printable ASCII, valid text), and a 1D read made on
an enhanced image, or by ZBar, must be confirmed by a second view or library reading the same payload. A
QR code carries its own Reed-Solomon error correction and is taken on one read.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from pos_client.scanning import enhance
from pos_client.scanning.enhance import GrayImage, View
from pos_client.scanning.locate import Candidate, find_candidates
from pos_client.scanning.payload import is_plausible
from pos_client.scanning.readers import Library, RawRead, read_zbar, read_zxing
from pos_client.scanning.result import SYMBOLOGIES, Decoded, Point, Symbology

log = logging.getLogger(__name__)

Clock = Callable[[], float]

#: Crops are scaled so their longer side is near this many pixels.
CROP_SIDE = 360


def default_budget_ms(width: int, height: int) -> float:
    """The time a frame may take: 12 ms for 640x480, 20 ms for 1280x720, in proportion between."""
    megapixels = width * height / 1e6
    return min(30.0, 8.0 + 13.0 * megapixels)


@dataclass(frozen=True, slots=True)
class CropStep:
    """One attempt on a candidate crop: an enhancement, a library, and how far down the candidates it goes."""

    name: str
    enhance: Callable[[GrayImage], GrayImage] | None
    library: Library
    max_rank: int
    ms_per_mpx: float  # rough cost, to skip a step that would overrun the budget

    @property
    def trusted(self) -> bool:
        """A 1D read here stands on its own: zxing-cpp on the plain crop (it already needs two scan lines)."""
        return self.enhance is None and self.library == "zxing"


#: The cascade on crops, cheapest and most productive first (order chosen on the benchmark, see docs).
CROP_STEPS: tuple[CropStep, ...] = (
    CropStep("plain/zxing", None, "zxing", 4, 6.0),
    CropStep("flatten/zxing", enhance.flatten, "zxing", 3, 10.0),
    CropStep("sharpen/zxing", enhance.sharpen, "zxing", 3, 10.0),
    CropStep("equalize/zxing", enhance.equalize, "zxing", 2, 10.0),
    CropStep("plain/zbar", None, "zbar", 2, 30.0),
    CropStep("strong_sharpen/zxing", enhance.strong_sharpen, "zxing", 2, 15.0),
    CropStep("flatten/zbar", enhance.flatten, "zbar", 1, 35.0),
    CropStep("sharpen/zbar", enhance.sharpen, "zbar", 1, 35.0),
    CropStep("binarize/zbar", enhance.binarize, "zbar", 1, 35.0),
)


@dataclass(slots=True)
class _Support:
    views: set[str] = field(default_factory=set)
    trusted: bool = False
    quad: tuple[Point, ...] = ()


@dataclass(slots=True)
class _Evidence:
    """Every plausible read of one frame, and the rules that turn them into accepted codes."""

    reads: dict[tuple[Symbology, str], _Support] = field(default_factory=dict)

    def add(self, read: RawRead, view_name: str, view: View, trusted: bool) -> None:
        if not is_plausible(read.symbology, read.payload):
            log.debug("implausible %s read dropped (%s)", read.symbology, view_name)
            return
        support = self.reads.setdefault((read.symbology, read.payload), _Support())
        support.views.add(f"{view_name}/{read.library}")
        support.trusted = support.trusted or trusted
        if not support.quad:
            support.quad = view.to_frame(read.points)

    def accepted(self) -> list[Decoded]:
        codes: list[Decoded] = []
        for (symbology, payload), support in self.reads.items():
            if symbology == "qr":
                codes.append(Decoded(symbology, payload, support.quad))
                continue
            strength = len(support.views) + (1 if support.trusted else 0)
            rivals = [
                len(other.views)
                for (sym, pay), other in self.reads.items()
                if sym == symbology and pay != payload and _overlap(support.quad, other.quad)
            ]
            needed = 2 + (max(rivals) if rivals else 0)
            if strength >= needed:
                codes.append(Decoded(symbology, payload, support.quad))
        return codes


def _overlap(a: tuple[Point, ...], b: tuple[Point, ...]) -> bool:
    """Whether two quads' bounding boxes intersect (unknown corners count as overlapping)."""
    if not a or not b:
        return True
    ax, ay = zip(*a, strict=True)
    bx, by = zip(*b, strict=True)
    return min(ax) <= max(bx) and min(bx) <= max(ax) and min(ay) <= max(by) and min(by) <= max(ay)


def _read(view: View, library: Library, symbologies: tuple[Symbology, ...], *, whole: bool) -> list[RawRead]:
    if library == "zxing":
        return read_zxing(view.image, symbologies, try_rotate=whole, try_downscale=whole)
    return read_zbar(view.image, symbologies)


def decode_frame(
    frame: npt.NDArray[np.generic],
    *,
    symbologies: tuple[Symbology, ...] = SYMBOLOGIES,
    budget_ms: float | None = None,
    max_candidates: int = 4,
    clock: Clock = time.perf_counter,
) -> list[Decoded]:
    """The codes in `frame` (BGR, BGRA or grayscale), with their corners in frame coordinates.

    Returns an empty list when nothing could be read within `budget_ms` (default: `default_budget_ms`).
    Never raises on image content; a frame that is not an image array raises ValueError.
    """
    start = clock()
    gray = enhance.to_gray(frame)
    height, width = gray.shape
    if height < 8 or width < 8:
        return []
    budget = default_budget_ms(width, height) if budget_ms is None else budget_ms
    evidence = _Evidence()
    full = enhance.whole(gray)
    for read in _read(full, "zxing", symbologies, whole=True):
        evidence.add(read, "frame", full, trusted=True)
    codes = evidence.accepted()
    if codes:
        return codes

    candidates = find_candidates(gray, max_candidates)
    views: dict[int, View] = {}
    for step in CROP_STEPS:
        for rank, candidate in enumerate(candidates[: step.max_rank]):
            view = views.get(rank)
            if view is None:
                view = views[rank] = _crop(gray, candidate)
            elapsed = (clock() - start) * 1000.0
            estimate = step.ms_per_mpx * view.image.size / 1e6
            if elapsed + estimate > budget:
                log.debug("budget spent after %.1f ms, before %s on region %d", elapsed, step.name, rank)
                return evidence.accepted()
            image = view.image if step.enhance is None else step.enhance(view.image)
            for read in _read(View(image, view.to_view), step.library, symbologies, whole=False):
                evidence.add(read, f"{step.name}#{rank}", view, trusted=step.trusted)
            codes = evidence.accepted()
            if codes:
                log.debug("decoded by %s on region %d", step.name, rank)
                return codes
    return evidence.accepted()


def _crop(gray: GrayImage, candidate: Candidate) -> View:
    angle = candidate.angle_deg if candidate.looks_linear and abs(candidate.angle_deg) > 8.0 else 0.0
    return enhance.region(gray, candidate.box, angle, CROP_SIDE)
