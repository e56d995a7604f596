"""Make a video that stands in for a webcam: a member card held up to the camera, taken away, held up again.

    .venv/bin/kupa card issue M1000001 --out card.png --pin MANAGER_PIN
    .venv/bin/python scripts/make_scan_video.py --card card.png --out card.avi
    .venv/bin/python scripts/make_scan_video.py --payload "KUPA1...." --out token.avi   # a bare QR (qrcode)
    ./dev demo --camera card.avi

Writes a 640x480 MJPG .avi (what a USB webcam streams): `--gap` seconds of an empty counter, then the card for
`--show` seconds (drifting a little, like a hand), `--times` times over.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt

log = logging.getLogger("make_scan_video")
WIDTH, HEIGHT = 640, 480
Image = npt.NDArray[np.uint8]


def qr_image(payload: str) -> Image:
    """A QR code of `payload` (made by `qrcode`, as on the printed cards), BGR."""
    import qrcode

    qr = qrcode.QRCode(border=4, box_size=8)
    qr.add_data(payload)
    qr.make(fit=True)
    grey = np.array(qr.make_image(fill_color="black", back_color="white").convert("L"), dtype=np.uint8)
    return np.asarray(cv2.cvtColor(grey, cv2.COLOR_GRAY2BGR), dtype=np.uint8)


def fit(card: Image, share: float = 0.8) -> Image:
    """`card` scaled to take `share` of the frame's width or height, whichever is reached first."""
    h, w = card.shape[:2]
    scale = min(WIDTH * share / w, HEIGHT * share / h)
    return np.asarray(cv2.resize(card, (round(w * scale), round(h * scale)), interpolation=cv2.INTER_AREA),
                      dtype=np.uint8)


def background() -> Image:
    """A dim, slightly uneven counter top."""
    ramp = np.linspace(120, 160, WIDTH, dtype=np.float32)[None, :].repeat(HEIGHT, axis=0)
    return np.asarray(cv2.cvtColor(ramp.astype(np.uint8), cv2.COLOR_GRAY2BGR), dtype=np.uint8)


def frame_with(card: Image, dx: int, dy: int) -> Image:
    frame = background()
    h, w = card.shape[:2]
    top = max(0, min(HEIGHT - h, (HEIGHT - h) // 2 + dy))
    left = max(0, min(WIDTH - w, (WIDTH - w) // 2 + dx))
    frame[top:top + h, left:left + w] = card
    return frame


def write(out: Path, card: Image, fps: float, show_s: float, gap_s: float, times: int) -> int:
    """Write the video; returns the number of frames."""
    writer = cv2.VideoWriter(str(out), cv2.VideoWriter.fourcc(*"MJPG"), fps, (WIDTH, HEIGHT))
    if not writer.isOpened():
        raise SystemExit(f"cannot write {out}")
    card = fit(card)
    count = 0
    for _ in range(times):
        for _ in range(round(gap_s * fps)):
            writer.write(background())
            count += 1
        shown = round(show_s * fps)
        for i in range(shown):
            writer.write(frame_with(card, dx=round(6 * np.sin(i / 4)), dy=round(4 * np.cos(i / 5))))
            count += 1
    writer.release()
    return count


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--card", type=Path, help="a card image, e.g. from `kupa card issue ... --out card.png`")
    source.add_argument("--payload", help="text to put in a bare QR code (a card token, or anything to test)")
    parser.add_argument("--out", type=Path, required=True, help="the .avi to write")
    parser.add_argument("--fps", type=float, default=15.0)
    parser.add_argument("--show", type=float, default=2.0, help="seconds the card is held up")
    parser.add_argument("--gap", type=float, default=2.0, help="seconds without a card before each showing")
    parser.add_argument("--times", type=int, default=2, help="how many times the card is shown")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    if args.card:
        card = cv2.imread(str(args.card), cv2.IMREAD_COLOR) if args.card.is_file() else None
        if card is None:
            print(f"{args.card}: not an image", file=sys.stderr)
            return 1
    else:
        card = qr_image(args.payload)
    frames = write(args.out, np.asarray(card, dtype=np.uint8), args.fps, args.show, args.gap, args.times)
    log.info("wrote %s: %d frames at %g fps", args.out, frames, args.fps)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
