"""Frame sources (folder, video, image, camera errors) and the stream confirmer that sits after them.

No webcam on the build machines: an MJPG .avi written with `cv2.VideoWriter` stands in for one, as the camera
worker's tests do. The confirmer is fed synthetic streams with made-up timestamps.
"""

from __future__ import annotations

import logging
from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt
import pytest

from pos_client.scanning import (
    CodeConfirmer,
    Decoded,
    ScanSourceError,
    list_cameras,
    open_camera,
    open_file,
    open_folder,
    open_source,
)
from pos_client.scanning.sources import read_image

Image = npt.NDArray[np.uint8]


def picture(value: int, size: tuple[int, int] = (160, 120)) -> Image:
    frame = np.full((size[1], size[0], 3), value, np.uint8)
    cv2.putText(frame, str(value), (10, 60), cv2.FONT_HERSHEY_SIMPLEX, 1.0, (255 - value, 0, 0), 2)
    return frame


def write_video(path: Path, count: int, fps: float = 10.0) -> None:
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"MJPG"), fps, (160, 120))
    assert writer.isOpened()
    for i in range(count):
        writer.write(picture(20 * i % 250))
    writer.release()


# --- folders and images ---------------------------------------------------------------------------------

def test_folder_yields_images_in_name_order(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    for name, value in (("b.png", 20), ("a.jpg", 40), ("c.bmp", 60)):
        cv2.imwrite(str(tmp_path / name), picture(value))
    (tmp_path / "notes.txt").write_text("not an image")
    (tmp_path / "broken.png").write_bytes(b"\x89PNG not really")
    with caplog.at_level(logging.WARNING), open_source(tmp_path) as source:
        frames = list(source)
    assert [i for i, _ in frames] == [0, 1, 3]  # a.jpg, b.png, (broken.png skipped), c.bmp
    assert [int(f[100, 150, 1]) for _, f in frames] == [40, 20, 60]
    assert all(f.shape == (120, 160, 3) and f.dtype == np.uint8 for _, f in frames)
    assert "broken.png" in caplog.text


def test_single_image(tmp_path: Path) -> None:
    cv2.imwrite(str(tmp_path / "card.png"), picture(80))
    with open_source(str(tmp_path / "card.png")) as source:
        frames = list(source)
    assert len(frames) == 1 and frames[0][0] == 0 and frames[0][1].shape == (120, 160, 3)


def test_image_with_unicode_name(tmp_path: Path) -> None:
    path = tmp_path / "כרטיס.png"
    cv2.imencode(".png", picture(80))[1].tofile(str(path))
    assert read_image(path).shape == (120, 160, 3)


def test_empty_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ScanSourceError, match="no images"):
        open_folder(tmp_path)


# --- video ----------------------------------------------------------------------------------------------

def test_video_yields_every_frame(tmp_path: Path) -> None:
    path = tmp_path / "counter.avi"
    write_video(path, 12)
    with open_source(path) as source:
        assert source.fps == pytest.approx(10.0)
        frames = list(source)
    assert [i for i, _ in frames] == list(range(12))
    assert all(f.shape == (120, 160, 3) for _, f in frames)
    assert abs(int(frames[5][1][100, 150, 0]) - 100) < 12  # MJPG is lossy


def test_close_is_idempotent_and_stops_iteration(tmp_path: Path) -> None:
    path = tmp_path / "clip.avi"
    write_video(path, 5)
    source = open_file(path)
    iterator = iter(source)
    assert next(iterator)[0] == 0
    source.close()
    source.close()
    assert list(iterator) == []


# --- errors ---------------------------------------------------------------------------------------------

def test_missing_file_names_it(tmp_path: Path) -> None:
    with pytest.raises(ScanSourceError, match="nothing.avi: no such file"):
        open_source(tmp_path / "nothing.avi")


