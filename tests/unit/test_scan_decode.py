"""The frame-decoding pipeline on real generated codes: QR (a Kupa-looking token), Code 128, EAN-13.

Codes are made here with `qrcode` and python-barcode, put on a webcam-sized scene, then turned, tilted,
blurred, darkened and made noisy with OpenCV; the pipeline must return the exact payload, and nothing at all
on a frame without a code. A few of the shared sample frames are checked too, when the folder is present.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import barcode
import cv2
import numpy as np
import numpy.typing as npt
import pytest
import qrcode
from barcode.writer import ImageWriter

from pos_client.scanning import Decoded, decode_frame
from pos_client.scanning.evidence import Evidence
from pos_client.scanning.enhance import whole
from pos_client.scanning.readers import RawRead

Image = npt.NDArray[np.uint8]


def u8(image: npt.NDArray[Any]) -> Image:
    return np.asarray(image, dtype=np.uint8)

TOKEN = (
    "KUPA1.jTEFyUfM.M620020.11.20261109."
    "uMvw9M2PrhmoBdhmbtgpI5PL5-Uo5C4hc1U0d7sug7AvCjVg_qAsr00MRVTODqUM-GezyJtGw_ZVCBvsElwxpw"
)
CARD = "PC61511484"
EAN12 = "299132541944"
EAN = "2991325419449"


def qr_image(text: str, module_px: int = 4) -> Image:
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4)
    qr.add_data(text)
    qr.make(fit=True)
    modules = np.array(qr.get_matrix(), dtype=np.uint8)
    image = np.where(modules == 1, 0, 255).astype(np.uint8)
    return np.kron(image, np.ones((module_px, module_px), dtype=np.uint8))


def barcode_image(kind: str, data: str) -> Image:
    options = {"module_width": 0.3, "module_height": 14.0, "dpi": 254, "write_text": False, "quiet_zone": 4.0}
    rendered = barcode.get(kind, data, writer=ImageWriter()).render(options)
    return np.asarray(rendered.convert("L"), dtype=np.uint8)


CODES: dict[str, tuple[Callable[[], Image], str]] = {
    "qr": (lambda: qr_image(TOKEN), TOKEN),
    "code128": (lambda: barcode_image("code128", CARD), CARD),
    "ean13": (lambda: barcode_image("ean13", EAN12), EAN),
}


def scene(code: Image, size: tuple[int, int] = (640, 480), seed: int = 1) -> tuple[Image, tuple[int, int]]:
    """The code on a white card on a mottled desk, BGR, and the code's centre."""
    width, height = size
    rng = np.random.default_rng(seed)
    desk = cv2.resize(rng.integers(60, 140, (12, 16), dtype=np.uint8), (width, height))
    frame = u8(cv2.cvtColor(desk, cv2.COLOR_GRAY2BGR))
    ch, cw = code.shape
    y0, x0 = (height - ch) // 2, (width - cw) // 2
    cv2.rectangle(frame, (x0 - 20, y0 - 20), (x0 + cw + 20, y0 + ch + 20), (235, 240, 238), -1)
    frame[y0 : y0 + ch, x0 : x0 + cw] = cv2.cvtColor(code, cv2.COLOR_GRAY2BGR)
    return frame, (x0 + cw // 2, y0 + ch // 2)


def rotate(frame: Image, degrees: float) -> Image:
    h, w = frame.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2, h / 2), degrees, 1.0)
    return u8(cv2.warpAffine(frame, m, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE))


def tilt(frame: Image) -> Image:
    h, w = frame.shape[:2]
    src = np.array([[0, 0], [w, 0], [w, h], [0, h]], dtype=np.float32)
    dst = np.array([[w * 0.08, h * 0.05], [w * 0.95, 0], [w * 0.9, h], [w * 0.02, h * 0.92]], dtype=np.float32)
    m = cv2.getPerspectiveTransform(src, dst)
    return u8(cv2.warpPerspective(frame, m, (w, h), borderMode=cv2.BORDER_REPLICATE))


def blur(frame: Image) -> Image:
    return u8(cv2.GaussianBlur(frame, (0, 0), 1.2))


def darken(frame: Image) -> Image:
    return u8(cv2.convertScaleAbs(frame, alpha=0.3, beta=10))


def noise(frame: Image, seed: int = 7) -> Image:
    rng = np.random.default_rng(seed)
    noisy = frame.astype(np.float32) + rng.normal(0.0, 12.0, frame.shape)
    return np.clip(noisy, 0, 255).astype(np.uint8)


DISTORTIONS: dict[str, Callable[[Image], Image]] = {
    "clean": lambda f: f,
    "rotated 30": lambda f: rotate(f, 30.0),
    "rotated 90": lambda f: rotate(f, 90.0),
    "rotated 150": lambda f: rotate(f, 150.0),
    "tilted": tilt,
    "blurred": blur,
    "dark": darken,
    "noisy": noise,
    "dark, noisy, turned": lambda f: noise(darken(rotate(f, -20.0))),
    "blurred and tilted": lambda f: blur(tilt(f)),
}


