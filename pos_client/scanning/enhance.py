"""Image clean-ups that give a struggling decoder a second chance.

A webcam at a counter sees codes that are dark, washed out by glare, soft from focus or motion, or turned on
the card. Each function here undoes one of those troubles on an 8-bit grayscale image and returns a new one;
none of them is run on a frame that already decoded (`decode.py` decides the order and the time budget).
`View` carries an image together with the affine map from frame coordinates to its own, so a code found in
a cropped, turned and scaled view can still be boxed on the original frame.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np
import numpy.typing as npt

GrayImage = npt.NDArray[np.uint8]
Affine = npt.NDArray[np.float64]  # 2x3, frame coordinates -> view coordinates

_IDENTITY: Affine = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])


@dataclass(frozen=True, slots=True)
class View:
    """An image derived from the frame, and where its pixels come from."""

    image: GrayImage
    to_view: Affine

    def to_frame(self, points: tuple[tuple[float, float], ...]) -> tuple[tuple[float, float], ...]:
        """Map points of this view back to frame coordinates."""
        if not points:
            return ()
        inverse = cv2.invertAffineTransform(self.to_view)
        pts = np.asarray(points, dtype=np.float64).reshape(-1, 1, 2)
        back = cv2.transform(pts, inverse).reshape(-1, 2)
        return tuple((float(x), float(y)) for x, y in back)


def _u8(image: npt.NDArray[Any]) -> GrayImage:
    """OpenCV's result typed as the 8-bit image it is (no copy)."""
    return np.asarray(image, dtype=np.uint8)


def to_gray(frame: npt.NDArray[np.generic]) -> GrayImage:
    """An 8-bit single-channel copy of a BGR, BGRA or grayscale frame."""
    if frame.dtype != np.uint8:
        frame = np.clip(frame, 0, 255).astype(np.uint8)
    if frame.ndim == 2:
        return np.ascontiguousarray(frame, dtype=np.uint8)
    if frame.ndim == 3 and frame.shape[2] == 1:
        return np.ascontiguousarray(frame[:, :, 0], dtype=np.uint8)
    if frame.ndim == 3 and frame.shape[2] == 3:
        return _u8(cv2.cvtColor(np.asarray(frame, dtype=np.uint8), cv2.COLOR_BGR2GRAY))
    if frame.ndim == 3 and frame.shape[2] == 4:
        return _u8(cv2.cvtColor(np.asarray(frame, dtype=np.uint8), cv2.COLOR_BGRA2GRAY))
    raise ValueError(f"not an image frame: shape {frame.shape}")


def whole(gray: GrayImage) -> View:
    """The frame itself as a view."""
    return View(gray, _IDENTITY.copy())


