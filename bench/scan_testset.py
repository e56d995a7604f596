"""A hard, seeded test set for the scanner: printed codes photographed badly (a print-and-photograph simulation).

Why: the sample frames of `shared/frames` were made by the same hands that tuned the pipeline, and the real
photographs of issue 14 are not here. This module makes webcam frames the way a counter makes them, from the
printer to the JPEG:

1. the printed thing: a real Kupa member card (`pos_client.cards.render`, QR token and Code 128 number), a
   QR code on paper, a Code 128 punch-card label or an EAN-13 on a coloured cover, printed with ink spread or
   thinning, grey toner and off-white paper;
2. the paper: curled (a cylinder bend, with its shading);
3. the camera: a 3D pose (roll anywhere, tilt up to ~50 degrees), codes at a distance (1.3 px modules), a desk
   with clutter behind, two codes in view, uneven light, a shadow, glare that burns out part of the code;
4. the lens and sensor: defocus (a disk), motion blur (a line), low light with shot and read noise lifted by the
   camera's gain, a colour cast, and JPEG at quality 25-92.

Every image draws a few troubles; `VARIANTS` holds two sets with different seeds *and* different parameter
ranges: `tuning` (what the cascade was tuned on) and `heldout` (looked at only to report figures). Rendering is
done at twice the frame's resolution and averaged down, as a sensor integrates light. The same seed gives the
same pixels (numpy, OpenCV and the card renderer are deterministic).

    .venv/bin/python bench/scan_testset.py --set heldout --out /tmp/kupa-scan-heldout
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import numpy.typing as npt
import qrcode
from barcode.codex import Code128
from barcode.ean import EAN13
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from qrcode.constants import ERROR_CORRECT_M

Image = npt.NDArray[np.uint8]
Floats = npt.NDArray[np.float32]
Rng = np.random.Generator

SUPERSAMPLE = 2
TROUBLES = ("tilt", "curl", "motion", "defocus", "glare", "lowlight", "jpeg", "turned", "small", "shadow")


@dataclass(frozen=True)
class Variant:
    """One test set: its seed, size and the ranges its troubles are drawn from."""

    seed: int
    count: int
    hd_share: float  # share of 1280x720 frames (the rest are 640x480)
    empty_share: float  # frames with no code (decoys only): every code reported there is false
    troubles_per_image: tuple[int, int]
    max_tilt_deg: float
    motion_px: tuple[float, float]  # motion blur length in frame pixels
    defocus_px: tuple[float, float]  # defocus disk radius in frame pixels
    jpeg: tuple[int, int]
    small_module_px: tuple[float, float]  # QR module size for a code "at a distance" (1D: narrowest bar)
    glare: tuple[float, float]  # peak brightness added by glare
    lowlight_gain: tuple[float, float]
    curl: tuple[float, float]  # cylinder angle half-span, radians
    weights: dict[str, float] = field(default_factory=dict)  # scene kinds


VARIANTS: dict[str, Variant] = {
    "tuning": Variant(
        seed=1401, count=300, hd_share=0.2, empty_share=0.08, troubles_per_image=(1, 3), max_tilt_deg=45.0,
        motion_px=(1.0, 3.5), defocus_px=(0.6, 1.6), jpeg=(25, 60), small_module_px=(1.7, 2.5),
        glare=(120.0, 260.0), lowlight_gain=(0.2, 0.5), curl=(0.35, 0.9),
        weights={"member_card": 0.3, "qr": 0.2, "code128": 0.2, "ean13": 0.2, "two": 0.1},
    ),
    "heldout": Variant(
        seed=90210, count=300, hd_share=0.25, empty_share=0.08, troubles_per_image=(1, 3), max_tilt_deg=50.0,
        motion_px=(1.0, 3.8), defocus_px=(0.6, 1.7), jpeg=(22, 65), small_module_px=(1.6, 2.5),
        glare=(100.0, 280.0), lowlight_gain=(0.18, 0.5), curl=(0.3, 1.0),
        weights={"member_card": 0.25, "qr": 0.2, "code128": 0.2, "ean13": 0.2, "two": 0.15},
    ),
    "sample": Variant(
        seed=7, count=16, hd_share=0.2, empty_share=0.1, troubles_per_image=(1, 2), max_tilt_deg=40.0,
        motion_px=(2.0, 6.0), defocus_px=(1.0, 2.2), jpeg=(30, 70), small_module_px=(1.5, 2.2),
        glare=(120.0, 240.0), lowlight_gain=(0.15, 0.35), curl=(0.35, 0.8),
        weights={"member_card": 0.3, "qr": 0.2, "code128": 0.2, "ean13": 0.2, "two": 0.1},
    ),
}


@dataclass(frozen=True)
class Code:
    symbology: str  # "qr", "code128", "ean13"
    payload: str


@dataclass
class Printed:
    """A printed item as an image, and for each of its codes the box of the code and its module size (px)."""

    image: Image  # BGR
    codes: list[tuple[Code, tuple[float, float, float, float], float]]


# -- payloads ------------------------------------------------------------------------------------------------

_B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


def member_token(rng: Rng) -> str:
    """A real signed Kupa card token (DESIGN.md), with a key made from the seed."""
    from pos_client.cards import tokens

    key = Ed25519PrivateKey.from_private_bytes(rng.bytes(32))
    member = f"M{int(rng.integers(100000, 999999))}"
    issued = date(2025 + int(rng.integers(0, 3)), int(rng.integers(1, 13)), int(rng.integers(1, 29)))
    return tokens.sign(key, member, int(rng.integers(1, 60)), issued)


def card_number(rng: Rng) -> str:
    if rng.random() < 0.7:
        return "PC" + "".join(str(d) for d in rng.integers(0, 10, 8))
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789"
    return "".join(alphabet[i] for i in rng.integers(0, len(alphabet), int(rng.integers(6, 13))))


def ean13(rng: Rng) -> str:
    prefix = "978" if rng.random() < 0.5 else "2" + str(int(rng.integers(0, 10))) + "0"
    body = prefix + "".join(str(d) for d in rng.integers(0, 10, 9))
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(body))
    return body + str((10 - total % 10) % 10)


# -- printing ------------------------------------------------------------------------------------------------

def _print(mask: Floats, rng: Rng, module: float) -> Floats:
    """Ink on paper: a 0..1 ink mask spread or thinned (blur, then a threshold off the middle), toner speckle."""
    soft = cv2.GaussianBlur(mask, (0, 0), max(0.4, 0.35 * module))
    level = float(rng.uniform(0.4, 0.6))
    ink = np.clip((soft - level) * 6.0 + 0.5, 0.0, 1.0)
    speckle = rng.random(mask.shape, dtype=np.float32) < 0.004
    ink[speckle] *= 0.3
    return np.asarray(ink, dtype=np.float32)


def _paper(shape: tuple[int, int], rng: Rng, tint: tuple[float, float, float] | None = None) -> Floats:
    h, w = shape
    base = np.array(tint if tint is not None else (rng.uniform(225, 250),) * 3, dtype=np.float32)
    base = base + rng.uniform(-8, 8, 3).astype(np.float32)
    paper = np.empty((h, w, 3), np.float32)
    paper[:] = base
    grain = cv2.resize(rng.normal(0, 4, (max(2, h // 16), max(2, w // 16))).astype(np.float32), (w, h))
    return np.asarray(paper + grain[..., None], dtype=np.float32)


def _apply_ink(paper: Floats, ink: Floats, rng: Rng) -> Image:
    toner = float(rng.uniform(15, 60))
    out = paper * (1.0 - ink[..., None]) + toner * ink[..., None]
    return np.asarray(np.clip(out, 0, 255), dtype=np.uint8)


def _qr_matrix(text: str) -> npt.NDArray[np.bool_]:
    qr = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=1, border=0)
    qr.add_data(text)
    qr.make(fit=True)
    return np.array(qr.get_matrix(), dtype=bool)


def printed_qr(rng: Rng, token: str) -> Printed:
    matrix = _qr_matrix(token)
    module = 10
    n = matrix.shape[0]
    margin = int(rng.uniform(5, 9) * module)  # the quiet zone and a little paper
    side = n * module + 2 * margin
    text_h = int(rng.uniform(0.0, 0.25) * side)
    mask = np.zeros((side + text_h, side), np.float32)
    mask[margin : margin + n * module, margin : margin + n * module] = np.kron(matrix, np.ones((module, module)))
    ink = _print(mask, rng, module)
    image = _apply_ink(_paper(mask.shape, rng), ink, rng)
    if text_h > 30:
        cv2.putText(image, "Scan at the counter", (margin, side + text_h // 2), cv2.FONT_HERSHEY_SIMPLEX,
                    text_h / 60.0, (40, 40, 40), 2, cv2.LINE_AA)
    box = (margin, margin, margin + n * module, margin + n * module)
    return Printed(image, [(Code("qr", token), box, float(module))])


def _bars(bits: str, module: int, height: int, quiet: int) -> Floats:
    row = np.array([1.0 if b == "1" else 0.0 for b in "0" * quiet + bits + "0" * quiet], np.float32)
    return np.asarray(np.repeat(row, module)[None, :].repeat(height, axis=0), dtype=np.float32)


def printed_code128(rng: Rng, number: str) -> Printed:
    module = 4
    bits = Code128(number).build()[0]
    quiet = int(rng.integers(10, 16))
    height = int(module * len(bits) * rng.uniform(0.2, 0.4))
    bars = _bars(bits, module, height, quiet)
    pad_top, pad_bottom = int(rng.uniform(20, 80)), int(rng.uniform(50, 90))
    mask = np.zeros((height + pad_top + pad_bottom, bars.shape[1]), np.float32)
    mask[pad_top : pad_top + height] = bars
    ink = _print(mask, rng, module)
    image = _apply_ink(_paper(mask.shape, rng), ink, rng)
    cv2.putText(image, number, (quiet * module, pad_top + height + 40), cv2.FONT_HERSHEY_SIMPLEX, 1.1,
                (30, 30, 30), 2, cv2.LINE_AA)
    box = (quiet * module, pad_top, (quiet + len(bits)) * module, pad_top + height)
    return Printed(image, [(Code("code128", number), box, float(module))])


def printed_ean13(rng: Rng, digits: str) -> Printed:
    module = 4
    bits = EAN13(digits[:12]).build()[0]
    quiet = 11
    height = int(module * 95 * rng.uniform(0.5, 0.75))
    bars = _bars(bits, module, height, quiet)
    guards = _bars(bits, module, height + 5 * module, quiet)  # the guard bars reach below the digits' line
    keep = np.zeros(len(bits), bool)
    for start in (0, 45, 92):
        keep[start : start + 3] = True
    guard_cols = np.repeat(np.concatenate([np.zeros(quiet, bool), keep, np.zeros(quiet, bool)]), module)
    pad_top, pad_bottom = int(rng.uniform(15, 60)), 70
    mask = np.zeros((height + pad_top + pad_bottom, bars.shape[1]), np.float32)
    mask[pad_top : pad_top + height] = bars
    mask[pad_top : pad_top + height + 5 * module, guard_cols] = guards[:, guard_cols]
    ink = _print(mask, rng, module)
    cover = rng.random() < 0.5  # a book cover: a white box on a coloured cover
    image = _apply_ink(_paper(mask.shape, rng), ink, rng)
    cv2.putText(image, f"{digits[0]}  {digits[1:7]}  {digits[7:]}", (module * 2, pad_top + height + 50),
                cv2.FONT_HERSHEY_SIMPLEX, 1.05, (25, 25, 25), 2, cv2.LINE_AA)
    box = (quiet * module, pad_top, (quiet + 95) * module, pad_top + height)
    if cover:
        h, w = image.shape[:2]
        border = int(rng.uniform(30, 90))
        r, g, b = (float(c) for c in rng.uniform(40, 230, 3))
        colour = (r, g, b)
        big = _apply_ink(_paper((h + 2 * border, w + 2 * border), rng, colour), np.zeros((h + 2 * border,
                         w + 2 * border), np.float32), rng)
        big[border : border + h, border : border + w] = image
        image = big
        box = (box[0] + border, box[1] + border, box[2] + border, box[3] + border)
    return Printed(image, [(Code("ean13", digits), box, float(module))])


@lru_cache(maxsize=8)
def _card_render(token: str, number: str, name: str) -> Image:
    from pos_client.cards.render import CardFace, render_card_image

    face = CardFace(store_name="Kupa Coffee", member_name=name, member_id=token.split(".")[2], tier_name="Gold",
                    token=token, card_number=number, issued=date(2026, 1, 5), issued_label="Issued")
    rgb = np.asarray(render_card_image(face).convert("RGB"), dtype=np.uint8)
    return np.asarray(cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR), dtype=np.uint8)


def printed_member_card(rng: Rng, token: str, number: str) -> Printed:
    """The real card layout; its codes are found on the render itself (dark-module bounding boxes)."""
    names = ("Dana Levi", "Yossi Cohen", "Maya Katz", "Omer Ben-David", "Noa Friedman")
    full = _card_render(token, number, names[int(rng.integers(0, len(names)))])
    scale = 0.5
    card = np.asarray(cv2.resize(full, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA), np.uint8)
    gray = cv2.cvtColor(card, cv2.COLOR_BGR2GRAY)
    h, w = gray.shape
    dark = gray < 100
    dark[: int(h * 0.2)] = False  # the store band
    # The QR sits right of the middle; the Code 128 under the text on the left (see cards/render.py).
    right = np.argwhere(dark[:, w // 2 :])
    qy0, qx0 = right.min(axis=0)
    qy1, qx1 = right.max(axis=0)
    qr_box = (float(qx0 + w // 2), float(qy0), float(qx1 + w // 2), float(qy1))
    qr_module = (qx1 - qx0) / _qr_matrix(token).shape[0]
    rows = dark[int(h * 0.64) : int(h * 0.84), : w // 2]
    left = np.argwhere(rows)
    by0, bx0 = left.min(axis=0)
    by1, bx1 = left.max(axis=0)
    bar_box = (float(bx0), float(by0 + int(h * 0.64)), float(bx1), float(by1 + int(h * 0.64)))
    bar_module = (bx1 - bx0) / len(Code128(number).build()[0])
    # Reprint it: the render is a perfect bitmap, a printer is not.
    ink = _print((255.0 - gray.astype(np.float32)) / 255.0, rng, 2.0)
    printed = np.asarray(np.clip(card.astype(np.float32) * (1.0 - 0.5 * ink[..., None]), 0, 255), np.uint8)
    return Printed(printed, [(Code("qr", token), qr_box, float(qr_module)),
                             (Code("code128", number), bar_box, float(bar_module))])


# -- the photograph ------------------------------------------------------------------------------------------

def desk(rng: Rng, width: int, height: int, decoys: bool) -> Floats:
    """A counter top: a low-frequency mottle, a tint, grain, and clutter (text, bars that are no code)."""
    mottle = cv2.resize(rng.uniform(0, 1, (6, 8)).astype(np.float32), (width, height), interpolation=cv2.INTER_CUBIC)
    colour = rng.uniform(60, 180, 3).astype(np.float32)
    image = colour[None, None, :] * (0.7 + 0.5 * mottle[..., None])
    image = image + rng.normal(0, 3, (height, width, 1)).astype(np.float32)
    if decoys or rng.random() < 0.5:
        for _ in range(int(rng.integers(2, 8))):
            x, y = int(rng.integers(0, width)), int(rng.integers(0, height))
            ink = tuple(float(c) for c in rng.uniform(0, 90, 3))
            kind = rng.random()
            if kind < 0.4:
                cv2.putText(image, "".join(chr(int(c)) for c in rng.integers(65, 91, int(rng.integers(3, 10)))),
                            (x, y), cv2.FONT_HERSHEY_SIMPLEX, float(rng.uniform(0.6, 2.5)), ink,
                            int(rng.integers(1, 5)), cv2.LINE_AA)
            elif kind < 0.7:  # stripes: a knitted sleeve, a grille, a receipt's rule lines
                step = int(rng.integers(4, 14))
                for i in range(int(rng.integers(4, 14))):
                    cv2.line(image, (x + i * step, y), (x + i * step, y + int(rng.integers(30, 120))), ink,
                             int(rng.integers(1, 4)))
            else:  # a dotted pattern
                for i in range(int(rng.integers(10, 60))):
                    cx = x + int(rng.integers(0, 120))
                    cy = y + int(rng.integers(0, 120))
                    cv2.rectangle(image, (cx, cy), (cx + 6, cy + 6), ink, -1)
    return np.asarray(image, dtype=np.float32)


def curl(image: Image, angle: float) -> tuple[Image, Floats, Floats]:
    """The print bent round a vertical cylinder (half-span `angle` radians): x foreshortened toward the edges,
    the far side shaded. Returns the image and the maps from bent to flat coordinates."""
    h, w = image.shape[:2]
    u = np.linspace(-1.0, 1.0, w, dtype=np.float32)  # bent coordinate, -1..1 of the projected width
    flat = np.arcsin(np.clip(u * math.sin(angle), -1, 1)) / angle  # -1..1 along the paper
    map_x = np.repeat(((flat + 1.0) * 0.5 * (w - 1))[None, :], h, axis=0).astype(np.float32)
    map_y = np.repeat(np.arange(h, dtype=np.float32)[:, None], w, axis=1)
    bent = cv2.remap(image, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    shade = (0.75 + 0.25 * np.cos(flat * angle + 0.4 * angle)).astype(np.float32)
    bent = np.clip(bent.astype(np.float32) * shade[None, :, None], 0, 255).astype(np.uint8)
    return np.asarray(bent, dtype=np.uint8), map_x, map_y


def pose(rng: Rng, w: float, h: float, scale: float, centre: tuple[float, float], tilt_deg: float,
         roll_deg: float) -> Floats:
    """The homography of a w x h print seen at `scale` px per print px, turned and tilted (a pinhole camera)."""
    ax, ay = math.radians(tilt_deg) * rng.uniform(-1, 1), math.radians(tilt_deg) * rng.uniform(-1, 1)
    if abs(ax) + abs(ay) > math.radians(tilt_deg):
        ax, ay = ax * 0.6, ay * 0.6
    roll = math.radians(roll_deg)
    corners = np.array([[-w / 2, -h / 2, 0], [w / 2, -h / 2, 0], [w / 2, h / 2, 0], [-w / 2, h / 2, 0]])
    rx = np.array([[1, 0, 0], [0, math.cos(ax), -math.sin(ax)], [0, math.sin(ax), math.cos(ax)]])
    ry = np.array([[math.cos(ay), 0, math.sin(ay)], [0, 1, 0], [-math.sin(ay), 0, math.cos(ay)]])
    rz = np.array([[math.cos(roll), -math.sin(roll), 0], [math.sin(roll), math.cos(roll), 0], [0, 0, 1]])
    focal = 1.4 * max(w, h)
    turned = corners @ (rz @ ry @ rx).T
    z = turned[:, 2] + focal * 1.0
    projected = turned[:, :2] * (focal / z)[:, None] * scale + np.array(centre)
    src = np.array([[0, 0], [w, 0], [w, h], [0, h]], np.float32)
    return np.asarray(cv2.getPerspectiveTransform(src, projected.astype(np.float32)), dtype=np.float32)


def _disk(radius: float) -> Floats:
    size = int(math.ceil(radius)) * 2 + 1
    yy, xx = np.mgrid[:size, :size] - size // 2
    kernel = np.clip(radius + 0.5 - np.hypot(xx, yy), 0, 1).astype(np.float32)
    return np.asarray(kernel / kernel.sum(), dtype=np.float32)


def _line(length: float, angle: float) -> Floats:
    size = int(math.ceil(length)) + 2
    kernel = np.zeros((size, size), np.float32)
    c = size / 2 - 0.5
    dx, dy = math.cos(angle) * length / 2, math.sin(angle) * length / 2
    cv2.line(kernel, (round((c - dx) * 8), round((c - dy) * 8)), (round((c + dx) * 8), round((c + dy) * 8)),
             1.0, 1, cv2.LINE_AA, shift=3)
    return np.asarray(kernel / max(float(kernel.sum()), 1e-6), dtype=np.float32)


@dataclass
class Sample:
    image: Image
    codes: list[Code]
    troubles: list[str]
    params: dict[str, Any]


def _choose(rng: Rng, weights: dict[str, float]) -> str:
    names = sorted(weights)
    p = np.array([weights[n] for n in names], float)
    return names[int(rng.choice(len(names), p=p / p.sum()))]


def _printed(rng: Rng, kind: str) -> Printed:
    if kind == "member_card":
        return printed_member_card(rng, member_token(rng), card_number(rng))
    if kind == "qr":
        return printed_qr(rng, member_token(rng))
    if kind == "code128":
        return printed_code128(rng, card_number(rng))
    return printed_ean13(rng, ean13(rng))


def make_sample(rng: Rng, variant: Variant) -> Sample:
    """One photograph: a scene, its troubles, its expected codes."""
    width, height = (1280, 720) if rng.random() < variant.hd_share else (640, 480)
    empty = rng.random() < variant.empty_share
    kind = "empty" if empty else _choose(rng, variant.weights)
    lo, hi = variant.troubles_per_image
    troubles = sorted(str(t) for t in rng.choice(TROUBLES, int(rng.integers(lo, hi + 1)), replace=False))
    params: dict[str, Any] = {"kind": kind, "size": [width, height]}
    big_w, big_h = width * SUPERSAMPLE, height * SUPERSAMPLE
    scene = desk(rng, big_w, big_h, decoys=empty)
    codes: list[Code] = []
    items = [] if empty else ([_choose(rng, {"qr": 1, "code128": 1, "ean13": 1}) for _ in range(2)]
                              if kind == "two" else [kind])
    for n, item in enumerate(items):
        printed = _printed(rng, item)
        if "curl" in troubles:
            angle = float(rng.uniform(*variant.curl))
            params["curl"] = round(angle, 2)
            printed.image, map_x, _ = curl(printed.image, angle)
            printed.codes = [(c, _curl_box(box, map_x), m * 0.8) for c, box, m in printed.codes]
        # Scale: the code's module (a QR's module or a barcode's narrowest bar) in frame pixels.
        finest = min(m for _, _, m in printed.codes)
        if "small" in troubles:
            module_px = float(rng.uniform(*variant.small_module_px))
        else:
            module_px = float(rng.uniform(2.2, 4.0)) if printed.codes[0][0].symbology == "qr" else \
                float(rng.uniform(1.7, 3.2))
        if len(items) == 2:
            module_px = max(module_px * 0.85, 1.4)
        scale = module_px * SUPERSAMPLE / finest
        ph, pw = printed.image.shape[:2]
        room = 0.92 if len(items) == 1 else 0.46  # the whole print in view (two side by side)
        scale = min(scale, room * big_w / pw, 0.92 * big_h / ph)
        params.setdefault("module_px", []).append(round(scale * finest / SUPERSAMPLE, 2))
        roll = float(rng.uniform(0, 360)) if "turned" in troubles else float(rng.normal(0, 8))
        if "turned" in troubles and rng.random() < 0.4:
            roll = float(rng.choice([90.0, 180.0, 270.0]) + rng.normal(0, 3))
        tilt = variant.max_tilt_deg if "tilt" in troubles else 12.0
        if len(items) == 2:
            cx = big_w * (0.28 + 0.44 * n) + rng.uniform(-0.04, 0.04) * big_w
        else:
            cx = big_w * rng.uniform(0.4, 0.6)
        cy = big_h * rng.uniform(0.38, 0.62)
        homography = _keep_in_view(pose(rng, pw, ph, scale, (cx, cy), tilt, roll), pw, ph,
                                   (big_w * (0.5 * n if len(items) == 2 else 0.0),
                                    big_w * (0.5 + 0.5 * n if len(items) == 2 else 1.0)), big_h)
        warped = cv2.warpPerspective(printed.image, homography, (big_w, big_h), flags=cv2.INTER_LINEAR)
        mask = cv2.warpPerspective(np.ones((ph, pw), np.float32), homography, (big_w, big_h),
                                   flags=cv2.INTER_LINEAR)[..., None]
        scene = scene * (1.0 - mask) + warped.astype(np.float32) * mask
        codes.extend(c for c, _, _ in printed.codes)
        params.setdefault("roll_deg", []).append(round(roll, 1))
    light = _lighting(rng, big_w, big_h, troubles, variant, params)
    scene = scene * light[0][..., None] + light[1][..., None]
    frame = cv2.resize(np.clip(scene, 0, 255), (width, height), interpolation=cv2.INTER_AREA)
    frame = _optics(rng, np.asarray(frame, np.float32), troubles, variant, params)
    frame = _sensor(rng, frame, troubles, variant, params)
    quality = int(rng.integers(*variant.jpeg)) if "jpeg" in troubles else int(rng.integers(70, 93))
    params["jpeg"] = quality
    ok, data = cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, quality])
    assert ok
    image = np.asarray(cv2.imdecode(data, cv2.IMREAD_COLOR), dtype=np.uint8)
    return Sample(image, codes, troubles, params)


def _keep_in_view(homography: Floats, w: int, h: int, span_x: tuple[float, float], height: int) -> Floats:
    """The same pose shrunk about its centre and moved so the whole print lies inside the frame (its half)."""
    corners = np.array([[[0, 0], [w, 0], [w, h], [0, h]]], np.float32)
    projected = cv2.perspectiveTransform(corners, homography)[0]
    (x0, y0), (x1, y1) = projected.min(axis=0), projected.max(axis=0)
    room_w, room_h = 0.96 * (span_x[1] - span_x[0]), 0.96 * height
    factor = min(1.0, room_w / max(x1 - x0, 1.0), room_h / max(y1 - y0, 1.0))
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    half_w, half_h = factor * (x1 - x0) / 2, factor * (y1 - y0) / 2
    nx = min(max(cx, span_x[0] + half_w + 0.02 * room_w), span_x[1] - half_w - 0.02 * room_w)
    ny = min(max(cy, half_h + 0.02 * room_h), height - half_h - 0.02 * room_h)
    move = np.array([[factor, 0, nx - factor * cx], [0, factor, ny - factor * cy], [0, 0, 1]], np.float32)
    return np.asarray(move @ homography, dtype=np.float32)


def _curl_box(box: tuple[float, float, float, float], map_x: Floats) -> tuple[float, float, float, float]:
    row = map_x[0]
    x0 = float(np.searchsorted(row, box[0]))
    x1 = float(np.searchsorted(row, box[2]))
    return (x0, box[1], x1, box[3])


def _lighting(rng: Rng, w: int, h: int, troubles: list[str], variant: Variant,
              params: dict[str, Any]) -> tuple[Floats, Floats]:
    """Multiplicative light (a gradient, a shadow) and additive glare, at the rendering resolution."""
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    angle = rng.uniform(0, 2 * math.pi)
    ramp = (xx * math.cos(angle) + yy * math.sin(angle)) / max(w, h)
    gain = (1.0 + float(rng.uniform(-0.25, 0.25)) * ramp).astype(np.float32)
    if "shadow" in troubles:
        pts = np.array([[rng.uniform(0, w), rng.uniform(0, h)] for _ in range(4)], np.int32)
        shadow: Floats = np.zeros((h, w), np.float32)
        cv2.fillPoly(shadow, [cv2.convexHull(pts)], 1.0)
        shadow = np.asarray(cv2.GaussianBlur(shadow, (0, 0), w / 60), np.float32)
        depth = float(rng.uniform(0.35, 0.6))
        gain = gain * (1.0 - depth * shadow)
        params["shadow"] = round(depth, 2)
    glare = np.zeros((h, w), np.float32)
    if "glare" in troubles:
        peak = float(rng.uniform(*variant.glare))
        cx, cy = rng.uniform(0.35, 0.65) * w, rng.uniform(0.35, 0.65) * h
        sx, sy = rng.uniform(0.03, 0.12) * w, rng.uniform(0.03, 0.12) * h
        glare = peak * np.exp(-(((xx - cx) / sx) ** 2 + ((yy - cy) / sy) ** 2) / 2).astype(np.float32)
        params["glare"] = round(peak)
    return np.asarray(gain, np.float32), np.asarray(glare, np.float32)


def _optics(rng: Rng, frame: Floats, troubles: list[str], variant: Variant, params: dict[str, Any]) -> Floats:
    if "defocus" in troubles:
        radius = float(rng.uniform(*variant.defocus_px))
        frame = np.asarray(cv2.filter2D(frame, -1, _disk(radius)), np.float32)
        params["defocus_px"] = round(radius, 2)
    else:
        frame = np.asarray(cv2.GaussianBlur(frame, (0, 0), float(rng.uniform(0.3, 0.7))), np.float32)
    if "motion" in troubles:
        length = float(rng.uniform(*variant.motion_px))
        angle = float(rng.uniform(0, math.pi))
        frame = np.asarray(cv2.filter2D(frame, -1, _line(length, angle)), np.float32)
        params["motion_px"] = round(length, 2)
    return frame


def _sensor(rng: Rng, frame: Floats, troubles: list[str], variant: Variant, params: dict[str, Any]) -> Image:
    """Exposure, shot and read noise, the camera's gain, a colour cast."""
    exposure = float(rng.uniform(*variant.lowlight_gain)) if "lowlight" in troubles else float(rng.uniform(0.7, 1))
    signal = frame * exposure
    shot = rng.normal(0, 1, frame.shape).astype(np.float32) * np.sqrt(np.maximum(signal, 0) * 0.6)
    read = rng.normal(0, 1.6, frame.shape).astype(np.float32)
    noisy = (signal + shot + read) / exposure  # the camera's auto gain lifts the noise with the picture
    cast = rng.uniform(0.9, 1.1, 3).astype(np.float32)
    params["exposure"] = round(exposure, 2)
    return np.asarray(np.clip(noisy * cast[None, None, :], 0, 255), dtype=np.uint8)


