"""The webcam in the app: a capture loop on its own thread that turns frames into confirmed member codes.

`CameraWorker` is a `QObject` moved to a `QThread` (STYLE.md, habit 7). It pulls frames from a
`pos_client.scanning` source (a camera index, a video file, an image or a folder) and hands each to the core's
`FrameLoop` (`pos_client/scanning/frameloop.py`), the same loop `kupa scan --live` runs: which frame is due
(frames that went by while a decode ran are skipped), the cascade spread over the frames of a still scene
(`LiveDecoder`: work per frame, never a time budget), two-frame confirmation and debouncing. This class only
adds Qt: a timer to schedule the next frame, signals, pausing, and the preview (sent only when the previous
one has been shown, `preview_shown()`).

Time, for the confirmer's "two frames in a row" and its debounce, is the video's own clock (frame index /
fps) for files, so a test can play a file as fast as the machine decodes (`pace=False`) and still get the
debounce a cashier would see; a camera uses the monotonic clock.

`CameraController` lives on the GUI thread: it owns the thread, forwards requests to the worker through
queued signals, keeps the reasons the camera is paused (minimised, idle, locked), and shuts the thread down
cleanly (`shutdown()`, called when the window closes).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from PySide6.QtCore import QCoreApplication, QObject, Qt, QThread, QTimer, Signal, Slot
from PySide6.QtGui import QImage

from pos_client.messages import current_language
from pos_client.scanning import Decoded, FrameSource, ScanSourceError, list_cameras, open_source
from pos_client.scanning.frameloop import DEFAULT_FPS, FrameLoop, ScanEvent
from pos_client.scanning.sources import Frame

log = logging.getLogger(__name__)

__all__ = ["DEFAULT_FPS", "CameraController", "CameraWorker", "OpenRequest", "is_camera_spec", "preview_image"]
PREVIEW_WIDTH = 240
BOX_COLOUR = (60, 200, 60)  # BGR


def _tr(text: str) -> str:
    return QCoreApplication.translate("CameraWorker", text)


def is_camera_spec(spec: str | int) -> bool:
    """Whether `spec` names a camera index (as `open_source` reads it) rather than a file or folder."""
    if isinstance(spec, int):
        return True
    return spec.strip().isdigit() and not Path(spec).exists()


@dataclass(frozen=True)
class OpenRequest:
    """What to play: the source, whether to keep the source's real-time pace, whether to loop a file."""

    spec: str | int
    pace: bool = True
    loop: bool = False


def preview_image(frame: Frame, codes: list[Decoded], width: int = PREVIEW_WIDTH) -> QImage:
    """A `width`-pixel-wide RGB copy of `frame` with a box drawn around each code found."""
    height, full_width = frame.shape[:2]
    scale = width / full_width if full_width > width else 1.0
    small = cv2.resize(frame, (round(full_width * scale), round(height * scale)), interpolation=cv2.INTER_AREA) \
        if scale != 1.0 else frame.copy()
    if small.ndim == 2:
        small = cv2.cvtColor(small, cv2.COLOR_GRAY2BGR)
    for code in codes:
        points = np.array([[round(x * scale), round(y * scale)] for x, y in code.quad], dtype=np.int32)
        if len(points) >= 2:
            cv2.polylines(small, [points.reshape(-1, 1, 2)], True, BOX_COLOUR, 2, cv2.LINE_AA)
    rgb = np.ascontiguousarray(cv2.cvtColor(small, cv2.COLOR_BGR2RGB))
    h, w = rgb.shape[:2]
    return QImage(rgb.data, w, h, 3 * w, QImage.Format.Format_RGB888).copy()  # own the pixels


