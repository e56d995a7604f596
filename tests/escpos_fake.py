"""A receipt printer on 127.0.0.1 for the tests, and a strict reader of the ESC/POS bytes it receives.

`FakePrinter` listens on a free loopback port in a thread. `mode` says how it behaves: `ok` (paper in: it
answers DLE EOT 4 with 0x12), `no_paper` (answers 0x72: the paper-end bits set), `silent` (accepts nothing and
answers nothing: a printer that hangs). `closed_port()` gives a port nobody listens on.

`parse()` reads a job byte by byte and refuses anything it does not know, so a stray byte fails the test;
`raster_image()` stacks the GS v 0 blocks back into an image (bit 1 = a black dot).
"""

from __future__ import annotations

import socket
import threading
from dataclasses import dataclass, field
from typing import Literal

from PIL import Image

Mode = Literal["ok", "no_paper", "silent"]
STATUS_ANSWER = {"ok": b"\x12", "no_paper": b"\x72"}


class FakePrinter:
    """A TCP server that records each connection's bytes."""

    def __init__(self, mode: Mode = "ok") -> None:
        self.mode = mode
        self.jobs: list[bytes] = []
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(8)
        self.port = self._sock.getsockname()[1]
        self._done = threading.Event()
        self._thread: threading.Thread | None = None
        if mode != "silent":
            self._thread = threading.Thread(target=self._serve, daemon=True)
            self._thread.start()

    def url(self, timeout: float = 3.0) -> str:
        return f"tcp://127.0.0.1:{self.port}?timeout={timeout:g}"

    def _serve(self) -> None:
        self._sock.settimeout(0.2)
        while not self._done.is_set():
            try:
                conn, _ = self._sock.accept()
            except (TimeoutError, OSError):
                continue
            with conn:
                conn.settimeout(10)
                data = bytearray()
                while True:
                    try:
                        chunk = conn.recv(65536)
                    except OSError:
                        break
                    if not chunk:
                        break
                    data += chunk
                    if len(data) >= 3 and data[-3:-1] == b"\x10\x04":  # a status query waits for its answer
                        conn.sendall(STATUS_ANSWER[self.mode])
                self.jobs.append(bytes(data))

    def wait_jobs(self, count: int, timeout: float = 10.0) -> list[bytes]:
        """The first `count` jobs, once received (a test polls for them, it does not time them)."""
        waited = threading.Event()
        for _ in range(int(timeout / 0.05)):
            if len(self.jobs) >= count:
                return self.jobs[:count]
            waited.wait(0.05)
        raise AssertionError(f"the printer received {len(self.jobs)} jobs, expected {count}")

    def close(self) -> None:
        self._done.set()
        if self._thread is not None:
            self._thread.join(5)
        self._sock.close()


def closed_port() -> int:
    """A loopback port with nobody listening (connections to it are refused)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Raster:
    width_bytes: int
    height: int
    data: bytes


@dataclass
class Job:
    """What one print job said, in order (`ops`), with the raster blocks kept."""

    ops: list[str] = field(default_factory=list)
    rasters: list[Raster] = field(default_factory=list)
    drawer: list[tuple[int, int, int]] = field(default_factory=list)


def parse(data: bytes) -> Job:
    """Read an ESC/POS job; any byte sequence this reader does not know fails."""
    job, i = Job(), 0
    while i < len(data):
        b = data[i]
        if data.startswith(b"\x1b@", i):
            job.ops.append("init")
            i += 2
        elif data.startswith(b"\x10\x04", i):
            job.ops.append(f"status{data[i + 2]}")
            i += 3
        elif data.startswith(b"\x1dv0", i):
            mode, xl, xh, yl, yh = data[i + 3:i + 8]
            width_bytes, height = xl + 256 * xh, yl + 256 * yh
            assert mode == 0, f"raster mode {mode}: expected normal density"
            body = data[i + 8:i + 8 + width_bytes * height]
            assert len(body) == width_bytes * height, "a raster block is cut short"
            job.rasters.append(Raster(width_bytes, height, body))
            job.ops.append("raster")
            i += 8 + width_bytes * height
        elif data.startswith(b"\x1bd", i):
            job.ops.append(f"feed{data[i + 2]}")
            i += 3
        elif data.startswith(b"\x1dV", i):
            cut = data[i + 2]
            if cut in (0, 1, 48, 49):
                job.ops.append("cut")
                i += 3
            else:
                job.ops.append("cut")
                i += 4
        elif data.startswith(b"\x1bp", i):
            pin, t1, t2 = data[i + 2:i + 5]
            job.drawer.append((pin, t1, t2))
            job.ops.append("drawer")
            i += 5
        else:
            raise AssertionError(f"unknown ESC/POS byte 0x{b:02x} at {i}: {data[i:i + 8]!r}")
    return job


def raster_image(job: Job) -> Image.Image:
    """The raster blocks stacked top to bottom as a "1" image (black = a printed dot)."""
    assert job.rasters, "no raster in the job"
    width = job.rasters[0].width_bytes * 8
    assert all(r.width_bytes * 8 == width for r in job.rasters)
    height = sum(r.height for r in job.rasters)
    bits = b"".join(r.data for r in job.rasters)
    printed = Image.frombytes("1", (width, height), bits)  # 1 = dot printed
    return printed.point(lambda v: 0 if v else 255).convert("1")
