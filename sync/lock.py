"""One sync at a time per terminal database, across processes: an exclusive lock on a file beside it.

Two app windows (or the app and `kupa sync`) on one data folder would otherwise send the same outbox
rows twice; HQ would apply them once anyway, but the second sender would mark rows it did not send and
waste the link. The lock is `filelock`'s OS lock (`flock` on Linux and macOS, `msvcrt.locking` on Windows
tills), never a "soft" lock file: it dies with its process, so a crash never leaves a stale lock behind.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

from pos_client.messages import message
from sync.errors import SyncBusy

LOCK_NAME = "sync.lock"


SYNC_BUSY = message("sync.busy", en="another sync of this terminal is running; try again in a moment",
                    he="סנכרון אחר של הקופה פועל כעת; נסו שוב בעוד רגע")


@contextmanager
def sync_lock(data_dir: Path) -> Iterator[None]:
    """Hold the terminal's sync lock for the block; `SyncBusy` at once if another process holds it."""
    lock = FileLock(data_dir / LOCK_NAME, mode=0o600, thread_local=False, fallback_to_soft=False)
    try:
        lock.acquire(blocking=False)
    except Timeout as exc:
        raise SyncBusy(SYNC_BUSY, reason="busy") from exc
    try:
        yield
    finally:
        lock.release()
