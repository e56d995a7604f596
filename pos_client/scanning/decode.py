"""The frame-decoding cascade: from a picture to every code it shows, never a wrong one, in stages of work.

No single decoder is good enough (docs/scanning.md): zxing-cpp is fast and reads most codes on the whole
frame; ZBar reads EAN-13s and Code 128s zxing-cpp misses, and is the independent second opinion 1D codes
need; turned codes need rotation; glared, soft, dark or smeared codes need a cleaned-up crop. So decoding is
a fixed list of **stages**, each a bounded piece of work (a few milliseconds at 640x480), most productive
first:

0. `zxing`: zxing-cpp on the whole frame (scaled to at most 640 px wide); a 1D read is at once put to ZBar on
   a deskewed crop around it (whole-frame ZBar confirmation without scanning the whole frame).
1. `zbar-rows`, 2. `zbar-cols`: ZBar's 1D decoders over every other row, then every other column, of the
   whole frame (together: any barcode turned up to about 45 degrees either way, and its 90-degree turn); a
   read is put to zxing-cpp on a deskewed crop around it.
3. `zxing-rotate`: zxing-cpp with its rotations and image pyramid on the whole frame.
4. `locate`: the candidate regions of `locate.py` (reads nothing itself; its own stage so that the live camera
   never pays for it on top of another stage);
5. on those regions (cropped, barcodes turned upright, scaled): zxing-cpp on the plain crop, 6. on an adaptive
   threshold, 7. on a glare-flattened and sharpened crop;
8. `zbar-qr`: ZBar's QR decoder on the whole frame;
9. zxing-cpp on a motion-deblurred crop, 10. on a strongly sharpened one, 11. ZBar on a flattened barcode
   crop, 12. zxing-cpp on a CLAHE-equalised crop.

Every read goes into one `Evidence` (evidence.py holds the acceptance rules: zero wrong payloads is the law).
Nothing here looks at a clock: `decode_frame` (the CLI, the bench) runs the stages until every code-like
region of the frame is explained by an accepted code, or the list ends; the live camera
(`live.LiveDecoder`) runs a fixed amount of the list per frame (stages' nominal costs against a budget) while
the scene stays still, so a card held still gets the whole cascade in about ten frames however busy the
machine is.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from dataclasses import dataclass, field

import cv2
import numpy as np
import numpy.typing as npt

from pos_client.scanning import deblur, enhance
from pos_client.scanning.enhance import GrayImage, View
from pos_client.scanning.evidence import Evidence, overlap
from pos_client.scanning.locate import Candidate, find_candidates
from pos_client.scanning.readers import Library, RawRead, read_zbar, read_zxing
from pos_client.scanning.result import SYMBOLOGIES, Decoded, Point, Symbology

log = logging.getLogger(__name__)

#: The whole-frame stages read the frame scaled down to at most this width.
FIRST_PASS_WIDTH = 640
#: Crops are scaled so their longer side is near this many pixels.
CROP_SIDE = 360
#: Longer side of the crops deblurring works on (they are shrunk to it, never enlarged).
NATIVE_SIDE = 400
#: How many candidate regions the crop stages look at.
MAX_CANDIDATES = 5


@dataclass(slots=True)
class Work:
    """One frame's decoding in progress: the picture, what was made of it so far, and the evidence."""

    gray: GrayImage
    symbologies: tuple[Symbology, ...]
    evidence: Evidence
    first: View
    _candidates: list[Candidate] | None = None
    views: dict[tuple[int, bool], View] = field(default_factory=dict)

    def candidates(self) -> list[Candidate]:
        """The code-like regions of the frame (found once, on first use)."""
        if self._candidates is None:
            self._candidates = find_candidates(self.gray, MAX_CANDIDATES)
        return self._candidates

    def found_candidates(self) -> list[Candidate] | None:
        """The regions if they were looked for on this frame (None if not yet)."""
        return self._candidates

    def reuse_candidates(self, candidates: list[Candidate] | None) -> None:
        """Take the regions found on an earlier frame of the same still scene (None: look again if needed)."""
        if self._candidates is None:
            self._candidates = candidates

    def crop(self, rank: int, native: bool) -> View:
        view = self.views.get((rank, native))
        if view is None:
            candidate = self.candidates()[rank]
            if native:
                view = enhance.region(self.gray, candidate.corners, candidate.deskew_deg, NATIVE_SIDE,
                                      min_scale=0.3, max_scale=1.0)
            else:
                view = enhance.region(self.gray, candidate.corners, candidate.deskew_deg, CROP_SIDE)
            self.views[rank, native] = view
        return view

    def linear(self) -> tuple[Symbology, ...]:
        return tuple(s for s in self.symbologies if s != "qr")