def region(
    gray: GrayImage,
    corners: tuple[tuple[float, float], ...],
    angle_deg: float,
    target_side: int,
    margin: float = 0.2,
    min_scale: float = 0.5,
    max_scale: float = 2.5,
) -> View:
    """The part of the frame inside `corners` (plus `margin`), turned by `angle_deg` and scaled.

    The scale brings the longer side near `target_side`, within [min_scale, max_scale]: small codes are
    enlarged so their modules span a few pixels, large ones shrunk so the decoders stay fast. Only the
    output pixels are computed, so a crop costs what its size says whatever the frame's size.
    """
    pts = np.asarray(corners, dtype=np.float64).reshape(-1, 2)
    centre = pts.mean(axis=0)
    turn = cv2.getRotationMatrix2D((float(centre[0]), float(centre[1])), angle_deg, 1.0)
    turned = cv2.transform(pts.reshape(-1, 1, 2), turn).reshape(-1, 2)
    (x0, y0), (x1, y1) = turned.min(axis=0), turned.max(axis=0)
    pad_x, pad_y = max((x1 - x0) * margin, 8.0), max((y1 - y0) * margin, 8.0)
    x0, y0, x1, y1 = x0 - pad_x, y0 - pad_y, x1 + pad_x, y1 + pad_y
    if angle_deg == 0.0:  # stay inside the frame: no invented border to decode
        height, width = gray.shape
        x0, y0, x1, y1 = max(0.0, x0), max(0.0, y0), min(float(width), x1), min(float(height), y1)
    w, h = max(x1 - x0, 1.0), max(y1 - y0, 1.0)
    scale = min(max_scale, max(min_scale, target_side / max(w, h)))
    out_w, out_h = max(1, int(round(w * scale))), max(1, int(round(h * scale)))
    place = np.array([[scale, 0.0, -x0 * scale], [0.0, scale, -y0 * scale], [0.0, 0.0, 1.0]])
    to_view = (place @ np.vstack([turn, [0.0, 0.0, 1.0]]))[:2]
    if angle_deg == 0.0:
        crop = gray[int(y0) : int(math.ceil(y1)), int(x0) : int(math.ceil(x1))]
        to_view = np.array([[out_w / crop.shape[1], 0.0, 0.0], [0.0, out_h / crop.shape[0], 0.0]]) @ np.array(
            [[1.0, 0.0, -int(x0)], [0.0, 1.0, -int(y0)], [0.0, 0.0, 1.0]]
        )
        interp = cv2.INTER_AREA if scale < 1.0 else cv2.INTER_CUBIC
        image = cv2.resize(crop, (out_w, out_h), interpolation=interp)
    else:
        interp = cv2.INTER_LINEAR if scale < 1.0 else cv2.INTER_CUBIC
        image = cv2.warpAffine(gray, to_view, (out_w, out_h), flags=interp, borderMode=cv2.BORDER_REPLICATE)
    return View(_u8(image), to_view)


def stretch(img: GrayImage) -> GrayImage:
    """Stretch the 1st..99th percentile range to full scale (dark and low-contrast frames)."""
    counts = np.cumsum(cv2.calcHist([img], [0], None, [256], [0, 256]).ravel())
    lo = float(np.searchsorted(counts, 0.01 * counts[-1]))
    hi = float(np.searchsorted(counts, 0.99 * counts[-1]))
    span = max(hi - lo, 1.0)
    return _u8(cv2.convertScaleAbs(img, alpha=255.0 / span, beta=-lo * 255.0 / span))


def flatten(img: GrayImage) -> GrayImage:
    """Divide out slow brightness changes (glare, vignetting, a shadow), then stretch."""
    h, w = img.shape
    small = cv2.resize(img, (32, 32), interpolation=cv2.INTER_AREA)
    background = cv2.resize(cv2.GaussianBlur(small, (0, 0), 3.0), (w, h), interpolation=cv2.INTER_LINEAR)
    flat = cv2.divide(img, np.maximum(background, 1), scale=192.0)
    return stretch(_u8(flat))


def equalize(img: GrayImage) -> GrayImage:
    """Contrast-limited adaptive histogram equalisation (CLAHE) on 4x4 tiles."""
    clahe = cv2.createCLAHE(clipLimit=2.0, tileGridSize=(4, 4))  # one per call: camera threads may share this
    return _u8(clahe.apply(img))


def sharpen(img: GrayImage, sigma: float = 2.0, amount: float = 1.0) -> GrayImage:
    """Unsharp mask: undoes part of a focus or motion blur."""
    blurred = cv2.GaussianBlur(img, (0, 0), sigma)
    return _u8(cv2.addWeighted(img, 1.0 + amount, blurred, -amount, 0.0))


def strong_sharpen(img: GrayImage) -> GrayImage:
    """Stretch, then a tighter and stronger unsharp mask, for small or very soft codes."""
    return sharpen(stretch(img), 1.5, 1.5)


def binarize(img: GrayImage) -> GrayImage:
    """Adaptive (local Gaussian) threshold with a window about an eighth of the image."""
    block = max(3, (min(img.shape) // 8) | 1)
    return _u8(cv2.adaptiveThreshold(img, 255, cv2.ADAPTIVE_THRESH_GAUSSIAN_C, cv2.THRESH_BINARY, block, 2))


def flatten_sharpen(img: GrayImage) -> GrayImage:
    """Glare flattened, then sharpened: glare and softness often come together (a phone screen, a card)."""
    return sharpen(flatten(img), 1.5, 1.2)
