"""Slowing down wrong terminal tokens at HQ: a small per-address lock-out, in memory.

After `free` wrong tokens from one client address, every request from it is refused with 429 (and a
`Retry-After`) for a wait that doubles with each further wrong token, up to `max_wait` seconds; a right token
resets the address. A token holds 256 random bits, so guessing one is hopeless anyway: the point is that HQ is
no free oracle and a misconfigured or hostile client cannot hammer the token check. A legitimate terminal that
shares the address (a store's NAT) sees a 429 as "HQ busy" and simply retries on its next cycle.

Kept in memory per HQ process (a restart forgets it) and bounded (`max_tracked` addresses).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class _State:
    failures: int = 0
    blocked_until: float = 0.0
    last: float = 0.0


class AuthThrottle:
    def __init__(self, *, free: int = 5, first_wait: float = 1.0, max_wait: float = 60.0,
                 max_tracked: int = 10_000, clock: Callable[[], float] = time.monotonic) -> None:
        self.free, self.first_wait, self.max_wait = free, first_wait, max_wait
        self.max_tracked, self.clock = max_tracked, clock
        self._lock = threading.Lock()
        self._state: dict[str, _State] = {}

    def retry_after(self, client: str) -> float:
        """Seconds `client` must still wait (0: it may try a token now)."""
        with self._lock:
            state = self._state.get(client)
            return max(0.0, state.blocked_until - self.clock()) if state else 0.0

    def failure(self, client: str) -> None:
        now = self.clock()
        with self._lock:
            state = self._state.get(client)
            if state is None or now - state.last > 2 * self.max_wait:  # long quiet: start afresh
                if len(self._state) >= self.max_tracked:
                    self._state.clear()
                state = self._state[client] = _State()
            state.failures += 1
            state.last = now
            if state.failures >= self.free:
                wait = min(self.max_wait, self.first_wait * 2 ** (state.failures - self.free))
                state.blocked_until = now + wait

    def success(self, client: str) -> None:
        with self._lock:
            self._state.pop(client, None)
