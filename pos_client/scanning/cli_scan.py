"""`kupa scan FILE...`: decode image and video files from the command line, one JSON line per code.

For support and for tests: point it at a photo of a member card or a short clip from the counter's webcam
and see exactly what the terminal reads. Each code found prints
`{"file": ..., "frame": N, "symbology": "qr"|"code128"|"ean13", "payload": ...}` (ASCII-escaped JSON, so a
strange payload cannot mess up a terminal); a video prints a line per frame that shows a code. Every frame
gets the whole decoding cascade (`decode_frame`: a budget in stages of work, never in milliseconds, so the
answer does not depend on how busy the machine is). A file that is missing or unreadable is reported on
stderr and skipped; the exit code is then 1. A folder is read as its images, in name order.

`kupa scan --live FILE...` replays each file as the till's camera would: at the video's own frame rate,
through the camera worker's own loop (`frameloop.FrameLoop`: frames dropped while a decode runs, the cascade
spread over the frames of a still scene, two-frame confirmation, debouncing), and prints a line per code the
till would have reported, with `"at_ms"`: the time since the replay of that file started.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from pos_client.messages import current_language
from pos_client.scanning.decode import decode_frame
from pos_client.scanning.frameloop import FrameLoop
from pos_client.scanning.sources import IMAGE_SUFFIXES, SCAN_EMPTY_FOLDER, ScanSourceError, open_file

log = logging.getLogger(__name__)


def scan_files(paths: list[str], out: TextIO, err: TextIO | None = None, *, live: bool = False) -> int:
    """Decode every file (every frame of a video) and print what was found; 0 if every file was read.

    `live`: replay each file through the camera's loop instead (see the module docstring).
    """
    err = sys.stderr if err is None else err
    status = 0
    for name in paths:
        try:
            if live:
                status |= replay(name, Path(name), out)
            else:
                status |= _scan_one(name, Path(name), out, err)
        except ScanSourceError as exc:
            print(f"kupa scan: {exc.text(current_language())}", file=err)
            status = 1
    return status


def _scan_one(shown: str, path: Path, out: TextIO, err: TextIO) -> int:
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES)
        if not files:
            raise ScanSourceError(SCAN_EMPTY_FOLDER, path=str(path))
        status = 0
        for file in files:
            try:
                status |= _scan_one(str(file), file, out, err)
            except ScanSourceError as exc:
                print(f"kupa scan: {exc.text(current_language())}", file=err)
                status = 1
        return status
    with open_file(path) as source:
        for index, frame in source:
            for code in decode_frame(frame):
                line = {"file": shown, "frame": index, "symbology": code.symbology, "payload": code.payload}
                out.write(json.dumps(line, ensure_ascii=True) + "\n")
            out.flush()
    return 0


def replay(shown: str, path: Path, out: TextIO, *, clock: Callable[[], float] = time.monotonic,
           sleep: Callable[[float], None] = time.sleep) -> int:
    """Play `path` at its own frame rate through the camera's `FrameLoop`; print each code it reports."""
    loop = FrameLoop(clock=clock)
    with open_file(path) as source:
        loop.start(source, live=False, pace=True)
        started = clock()
        while (item := loop.next_frame()) is not None:
            result = loop.process(*item)
            event = result.event
            if event is not None and event.kind != "ignored":
                line = {"file": shown, "frame": event.frame, "symbology": event.code.symbology,
                        "payload": event.code.payload, "at_ms": round((clock() - started) * 1000.0)}
                out.write(json.dumps(line, ensure_ascii=True) + "\n")
                out.flush()
            sleep(loop.wait_s())
    log.info("replayed %s: %s", shown, loop.stats)
    return 0


LIVE_HELP = "replay each file at its own frame rate through the camera's loop; lines get at_ms"


def main(argv: list[str] | None = None) -> int:
    """`python -m pos_client.scanning FILE...` (the lead wires the same function into `kupa scan`)."""
    import argparse

    parser = argparse.ArgumentParser(prog="kupa scan", description="Decode image or video files.")
    parser.add_argument("files", nargs="+", metavar="FILE", help="image or video file (or a folder of images)")
    parser.add_argument("--live", action="store_true", help=LIVE_HELP)
    args = parser.parse_args(argv)
    return scan_files(list(args.files), sys.stdout, live=args.live)

