"""Benchmark of the frame-decoding pipeline against plain pyzbar and plain zxing-cpp.

Why: the pipeline's order of decoders and enhancements, and its time budget, were chosen on these numbers;
this script lets anyone re-check them on the sample frames (or on another set made the same way) and on
their own machine. It prints figures only; it asserts nothing about timings.

    .venv/bin/python bench/bench_scan.py [--frames DIR] [--repeat N] [--misses]

DIR holds `manifest.json` (`frames`: `file`, `kind`, `expected` payload or null, `width`, `height`) and the
frames; the default is the shared sample set, `../shared/frames` next to the repository.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import numpy.typing as npt
from pyzbar import pyzbar
from pyzbar.pyzbar import ZBarSymbol

from pos_client.scanning import decode_frame
from pos_client.scanning.readers import read_zxing
from pos_client.scanning.result import SYMBOLOGIES

DEFAULT_FRAMES = Path(__file__).resolve().parents[2] / "shared" / "frames"
RESOLUTIONS = ((640, 480), (1280, 720))

Frame = npt.NDArray[np.uint8]
Decoder = Callable[[Frame], list[str]]


def pipeline(frame: Frame) -> list[str]:
    return [code.payload for code in decode_frame(frame)]


def plain_pyzbar(frame: Frame) -> list[str]:
    gray = cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
    symbols = [ZBarSymbol.QRCODE, ZBarSymbol.CODE128, ZBarSymbol.EAN13]
    return [r.data.decode("utf-8", "replace") for r in pyzbar.decode(gray, symbols=symbols)]


def plain_zxing(frame: Frame) -> list[str]:
    gray = np.asarray(cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY), dtype=np.uint8)
    return [r.payload for r in read_zxing(gray, SYMBOLOGIES)]


DECODERS: dict[str, Decoder] = {
    "kupa pipeline": pipeline,
    "plain pyzbar": plain_pyzbar,
    "plain zxing-cpp": plain_zxing,
}


@dataclass
class Tally:
    found: dict[str, int] = field(default_factory=lambda: {"all": 0, "qr": 0, "1d": 0})
    total: dict[str, int] = field(default_factory=lambda: {"all": 0, "qr": 0, "1d": 0})
    wrong: int = 0
    false_codes: int = 0
    times: dict[str, list[float]] = field(default_factory=dict)
    misses: list[str] = field(default_factory=list)


def load_frames(folder: Path) -> list[tuple[dict[str, Any], Frame]]:
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    frames: list[tuple[dict[str, Any], Frame]] = []
    for entry in manifest["frames"]:
        image = cv2.imread(str(folder / entry["file"]), cv2.IMREAD_COLOR)
        if image is None:
            print(f"warning: cannot read {entry['file']}, skipped", file=sys.stderr)
            continue
        frames.append((entry, np.asarray(image, dtype=np.uint8)))
    return frames


def run(decoder: Decoder, frames: list[tuple[dict[str, Any], Frame]], repeat: int) -> Tally:
    tally = Tally()
    decoder(frames[0][1])  # warm-up: library initialisation is not a frame's cost
    for entry, image in frames:
        elapsed: list[float] = []
        payloads: list[str] = []
        for _ in range(repeat):
            start = time.perf_counter()
            payloads = decoder(image)
            elapsed.append((time.perf_counter() - start) * 1000.0)
        key = f"{image.shape[1]}x{image.shape[0]}"
        tally.times.setdefault(key, []).append(statistics.median(elapsed))
        expected = entry["expected"]
        if expected is None:
            tally.false_codes += len(payloads)
            continue
        group = "qr" if entry["kind"] == "qr" else "1d"
        for g in ("all", group):
            tally.total[g] += 1
        if expected in payloads:
            for g in ("all", group):
                tally.found[g] += 1
        else:
            tally.misses.append(entry["file"])
        tally.wrong += sum(1 for p in payloads if p != expected)
    return tally


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(values, q)) if values else float("nan")


def share(tally: Tally, group: str) -> str:
    total = tally.total[group]
    return f"{100.0 * tally.found[group] / total:5.1f}%" if total else "   - "


def print_table(results: dict[str, Tally]) -> None:
    head = f"{'decoder':<16} {'codes':>6} {'QR':>6} {'1D':>6} {'wrong':>5} {'false':>5}"
    for w, h in RESOLUTIONS:
        head += f" {f'{w}x{h} med':>13} {'p95':>6}"
    print(head)
    print("-" * len(head))
    for name, tally in results.items():
        line = f"{name:<16} {share(tally, 'all'):>6} {share(tally, 'qr'):>6} {share(tally, '1d'):>6}"
        line += f" {tally.wrong:>5} {tally.false_codes:>5}"
        for w, h in RESOLUTIONS:
            times = tally.times.get(f"{w}x{h}", [])
            line += f" {percentile(times, 50):>10.1f} ms {percentile(times, 95):>6.1f}"
        print(line)


def bench_tokens(count: int = 200) -> None:
    """Time token parsing and signature checking, when the cards module offers them."""
    try:
        from datetime import date

        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

        from pos_client.cards import tokens

        key = Ed25519PrivateKey.generate()
        text = tokens.sign(key, "M1234567", 1, date(2026, 1, 1))
        public = tokens.public_raw(key)
        start = time.perf_counter()
        for _ in range(count):
            tokens.verify(tokens.parse(text), public)
        per = (time.perf_counter() - start) * 1000.0 / count
    except Exception as exc:  # noqa: BLE001 - an optional, other team's module; report and go on
        print(f"token verification: skipped ({type(exc).__name__}: {exc})")
        return
    print(f"token parse + verify: {per:.3f} ms per token ({count} tokens)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=Path, default=DEFAULT_FRAMES, help="folder with manifest.json")
    parser.add_argument("--repeat", type=int, default=1, help="decode each frame N times, keep the median")
    parser.add_argument("--misses", action="store_true", help="list the code frames each decoder missed")
    parser.add_argument("--only", choices=sorted(DECODERS), action="append", help="run only these decoders")
    args = parser.parse_args(argv)
    folder: Path = args.frames
    if not (folder / "manifest.json").is_file():
        print(f"No benchmark frames: {folder / 'manifest.json'} not found (use --frames DIR).", file=sys.stderr)
        return 2
    frames = load_frames(folder)
    if not frames:
        print(f"No readable frames in {folder}.", file=sys.stderr)
        return 2
    n_code = sum(1 for entry, _ in frames if entry["expected"] is not None)
    print(f"{len(frames)} frames from {folder} ({n_code} with a code, {len(frames) - n_code} empty); "
          f"OpenCV threads: {cv2.getNumThreads()}")
    results = {name: run(fn, frames, args.repeat) for name, fn in DECODERS.items()
               if not args.only or name in args.only}
    print()
    print_table(results)
    print("\ncodes: share of code frames whose expected payload was decoded; wrong: payloads other than the "
          "expected one;\nfalse: codes reported on empty frames; times per frame, decode only (file already "
          "loaded).")
    if args.misses:
        for name, tally in results.items():
            print(f"\n{name} missed {len(tally.misses)}: {' '.join(Path(m).stem for m in tally.misses)}")
    print()
    bench_tokens()
    return 0


if __name__ == "__main__":
    sys.exit(main())