class CameraWorker(QObject):
    """Reads frames, decodes them within budget, confirms codes and reports them. Lives on its own thread.

    Signals:
        code_scanned(str): a confirmed Kupa-shaped code (member token or card number), once per presentation.
        rejected(str): a confirmed code that is not a Kupa code; a translated sentence for the message area.
        frame_ready(QImage): a small preview (about 240 px wide) with a box around any code found.
        failed(str): the source could not be opened or stopped delivering pictures (translated).
        opened(str): the source is open and playing (its name, e.g. "camera 0", "video card.avi").
        stopped(): the source ended or was closed.
        cameras_found(list): the camera indices found by `probe()`.
    """

    code_scanned = Signal(str)
    rejected = Signal(str)
    frame_ready = Signal(QImage)
    failed = Signal(str)
    opened = Signal(str)
    stopped = Signal()
    cameras_found = Signal(list)

    def __init__(self, *, frames_needed: int = 2, debounce_s: float = 3.0, preview_width: int = PREVIEW_WIDTH,
                 clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__()
        self.loop = FrameLoop(frames_needed=frames_needed, debounce_s=debounce_s, clock=clock)
        self._preview_width = preview_width
        self._timer = QTimer(self)  # a child: moves to the worker's thread with it
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._tick)
        self._request: OpenRequest | None = None
        self._source: FrameSource | None = None
        self._playing = False
        self._paused = False
        self._preview_pending = False

    @property
    def stats(self) -> dict[str, int]:
        """Frames read, decoded and skipped since the source opened (for logs and tests)."""
        return self.loop.stats

    # -- requests (queued from the GUI thread) ---------------------------------------------------------------
    @Slot(object)
    def open(self, request: OpenRequest) -> None:
        """Close whatever plays and play `request` (now, or on `resume()` when paused)."""
        self._close_source()
        self._request = request
        self.loop.reset()
        if not self._paused:
            self._start()

    @Slot()
    def close(self) -> None:
        """Stop and release the source; emits `stopped()` if something was playing."""
        had = self._request is not None
        self._close_source()
        self._request = None
        if had:
            self.stopped.emit()

    @Slot()
    def pause(self) -> None:
        """Stop reading; a webcam is released (its light goes off), a file keeps its place."""
        self._paused = True
        self._timer.stop()
        if self.loop.live:
            self._close_source()

    @Slot()
    def resume(self) -> None:
        """Carry on after `pause()`: reopen a released webcam, or continue a file where it was."""
        if not self._paused:
            return
        self._paused = False
        if self._request is None:
            return
        if self._source is None:
            self._start()
        else:
            self.loop.resume_clock()
            self._timer.start(0)

    @Slot()
    def probe(self) -> None:
        """Look for webcams (slow on some systems, hence on this thread) and emit `cameras_found`."""
        try:
            found = list_cameras()
        except Exception:  # noqa: BLE001 - a broken driver must not take the app down
            log.exception("probing cameras failed")
            found = []
        self.cameras_found.emit(found)

    def preview_shown(self) -> None:
        """Called by the view (any thread) once it has shown a preview: the next one may be sent."""
        self._preview_pending = False

    # -- the loop --------------------------------------------------------------------------------------------
    def _start(self) -> None:
        request = self._request
        assert request is not None
        try:
            source = open_source(request.spec)
        except ScanSourceError as exc:
            log.warning("camera source not opened: %s", exc.message)
            self._request = None
            self.failed.emit(_tr("Camera or video not available: {0}").format(exc.text(current_language())))
            return
        except Exception:  # noqa: BLE001 - OpenCV on a strange device; report, never crash
            log.exception("opening %r failed", request.spec)
            self._request = None
            self.failed.emit(_tr("Camera or video not available: {0}").format(str(request.spec)))
            return
        self._source = source
        self.loop.start(source, live=is_camera_spec(request.spec), pace=request.pace)
        self._playing = True
        log.info("camera source open: %s (%s fps, paced=%s)", source.name, source.fps, request.pace)
        self.opened.emit(source.name)
        self._timer.start(0)

    @Slot()
    def _tick(self) -> None:
        if not self._playing or self._request is None or self._paused:
            return
        try:
            item = self.loop.next_frame()
        except ScanSourceError as exc:
            item = None
            log.warning("camera source failed: %s", exc.message)
        if item is None:
            self._ended()
            return
        index, frame = item
        result = self.loop.process(index, frame)
        if not self._preview_pending:
            self._preview_pending = True
            self.frame_ready.emit(preview_image(frame, result.codes, self._preview_width))
        if result.event is not None:
            self._report(result.event)
        self._timer.start(max(0, round(self.loop.wait_s() * 1000)))

    def _report(self, event: ScanEvent) -> None:
        if event.kind == "scanned":
            self.code_scanned.emit(event.check.value)
        elif event.kind == "rejected":
            reason = event.check.reason.render(current_language()) if event.check.reason else ""
            self.rejected.emit(_tr("Not a Kupa code ({0})").format(reason))

    def _ended(self) -> None:
        request = self._request
        assert request is not None
        if self.loop.live:
            self._close_source()
            self._request = None
            self.failed.emit(_tr("The camera stopped sending pictures"))
            self.stopped.emit()
            return
        if request.loop and self.loop.index >= 0:
            self.loop.end_pass()
            self._close_source()
            self._start()
            return
        log.info("camera source ended after %s", self.stats)
        self.close()

    def _close_source(self) -> None:
        self._timer.stop()
        self._playing = False
        self.loop.stop()
        if self._source is not None:
            self._source.close()
            self._source = None
        self._preview_pending = False


