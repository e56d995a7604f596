"""Slowing down wrong terminal tokens at HQ: a small per-address lock-out, kept in HQ's database.

After `free` wrong tokens from one client address, every request from it is refused with 429 (and a
`Retry-After`) for a wait that doubles with each further wrong token, up to `max_wait` seconds; a right token
resets the address. A token holds 256 random bits, so guessing one is hopeless anyway: the point is that HQ is
no free oracle and a misconfigured or hostile client cannot hammer the token check. A legitimate terminal that
shares the address (a store's NAT) sees a 429 as "HQ busy" and simply retries on its next cycle.

The state is a row per address in `hq_auth_failures` (HQ migration 0004), not a process's memory: every HQ
worker and machine behind a load balancer counts the same wrong tokens, and a restart forgets nothing. Times are
seconds since the epoch (`time.time`), the one clock all processes share. A right token costs one primary-key
read (a write only when the address had failures); a row quiet for twice `max_wait` starts afresh and is swept
when a new address fails, so the table stays small.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from sqlalchemy import delete, select

from sync.hq.db import Database, retrying
from sync.hq.models import HqAuthFailure


class AuthThrottle:
    def __init__(self, db: Database | None = None, *, free: int = 5, first_wait: float = 1.0,
                 max_wait: float = 60.0, clock: Callable[[], float] = time.time) -> None:
        self.free, self.first_wait, self.max_wait, self.clock = free, first_wait, max_wait, clock
        self.db = db

    def bind(self, db: Database) -> None:
        """Keep the state in `db` (the HQ app binds its own database unless the throttle came with one)."""
        if self.db is None:
            self.db = db

    def _database(self) -> Database:
        if self.db is None:
            raise RuntimeError("AuthThrottle needs HQ's database (bind it first)")
        return self.db

    def _row(self, client: str) -> tuple[int, float, float] | None:
        with self._database().read() as session:
            row = session.execute(select(HqAuthFailure.failures, HqAuthFailure.blocked_until, HqAuthFailure.last_at)
                                  .where(HqAuthFailure.client == client[:64])).first()
        return (int(row[0]), float(row[1]), float(row[2])) if row is not None else None

    def check(self, client: str) -> tuple[float, bool]:
        """(seconds `client` must still wait — 0: it may try a token now —, whether it has failures on record)."""
        row = self._row(client)
        return (max(0.0, row[1] - self.clock()), True) if row else (0.0, False)

    def retry_after(self, client: str) -> float:
        """Seconds `client` must still wait (0: it may try a token now)."""
        return self.check(client)[0]

    def failure(self, client: str) -> None:
        """Count a wrong token from `client` (two HQ processes counting the same address at once: the row
        lock orders them; a first row both insert is a unique violation `retrying` runs again)."""
        retrying(lambda: self._failure(client[:64], self.clock()))

    def _failure(self, key: str, now: float) -> None:
        with self._database().small_write() as session:
            row = session.scalars(select(HqAuthFailure).where(HqAuthFailure.client == key).with_for_update()).first()
            if row is None or now - row.last_at > 2 * self.max_wait:  # long quiet: start afresh
                if row is not None:
                    session.expunge(row)
                session.execute(delete(HqAuthFailure).where(HqAuthFailure.last_at < now - 2 * self.max_wait),
                                execution_options={"synchronize_session": False})
                row = HqAuthFailure(client=key, failures=0, blocked_until=0.0, last_at=now)
                session.add(row)
            row.failures += 1
            row.last_at = now
            if row.failures >= self.free:
                row.blocked_until = now + min(self.max_wait, self.first_wait * 2 ** (row.failures - self.free))

    def success(self, client: str) -> None:
        """Forget `client`'s failures (call it only when `check` found some: it is a write)."""
        with self._database().small_write() as session:
            session.execute(delete(HqAuthFailure).where(HqAuthFailure.client == client[:64]))