@pytest.mark.parametrize("distortion", sorted(DISTORTIONS))
@pytest.mark.parametrize("symbology", sorted(CODES))
def test_decodes_exact_payload(symbology: str, distortion: str) -> None:
    make, payload = CODES[symbology]
    frame, _ = scene(make())
    frame = DISTORTIONS[distortion](frame)
    found = decode_frame(frame)
    assert [(d.symbology, d.payload) for d in found] == [(symbology, payload)]


@pytest.mark.parametrize("symbology", sorted(CODES))
def test_quad_is_in_frame_coordinates(symbology: str) -> None:
    make, _ = CODES[symbology]
    frame, (cx, cy) = scene(make(), size=(1280, 720))
    (code,) = decode_frame(frame)
    xs = [x for x, _ in code.quad]
    ys = [y for _, y in code.quad]
    assert min(xs) - 5 <= cx <= max(xs) + 5
    assert min(ys) - 5 <= cy <= max(ys) + 5
    assert code.int_quad()[0] == (round(code.quad[0][0]), round(code.quad[0][1]))


def test_small_code_in_a_large_frame() -> None:
    frame, _ = scene(qr_image(TOKEN, module_px=3), size=(1280, 720))
    assert [d.payload for d in decode_frame(frame)] == [TOKEN]


def test_several_codes_in_one_frame() -> None:
    frame, _ = scene(np.full((10, 10), 255, np.uint8), size=(1280, 720))
    other = TOKEN.replace("M620020", "M620021")
    for (y, x), text in (((40, 40), TOKEN), ((300, 800), other)):
        qr = qr_image(text, 6)
        frame[y : y + qr.shape[0], x : x + qr.shape[1]] = cv2.cvtColor(qr, cv2.COLOR_GRAY2BGR)
    assert sorted(d.payload for d in decode_frame(frame)) == sorted([TOKEN, other])


def test_a_qr_code_and_a_barcode_give_one_or_both_never_a_wrong_one() -> None:
    frame, _ = scene(np.full((10, 10), 255, np.uint8), size=(1280, 720))
    qr, bar = qr_image(TOKEN, 6), barcode_image("code128", CARD)
    frame[40 : 40 + qr.shape[0], 40 : 40 + qr.shape[1]] = cv2.cvtColor(qr, cv2.COLOR_GRAY2BGR)
    frame[500 : 500 + bar.shape[0], 700 : 700 + bar.shape[1]] = cv2.cvtColor(bar, cv2.COLOR_GRAY2BGR)
    found = {(d.symbology, d.payload) for d in decode_frame(frame)}
    assert found and found <= {("code128", CARD), ("qr", TOKEN)}


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_frame_without_a_code_decodes_to_nothing(seed: int) -> None:
    frame, _ = scene(np.full((200, 300), 255, np.uint8), seed=seed)
    rng = np.random.default_rng(seed)
    for _ in range(30):  # clutter: bars, blocks and text that look a little like codes
        x, y = int(rng.integers(0, 600)), int(rng.integers(0, 440))
        cv2.rectangle(frame, (x, y), (x + int(rng.integers(2, 40)), y + int(rng.integers(5, 60))), (20, 20, 20), -1)
    cv2.putText(frame, "KUPA 1234 5678", (60, 400), cv2.FONT_HERSHEY_SIMPLEX, 1.2, (0, 0, 0), 3)
    assert decode_frame(noise(frame, seed)) == []


def test_accepts_gray_and_bgra_frames() -> None:
    frame, _ = scene(qr_image(TOKEN))
    gray = u8(cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY))
    bgra = u8(cv2.cvtColor(frame, cv2.COLOR_BGR2BGRA))
    assert [d.payload for d in decode_frame(gray)] == [TOKEN]
    assert [d.payload for d in decode_frame(bgra)] == [TOKEN]


def test_tiny_or_blank_frames_give_nothing_and_bad_arrays_raise() -> None:
    assert decode_frame(np.zeros((4, 4), np.uint8)) == []
    assert decode_frame(np.full((480, 640, 3), 255, np.uint8)) == []
    with pytest.raises(ValueError):
        decode_frame(np.zeros((10, 10, 5), np.uint8))


# --- agreement rules: what keeps misreads of 1D codes out ---------------------------------------------

QUAD = ((10.0, 10.0), (100.0, 10.0), (100.0, 40.0), (10.0, 40.0))


def _read(library: str, symbology: str, payload: str) -> RawRead:
    return RawRead(library, symbology, payload, QUAD)  # type: ignore[arg-type]


def _evidence(symbology: str, *reads: tuple[str, str, str]) -> list[tuple[str, str]]:
    evidence = Evidence()
    view = whole(np.zeros((50, 120), np.uint8))
    for library, family, payload in reads:
        evidence.add([_read(library, symbology, payload)], family, view)
    return [(d.symbology, d.payload) for d in evidence.accepted()]


