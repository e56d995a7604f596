"""`kupa scan FILE...`: decode image and video files from the command line, one JSON line per code.

For support and for tests: point it at a photo of a member card or a short clip from the counter's webcam
and see exactly what the terminal reads. Each code found prints
`{"file": ..., "frame": N, "symbology": "qr"|"code128"|"ean13", "payload": ...}` (ASCII-escaped JSON, so a
strange payload cannot mess up a terminal); a video prints a line per frame that shows a code. A file that
is missing or unreadable is reported on stderr and skipped; the exit code is then 1. A folder is read as
its images, in name order.
"""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import TextIO

from pos_client.messages import current_language
from pos_client.scanning.decode import decode_frame
from pos_client.scanning.sources import IMAGE_SUFFIXES, SCAN_EMPTY_FOLDER, ScanSourceError, open_file

log = logging.getLogger(__name__)

#: Files are decoded offline, so a frame may take longer than a live camera frame allows.
FILE_BUDGET_MS = 250.0


def scan_files(paths: list[str], out: TextIO, err: TextIO | None = None) -> int:
    """Decode every file (every frame of a video) and print what was found; 0 if every file was read."""
    err = sys.stderr if err is None else err
    status = 0
    for name in paths:
        try:
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
            for code in decode_frame(frame, budget_ms=FILE_BUDGET_MS):
                line = {"file": shown, "frame": index, "symbology": code.symbology, "payload": code.payload}
                out.write(json.dumps(line, ensure_ascii=True) + "\n")
            out.flush()
    return 0


def main(argv: list[str] | None = None) -> int:
    """`python -m pos_client.scanning FILE...` (the lead wires the same function into `kupa scan`)."""
    import argparse

    parser = argparse.ArgumentParser(prog="kupa scan", description="Decode image or video files.")
    parser.add_argument("files", nargs="+", metavar="FILE", help="image or video file (or a folder of images)")
    args = parser.parse_args(argv)
    return scan_files(list(args.files), sys.stdout)