@dataclass(frozen=True, slots=True)
class Stage:
    """One bounded step of the cascade, and its nominal cost.

    `cost` is the stage's work at 640x480 in nominal units (about its p95 CPU milliseconds on the 2-core build
    machine, docs/scanning.md): a fixed number, never a measurement, so that which stages a live frame runs
    (`live.FRAME_WORK`) depends on the frames only, never on how busy the machine is.
    """

    name: str
    run: Callable[[Work], None]
    cost: float


def start(frame: npt.NDArray[np.generic], symbologies: tuple[Symbology, ...] = SYMBOLOGIES,
          evidence: Evidence | None = None) -> Work | None:
    """The work for `frame` (BGR, BGRA or grayscale); None for a frame too small to hold a code.

    A frame that is not an image array raises ValueError.
    """
    gray = enhance.to_gray(frame)
    height, width = gray.shape
    if height < 8 or width < 8:
        return None
    return Work(gray, symbologies, Evidence() if evidence is None else evidence, _first_pass_view(gray))


def explained(work: Work, *, locate: bool = True) -> bool:
    """Whether the frame is done: codes were accepted and every code-like region holds one of them.

    `locate=False` (the live camera): a frame whose regions were not looked for yet is not done; the search
    is a stage of its own there (`locate`), so that no frame pays for it on top of another stage.
    """
    codes = work.evidence.accepted()
    if not codes:
        return False
    if not locate and work.found_candidates() is None:
        return False
    for candidate in work.candidates():
        if not any(overlap(candidate.corners, code.quad) for code in codes):
            return False
    return True


@dataclass(frozen=True, slots=True)
class Outcome:
    """What `decode_detail` found, and after which stage each code was first accepted."""

    codes: list[Decoded]
    stages_run: int
    first_stage: dict[tuple[Symbology, str], int]


def decode_detail(frame: npt.NDArray[np.generic], *, symbologies: tuple[Symbology, ...] = SYMBOLOGIES,
                  stages: int | None = None) -> Outcome:
    """Run the cascade on one frame (at most `stages` stages) until the frame is explained."""
    work = start(frame, symbologies)
    if work is None:
        return Outcome([], 0, {})
    limit = len(STAGES) if stages is None else min(stages, len(STAGES))
    first: dict[tuple[Symbology, str], int] = {}
    run = 0
    for index in range(limit):
        STAGES[index].run(work)
        run = index + 1
        for code in work.evidence.accepted():
            first.setdefault((code.symbology, code.payload), index)
        if explained(work):
            break
    return Outcome(work.evidence.accepted(), run, first)


def decode_frame(frame: npt.NDArray[np.generic], *, symbologies: tuple[Symbology, ...] = SYMBOLOGIES,
                 stages: int | None = None) -> list[Decoded]:
    """Every code in `frame` (BGR, BGRA or grayscale), with its corners in frame coordinates.

    Runs the whole cascade unless the frame is explained earlier (`stages` limits it, for tests and
    benches). Never raises on image content; a frame that is not an image array raises ValueError.
    """
    return decode_detail(frame, symbologies=symbologies, stages=stages).codes


# -- the stages ------------------------------------------------------------------------------------------------

def _zxing_whole(work: Work) -> None:
    reads = read_zxing(work.first.image, work.symbologies, try_rotate=False, try_downscale=False)
    work.evidence.add(reads, "plain", work.first)
    _confirm_around(work, reads, "zbar")


def _zbar_rows(work: Work) -> None:
    _zbar_whole(work, row_step=2, column_step=0)


def _zbar_cols(work: Work) -> None:
    _zbar_whole(work, row_step=0, column_step=2)


def _zbar_whole(work: Work, row_step: int, column_step: int) -> None:
    if not work.linear():
        return
    reads = read_zbar(work.first.image, work.linear(), row_step=row_step, column_step=column_step)
    work.evidence.add(reads, "plain", work.first)
    _confirm_around(work, reads, "zxing")


