"""Turning a stream of per-frame reads into one accepted code per presentation of a card.

A card held up to the webcam is decoded in frame after frame; the cashier wants it once. And a single frame
can, very rarely, misread; a code seen in two frames in a row is much safer (Electrum's QR validator does the
same). `CodeConfirmer` is plain Python with no threads and no clock of its own unless asked, so the Qt
camera worker in `ui/` can call it from its thread and the tests can drive it with made-up timestamps:

    confirmer = CodeConfirmer()
    code = confirmer.feed(decode_frame(frame), now=time.monotonic())
    if code is not None:
        emit(code.payload)

Rules: a payload is accepted when it was read in `frames_needed` consecutive decoded frames (frames fed no
further apart than `max_gap_s`). Once accepted it is ignored for as long as it stays in view and for
`debounce_s` seconds after it was last seen, so holding a card still for ten seconds gives one code, and
showing it again after a pause gives a second one.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from pos_client.scanning.result import Decoded, Symbology

log = logging.getLogger(__name__)

_Key = tuple[Symbology, str]


@dataclass(slots=True)
class _Streak:
    count: int
    last_seen: float


class CodeConfirmer:
    """Accepts a code seen in consecutive frames, once per presentation. Not thread-safe; one per camera."""

    def __init__(
        self,
        *,
        frames_needed: int = 2,
        debounce_s: float = 3.0,
        max_gap_s: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if frames_needed < 1:
            raise ValueError("frames_needed must be at least 1")
        if debounce_s < 0 or max_gap_s <= 0:
            raise ValueError("debounce_s must be >= 0 and max_gap_s > 0")
        self.frames_needed = frames_needed
        self.debounce_s = debounce_s
        self.max_gap_s = max_gap_s
        self._clock = clock
        self._streaks: dict[_Key, _Streak] = {}
        self._blocked: dict[_Key, float] = {}  # accepted payload -> last time it was seen
        self._last_feed: float | None = None

    def feed(self, decoded: Sequence[Decoded], now: float | None = None) -> Decoded | None:
        """Report one decoded frame's codes; returns a code the moment it is accepted, else None."""
        now = self._clock() if now is None else now
        if self._last_feed is not None and now - self._last_feed > self.max_gap_s:
            self._streaks.clear()  # the frames are too far apart to be one presentation
        self._last_feed = now
        self._forget_blocked(now)
        seen: dict[_Key, Decoded] = {}
        for code in decoded:
            seen.setdefault((code.symbology, code.payload), code)
        # A streak survives only if its payload is in this frame too.
        self._streaks = {key: s for key, s in self._streaks.items() if key in seen}
        accepted: Decoded | None = None
        for key, code in seen.items():
            if key in self._blocked:
                self._blocked[key] = now  # still in view: keep ignoring it
                continue
            streak = self._streaks.get(key)
            if streak is None:
                streak = self._streaks[key] = _Streak(0, now)
            streak.count += 1
            streak.last_seen = now
            if accepted is None and streak.count >= self.frames_needed:
                accepted = code
                self._blocked[key] = now
                del self._streaks[key]
                log.debug("accepted a %s code after %d frames", code.symbology, streak.count)
        return accepted

    def reset(self) -> None:
        """Forget everything (a new sale, the camera restarted)."""
        self._streaks.clear()
        self._blocked.clear()
        self._last_feed = None

    def _forget_blocked(self, now: float) -> None:
        expired = [key for key, last in self._blocked.items() if now - last >= self.debounce_s]
        for key in expired:
            del self._blocked[key]