@pytest.mark.parametrize("name", ["fake.avi", "fake.png", "fake.mp4", "fake"])
def test_unreadable_file_is_a_typed_error(tmp_path: Path, name: str, capfd: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / name
    path.write_bytes(b"this is not a picture at all" * 10)
    with pytest.raises(ScanSourceError, match=name):
        open_source(path)
    assert "WARN" not in capfd.readouterr().err  # OpenCV kept quiet


def test_empty_video_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "empty.avi"
    path.write_bytes(b"")
    with pytest.raises(ScanSourceError, match="empty.avi"):
        open_source(path)


def test_missing_camera_is_a_typed_error(capfd: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(ScanSourceError, match="camera 97"):
        open_source(97)
    with pytest.raises(ScanSourceError, match="camera 98"):
        open_source("98")
    with pytest.raises(ScanSourceError):
        open_camera(-1)
    assert "WARN" not in capfd.readouterr().err


def test_list_cameras_probes_quietly(capfd: pytest.CaptureFixture[str]) -> None:
    cameras = list_cameras(max_index=1)
    assert all(isinstance(i, int) and 0 <= i <= 1 for i in cameras)
    assert "WARN" not in capfd.readouterr().err


# --- the confirmer --------------------------------------------------------------------------------------

QUAD = ((0.0, 0.0), (10.0, 0.0), (10.0, 10.0), (0.0, 10.0))
CODE = Decoded("qr", "KUPA1.a.b.c.d.e", QUAD)
CARD = Decoded("code128", "PC61511484", QUAD)


def stream(confirmer: CodeConfirmer, present: list[bool], step_s: float) -> list[int]:
    """Feed frames (the code present or not) `step_s` apart; the frame numbers where a code came out."""
    emitted = []
    for index, shown in enumerate(present):
        if confirmer.feed([CODE] if shown else [], now=100.0 + index * step_s) is not None:
            emitted.append(index)
    return emitted


PRESENTATIONS = [True] * 10 + [False] * 10 + [True] * 10


def test_two_presentations_after_the_debounce_give_two_codes() -> None:
    # 0.4 s between frames: the code is last seen at 3.6 s and back at 8.0 s, past the 3 s debounce.
    assert stream(CodeConfirmer(), PRESENTATIONS, step_s=0.4) == [1, 21]


def test_a_gap_shorter_than_the_debounce_gives_one_code() -> None:
    # 0.1 s between frames: the gap is 1.1 s.
    assert stream(CodeConfirmer(), PRESENTATIONS, step_s=0.1) == [1]


def test_holding_a_card_still_gives_one_code() -> None:
    assert stream(CodeConfirmer(), [True] * 200, step_s=0.1) == [1]  # 20 s in view


def test_one_frame_is_not_enough() -> None:
    assert stream(CodeConfirmer(), [True, False] * 10, step_s=0.1) == []
    assert stream(CodeConfirmer(frames_needed=1), [True, False, False], step_s=0.1) == [0]
    assert stream(CodeConfirmer(frames_needed=3), [True] * 5, step_s=0.1) == [2]


def test_frames_far_apart_do_not_make_a_streak() -> None:
    confirmer = CodeConfirmer(max_gap_s=1.0)
    assert confirmer.feed([CODE], now=0.0) is None
    assert confirmer.feed([CODE], now=5.0) is None
    assert confirmer.feed([CODE], now=5.2) == CODE


def test_two_codes_each_once() -> None:
    confirmer = CodeConfirmer()
    out = [confirmer.feed([CODE, CARD], now=i * 0.1) for i in range(6)]
    assert out == [None, CODE, CARD, None, None, None]


def test_reset_and_injected_clock() -> None:
    now = [0.0]
    confirmer = CodeConfirmer(clock=lambda: now[0])
    assert confirmer.feed([CODE]) is None
    now[0] = 0.1
    assert confirmer.feed([CODE]) == CODE
    confirmer.reset()
    now[0] = 0.2
    assert confirmer.feed([CODE]) is None
    now[0] = 0.3
    assert confirmer.feed([CODE]) == CODE


def test_bad_settings_are_refused() -> None:
    with pytest.raises(ValueError):
        CodeConfirmer(frames_needed=0)
    with pytest.raises(ValueError):
        CodeConfirmer(debounce_s=-1)
