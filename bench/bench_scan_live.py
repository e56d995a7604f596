"""Time to first read for a card held still in front of the camera for one second, quiet and with both cores busy.

Why: the live camera spreads the decoding cascade over the frames of a still scene (work, not wall-clock), so
a card held still should be read whatever else the till's CPU is doing. This replays clips through exactly
the camera worker's loop (`kupa scan --live`: `cli_scan.replay`, frames dropped while a decode runs, the
two-frame confirmation) at their own frame rate, in real time, and prints how often and how fast a card was
read; then again with busy-loop processes on every core (bounded in time, ended by this script).

    .venv/bin/python bench/bench_scan_live.py [--count 40] [--set heldout] [--no-quiet] [--no-busy] [--busy N]
    .venv/bin/python bench/bench_scan_live.py --count 60 --replay   # every frame, no dropping: load-free

`--replay` decodes every frame of every clip through the same loop, unpaced (no frame dropped, times from
the frame index): the same figures at any load, for comparing two versions of the decoder.

Clips: 640x480 MJPG at 15 fps: 0.5 s of the desk out of focus (no card), then a photograph of the chosen test
set held for 1 s (a pixel of hand jitter and fresh sensor noise on every frame), then 0.3 s of desk. A card is
read when one of its codes is reported while it is in view. Only images of the set with a code are used.
"""

from __future__ import annotations

import argparse
import io
import json
import multiprocessing
import os
import sys
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt

sys.path.insert(0, str(Path(__file__).resolve().parent))
import scan_testset  # noqa: E402 - a sibling script, found through the path above

from pos_client.scanning import decode_frame  # noqa: E402
from pos_client.scanning.cli_scan import replay  # noqa: E402
from pos_client.scanning.frameloop import FrameLoop  # noqa: E402
from pos_client.scanning.sources import open_file  # noqa: E402

FPS = 15.0
BEFORE_S, HOLD_S, AFTER_S = 0.5, 1.0, 0.3
Frame = npt.NDArray[np.uint8]


def write_clip(path: Path, image: Frame, seed: int) -> None:
    rng = np.random.default_rng(seed)
    height, width = image.shape[:2]
    desk = np.asarray(cv2.GaussianBlur(image, (0, 0), 25), dtype=np.uint8)
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"MJPG"), FPS, (width, height))
    for _ in range(round(BEFORE_S * FPS)):
        writer.write(desk)
    for _ in range(round(HOLD_S * FPS)):
        shift = np.array([[1.0, 0.0, rng.uniform(-1, 1)], [0.0, 1.0, rng.uniform(-1, 1)]])
        moved = np.asarray(cv2.warpAffine(image, shift, (width, height), borderMode=cv2.BORDER_REPLICATE),
                           dtype=np.float32)
        noisy = moved + rng.normal(0, 2.0, moved.shape).astype(np.float32)
        writer.write(np.clip(noisy, 0, 255).astype(np.uint8))
    for _ in range(round(AFTER_S * FPS)):
        writer.write(desk)
    writer.release()


def _spin(until: float) -> None:
    """A busy loop (another program on the till), bounded in time."""
    x = 0
    while time.time() < until:
        x += 1


def measure(clips: list[tuple[Path, set[str]]]) -> tuple[int, list[float]]:
    """Replay every clip in real time; (cards read, times to first read in ms)."""
    read = 0
    firsts: list[float] = []
    for path, expected in clips:
        out = io.StringIO()
        replay(str(path), path, out)
        hits = [line["at_ms"] - BEFORE_S * 1000.0 for line in map(json.loads, out.getvalue().splitlines())
                if line["payload"] in expected]
        in_view = [t for t in hits if -100.0 <= t <= HOLD_S * 1000.0 + 100.0]
        if in_view:
            read += 1
            firsts.append(max(0.0, min(in_view)))
    return read, firsts