def _zxing_rotate(work: Work) -> None:
    reads = read_zxing(work.first.image, work.symbologies, try_rotate=True, try_downscale=True)
    work.evidence.add(reads, "plain", work.first)  # the same picture, turned or scaled: one family
    _confirm_around(work, reads, "zbar")


def _locate(work: Work) -> None:
    """Look for the code-like regions the crop stages work on (`locate.py`); reads nothing by itself."""
    work.candidates()


def _zbar_qr(work: Work) -> None:
    if "qr" in work.symbologies:
        work.evidence.add(read_zbar(work.first.image, ("qr",)), "plain", work.first)


def _confirm_around(work: Work, reads: list[RawRead], library: Library) -> None:
    """Put each 1D read still awaiting confirmation to `library`, on a crop around it turned upright."""
    waiting = {key for key, _ in work.evidence.pending()}
    for read in reads:
        if (read.symbology, read.payload) not in waiting or len(read.points) < 2:
            continue
        frame_points = work.first.to_frame(read.points)
        if library == "zbar":  # zxing-cpp's quad runs along its scan line: turn the bars upright for ZBar
            view = _around(work.gray, frame_points)
            if view is None:
                continue
            others = read_zbar(view.image, (read.symbology,), row_step=1, column_step=0)
        else:  # ZBar's box has no direction: a square crop, and zxing-cpp's own rotations
            view = enhance.region(work.gray, _square(frame_points), 0.0, CROP_SIDE, margin=0.3)
            others = read_zxing(view.image, (read.symbology,), try_rotate=True, try_downscale=False)
        work.evidence.add(others, "plain", view)


def _square(quad: tuple[Point, ...]) -> tuple[Point, ...]:
    """The square around a quad's bounding box (a 1D code's box is as tall as the scan lines that read it)."""
    pts = np.asarray(quad, dtype=np.float64)
    (x0, y0), (x1, y1) = pts.min(axis=0), pts.max(axis=0)
    cx, cy, half = (x0 + x1) / 2, (y0 + y1) / 2, max(x1 - x0, y1 - y0, 16.0) / 2
    return ((cx - half, cy - half), (cx + half, cy - half), (cx + half, cy + half), (cx - half, cy + half))


def _around(gray: GrayImage, quad: tuple[Point, ...]) -> View | None:
    """A crop around a 1D read's quad (often a thin line along the scan), turned so its bars stand upright."""
    pts = np.asarray(quad, dtype=np.float64)
    (x0, y0), (x1, y1) = pts[0], pts[1]
    length = math.hypot(x1 - x0, y1 - y0)
    if length < 8:
        return None
    angle = math.degrees(math.atan2(y1 - y0, x1 - x0))
    centre = pts.mean(axis=0)
    ux, uy = (x1 - x0) / length, (y1 - y0) / length
    half_w, half_h = 0.62 * length, max(0.25 * length, 12.0)
    corners = tuple(
        (float(centre[0] + sx * half_w * ux - sy * half_h * uy), float(centre[1] + sx * half_w * uy + sy * half_h * ux))
        for sx, sy in ((-1, -1), (1, -1), (1, 1), (-1, 1))
    )
    return enhance.region(gray, corners, angle if abs(angle) > 2.0 else 0.0, CROP_SIDE, margin=0.05)


@dataclass(frozen=True, slots=True)
class CropStep:
    """An attempt on candidate crops: an enhancement (None: the plain crop), a library, how many crops."""

    family: str  # enhancements of one family may err alike, so they do not vote for each other
    enhance: Callable[[GrayImage], GrayImage] | None
    library: Library
    max_rank: int
    native: bool = False  # work on the crop at (at most) its size in the frame, never enlarged

    def regions(self, work: Work) -> list[int]:
        """The ranks of the regions this step would look at now: its first `max_rank`, ZBar's linear ones
        only, none that holds an accepted code already."""
        return [rank for rank, candidate in enumerate(work.candidates()[: self.max_rank])
                if (self.library != "zbar" or candidate.looks_linear) and not _explained_region(work, candidate)]

    def __call__(self, work: Work) -> None:
        candidates = work.candidates()
        for rank in self.regions(work):
            candidate = candidates[rank]
            if _explained_region(work, candidate):  # a code accepted on an earlier crop of this step
                continue
            view = work.crop(rank, self.native)
            image = view.image if self.enhance is None else self.enhance(view.image)
            enhanced = View(image, view.to_view)
            reads = self._read(image, work.symbologies, candidate)
            work.evidence.add(reads, self.family, enhanced)
            pending = {key[0] for key, _ in work.evidence.pending()}
            asked = tuple(s for s in work.linear() if s in pending)
            if asked and (reads or candidate.looks_linear):  # the other library's opinion on the same image
                if self.library == "zxing":
                    others = _zbar_crop(image, asked, candidate.looks_linear)
                else:
                    others = read_zxing(image, asked, try_rotate=False, try_downscale=False)
                work.evidence.add(others, self.family, enhanced)

    def _read(self, image: GrayImage, symbologies: tuple[Symbology, ...], candidate: Candidate) -> list[RawRead]:
        if self.library == "zxing":
            return read_zxing(image, symbologies, try_rotate=False, try_downscale=False)
        return _zbar_crop(image, symbologies, candidate.looks_linear)


