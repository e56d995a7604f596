"""The frame-decoding pipeline: from a webcam frame to the codes it shows, fast and never wrong.

Measured on the sample frames (docs/scanning.md), no single decoder is good enough: plain ZBar misses a quarter
of the codes and is slow on a whole frame; zxing-cpp is fast but misses codes that are glared, turned, small
or smeared. So the pipeline is a cascade that stops at the first success, within a time budget:

1. zxing-cpp on the whole grayscale frame, scaled down to at most 640 pixels wide (1-3 ms; it reads about
   four codes in five).
2. If that finds nothing, `locate.py` picks the few regions that look like codes; each is cropped, turned
   upright if it looks like a barcode, and scaled so its modules span a few pixels.
3. On those crops: zxing-cpp on the plain crop, then on enhanced ones (adaptive threshold; glare flattened
   and sharpened; motion blur divided out, `deblur.py`; strongly sharpened; equalised), and ZBar, scanning
   rows only, on barcode-like crops. The budget (by frame size: 12 ms for 640x480, 20 ms for 1280x720) is
   checked before every step against the step's expected cost, so an empty frame costs about the budget
   and a camera never falls behind.

A wrong payload is worse than a miss (a wrong card number credits a stranger's card), so:
- a read is kept only if it passes `payload.is_plausible` (EAN-13 check digit, Code 128 printable ASCII,
  text without control characters);
- a QR code, protected by Reed-Solomon error correction, is taken on one read;
- a Code 128 read must be confirmed by ZBar reading the same payload (the pipeline asks ZBar straight away,
  on the same image) or by zxing-cpp on a differently enhanced image;
- an EAN-13 read must be confirmed by the other library: its one check digit lets about one misread in ten
  through, and zxing-cpp was seen misreading the same blurred EAN-13 identically on two enhancements;
- a different payload of the same kind read at the same place raises the bar for both.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import cv2
import numpy as np
import numpy.typing as npt

from pos_client.scanning import deblur, enhance
from pos_client.scanning.enhance import GrayImage, View
from pos_client.scanning.locate import Candidate, find_candidates
from pos_client.scanning.payload import is_plausible
from pos_client.scanning.readers import Library, RawRead, read_zbar, read_zxing
from pos_client.scanning.result import SYMBOLOGIES, Decoded, Point, Symbology

log = logging.getLogger(__name__)

Clock = Callable[[], float]

#: The first pass reads the frame scaled down to at most this width (zxing-cpp also tries smaller scales).
FIRST_PASS_WIDTH = 640
#: Crops are scaled so their longer side is near this many pixels.
CROP_SIDE = 360
#: zxing-cpp costs about this many ms per megapixel of crop; ZBar this many, or that many on every other row.
ZXING_MS_PER_MPX = 8.0
ZBAR_MS_PER_MPX = 25.0
ZBAR_ROWS_MS_PER_MPX = 8.0
#: Motion deblurring (cepstrum and Wiener filter) costs about this much more per megapixel.
DEBLUR_MS_PER_MPX = 30.0
#: Longer side of the crops deblurring works on (they are shrunk to it, never enlarged).
NATIVE_SIDE = 400


def default_budget_ms(width: int, height: int) -> float:
    """The time a frame may take: 12 ms for 640x480, 20 ms for 1280x720, in proportion between."""
    megapixels = width * height / 1e6
    return min(30.0, 8.0 + 13.0 * megapixels)


@dataclass(frozen=True, slots=True)
class CropStep:
    """One attempt on candidate crops: an enhancement (None: the plain crop), a library, how many crops."""

    family: str  # enhancements of one family may err alike, so they do not confirm each other
    enhance: Callable[[GrayImage], GrayImage] | None
    library: Library
    max_rank: int
    native: bool = False  # work on the crop at (at most) its size in the frame, never enlarged
    extra_ms_per_mpx: float = 0.0  # the enhancement's own cost, when it is not negligible

    def cost_ms(self, view: View, linear: bool) -> float:
        """Expected time on `view`; on a barcode-like crop, with the other library's confirming read."""
        rate = _rate(self.library, linear) + self.extra_ms_per_mpx
        if linear:
            rate += _rate("zbar" if self.library == "zxing" else "zxing", linear)
        return rate * view.image.size / 1e6


