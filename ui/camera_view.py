"""The camera in the member panel: a small live preview, a camera picker, and the "no camera" state.

`CameraView` shows what `CameraController` reports: the preview frames (with a box around a code found),
a picker listing the webcams found (`list_cameras()`, probed on the camera thread), "Video file…" (a file
stands in for a webcam, for demos and support) and "Camera off". Without a camera it says so plainly and the
cashier types the card number or uses a USB scanner, as before.

`IdleWatcher` notices when nobody has touched the app for a while, so the window can pause the camera.

Signals:
    CameraView.source_chosen(object): the cashier picked a source (a camera index, a file path, or None: off).
    IdleWatcher.idle(): no input for the watcher's timeout.
    IdleWatcher.active(): input again after being idle.
"""

from __future__ import annotations

import logging
from enum import Enum

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QComboBox, QFileDialog, QFrame, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from ui.camera_worker import CameraController, is_camera_spec

log = logging.getLogger(__name__)

PREVIEW_SIZE = (240, 180)
_FILE, _OFF = "__file__", "__off__"
VIDEO_FILTER = "Videos and images (*.avi *.mp4 *.mkv *.mov *.webm *.png *.jpg *.jpeg);;All files (*)"


class State(Enum):
    """What the view shows."""

    SEARCHING = "searching"
    LIVE = "live"
    PAUSED = "paused"
    NONE = "none"
    OFF = "off"