def test_one_read_of_a_barcode_is_not_enough() -> None:
    assert _evidence("code128", ("zxing", "plain", CARD)) == []
    assert _evidence("code128", ("zbar", "flatten", CARD)) == []
    assert _evidence("ean13", ("zxing", "plain", EAN)) == []
    assert _evidence("code128", ("zxing", "plain", CARD), ("zxing", "plain", CARD)) == []  # same family


def test_code128_confirmed_by_zbar_or_a_different_enhancement() -> None:
    assert _evidence("code128", ("zxing", "plain", CARD), ("zbar", "plain", CARD)) == [("code128", CARD)]
    assert _evidence("code128", ("zxing", "plain", CARD), ("zxing", "binarize", CARD)) == [("code128", CARD)]


def test_ean13_needs_both_libraries_or_three_families() -> None:
    assert _evidence("ean13", ("zxing", "plain", EAN), ("zxing", "equalize", EAN)) == []
    assert _evidence("ean13", ("zxing", "sharpen", EAN), ("zbar", "sharpen", EAN)) == [("ean13", EAN)]
    three = [("zxing", "plain", EAN), ("zxing", "equalize", EAN), ("zxing", "binarize", EAN)]
    assert _evidence("ean13", *three) == [("ean13", EAN)]
    assert _evidence("ean13", ("zbar", "plain", EAN), ("zbar", "flatten", EAN), ("zbar", "sharpen", EAN)) == [
        ("ean13", EAN)]
    # Three reads, but two of one family (zxing-cpp's rotations of one picture): only two families.
    assert _evidence("ean13", ("zxing", "plain", EAN), ("zxing", "plain", EAN), ("zxing", "binarize", EAN)) == []


def test_a_vote_is_refused_when_any_rival_disagrees() -> None:
    """A near miss: another valid EAN-13 read at the same place, even once, even by the other library."""
    near_miss = "2991325419456"  # one digit and the check digit changed: it passes the checksum too
    three = [("zxing", "plain", EAN), ("zxing", "equalize", EAN), ("zxing", "binarize", EAN)]
    assert _evidence("ean13", *three, ("zbar", "plain", near_miss)) == []
    assert _evidence("ean13", *three, ("zxing", "sharpen", near_miss)) == []
    assert _evidence("code128", ("zxing", "plain", CARD), ("zxing", "binarize", CARD),
                     ("zbar", "plain", 'P"61511484')) == []


def test_rival_reads_raise_the_bar() -> None:
    other = "0921040864721"  # a valid EAN-13, as a misread would be
    reads = [("zxing", "sharpen", other), ("zxing", "binarize", EAN), ("zbar", "binarize", EAN)]
    assert _evidence("ean13", *reads) == []
    assert _evidence("ean13", *reads, ("zbar", "flatten", EAN)) == [("ean13", EAN)]


def test_implausible_reads_are_dropped() -> None:
    wrong_digit = "2991325419448"  # the check digit does not hold: never accepted, however many votes
    assert _evidence("ean13", ("zxing", "plain", wrong_digit), ("zbar", "plain", wrong_digit)) == []
    votes = [("zxing", family, wrong_digit) for family in ("plain", "binarize", "flatten", "sharpen")]
    assert _evidence("ean13", *votes) == []


def test_qr_read_stands_alone() -> None:
    evidence = Evidence()
    evidence.add([_read("zbar", "qr", TOKEN)], "binarize", whole(np.zeros((5, 5), np.uint8)))
    assert evidence.accepted() == [Decoded("qr", TOKEN, QUAD)]


# --- the shared sample frames -----------------------------------------------------------------------------

FRAMES = Path(os.environ.get("KUPA_FRAMES_DIR", Path(__file__).resolve().parents[3] / "shared" / "frames"))


def _manifest() -> list[dict[str, object]]:
    if not (FRAMES / "manifest.json").is_file():
        pytest.skip(f"sample frames not found in {FRAMES} (set KUPA_FRAMES_DIR)")
    data = json.loads((FRAMES / "manifest.json").read_text(encoding="utf-8"))
    return list(data["frames"])


def test_clean_sample_frames_decode_to_the_manifest_payload() -> None:
    clean = [f for f in _manifest() if f["category"] in ("clean", "large") and f["expected"]]
    assert clean
    for entry in clean:
        frame = cv2.imread(str(FRAMES / str(entry["file"])))
        assert frame is not None
        assert [d.payload for d in decode_frame(frame)] == [entry["expected"]], entry["file"]


def test_empty_sample_frames_decode_to_nothing() -> None:
    empty = [f for f in _manifest() if f["expected"] is None][:6]
    assert empty
    for entry in empty:
        frame = cv2.imread(str(FRAMES / str(entry["file"])))
        assert frame is not None
        assert decode_frame(frame) == [], entry["file"]