class CameraController(QObject):
    """The GUI thread's handle on the camera: owns the worker's thread and forwards requests to it.

    Signals (the worker's, delivered on the GUI thread): code_scanned(str), rejected(str), frame_ready(QImage),
    failed(str), opened(str), stopped(), cameras_found(list); and paused_changed(bool).
    """

    code_scanned = Signal(str)
    rejected = Signal(str)
    frame_ready = Signal(QImage)
    failed = Signal(str)
    opened = Signal(str)
    stopped = Signal()
    cameras_found = Signal(list)
    paused_changed = Signal(bool)

    _open = Signal(object)
    _close = Signal()
    _close_now = Signal()
    _pause = Signal()
    _resume = Signal()
    _probe = Signal()

    def __init__(self, parent: QObject | None = None, **worker_options: object) -> None:
        super().__init__(parent)
        self.worker = CameraWorker(**worker_options)  # type: ignore[arg-type]
        self.camera_thread = QThread(self)
        self.camera_thread.setObjectName("camera")
        self.worker.moveToThread(self.camera_thread)
        self.camera_thread.finished.connect(self.worker.deleteLater)
        for ours, theirs in ((self._open, self.worker.open), (self._close, self.worker.close),
                             (self._pause, self.worker.pause), (self._resume, self.worker.resume),
                             (self._probe, self.worker.probe)):
            ours.connect(theirs)
        self._close_now.connect(self.worker.close, Qt.ConnectionType.BlockingQueuedConnection)
        for theirs, ours in ((self.worker.code_scanned, self.code_scanned), (self.worker.rejected, self.rejected),
                             (self.worker.frame_ready, self.frame_ready), (self.worker.failed, self.failed),
                             (self.worker.opened, self.opened), (self.worker.stopped, self.stopped),
                             (self.worker.cameras_found, self.cameras_found)):
            theirs.connect(ours)
        self._reasons: set[str] = set()
        self.current: OpenRequest | None = None
        self.camera_thread.start()

    @property
    def paused(self) -> bool:
        """Whether any reason to pause (minimised, idle, locked...) holds."""
        return bool(self._reasons)

    def open(self, spec: str | int, *, pace: bool = True, loop: bool = False) -> None:
        """Play a camera index, a video file, an image or a folder of images (replacing what plays)."""
        self.current = OpenRequest(spec, pace, loop)
        self._open.emit(self.current)

    def close(self) -> None:
        """Stop the camera (the view shows it as off)."""
        self.current = None
        self._close.emit()

    def probe(self) -> None:
        """Look for webcams in the background; the answer comes as `cameras_found(list)`."""
        self._probe.emit()

    def pause(self, reason: str) -> None:
        """Pause for `reason` (e.g. "minimised", "idle", "locked"); the camera stays paused while any holds."""
        was = self.paused
        self._reasons.add(reason)
        if not was:
            log.info("camera paused (%s)", reason)
            self._pause.emit()
            self.paused_changed.emit(True)

    def resume(self, reason: str) -> None:
        """Drop `reason`; the camera carries on when no reason is left."""
        if reason not in self._reasons:
            return
        self._reasons.discard(reason)
        if not self._reasons:
            log.info("camera resumed")
            self._resume.emit()
            self.paused_changed.emit(False)

    def preview_shown(self) -> None:
        """Let the worker send the next preview frame."""
        if self.camera_thread.isRunning():
            self.worker.preview_shown()

    def shutdown(self, timeout_ms: int = 5000) -> None:
        """Release the source and stop the thread (the window is closing); safe to call twice."""
        if not self.camera_thread.isRunning():
            return
        self._close_now.emit()  # runs on the worker's thread; waits for the frame in hand
        self.camera_thread.quit()
        if not self.camera_thread.wait(timeout_ms):
            log.error("the camera thread did not stop within %d ms", timeout_ms)