def measure_replay(clips: list[tuple[Path, set[str]]]) -> tuple[int, list[float]]:
    """Every frame of every clip through the camera's loop, none dropped; (cards read, first reads in ms)."""
    read = 0
    firsts: list[float] = []
    for path, expected in clips:
        loop = FrameLoop(clock=lambda: 0.0)
        hits: list[float] = []
        with open_file(path) as source:
            loop.start(source, live=False, pace=False)
            while (item := loop.next_frame()) is not None:
                event = loop.process(*item).event
                if event is not None and event.kind != "ignored" and event.code.payload in expected:
                    hits.append(event.frame / FPS * 1000.0 - BEFORE_S * 1000.0)
        in_view = [t for t in hits if -100.0 <= t <= HOLD_S * 1000.0 + 100.0]
        if in_view:
            read += 1
            firsts.append(max(0.0, min(in_view)))
    return read, firsts


def report(label: str, clips: int, readable: int, read: int, firsts: list[float]) -> None:
    p50 = f"{np.percentile(firsts, 50):.0f}" if firsts else "-"
    p95 = f"{np.percentile(firsts, 95):.0f}" if firsts else "-"
    print(f"{label:<28} read {read}/{clips} = {100.0 * read / clips:5.1f}%  (of the {readable} the full cascade "
          f"reads: {100.0 * read / max(readable, 1):5.1f}%)  first read p50 {p50} ms, p95 {p95} ms  "
          f"load {os.getloadavg()[0]:.1f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--set", default="heldout", choices=sorted(scan_testset.VARIANTS))
    parser.add_argument("--count", type=int, default=40, help="how many cards (640x480 images with a code)")
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "kupa-scan-testset")
    parser.add_argument("--no-busy", action="store_true", help="skip the run with every core busy")
    parser.add_argument("--no-quiet", action="store_true", help="skip the run without busy loops")
    parser.add_argument("--busy", type=int, default=0,
                        help="busy-loop processes for the second run (default: one per core; more emulate a "
                             "till that also runs other heavy programs)")
    parser.add_argument("--replay", action="store_true",
                        help="only decode every frame, unpaced (no dropping): the same figures at any load")
    args = parser.parse_args(argv)
    folder = scan_testset.ensure(args.set, args.cache / args.set)
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    chosen = [item for item in manifest["frames"] if item["codes"] and item["file"].endswith("640x480.jpg")]
    chosen = chosen[: args.count]
    with tempfile.TemporaryDirectory(prefix="kupa-live-") as tmp:
        clips: list[tuple[Path, set[str]]] = []
        readable = 0
        for n, item in enumerate(chosen):
            image = np.asarray(cv2.imread(str(folder / item["file"]), cv2.IMREAD_COLOR), dtype=np.uint8)
            expected = {code["payload"] for code in item["codes"]}
            readable += bool(expected & {c.payload for c in decode_frame(image)})
            path = Path(tmp) / f"clip{n:03d}.avi"
            write_clip(path, image, n)
            clips.append((path, expected))
        print(f"{len(clips)} clips of the {args.set} set ({FPS:g} fps, card held {HOLD_S:g} s); "
              f"{os.cpu_count()} cores")
        if args.replay:
            read, firsts = measure_replay(clips)
            report("every frame (replay)", len(clips), readable, read, firsts)
            return 0
        if not args.no_quiet:
            read, firsts = measure(clips)
            report("quiet (as the machine is)", len(clips), readable, read, firsts)
        if not args.no_busy:
            cores = args.busy or os.cpu_count() or 2
            until = time.time() + 10.0 + len(clips) * (BEFORE_S + HOLD_S + AFTER_S) * 3
            spinners = [multiprocessing.Process(target=_spin, args=(until,), daemon=True) for _ in range(cores)]
            for spinner in spinners:
                spinner.start()
            try:
                time.sleep(0.5)
                read, firsts = measure(clips)
                report(f"{cores} busy-loop processes", len(clips), readable, read, firsts)
            finally:
                for spinner in spinners:
                    spinner.terminate()
                    spinner.join(5)
    return 0


if __name__ == "__main__":
    sys.exit(main())
