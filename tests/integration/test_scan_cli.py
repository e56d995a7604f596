"""`kupa scan FILE...` (`scan_files`, and `python -m pos_client.scanning`) on generated images and videos."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import barcode
import cv2
import numpy as np
import numpy.typing as npt
import qrcode
from barcode.writer import ImageWriter

from pos_client.scanning import scan_files

Image = npt.NDArray[np.uint8]

TOKEN = (
    "KUPA1.Ci3kLS9V.M810896.46.20260717."
    "dscDUma2CeB7zeqGMqf6qAGj237rLIUywZZZAObP6dZ79wynOLO-yXhKbVb8nCLGxsCq0sDWOM5yUuLg-cgRPg"
)
CARD = "PC45539653"


def qr_frame(text: str) -> Image:
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4)
    qr.add_data(text)
    qr.make(fit=True)
    modules = np.where(np.array(qr.get_matrix()), 0, 255).astype(np.uint8)
    code = np.asarray(np.kron(modules, np.ones((5, 5), np.uint8)), dtype=np.uint8)
    return place(code)


def barcode_frame(kind: str, data: str) -> Image:
    options = {"module_width": 0.3, "module_height": 12.0, "dpi": 254, "write_text": False, "quiet_zone": 4.0}
    code = np.asarray(barcode.get(kind, data, writer=ImageWriter()).render(options).convert("L"), np.uint8)
    return place(code)


def place(code: Image, size: tuple[int, int] = (640, 480)) -> Image:
    frame = np.full((size[1], size[0], 3), 120, np.uint8)
    h, w = code.shape
    y, x = (size[1] - h) // 2, (size[0] - w) // 2
    frame[y : y + h, x : x + w] = cv2.cvtColor(code, cv2.COLOR_GRAY2BGR)
    return frame


def lines(text: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in text.splitlines()]


def test_png_prints_one_json_line(tmp_path: Path) -> None:
    path = tmp_path / "card.png"
    cv2.imwrite(str(path), qr_frame(TOKEN))
    out, err = io.StringIO(), io.StringIO()
    assert scan_files([str(path)], out, err) == 0
    assert lines(out.getvalue()) == [{"file": str(path), "frame": 0, "symbology": "qr", "payload": TOKEN}]
    assert err.getvalue() == ""


def test_video_prints_a_line_per_frame_with_a_code(tmp_path: Path) -> None:
    path = tmp_path / "counter.avi"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"MJPG"), 10.0, (640, 480))
    blank = np.full((480, 640, 3), 120, np.uint8)
    card = barcode_frame("code128", CARD)
    for frame in [blank, blank, blank, card, card, card, blank]:
        writer.write(frame)
    writer.release()
    out = io.StringIO()
    assert scan_files([str(path)], out, io.StringIO()) == 0
    assert lines(out.getvalue()) == [
        {"file": str(path), "frame": i, "symbology": "code128", "payload": CARD} for i in (3, 4, 5)
    ]


def test_missing_file_goes_to_stderr_and_the_rest_is_read(tmp_path: Path) -> None:
    good = tmp_path / "punch.png"
    cv2.imwrite(str(good), barcode_frame("ean13", "299132541944"))
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"not a jpeg")
    missing = tmp_path / "missing.png"
    out, err = io.StringIO(), io.StringIO()
    assert scan_files([str(missing), str(good), str(broken)], out, err) == 1
    assert lines(out.getvalue()) == [{"file": str(good), "frame": 0, "symbology": "ean13", "payload": "2991325419449"}]
    messages = err.getvalue().splitlines()
    assert len(messages) == 2
    assert "missing.png" in messages[0] and "no such file" in messages[0]
    assert "broken.jpg" in messages[1]


def test_any_valid_text_is_printed_ascii_escaped(tmp_path: Path) -> None:
    path = tmp_path / "foreign.png"
    text = "שלום \u202e'; DROP TABLE members;--"
    cv2.imwrite(str(path), qr_frame(text))
    out = io.StringIO()
    assert scan_files([str(path)], out, io.StringIO()) == 0
    assert out.getvalue().isascii()
    assert lines(out.getvalue())[0]["payload"] == text


def test_image_without_a_code_prints_nothing(tmp_path: Path) -> None:
    path = tmp_path / "desk.png"
    cv2.imwrite(str(path), np.full((480, 640, 3), 90, np.uint8))
    out = io.StringIO()
    assert scan_files([str(path)], out, io.StringIO()) == 0
    assert out.getvalue() == ""


def test_python_dash_m(tmp_path: Path) -> None:
    path = tmp_path / "card.png"
    cv2.imwrite(str(path), qr_frame(TOKEN))
    done = subprocess.run(
        [sys.executable, "-m", "pos_client.scanning", str(path), str(tmp_path / "gone.png")],
        capture_output=True, text=True, timeout=60, check=False,
    )
    assert done.returncode == 1
    assert lines(done.stdout) == [{"file": str(path), "frame": 0, "symbology": "qr", "payload": TOKEN}]
    assert "gone.png" in done.stderr and "Traceback" not in done.stderr


def write_video(path: Path, scenes: list[tuple[Image, int]], fps: float = 10.0) -> Path:
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"MJPG"), fps, (640, 480))
    assert writer.isOpened()
    for frame, count in scenes:
        for _ in range(count):
            writer.write(frame)
    writer.release()
    return path


def counter_video(tmp_path: Path) -> Path:
    """A card shown for 0.8 s, 4 s of nothing (more than the 3 s debounce), the card again."""
    blank = np.full((480, 640, 3), 120, np.uint8)
    return write_video(tmp_path / "counter.avi", [(blank, 3), (qr_frame(TOKEN), 8), (blank, 40), (qr_frame(TOKEN), 8)])


def test_live_replay_prints_what_the_till_reports_with_at_ms(tmp_path: Path) -> None:
    """The camera loop's confirmation and debounce, one line per presentation, on a clock that keeps up."""
    from pos_client.scanning.cli_scan import replay

    video = counter_video(tmp_path)
    ticks = iter(i * 0.05 for i in range(10_000))  # two looks per 10 fps frame: never behind
    out = io.StringIO()
    assert replay(str(video), video, out, clock=lambda: next(ticks), sleep=lambda _s: None) == 0
    assert lines(out.getvalue()) == [
        {"file": str(video), "frame": 4, "symbology": "qr", "payload": TOKEN, "at_ms": 400},
        {"file": str(video), "frame": 52, "symbology": "qr", "payload": TOKEN, "at_ms": 5250},
    ]  # the second frame of each showing (two frames in a row confirm a code)


