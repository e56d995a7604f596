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