# -- the set ---------------------------------------------------------------------------------------------------

def generate(variant_name: str, out: Path, count: int | None = None) -> Path:
    """Write the set's JPEG frames (as a webcam delivers them) and `manifest.json`; returns the manifest path."""
    variant = VARIANTS[variant_name]
    total = variant.count if count is None else count
    out.mkdir(parents=True, exist_ok=True)
    entries: list[dict[str, Any]] = []
    for index in range(total):
        rng = np.random.default_rng([variant.seed, index])
        sample = make_sample(rng, variant)
        name = f"{index:04d}_{sample.params['kind']}_{sample.image.shape[1]}x{sample.image.shape[0]}.jpg"
        cv2.imwrite(str(out / name), sample.image, [cv2.IMWRITE_JPEG_QUALITY, 97])
        entries.append({"file": name, "codes": [{"symbology": c.symbology, "payload": c.payload}
                                                for c in sample.codes],
                        "troubles": sample.troubles, "params": sample.params})
    manifest = out / "manifest.json"
    manifest.write_text(json.dumps({"set": variant_name, "seed": variant.seed, "frames": entries}, indent=1),
                        encoding="utf-8")
    return manifest


def ensure(variant_name: str, out: Path) -> Path:
    """The set's folder, generated once (a manifest for the same set and seed is reused)."""
    manifest = out / "manifest.json"
    if manifest.is_file():
        data = json.loads(manifest.read_text(encoding="utf-8"))
        if data.get("set") == variant_name and data.get("seed") == VARIANTS[variant_name].seed \
                and len(data.get("frames", [])) == VARIANTS[variant_name].count:
            return out
    generate(variant_name, out)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--set", choices=sorted(VARIANTS), default="heldout")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--count", type=int, default=None)
    args = parser.parse_args(argv)
    manifest = generate(args.set, args.out, args.count)
    print(f"wrote {manifest}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
