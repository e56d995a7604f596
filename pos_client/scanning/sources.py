"""Where frames come from: a webcam, a video file, a still image or a folder of images, behind one interface.

The camera worker in `ui/` and `kupa scan` both want "the next frame"; the tests and the demo have no webcam,
so they feed a video file (an MJPG .avi stands in for a webcam's MJPEG stream) or images. Every source is an
iterator of `(frame_index, BGR frame)` with `close()` and a context manager. Opening a missing or unreadable
source raises `ScanSourceError` with a message a cashier or a support person understands, never an OpenCV
assertion; OpenCV's own console warnings are silenced while probing.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import Any

import cv2
import numpy as np
import numpy.typing as npt

from pos_client.errors import KupaError
from pos_client.messages import message

log = logging.getLogger(__name__)

Frame = npt.NDArray[np.uint8]

IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp", ".pgm", ".ppm"})


class ScanSourceError(KupaError):
    """A camera, video, image or folder that cannot be opened or read."""

    code = "scan_source"


@contextmanager
def quiet_opencv() -> Iterator[None]:
    """Silence OpenCV's console warnings (a missing camera, an unknown file) for the duration."""
    opencv: Any = cv2  # getLogLevel/setLogLevel are missing from OpenCV's type stubs
    previous = opencv.getLogLevel()
    opencv.setLogLevel(0)  # 0: silent
    try:
        yield
    finally:
        opencv.setLogLevel(previous)


class FrameSource:
    """An iterator of (frame index, BGR frame); close it, or use it as a context manager."""

    #: What the source is, for messages ("camera 0", "video clip.avi").
    name: str = "source"
    #: Frames per second when the source knows it (a video file), else None.
    fps: float | None = None

    def __iter__(self) -> Iterator[tuple[int, Frame]]:
        raise NotImplementedError

    def close(self) -> None:
        """Release the device or file; safe to call twice."""

    def __enter__(self) -> FrameSource:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


SCAN_NO_PICTURE = message("scan.no_picture", en="{source}: no picture could be read from it",
                          he="{source}: לא ניתן לקרוא ממנו תמונה")


class _CaptureSource(FrameSource):
    """A `cv2.VideoCapture`: a camera by index, or a video file."""

    def __init__(self, capture: cv2.VideoCapture, name: str, live: bool) -> None:
        self._capture: cv2.VideoCapture | None = capture
        self.name = name
        self._live = live
        fps = float(capture.get(cv2.CAP_PROP_FPS) or 0.0)
        self.fps = fps if fps > 0 and not live else None
        ok, first = capture.read()
        if not ok or first is None:
            self.close()
            raise ScanSourceError(SCAN_NO_PICTURE, source=name)
        self._first: Frame | None = np.asarray(first, dtype=np.uint8)

    def __iter__(self) -> Iterator[tuple[int, Frame]]:
        index = 0
        if self._first is not None:
            first, self._first = self._first, None
            yield index, first
            index += 1
        while self._capture is not None:
            ok, frame = self._capture.read()
            if not ok or frame is None:
                if self._live:
                    log.warning("%s stopped delivering pictures", self.name)
                return
            yield index, np.asarray(frame, dtype=np.uint8)
            index += 1

    def close(self) -> None:
        if self._capture is not None:
            self._capture.release()
            self._capture = None
        self._first = None


SCAN_CAMERA_NUMBER = message("scan.camera_number", en="camera {index}: a camera number is 0 or more",
                             he="מצלמה {index}: מספר מצלמה הוא 0 ומעלה")
SCAN_CAMERA_MISSING = message("scan.camera_missing",
                              en="camera {index}: not found or in use by another program",
                              he="מצלמה {index}: לא נמצאה או בשימוש של תוכנה אחרת")


def open_camera(index: int) -> FrameSource:
    """The webcam at `index` (0 is the system's first camera)."""
    if index < 0:
        raise ScanSourceError(SCAN_CAMERA_NUMBER, index=index)
    with quiet_opencv():
        capture = cv2.VideoCapture(index)
        if not capture.isOpened():
            capture.release()
            raise ScanSourceError(SCAN_CAMERA_MISSING, index=index)
        return _CaptureSource(capture, f"camera {index}", live=True)


SCAN_NOT_VIDEO = message("scan.not_video", en="{path}: not a video file this terminal can read",
                         he="{path}: אינו קובץ וידאו שהקופה יכולה לקרוא")


def open_video(path: Path) -> FrameSource:
    """A video file, frame by frame (every frame; the caller drops frames if it must)."""
    _require_file(path)
    with quiet_opencv():
        capture = cv2.VideoCapture(str(path))
        if not capture.isOpened():
            capture.release()
            raise ScanSourceError(SCAN_NOT_VIDEO, path=str(path))
        return _CaptureSource(capture, f"video {path.name}", live=False)