class CameraView(QFrame):
    """Preview + picker + status line, driven by a `CameraController` (see `attach`)."""

    source_chosen = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("cameraView")
        self.controller: CameraController | None = None
        self.state = State.SEARCHING
        self._cameras: list[int] = []
        self._files: list[str] = []
        self._failure = ""
        self.preview = QLabel()
        self.preview.setObjectName("cameraPreview")
        self.preview.setFixedSize(*PREVIEW_SIZE)
        self.preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.preview.setStyleSheet("background: #1d2329; border-radius: 6px; color: #cfd8dc;")
        self.picker = QComboBox()
        self.picker.setObjectName("cameraPicker")
        self.picker.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.picker.setMinimumContentsLength(8)
        self.status = QLabel()
        self.status.setObjectName("cameraStatus")
        self.status.setWordWrap(True)
        side = QVBoxLayout()
        side.setContentsMargins(0, 0, 0, 0)
        side.addWidget(self.picker)
        side.addWidget(self.status, 1, Qt.AlignmentFlag.AlignTop)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.preview, 0, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(side, 1)
        self.picker.activated.connect(self._picked)
        self._fill_picker()
        self._show_state()

    # -- wiring ------------------------------------------------------------------------------------------------
    def attach(self, controller: CameraController) -> None:
        """Show `controller`'s camera; choosing in the picker opens sources on it."""
        self.controller = controller
        controller.frame_ready.connect(self.show_frame)
        controller.opened.connect(self._opened)
        controller.failed.connect(self._failed)
        controller.stopped.connect(self._stopped)
        controller.cameras_found.connect(self.set_cameras)
        controller.paused_changed.connect(self._paused)
        self.source_chosen.connect(self._open)

    def set_cameras(self, cameras: list[int]) -> None:
        """The webcams found; with none and nothing else playing, show the "no camera" state."""
        self._cameras = list(cameras)
        self._fill_picker()
        if self.state == State.SEARCHING:
            if cameras:
                self.source_chosen.emit(cameras[0])
            else:
                self.set_state(State.NONE)

    def add_file(self, path: str) -> None:
        """List a video file or image folder in the picker (e.g. from `--camera FILE`) and select it."""
        if path not in self._files:
            self._files.append(path)
        self._fill_picker()
        self._select(path)

    def _open(self, spec: object) -> None:
        if self.controller is None:
            return
        if spec is None:
            self.controller.close()
            self.set_state(State.OFF)
            return
        assert isinstance(spec, (int, str))
        self._failure = ""
        self._select(spec)
        # A file stands in for a webcam: play it at its own pace, over and over, like a card held up.
        self.controller.open(spec, loop=not is_camera_spec(spec))

    # -- the picker ----------------------------------------------------------------------------------------
    def _fill_picker(self) -> None:
        current = self.picker.currentData()
        self.picker.blockSignals(True)
        self.picker.clear()
        for index in self._cameras:
            self.picker.addItem(self.tr("Camera {0}").format(index + 1), index)
        for path in self._files:
            self.picker.addItem(_short(path), path)
        self.picker.addItem(self.tr("Video file…"), _FILE)
        self.picker.addItem(self.tr("No camera") if self.state == State.NONE else self.tr("Camera off"), _OFF)
        self.picker.blockSignals(False)
        self._select(current if current is not None else _OFF)

    def _select(self, data: object) -> None:
        position = self.picker.findData(data)
        if position >= 0:
            self.picker.setCurrentIndex(position)

    def _picked(self, position: int) -> None:
        data = self.picker.itemData(position)
        if data == _FILE:
            path, _filter = QFileDialog.getOpenFileName(self, self.tr("A video to use as the camera"), "",
                                                        VIDEO_FILTER)
            if not path:
                self._select(self.controller.current.spec if self.controller and self.controller.current else _OFF)
                return
            self.add_file(path)
            data = path
        self.source_chosen.emit(None if data == _OFF else data)

    # -- what the worker says -----------------------------------------------------------------------------
    def show_frame(self, image: QImage) -> None:
        """Show a preview frame (scaled into the preview box), then ask for the next one."""
        if self.state in (State.LIVE, State.SEARCHING):
            self.preview.setPixmap(QPixmap.fromImage(image).scaled(
                self.preview.size(), Qt.AspectRatioMode.KeepAspectRatio,
                Qt.TransformationMode.SmoothTransformation))
        if self.controller is not None:
            self.controller.preview_shown()

    def _opened(self, name: str) -> None:
        self._failure = ""
        self.set_state(State.PAUSED if self.controller and self.controller.paused else State.LIVE)

    def _failed(self, message: str) -> None:
        self._failure = message
        self.set_state(State.NONE)

    def _stopped(self) -> None:
        if self.state in (State.LIVE, State.PAUSED):
            self.set_state(State.OFF)

    def _paused(self, paused: bool) -> None:
        if paused and self.state == State.LIVE:
            self.set_state(State.PAUSED)
        elif not paused and self.state == State.PAUSED:
            self.set_state(State.LIVE)

    def set_state(self, state: State) -> None:
        """Switch what the view shows."""
        self.state = state
        if state in (State.NONE, State.OFF):
            self.preview.clear()
            self._fill_picker()
            self._select(_OFF)
        self._show_state()

    def _show_state(self) -> None:
        self.preview.setVisible(self.state not in (State.NONE, State.OFF))
        warn = self.state == State.NONE
        self.status.setStyleSheet("color: #a35b00; font-size: 13px;" if warn
                                  else "color: #56616b; font-size: 12px;")
        texts = {
            State.SEARCHING: self.tr("Looking for a camera…"),
            State.LIVE: self.tr("Hold the member's card up to the camera"),
            State.PAUSED: self.tr("Camera paused: touch the screen or a key to resume"),
            State.NONE: self.tr("No camera found — type the card number or use a USB scanner"),
            State.OFF: self.tr("Camera off — type the card number or use a USB scanner"),
        }
        text = texts[self.state]
        if self.state == State.NONE and self._failure:
            text = f"{self._failure}\n{self.tr('Type the card number or use a USB scanner')}"
        self.status.setText(text)
        if self.state == State.PAUSED:
            self.preview.setText(self.tr("Paused"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self._fill_picker()
            self._show_state()
        super().changeEvent(event)


def _short(path: str, limit: int = 22) -> str:
    """A file's name, shortened for the picker."""
    name = path.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1] or path
    return name if len(name) <= limit else name[: limit - 1] + "…"


class IdleWatcher(QObject):
    """An application event filter: `idle()` after `timeout_ms` without input, `active()` on the next input."""

    idle = Signal()
    active = Signal()

    _INPUT = frozenset({QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.MouseMove,
                        QEvent.Type.Wheel, QEvent.Type.TouchBegin})

    def __init__(self, timeout_ms: int, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.is_idle = False
        self._timer = QTimer(self, singleShot=True, interval=timeout_ms)
        self._timer.timeout.connect(self._went_idle)
        self._timer.start()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in self._INPUT:
            self.touch()
        return False

    def touch(self) -> None:
        """Someone is using the app: restart the countdown (and report `active` after idleness)."""
        self._timer.start()
        if self.is_idle:
            self.is_idle = False
            self.active.emit()

    def _went_idle(self) -> None:
        self.is_idle = True
        log.info("no input for %d s: idle", self._timer.interval() // 1000)
        self.idle.emit()
