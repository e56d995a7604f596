"""Undoing motion blur, the one trouble sharpening cannot fix: a card moved while the shutter was open.

A straight motion smears every point into a short line, and the smear's length and direction show in the
image's cepstrum (the spectrum of its log spectrum) as a sharp negative peak at that offset. Knowing the
line, a Wiener filter divides it back out. This reads QR codes and barcodes smeared over two or three
modules, which no sharpening or thresholding recovers; it costs a few milliseconds, so the pipeline keeps it
for the end of its cascade, on the best candidate region only, when the time budget allows.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np
import numpy.typing as npt

log = logging.getLogger(__name__)

GrayImage = npt.NDArray[np.uint8]
Floats = npt.NDArray[np.float32]

#: Side of the square window the cepstrum is computed on.
WINDOW = 128
#: Shortest and longest smear looked for, in pixels (shorter ones sharpening handles; longer ones are hopeless).
MIN_LENGTH = 5.0
MAX_LENGTH = 40.0
#: Wiener noise-to-signal ratio: lower restores more detail and more noise.
NOISE_RATIO = 0.01

_HANN: Floats = np.outer(np.hanning(WINDOW), np.hanning(WINDOW)).astype(np.float32)
_SIGNED = np.rint(np.fft.fftfreq(WINDOW) * WINDOW).astype(np.int64)  # array index -> signed offset
_DY, _DX = np.meshgrid(_SIGNED, _SIGNED, indexing="ij")
_RADIUS = np.hypot(_DX, _DY)
_RING = (_RADIUS >= MIN_LENGTH) & (_RADIUS <= MAX_LENGTH) & (_DY >= 0)  # one half: the cepstrum is symmetric


@dataclass(frozen=True, slots=True)
class Motion:
    """A straight smear: its length in pixels and its direction in degrees (image axes, y down)."""

    length: float
    angle_deg: float


def _spectrum(real: npt.NDArray[Any]) -> Floats:
    """The 2D DFT of a real image as a 2-channel (re, im) array.

    OpenCV's complex-to-complex transform is several times faster here than its real-to-complex one with
    a full complex output, and than numpy's FFT, so the real image is given an empty imaginary channel.
    """
    real = np.asarray(real, dtype=np.float32)
    return np.asarray(cv2.dft(cv2.merge([real, np.zeros_like(real)])), dtype=np.float32)


def estimate_motion(image: GrayImage) -> Motion | None:
    """The smear in the middle of `image`, from the deepest cepstrum dip; None if the image is too small."""
    height, width = image.shape
    if min(height, width) < WINDOW // 2:
        return None
    y0, x0 = max(0, (height - WINDOW) // 2), max(0, (width - WINDOW) // 2)
    window: Floats = image[y0 : y0 + WINDOW, x0 : x0 + WINDOW].astype(np.float32)
    if window.shape != (WINDOW, WINDOW):
        bottom, right = WINDOW - window.shape[0], WINDOW - window.shape[1]
        window = np.asarray(cv2.copyMakeBorder(window, 0, bottom, 0, right, cv2.BORDER_REFLECT), np.float32)
    spectrum = _spectrum((window - float(window.mean())) * _HANN)
    log_magnitude = np.log(cv2.magnitude(spectrum[..., 0], spectrum[..., 1]) + 1e-3)
    # The log magnitude is real and even, so its forward transform is the cepstrum (up to scale).
    cepstrum = _spectrum(log_magnitude)[..., 0]
    masked = np.where(_RING, cepstrum, np.inf)
    index = np.unravel_index(int(np.argmin(masked)), masked.shape)
    dy, dx = int(_DY[index]), int(_DX[index])
    return Motion(math.hypot(dx, dy), math.degrees(math.atan2(dy, dx)))


def _line_kernel(motion: Motion, shape: tuple[int, int]) -> Floats:
    """The smear as a normalised one-pixel line, centred on the origin of an image of `shape` (wrapped)."""
    steps = max(2, int(motion.length * 4))
    t = np.linspace(-0.5, 0.5, steps)
    xs = t * motion.length * math.cos(math.radians(motion.angle_deg))
    ys = t * motion.length * math.sin(math.radians(motion.angle_deg))
    x0, y0 = np.floor(xs), np.floor(ys)
    fx, fy = xs - x0, ys - y0
    kernel: Floats = np.zeros(shape, np.float32)
    rows, cols = shape
    for oy, ox, weight in ((0, 0, (1 - fx) * (1 - fy)), (0, 1, fx * (1 - fy)), (1, 0, (1 - fx) * fy), (1, 1, fx * fy)):
        np.add.at(kernel, ((y0 + oy).astype(np.int64) % rows, (x0 + ox).astype(np.int64) % cols), weight)
    kernel /= float(kernel.sum())
    return kernel


def wiener(image: GrayImage, motion: Motion, noise_ratio: float = NOISE_RATIO) -> GrayImage:
    """`image` with `motion` divided back out (Wiener deconvolution, reflected borders against ringing)."""
    height, width = image.shape
    pad = int(motion.length) + 4
    rows = cv2.getOptimalDFTSize(height + 2 * pad)
    cols = cv2.getOptimalDFTSize(width + 2 * pad)
    padded = cv2.copyMakeBorder(image, pad, rows - height - pad, pad, cols - width - pad, cv2.BORDER_REFLECT)
    spectrum = _spectrum(padded)
    kernel = _spectrum(_line_kernel(motion, (rows, cols)))
    power = kernel[..., 0] ** 2 + kernel[..., 1] ** 2 + noise_ratio
    filtered = cv2.mulSpectrums(spectrum, kernel, 0, conjB=True) / power[..., None]
    restored = np.asarray(cv2.dft(filtered, flags=cv2.DFT_INVERSE | cv2.DFT_SCALE), dtype=np.float32)[..., 0]
    return np.asarray(np.clip(restored[pad : pad + height, pad : pad + width], 0, 255), dtype=np.uint8)


def remove_motion_blur(image: GrayImage) -> GrayImage:
    """`image` with its estimated motion blur divided out (unchanged if it is too small to estimate)."""
    motion = estimate_motion(image)
    if motion is None:
        return image
    log.debug("motion blur estimate: %.1f px at %.0f deg", motion.length, motion.angle_deg)
    return wiener(image, motion)
