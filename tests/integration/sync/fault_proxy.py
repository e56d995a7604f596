"""A fault-injecting HTTP proxy on 127.0.0.1 between a terminal and a real HQ (threads, plain sockets).

It understands just enough HTTP/1.1 to see one request and one response at a time (headers, then a
`Content-Length` body: what `requests` sends and uvicorn answers), so a fault hits one exchange on a
kept-alive connection. Faults are armed per path and consumed in order:

- ``drop_request``: close the terminal's connection without forwarding anything (HQ never sees it);
- ``drop_response``: forward the request, read HQ's whole answer (HQ has committed), close the terminal's
  connection without sending it — the lost answer of Odoo's duplicated orders;
- ``delay``: hold the request `delay` seconds before forwarding it (the terminal times out and retries
  while the original is still on its way: both reach HQ);
- ``reset``: forward, send half of HQ's answer, then reset the connection (RST);
- ``duplicate``: forward the request twice, answer with HQ's second answer.

`wait_idle()` waits until every exchange in flight (a delayed request included) has finished, so a test
asserts on HQ's tables only once nothing is still on its way.
"""

from __future__ import annotations

import socket
import struct
import threading
import time
from collections import deque
from dataclasses import dataclass, field

FAULTS = ("drop_request", "drop_response", "delay", "reset", "duplicate")
IO_TIMEOUT = 30.0


@dataclass
class Fault:
    mode: str
    path: str
    delay: float = 0.0


@dataclass
class FaultProxy:
    """Listens on a free loopback port and forwards to `upstream_port`; `url` is what the terminal uses."""

    upstream_port: int
    faults: deque[Fault] = field(default_factory=deque)
    log: list[tuple[str, str]] = field(default_factory=list)  # (path, what happened)

    def __post_init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.2)
        self.port = int(self._listener.getsockname()[1])
        self._lock = threading.Condition()
        self._busy = 0
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._sockets: list[socket.socket] = []
        self._accept = threading.Thread(target=self._serve, name="fault-proxy", daemon=True)
        self._accept.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def arm(self, mode: str, path: str = "/v1/push", *, times: int = 1, delay: float = 0.0) -> None:
        """Inject `mode` into the next `times` requests to `path`."""
        assert mode in FAULTS, mode
        with self._lock:
            self.faults.extend(Fault(mode, path, delay) for _ in range(times))

    def wait_idle(self, timeout: float = 10.0) -> None:
        """Block until no exchange is in flight; AssertionError after `timeout` seconds."""
        with self._lock:
            assert self._lock.wait_for(lambda: self._busy == 0, timeout), "proxy exchanges still in flight"

    def close(self) -> None:
        self._stop.set()
        self._accept.join(5)
        self._listener.close()
        for sock in list(self._sockets):  # wake threads blocked reading an idle kept-alive connection
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        for thread in self._threads:
            thread.join(5)

    # -- internals ------------------------------------------------------------------------------------------
    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                client, _addr = self._listener.accept()
            except (TimeoutError, OSError):
                continue
            thread = threading.Thread(target=self._connection, args=(client,), daemon=True)
            self._threads.append(thread)
            thread.start()

    def _take(self, path: str) -> Fault | None:
        with self._lock:
            for fault in self.faults:
                if fault.path == path:
                    self.faults.remove(fault)
                    return fault
        return None

    def _connection(self, client: socket.socket) -> None:
        client.settimeout(IO_TIMEOUT)
        self._sockets.append(client)
        upstream: socket.socket | None = None
        try:
            while not self._stop.is_set():
                try:
                    request = _read_message(client)
                except (OSError, ConnectionError):
                    return
                if request is None:
                    return
                with self._lock:
                    self._busy += 1
                try:
                    path = request.split(b" ", 2)[1].decode("ascii", "replace")
                    fault = self._take(path)
                    mode = fault.mode if fault else "pass"
                    self.log.append((path, mode))
                    if mode == "drop_request":
                        return
                    if fault is not None and mode == "delay":
                        time.sleep(fault.delay)
                    upstream = upstream or socket.create_connection(("127.0.0.1", self.upstream_port), IO_TIMEOUT)
                    response = _exchange(upstream, request)
                    if mode == "duplicate":
                        response = _exchange(upstream, request)
                    if mode == "drop_response":
                        return
                    if mode == "reset":
                        client.sendall(response[: len(response) // 2])
                        client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                        return
                    client.sendall(response)
                except (OSError, ConnectionError):
                    return  # the terminal gave up (a delayed request): HQ has still seen it
                finally:
                    with self._lock:
                        self._busy -= 1
                        self._lock.notify_all()
        finally:
            client.close()
            if upstream is not None:
                upstream.close()


def _exchange(upstream: socket.socket, request: bytes) -> bytes:
    upstream.sendall(request)
    response = _read_message(upstream)
    if response is None:
        raise ConnectionError("HQ closed the connection")
    return response


def _read_message(sock: socket.socket) -> bytes | None:
    """One HTTP/1.1 message (head and a Content-Length body) from `sock`; None if it closed cleanly first."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            if data:
                raise ConnectionError("connection closed mid-message")
            return None
        data += chunk
    head, _sep, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _colon, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(body) < length:
        chunk = sock.recv(min(65536, length - len(body)))
        if not chunk:
            raise ConnectionError("connection closed mid-body")
        body += chunk
    return head + b"\r\n\r\n" + body
