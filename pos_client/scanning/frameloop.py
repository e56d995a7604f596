"""The camera's frame loop without Qt: which frame to decode, decoding it, confirming and debouncing codes.

One loop, two drivers: the Qt camera worker (`ui/camera_worker.py`, a `QTimer` on its own thread) and
`kupa scan --live FILE` (a plain loop that sleeps), so what the CLI prints for a video is exactly what the till
would have reported for the same frames. Per frame:

1. `next_frame()`: pull frames from the source; a paced file skips the frames whose time has already passed
   (a decode that ran long makes the loop drop frames, never fall behind); a webcam delivers its latest.
2. `process(index, frame)`: `LiveDecoder` (a fixed amount of the cascade per frame, carried on while the
   scene is still), then `CodeConfirmer` (a code on two decoded frames in a row, once per presentation, debounced);
   the payload's check (`check_payload`) says whether it is a Kupa code or is refused; a card number read
   next to a member QR token is ignored (the token, which may spend points, must not be replaced by the
   number printed on the same card).
3. `wait_s()`: how long until the next frame is due (0 for a webcam or an unpaced file).

Time, for the confirmer, is the video's own clock (frame index / fps) for files, so a test may play a file as
fast as it decodes (`pace=False`) and still see the debounce a cashier would; a camera uses the clock given.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Literal

from pos_client.cards.formats import MEMBER_CARD
from pos_client.scanning.confirm import CodeConfirmer
from pos_client.scanning.live import LiveDecoder
from pos_client.scanning.payload import PayloadCheck, check_payload
from pos_client.scanning.result import Decoded
from pos_client.scanning.sources import Frame, FrameSource

log = logging.getLogger(__name__)

#: Frames per second for sources that do not say (a folder of images); a webcam sets its own pace.
DEFAULT_FPS = 15.0

EventKind = Literal["scanned", "rejected", "ignored"]


@dataclass(frozen=True, slots=True)
class ScanEvent:
    """A confirmed code: `scanned` (a Kupa code), `rejected` (not one: `check.reason`) or `ignored`."""

    kind: EventKind
    code: Decoded
    check: PayloadCheck
    frame: int


@dataclass(frozen=True, slots=True)
class FrameResult:
    """One decoded frame: the codes the decoder holds for the scene (for the preview) and any event."""

    index: int
    codes: list[Decoded]
    event: ScanEvent | None


@dataclass
class FrameLoop:
    """Per-source state of the camera loop. Not thread-safe: one per camera worker or replay."""

    frames_needed: int = 2
    debounce_s: float = 3.0
    clock: Callable[[], float] = time.monotonic
    confirmer: CodeConfirmer = field(init=False)
    decoder: LiveDecoder = field(init=False)
    #: Frames read, decoded and skipped since the source opened (for logs, tests and benches).
    stats: dict[str, int] = field(init=False)

    def __post_init__(self) -> None:
        self.confirmer = CodeConfirmer(frames_needed=self.frames_needed, debounce_s=self.debounce_s)
        self.decoder = LiveDecoder()
        self.stats = {"read": 0, "decoded": 0, "dropped": 0}
        self._frames: Iterator[tuple[int, Frame]] | None = None
        self.fps = DEFAULT_FPS
        self.live = False
        self.pace = True
        self._t0 = 0.0  # clock time of frame 0 of the current pass (paced files)
        self.index = -1  # last frame index read in the current pass
        self.media_offset = 0.0  # media time of earlier passes of a looped file
        self._token_seen = float("-inf")  # when a member-token QR was last in view

    def reset(self) -> None:
        """A new source: forget codes, scene, counters and media time."""
        self.confirmer.reset()
        self.decoder.reset()
        self.stats = {"read": 0, "decoded": 0, "dropped": 0}
        self.media_offset = 0.0
        self._token_seen = float("-inf")

    def start(self, source: FrameSource, *, live: bool, pace: bool) -> None:
        """Begin a pass over `source` (a looped file starts a new pass with the media time carried on)."""
        self._frames = iter(source)
        self.live = live
        self.pace = pace
        self.fps = source.fps or DEFAULT_FPS
        self.index = -1
        self._t0 = self.clock()
        self.decoder.reset()

    def stop(self) -> None:
        self._frames = None

    def resume_clock(self) -> None:
        """After a pause, a paced file carries on from where it was, not from where its clock would be."""
        self._t0 = self.clock() - (self.index + 1) / self.fps

    def end_pass(self) -> None:
        """The file ended and loops: the next pass's frames come after this one's in media time."""
        self.media_offset += (self.index + 1) / self.fps + 1.0 / self.fps

    def next_frame(self) -> tuple[int, Frame] | None:
        """The frame to decode now (None at the end); a paced file skips the frames whose time has passed."""
        assert self._frames is not None, "start() a source first"
        due = self.index + 1
        if self.pace and not self.live:
            due = max(due, int((self.clock() - self._t0) * self.fps))
        while True:
            try:
                index, frame = next(self._frames)
            except StopIteration:
                return None
            self.stats["read"] += 1
            self.index = index
            if index >= due:
                return index, frame
            self.stats["dropped"] += 1

    def media_time(self, index: int) -> float:
        """The confirmer's clock for frame `index`: the video's own time, or the clock for a webcam."""
        return self.clock() if self.live else self.media_offset + index / self.fps

    def process(self, index: int, frame: Frame) -> FrameResult:
        """Decode one frame's share of the cascade and confirm; returns what to show and report."""
        try:
            codes = self.decoder.decode(frame)
        except Exception:  # noqa: BLE001 - a bug in decoding must not stop the camera or the app
            log.exception("decoding frame %d failed", index)
            self.decoder.reset()
            codes = []
        self.stats["decoded"] += 1
        now = self.media_time(index)
        if any(MEMBER_CARD.looks_like(code.payload) for code in codes):
            self._token_seen = now
        accepted = self.confirmer.feed(codes, now=now)
        event = None if accepted is None else self._event(accepted, index, now)
        return FrameResult(index, codes, event)

    def wait_s(self) -> float:
        """Seconds until the next frame is due (0: go on at once)."""
        if self.pace and not self.live:
            return max(0.0, self._t0 + (self.index + 1) / self.fps - self.clock())
        return 0.0

    def _event(self, code: Decoded, index: int, now: float) -> ScanEvent:
        check = check_payload(code.payload, code.symbology)
        if check.kind == "card_number" and now - self._token_seen < self.confirmer.debounce_s:
            log.info("ignored a %s read next to a member QR code", code.symbology)
            return ScanEvent("ignored", code, check, index)
        if check.ok:
            log.info("scanned a %s (%s)", check.kind, code.symbology)
            return ScanEvent("scanned", code, check, index)
        log.info("refused a scanned %s: %s", code.symbology, check.reason.en if check.reason else "")
        return ScanEvent("rejected", code, check, index)
