"""The cascade spread over successive camera frames: work, not wall-clock.

A live camera cannot spend 60 ms on every frame, and a time budget per frame makes recall depend on how busy
the till is (issue 14: 87% quiet, 50-62% at load 7). So the camera spends a fixed amount of *work* per frame:
the stages of the cascade, in order, from where the scene's last frame stopped, while their costs fit in
`FRAME_WORK`; a stage costlier than what is left waits for the next frame, and every frame runs at least one
stage. Costs are counted, never measured at run time: a stage's nominal cost (`decode.Stage.cost`) until the
frame's code-like regions are known, then the work it will do on them (`decode.work_cost`: a crop stage
costs its nominal cost per region it crops, so a card with one region gets several crop stages a frame).
Until the regions are known, stage 0 (zxing-cpp on the whole frame, cheap and the most productive) leads
every frame whose list stage fits beside it: a code at the edge of readability reads on some frames and not
on others, and each frame is a new chance. While the scene stays still (a card held up), the evidence of its
frames is kept together, so after at most twelve frames the card has had the whole cascade, the same as
`kupa scan` gives a file, whatever the load: a busy machine only makes the frames come slower.

Then, if the scene is still not explained, **retries**: `RETRY_FRAMES` frames of `RETRY_STAGES` (crop-flatten
and crop-sharpen on the scene's regions, on each new frame), then the whole list again, and so on. A held
code at the edge of readability (bench_scan_live: MJPG, a sub-pixel drift, sensor noise) is read by the full
cascade on some of its frames only, always by one of those two stages; the whole list again would spend
most of the next second on whole-frame stages that already had their look. (Averaging the still frames
instead was measured and read fewer of those cards: the drift, not the noise, is what blurs them.)

A new scene (the card arrived, left, moved, or came into focus) starts again at stage 0 with no evidence.
The test is cheap, on a 160-px copy of the frame: the mean absolute difference of 64x48 thumbnails (a card
arriving or leaving, a sweeping move: tens of grey levels; a hand's pixel of drift and sensor noise: under 6),
and the ratio of the two frames' sharpness (mean detail left after a slight blur: a card coming into focus,
or arriving in front of a blurred background, multiplies it by 5-10; a still card changes it by under 10%).
Without the sharpness test, a card held in front of a blurred background of similar brightness counted as
the same scene, and the regions found on the blur were reused for the card (bench_scan_live: 2 of 30 cards
never read). The code-like regions of a still scene are found once (stage `locate`) and reused.

Deterministic by construction: which stages a frame runs depends on the frames only (`schedule()` gives the
frame on which each stage runs in a still scene whose frames hold every region), so a code that the cascade
first accepts at stage k is returned by that frame of a still scene, never later, and by every frame after
it. `CodeConfirmer` then
needs it on two frames in a row, which the carried evidence gives on the next frame.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import cv2
import numpy as np
import numpy.typing as npt

from pos_client.scanning import decode
from pos_client.scanning.evidence import Evidence
from pos_client.scanning.locate import Candidate
from pos_client.scanning.result import SYMBOLOGIES, Decoded, Symbology

log = logging.getLogger(__name__)

#: Width of the small copy the scene test works on.
SMALL_WIDTH = 160
#: Side of the thumbnail the scene test compares (a 640x480 frame is averaged 10x10 into it).
THUMB_SIZE = (64, 48)
#: Mean absolute grey-level difference of two thumbnails under which the scene may count as still. A hand's
#: drift of a pixel or two and sensor noise stay under it (bench_scan_live's held cards: at most 5.6, the
#: reason it is not 6 any more); a card arriving or leaving, or a sweeping move, is well above (tens).
STILL_THRESHOLD = 8.0
#: Largest ratio of two frames' sharpness for a still scene (held cards: at most 1.09; a card arriving in
#: front of a blurred background of the same brightness, or coming into focus: 7 and more).
SHARPNESS_RATIO = 1.5
#: Sharpness below which two frames count as equally flat (grey levels; a blank wall, a lens cap).
SHARPNESS_FLOOR = 0.5
#: The work one frame may run, in the stages' nominal units (about CPU ms at 640x480 on the build machine):
#: the costliest single stage fits alone, two cheap ones share a frame.
FRAME_WORK = 12.0
#: What a still scene runs once the whole list has run on it and it is still not explained: the stages that
#: look at the scene's regions again, on the new frame, with the enhancements that read codes at the edge of
#: readability on some held frames and not others (bench_scan_live: the full cascade reads such cards on 0-7
#: of 15 held frames, always by `crop-flatten` or `crop-sharpen`). The whole-frame stages and the region
#: search had their look at this scene; a card held still but not read yet is in its regions.
RETRY_STAGES: tuple[str, ...] = ("crop-flatten", "crop-sharpen")
#: Frames given to `RETRY_STAGES` before the whole list runs again (a fresh look at everything: a card that
#: crept into view while the scene counted as still, a light that changed); the whole list again takes 6-7
#: frames (its regions known), so it comes back every 12-13 frames, as often as before retries (every 12).
RETRY_FRAMES = 6

#: The whole list, in order (a scene's first pass, and every pass after `RETRY_FRAMES` retry frames).
WHOLE_LIST: tuple[int, ...] = tuple(range(len(decode.STAGES)))
#: `RETRY_STAGES` as indices into `decode.STAGES`.
RETRY_LIST: tuple[int, ...] = tuple(decode.STAGE_NAMES.index(name) for name in RETRY_STAGES)


def frame_plan(start: int, stages: tuple[decode.Stage, ...] | None = None,
               frame_work: float = FRAME_WORK, costs: Sequence[float] | None = None,
               lead: bool = True) -> list[int]:
    """The stages one frame runs (indices into the list), the scene's list being at `start`.

    With `lead`, first stage 0 again (`zxing`, the cheapest and most productive: a fresh look, on a new
    frame, at a code that reads on some frames and not others) when the list is past it and its next stage
    fits beside it; then the list's stages, in order, while their costs fit in `frame_work`; always at least
    one of them. The list ends a frame: the next one starts it again. `costs`: each stage's work on this
    frame (`decode.work_cost`; default: the nominal `Stage.cost`, the work when every region is there).
    """
    stages = decode.STAGES if stages is None else stages
    cost = [stage.cost for stage in stages] if costs is None else list(costs)
    plan: list[int] = []
    used = 0.0
    if lead and start != 0 and cost[0] + cost[start] <= frame_work:
        plan.append(0)
        used = cost[0]
    index = start
    while True:
        if index != start and used + cost[index] > frame_work:
            break
        plan.append(index)
        used += cost[index]
        index += 1
        if index == len(stages):
            break
    return plan


def schedule(stages: tuple[decode.Stage, ...] | None = None, frame_work: float = FRAME_WORK) -> list[int]:
    """The frame (0: the scene's first) on which each stage of the list runs in a scene never explained.

    With the nominal costs, the most a frame can cost (`MAX_CANDIDATES` regions, none explained); a scene
    with fewer regions runs its crop stages on fewer frames (`decode.work_cost`), so no later than this.
    """
    stages = decode.STAGES if stages is None else stages
    frames: list[int] = []
    frame = 0
    while len(frames) < len(stages):
        located = any(stage.name == "locate" for stage in stages[: len(frames)])
        plan = frame_plan(len(frames), stages, frame_work, lead=not located)
        frames.extend(frame for index in plan if index >= len(frames))
        frame += 1
    return frames


class LiveDecoder:
    """Per-camera state: a fixed amount of the cascade per frame, carried on while the scene stays still.

    Not thread-safe; one per camera worker (or per `kupa scan --live` replay).
    """

    def __init__(self, symbologies: tuple[Symbology, ...] = SYMBOLOGIES,
                 still_threshold: float = STILL_THRESHOLD, frame_work: float = FRAME_WORK) -> None:
        self.symbologies = symbologies
        self.still_threshold = still_threshold
        self.frame_work = frame_work
        self._thumb: npt.NDArray[np.float32] | None = None
        self._sharpness = 0.0
        self._evidence = Evidence()
        self._candidates: list[Candidate] | None = None  # the still scene's code-like regions, found once
        #: The stages of the current pass (indices into `decode.STAGES`): `WHOLE_LIST` or `RETRY_LIST`.
        self.order: tuple[int, ...] = WHOLE_LIST
        #: Where in the pass the next frame of the scene starts.
        self.next_stage = 0
        #: Frames of the scene that ran retry stages since the whole list last ran.
        self.retry_frames = 0
        #: Whether the last frame counted as the same scene as the one before it.
        self.still = False
        #: The stages the last frame ran (for logs, tests and benches).
        self.ran: tuple[str, ...] = ()

    def reset(self) -> None:
        """Forget the scene (a new source, a new sale)."""
        self._thumb = None
        self._sharpness = 0.0
        self._evidence = Evidence()
        self._candidates = None
        self._restart()
        self.still = False
        self.ran = ()

    def _restart(self) -> None:
        """A new scene: the whole list, from stage 0."""
        self.order = WHOLE_LIST
        self.next_stage = 0
        self.retry_frames = 0

    def decode(self, frame: npt.NDArray[np.generic]) -> list[Decoded]:
        """The codes accepted in the current still scene, after this frame's share of the cascade."""
        work = decode.start(frame, self.symbologies)
        if work is None:
            self.reset()
            return []
        self.still = self._same_scene(work.gray)
        if not self.still:
            self._evidence = Evidence()
            self._candidates = None
            self._restart()
        work.evidence = self._evidence
        work.reuse_candidates(self._candidates)
        ran: list[str] = []
        stages = tuple(decode.STAGES[index] for index in self.order)
        costs = [decode.work_cost(stage, work) for stage in stages]
        start = self.next_stage
        # stage 0 leads a frame until the regions are known; then the region stages' own looks take its place
        lead = self.order == WHOLE_LIST and self._candidates is None
        for position in frame_plan(start, stages, self.frame_work, costs, lead):
            if decode.explained(work, locate=False):
                break
            log.debug("live: stage %s", stages[position].name)
            stages[position].run(work)
            ran.append(stages[position].name)
            if position != 0 or start == 0:  # a fresh look by stage 0 does not move the pass on
                self.next_stage = position + 1
        if ran and self.order == RETRY_LIST:
            self.retry_frames += 1
        if self.next_stage == len(stages):  # the pass is done: retry passes, then the whole list again
            retry = self.order == WHOLE_LIST or self.retry_frames < RETRY_FRAMES
            self.order, self.next_stage = (RETRY_LIST, 0) if retry else (WHOLE_LIST, 0)
            if self.order == WHOLE_LIST:
                self.retry_frames = 0
        self.ran = tuple(ran)
        self._candidates = work.found_candidates()
        return self._evidence.accepted()

    def _same_scene(self, gray: npt.NDArray[np.uint8]) -> bool:
        """Whether `gray` shows the scene of the last frame (and remember it for the next one)."""
        height, width = gray.shape
        size = (min(SMALL_WIDTH, width), max(1, round(height * min(SMALL_WIDTH, width) / width)))
        small = np.asarray(cv2.resize(gray, size, interpolation=cv2.INTER_AREA), dtype=np.float32)
        thumb = np.asarray(cv2.resize(small, THUMB_SIZE, interpolation=cv2.INTER_AREA), dtype=np.float32)
        sharpness = float(np.mean(np.abs(small - np.asarray(cv2.GaussianBlur(small, (0, 0), 1.0)))))
        previous, previous_sharpness = self._thumb, self._sharpness
        self._thumb, self._sharpness = thumb, sharpness
        if previous is None:
            return False
        if float(np.mean(np.abs(thumb - previous))) >= self.still_threshold:
            return False
        high, low = max(sharpness, previous_sharpness), min(sharpness, previous_sharpness)
        return high <= SHARPNESS_RATIO * max(low, SHARPNESS_FLOOR)
