"""The sync's typed errors, sorted by what the terminal should do about them (STYLE.md, habits 8-9).

They are `KupaError`s raised with a catalogue `Message` (declared beside the raise, in sync/transport.py,
sync/client.py and sync/lock.py), so the CLI and the UI's status bar word them in the reader's language.
`OfflineError` is normal life at a counter (retry later, nothing is lost); `SyncAuthError` needs a manager
(a new token); `SyncRejected` means HQ refused a whole request (a protocol or size problem: a bug report).

Every sync error carries a stable `code` (the class's) and `params`: `params["reason"]` says which case it
is (for a program deciding what to do), the other params are the values in the message:

    offline        timeout (server), unreachable (server, error), unavailable (status, detail)
    sync_auth      token_refused (status, detail), revoked (status, detail), no_server, no_token,
                   wrong_terminal (token_terminal, terminal)
    sync_rejected  refused (status, detail), bad_answer (status, detail)
    sync_busy      busy
"""

from __future__ import annotations

from pos_client.errors import KupaError
from pos_client.messages import Message


class SyncError(KupaError):
    code = "sync"


class OfflineError(SyncError):
    """HQ cannot be reached, timed out or answered with a server error: try again later."""

    code = "offline"


class SyncAuthError(SyncError):
    """HQ refused the terminal's token (wrong, unknown or revoked), or the terminal has none."""

    code = "sync_auth"


class SyncRejected(SyncError):
    """HQ refused a whole request with a 4xx (too large, not the protocol); `status` is the HTTP code."""

    code = "sync_rejected"

    def __init__(self, message: Message | str, status: int = 400, **params: object) -> None:
        super().__init__(message, status=status, **params)
        self.status = status


class SyncBusy(SyncError):
    """Another sync of this terminal's database is running (another window or process)."""

    code = "sync_busy"
