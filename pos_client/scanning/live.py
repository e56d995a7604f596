"""The cascade spread over successive camera frames: work, not wall-clock.

A live camera cannot spend 60 ms on every frame, and a time budget per frame makes recall depend on how busy
the till is (issue 14: 87% quiet, 50-62% at load 7). So the camera spends a fixed amount of *work* per frame:
stage 0 of the cascade (zxing-cpp on the whole frame, where most codes are read), then the next stage of the
list. While the scene stays still (a card held up), the stage pointer advances frame after frame and the
evidence of those frames is kept together, so after about a dozen frames the card has had the whole cascade,
the same as `kupa scan` gives a file, whatever the load: a busy machine only makes the frames come slower.
When the scene changes (a cheap difference of 64x48 thumbnails), the pointer and the evidence start again.
The code-like regions of a still scene are found once, on its first frame that needs them, and reused.

Deterministic by construction: a code that the full cascade first accepts at stage k (k >= 1) is returned
by the k-th still frame, and by every still frame after it. `CodeConfirmer` then needs it on two frames in a
row, which the carried evidence gives on the next frame.
"""

from __future__ import annotations

import logging

import cv2
import numpy as np
import numpy.typing as npt

from pos_client.scanning import decode
from pos_client.scanning.evidence import Evidence
from pos_client.scanning.locate import Candidate
from pos_client.scanning.result import SYMBOLOGIES, Decoded, Symbology

log = logging.getLogger(__name__)

#: Side of the thumbnail the scene-change check compares (a 640x480 frame is averaged 10x10 into it).
THUMB_SIZE = (64, 48)
#: Mean absolute grey-level difference of two thumbnails under which the scene counts as still. A hand's
#: drift of a few pixels and sensor noise stay under it (a few levels); a card arriving or leaving, or a
#: sweeping move, is well above (tens of levels).
STILL_THRESHOLD = 6.0


class LiveDecoder:
    """Per-camera state: stage 0 plus the next stage on each frame while the scene stays still.

    Not thread-safe; one per camera worker (or per `kupa scan --live` replay).
    """

    def __init__(self, symbologies: tuple[Symbology, ...] = SYMBOLOGIES,
                 still_threshold: float = STILL_THRESHOLD) -> None:
        self.symbologies = symbologies
        self.still_threshold = still_threshold
        self._thumb: npt.NDArray[np.float32] | None = None
        self._evidence = Evidence()
        self._candidates: list[Candidate] | None = None  # the still scene's code-like regions, found once
        #: The stage the next still frame runs after stage 0 (1 .. len(STAGES)-1).
        self.next_stage = 1
        #: Whether the last frame counted as the same scene as the one before it.
        self.still = False

    def reset(self) -> None:
        """Forget the scene (a new source, a new sale)."""
        self._thumb = None
        self._evidence = Evidence()
        self._candidates = None
        self.next_stage = 1
        self.still = False

    def decode(self, frame: npt.NDArray[np.generic]) -> list[Decoded]:
        """The codes accepted in the current still scene, after this frame's share of the cascade."""
        work = decode.start(frame, self.symbologies)
        if work is None:
            self.reset()
            return []
        thumb = np.asarray(cv2.resize(work.gray, THUMB_SIZE, interpolation=cv2.INTER_AREA), dtype=np.float32)
        self.still = self._thumb is not None and self._thumb.shape == thumb.shape and \
            float(np.mean(np.abs(thumb - self._thumb))) < self.still_threshold
        self._thumb = thumb
        if not self.still:
            self._evidence = Evidence()
            self._candidates = None
            self.next_stage = 1
        work.evidence = self._evidence
        work.reuse_candidates(self._candidates)
        decode.STAGES[0].run(work)
        if not decode.explained(work):
            stage = decode.STAGES[self.next_stage]
            log.debug("live: stage %d (%s)", self.next_stage, stage.name)
            stage.run(work)
            self.next_stage = self.next_stage + 1 if self.next_stage + 1 < len(decode.STAGES) else 1
        self._candidates = work.found_candidates()
        return self._evidence.accepted()