def test_kupa_scan_live_in_real_time(tmp_path: Path) -> None:
    """`python -m pos_client.scanning --live`: real clock, so only what no load can change is checked."""
    video = counter_video(tmp_path)
    done = subprocess.run([sys.executable, "-m", "pos_client.scanning", "--live", str(video)],
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    found = lines(done.stdout)
    assert found and all(set(line) == {"file", "frame", "symbology", "payload", "at_ms"} for line in found)
    assert all(line["payload"] == TOKEN and isinstance(line["at_ms"], int) for line in found)
    assert found[0]["at_ms"] >= 300  # played at its own pace: the card is not in view before frame 3


def test_live_replay_drops_frames_behind_a_slow_decode(tmp_path: Path) -> None:
    """A fake clock that jumps 0.25 s per look (2.5 frames at 10 fps): the loop skips what went by."""
    from pos_client.scanning.cli_scan import replay

    video = write_video(tmp_path / "card.avi", [(qr_frame(TOKEN), 40)])
    ticks = iter(i * 0.25 for i in range(10_000))
    sleeps: list[float] = []
    out = io.StringIO()
    assert replay(str(video), video, out, clock=lambda: next(ticks), sleep=sleeps.append) == 0
    found = lines(out.getvalue())
    assert [(line["payload"]) for line in found] == [TOKEN]
    assert found[0]["frame"] > 1 and found[0]["at_ms"] > 0
    assert all(s == 0.0 for s in sleeps)  # always behind: never waits


def test_kupa_scan_live_flag(tmp_path: Path) -> None:
    from pos_client.cli.main import build_parser

    args = build_parser().parse_args(["scan", "--live", "a.avi", "b.avi"])
    assert args.live and args.files == ["a.avi", "b.avi"]