def _rate(library: Library, linear: bool) -> float:
    if library == "zxing":
        return ZXING_MS_PER_MPX
    return ZBAR_ROWS_MS_PER_MPX if linear else ZBAR_MS_PER_MPX


#: The cascade on crops, most productive per millisecond first (chosen on the benchmark, see docs).
CROP_STEPS: tuple[CropStep, ...] = (
    CropStep("plain", None, "zxing", 3),
    CropStep("binarize", enhance.binarize, "zxing", 2, extra_ms_per_mpx=6.0),
    CropStep("flatten", enhance.flatten_sharpen, "zxing", 2, extra_ms_per_mpx=8.0),
    CropStep("deblur", deblur.remove_motion_blur, "zxing", 1, native=True, extra_ms_per_mpx=DEBLUR_MS_PER_MPX),
    CropStep("sharpen", enhance.strong_sharpen, "zxing", 2, extra_ms_per_mpx=4.0),
    CropStep("flatten", enhance.flatten, "zbar", 1, extra_ms_per_mpx=4.0),
    CropStep("equalize", enhance.equalize, "zxing", 1, extra_ms_per_mpx=2.0),
)


@dataclass(slots=True)
class _Support:
    views: set[str] = field(default_factory=set)
    libraries: set[Library] = field(default_factory=set)
    zxing_families: set[str] = field(default_factory=set)
    quad: tuple[Point, ...] = ()


@dataclass(slots=True)
class _Evidence:
    """Every plausible read of one frame, and the rules that turn them into accepted codes."""

    reads: dict[tuple[Symbology, str], _Support] = field(default_factory=dict)

    def add(self, reads: list[RawRead], family: str, view: View) -> None:
        for read in reads:
            if not is_plausible(read.symbology, read.payload):
                log.debug("implausible %s read dropped (%s/%s)", read.symbology, family, read.library)
                continue
            support = self.reads.setdefault((read.symbology, read.payload), _Support())
            support.views.add(f"{family}/{read.library}")
            support.libraries.add(read.library)
            if read.library == "zxing":
                support.zxing_families.add(family)
            if not support.quad:
                support.quad = view.to_frame(read.points)

    def unconfirmed_linear(self) -> set[Symbology]:
        """1D symbologies read but not accepted yet (ask the other library to confirm)."""
        accepted = {(c.symbology, c.payload) for c in self.accepted()}
        return {sym for sym, pay in self.reads if sym != "qr" and (sym, pay) not in accepted}

    def accepted(self) -> list[Decoded]:
        codes: list[Decoded] = []
        for (symbology, payload), support in self.reads.items():
            if symbology == "qr" or self._confirmed(symbology, payload, support):
                codes.append(Decoded(symbology, payload, support.quad))
        return codes

    def _confirmed(self, symbology: Symbology, payload: str, support: _Support) -> bool:
        rivals = [
            len(other.views)
            for (sym, pay), other in self.reads.items()
            if sym == symbology and pay != payload and _overlap(support.quad, other.quad)
        ]
        if rivals:
            return len(support.libraries) == 2 and len(support.views) >= max(rivals) + 2
        if symbology == "ean13":  # a weak check digit: misreads that pass it do happen, so both libraries
            return len(support.libraries) == 2
        return len(support.libraries) == 2 or len(support.zxing_families) >= 2


def _overlap(a: tuple[Point, ...], b: tuple[Point, ...]) -> bool:
    """Whether two quads' bounding boxes intersect (unknown corners count as overlapping)."""
    if not a or not b:
        return True
    ax, ay = zip(*a, strict=True)
    bx, by = zip(*b, strict=True)
    return bool(min(ax) <= max(bx) and min(bx) <= max(ax) and min(ay) <= max(by) and min(by) <= max(ay))