def _explained_region(work: Work, candidate: Candidate) -> bool:
    return any(overlap(candidate.corners, code.quad) for code in work.evidence.accepted())


def _zbar_crop(image: GrayImage, symbologies: tuple[Symbology, ...], linear: bool) -> list[RawRead]:
    """ZBar on a crop; on one turned so its bars stand upright, 1D only and every other row (4x faster)."""
    if linear:
        symbologies = tuple(s for s in symbologies if s != "qr")
        if not symbologies:
            return []
        return read_zbar(image, symbologies, row_step=2, column_step=0)
    return read_zbar(image, symbologies)


#: The cascade, in order (chosen on the tuning set; see docs/scanning.md), with each stage's nominal cost (its
#: p95 CPU ms at 640x480 on the build machine at a load of about 5, measured by bench/bench_scan_frame.py).
STAGES: tuple[Stage, ...] = (
    Stage("zxing", _zxing_whole, 4.0),
    Stage("zbar-rows", _zbar_rows, 5.5),
    Stage("zbar-cols", _zbar_cols, 5.5),
    Stage("zxing-rotate", _zxing_rotate, 5.5),
    Stage("locate", _locate, 12.0),
    Stage("crop-plain", CropStep("plain", None, "zxing", 4), 9.0),
    Stage("crop-binarize", CropStep("binarize", enhance.binarize, "zxing", 3), 7.0),
    Stage("crop-flatten", CropStep("flatten", enhance.flatten_sharpen, "zxing", 3), 8.0),
    Stage("zbar-qr", _zbar_qr, 12.0),
    Stage("crop-deblur", CropStep("deblur", deblur.remove_motion_blur, "zxing", 1, native=True), 9.0),
    Stage("crop-sharpen", CropStep("sharpen", enhance.strong_sharpen, "zxing", 3), 7.0),
    Stage("crop-zbar", CropStep("flatten", enhance.flatten, "zbar", 5), 6.0),
    Stage("crop-equalize", CropStep("equalize", enhance.equalize, "zxing", 3), 7.0),
)

STAGE_NAMES: tuple[str, ...] = tuple(stage.name for stage in STAGES)


def work_cost(stage: Stage, work: Work) -> float:
    """The work `stage` will do on `work`, in the nominal units of `Stage.cost` (counted, never measured).

    Once the frame's code-like regions are known, a crop stage costs its nominal cost per crop (`cost` is for
    `max_rank` crops) times the crops it would make now: a card whose one QR region is all the frame holds
    costs a third of what three regions cost, and a region already explained by an accepted code costs
    nothing; `locate` costs nothing (the regions of the still scene are reused). Before that, and for every
    other stage, the nominal cost. The same frames give the same costs on any machine at any load.
    """
    if work.found_candidates() is None:
        return stage.cost
    if stage.run is _locate:
        return 0.0
    if isinstance(stage.run, CropStep):
        return stage.cost * len(stage.run.regions(work)) / stage.run.max_rank
    return stage.cost


def _first_pass_view(gray: GrayImage) -> View:
    height, width = gray.shape
    if width <= FIRST_PASS_WIDTH:
        return enhance.whole(gray)
    scale = FIRST_PASS_WIDTH / width
    size = (FIRST_PASS_WIDTH, max(1, round(height * scale)))
    image = np.asarray(cv2.resize(gray, size, interpolation=cv2.INTER_AREA), dtype=np.uint8)
    return View(image, np.array([[size[0] / width, 0.0, 0.0], [0.0, size[1] / height, 0.0]]))