class _ImageListSource(FrameSource):
    """Still images: one file, or every image of a folder in name order."""

    def __init__(self, files: list[Path], name: str, skip_unreadable: bool, first: Frame | None = None) -> None:
        self.name = name
        self.files = files
        self._skip = skip_unreadable
        self._first = first

    def __iter__(self) -> Iterator[tuple[int, Frame]]:
        for index, path in enumerate(self.files):
            if index == 0 and self._first is not None:
                first, self._first = self._first, None
                yield index, first
                continue
            try:
                yield index, read_image(path)
            except ScanSourceError as exc:
                if not self._skip:
                    raise
                log.warning("skipped: %s", exc)


SCAN_UNREADABLE = message("scan.unreadable", en="{path}: cannot be read ({error})",
                          he="{path}: אי אפשר לקרוא אותו ({error})")
SCAN_NOT_IMAGE = message("scan.not_image", en="{path}: not an image this terminal can read",
                         he="{path}: אינו תמונה שהקופה יכולה לקרוא")


def read_image(path: Path) -> Frame:
    """A still image as a BGR frame (works with any file name, unlike `cv2.imread` on some systems)."""
    _require_file(path)
    try:
        data = np.fromfile(str(path), dtype=np.uint8)
    except OSError as exc:
        raise ScanSourceError(SCAN_UNREADABLE, path=str(path), error=exc.strerror or str(exc)) from exc
    with quiet_opencv():
        image = cv2.imdecode(data, cv2.IMREAD_COLOR) if data.size else None
    if image is None:
        raise ScanSourceError(SCAN_NOT_IMAGE, path=str(path))
    return np.asarray(image, dtype=np.uint8)


def open_image(path: Path) -> FrameSource:
    """One still image, as a one-frame source (read now, so a bad file fails at open)."""
    return _ImageListSource([path], f"image {path.name}", skip_unreadable=False, first=read_image(path))


SCAN_NO_FOLDER = message("scan.no_folder", en="{path}: no such folder", he="{path}: אין תיקייה כזו")
SCAN_EMPTY_FOLDER = message("scan.empty_folder", en="{path}: the folder holds no images",
                            he="{path}: אין תמונות בתיקייה")


def open_folder(path: Path) -> FrameSource:
    """Every image of a folder, in name order; unreadable ones are skipped with a warning."""
    if not path.is_dir():
        raise ScanSourceError(SCAN_NO_FOLDER, path=str(path))
    files = sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES)
    if not files:
        raise ScanSourceError(SCAN_EMPTY_FOLDER, path=str(path))
    return _ImageListSource(files, f"folder {path.name}", skip_unreadable=True)


SCAN_NOT_MEDIA = message("scan.not_media", en="{path}: not an image or a video this terminal can read",
                         he="{path}: אינו תמונה או וידאו שהקופה יכולה לקרוא")


def open_file(path: Path) -> FrameSource:
    """An image or a video file, told apart by its suffix and, failing that, by trying both."""
    _require_file(path)
    if path.suffix.lower() in IMAGE_SUFFIXES:
        return open_image(path)
    try:
        return open_video(path)
    except ScanSourceError:
        try:
            return open_image(path)
        except ScanSourceError:
            raise ScanSourceError(SCAN_NOT_MEDIA, path=str(path)) from None


SCAN_BAD_SPEC = message("scan.bad_source", en="{source}: not a camera number, file or folder",
                        he="{source}: אינו מספר מצלמה, קובץ או תיקייה")


def open_source(spec: str | int | Path) -> FrameSource:
    """A source from a camera index (an int, or a string of digits), a file or a folder."""
    if isinstance(spec, bool):
        raise ScanSourceError(SCAN_BAD_SPEC, source=repr(spec))
    if isinstance(spec, int):
        return open_camera(spec)
    if isinstance(spec, str) and spec.strip().isdigit() and not Path(spec).exists():
        return open_camera(int(spec.strip()))
    path = Path(spec)
    if path.is_dir():
        return open_folder(path)
    return open_file(path)


def list_cameras(max_index: int = 4) -> list[int]:
    """The camera indices 0..max_index that open and deliver a picture, probed without console noise."""
    found: list[int] = []
    with quiet_opencv():
        for index in range(max_index + 1):
            capture = cv2.VideoCapture(index)
            try:
                if capture.isOpened() and capture.read()[0]:
                    found.append(index)
            finally:
                capture.release()
    log.debug("cameras found: %s", found)
    return found


SCAN_NO_FILE = message("scan.no_file", en="{path}: no such file", he="{path}: אין קובץ כזה")
SCAN_IS_FOLDER = message("scan.is_folder", en="{path}: is a folder, not a file",
                         he="{path}: זו תיקייה, לא קובץ")


def _require_file(path: Path) -> None:
    if not path.exists():
        raise ScanSourceError(SCAN_NO_FILE, path=str(path))
    if path.is_dir():
        raise ScanSourceError(SCAN_IS_FOLDER, path=str(path))