def _zbar(image: GrayImage, symbologies: tuple[Symbology, ...], linear: bool) -> list[RawRead]:
    """ZBar; on a crop turned so its bars stand upright, 1D symbologies on every other row (4x faster)."""
    if linear:
        symbologies = tuple(s for s in symbologies if s != "qr")
    if not symbologies:
        return []
    return read_zbar(image, symbologies, scan_columns=not linear, row_step=2 if linear else 1)


def decode_frame(
    frame: npt.NDArray[np.generic],
    *,
    symbologies: tuple[Symbology, ...] = SYMBOLOGIES,
    budget_ms: float | None = None,
    max_candidates: int = 3,
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
    first = _first_pass_view(gray)
    evidence.add(read_zxing(first.image, symbologies, try_rotate=False, try_downscale=False), "plain", first)
    codes = evidence.accepted()
    if codes:
        return codes

    candidates = find_candidates(gray, max_candidates)
    views: dict[tuple[int, bool], View] = {}
    slowness = 1.0  # how much slower than expected steps ran on this frame (a busy machine)
    for step in CROP_STEPS:
        for rank, candidate in enumerate(candidates[: step.max_rank]):
            if step.library == "zbar" and not candidate.looks_linear:
                continue  # ZBar reads no QR code that zxing-cpp missed on the sample frames
            view = views.get((rank, step.native))
            if view is None:
                view = views[rank, step.native] = _crop(gray, candidate, step.native)
            expected = step.cost_ms(view, candidate.looks_linear)
            began = clock()
            spare = budget - (began - start) * 1000.0 - expected * slowness
            if spare < 0:
                log.debug("no time left for %s on region %d", step.family, rank)
                continue
            codes = _try(step, view, candidate, symbologies, evidence, spare)
            slowness = min(4.0, max(slowness, (clock() - began) * 1000.0 / max(expected, 0.05)))
            if codes:
                log.debug("decoded by %s/%s on region %d", step.family, step.library, rank)
                return codes
    return evidence.accepted()


def _try(
    step: CropStep,
    view: View,
    candidate: Candidate,
    symbologies: tuple[Symbology, ...],
    evidence: _Evidence,
    spare_ms: float,
) -> list[Decoded]:
    """Run one step on one crop; if a 1D read awaits confirmation, ask the other library at once."""
    image = view.image if step.enhance is None else step.enhance(view.image)
    enhanced = View(image, view.to_view)
    if step.library == "zxing":
        reads = read_zxing(image, symbologies, try_rotate=False, try_downscale=False)
    else:
        reads = _zbar(image, symbologies, candidate.looks_linear)
    evidence.add(reads, step.family, enhanced)
    codes = evidence.accepted()
    pending = tuple(s for s in symbologies if s in evidence.unconfirmed_linear())
    other: Library = "zbar" if step.library == "zxing" else "zxing"
    if codes or not pending or not (reads or candidate.looks_linear):
        return codes
    if _rate(other, candidate.looks_linear) * image.size / 1e6 > spare_ms:
        return codes
    if other == "zbar":
        others = _zbar(image, pending, candidate.looks_linear)
    else:
        others = read_zxing(image, pending, try_rotate=False, try_downscale=False)
    evidence.add(others, step.family, enhanced)
    return evidence.accepted()


def _crop(gray: GrayImage, candidate: Candidate, native: bool) -> View:
    if native:
        return enhance.region(gray, candidate.corners, candidate.deskew_deg, NATIVE_SIDE, min_scale=0.3, max_scale=1.0)
    return enhance.region(gray, candidate.corners, candidate.deskew_deg, CROP_SIDE)


def _first_pass_view(gray: GrayImage) -> View:
    height, width = gray.shape
    if width <= FIRST_PASS_WIDTH:
        return enhance.whole(gray)
    scale = FIRST_PASS_WIDTH / width
    size = (FIRST_PASS_WIDTH, max(1, round(height * scale)))
    image = np.asarray(cv2.resize(gray, size, interpolation=cv2.INTER_AREA), dtype=np.uint8)
    return View(image, np.array([[size[0] / width, 0.0, 0.0], [0.0, size[1] / height, 0.0]]))
