"""Secrets at rest: an owner-only data folder, and the HQ token kept out of the database.

Permissions. The data folder holds the ledger, the PIN hashes, the card-signing key and the HQ token, so
it is made owner-only: the folder (and `keys/`) 0700, every file in it 0600 — the database and SQLite's
`-wal`/`-shm` files (SQLite gives those the database file's mode), the log, the lock file, the token file.
Files are created with these modes (`private_file`) and an existing install is tightened each time it is
opened (`tighten`), so upgrading Kupa fixes a folder an older version left world-readable. On Windows the
folder lives in the user's profile, which is already private; modes are not applied there.

The HQ token (a terminal's Bearer secret) is not kept in `kupa.sqlite3` beside the data it protects. It
goes to the OS keyring where one works (Windows Credential Manager, macOS Keychain, the Secret Service of a
Linux desktop; through the `keyring` package), else to `hq_token`, a 0600 file in the data folder — on a
headless Linux till there is no keyring, and the file is the store. `KUPA_KEYRING=0` turns the keyring off
(the tests do, so they never touch a developer's real keyring). A token an older Kupa stored in the
`settings` table is moved out the first time the terminal opens (`migrate_token`), and the database row is
overwritten (`secure_delete`) and the WAL truncated so no copy of it stays in the file.
"""

from __future__ import annotations

import logging
import os
import stat
from collections.abc import Iterable
from pathlib import Path

log = logging.getLogger(__name__)

DIR_MODE = 0o700
FILE_MODE = 0o600
TOKEN_FILE = "hq_token"
KEYRING_SERVICE = "kupa-hq-token"
_POSIX = os.name == "posix"


def make_private_dir(path: Path) -> None:
    """Create `path` (and parents) 0700 if missing; take group and others' access away if it exists."""
    path.mkdir(parents=True, exist_ok=True, mode=DIR_MODE)
    _owner_only(path)


def private_file(path: Path) -> None:
    """Create `path` empty with mode 0600 if it does not exist; take group and others' access away if it does.

    An existing file is never opened for writing here, and its owner's bits are kept (a database a manager
    made read-only stays read-only).
    """
    if not path.exists():
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), FILE_MODE)
            os.close(fd)
        except FileExistsError:  # made meanwhile by another process
            pass
    _owner_only(path)


def tighten(data_dir: Path, names: Iterable[str] = ()) -> None:
    """Make the data folder, `keys/` and every file directly in them owner-only (best effort)."""
    if not _POSIX or not data_dir.is_dir():
        return
    for folder in (data_dir, data_dir / "keys"):
        if not folder.is_dir():
            continue
        _owner_only(folder)
        for entry in folder.iterdir():
            if entry.is_file() and not entry.is_symlink():
                _owner_only(entry)
    for name in names:
        if (data_dir / name).exists():
            _owner_only(data_dir / name)


def _owner_only(path: Path) -> None:
    """Clear the group and other permission bits (0644 → 0600, 0755 → 0700; 0400 stays 0400)."""
    if not _POSIX:
        return
    try:
        current = stat.S_IMODE(path.stat().st_mode)
        if current & 0o077:
            path.chmod(current & ~0o077)
    except OSError as exc:  # not our file, or an immutable one: leave it, note it in the log (not on stderr)
        log.info("cannot make %s owner-only: %s", path, exc.strerror or exc)


# -- the HQ token ------------------------------------------------------------------------------------------


def _keyring_enabled() -> bool:
    return os.environ.get("KUPA_KEYRING", "1").strip().lower() not in ("0", "no", "off", "false")


def _account(data_dir: Path) -> str:
    return str(data_dir.resolve())


def _keyring_get(data_dir: Path) -> str | None:
    if not _keyring_enabled():
        return None
    try:
        import keyring

        value = keyring.get_password(KEYRING_SERVICE, _account(data_dir))
        return value if isinstance(value, str) else None
    except Exception:  # no backend (a headless till), a locked or broken one: the file is the store
        log.debug("no usable OS keyring", exc_info=True)
        return None


def _keyring_set(data_dir: Path, token: str) -> bool:
    if not _keyring_enabled():
        return False
    try:
        import keyring

        keyring.set_password(KEYRING_SERVICE, _account(data_dir), token)
        return bool(keyring.get_password(KEYRING_SERVICE, _account(data_dir)) == token)
    except Exception:
        log.debug("no usable OS keyring", exc_info=True)
        return False


def save_token(data_dir: Path, token: str) -> str:
    """Store the terminal's HQ token; returns where ("keyring" or the file's path)."""
    if _keyring_set(data_dir, token):
        (data_dir / TOKEN_FILE).unlink(missing_ok=True)
        return "keyring"
    path = data_dir / TOKEN_FILE
    private_file(path)
    tmp = path.with_name(TOKEN_FILE + ".new")
    private_file(tmp)
    tmp.write_text(token + "\n", encoding="utf-8")
    os.replace(tmp, path)
    return str(path)


def load_token(data_dir: Path) -> str | None:
    """The stored HQ token, or None."""
    token = _keyring_get(data_dir)
    if token:
        return token
    try:
        return (data_dir / TOKEN_FILE).read_text(encoding="utf-8").strip() or None
    except FileNotFoundError:
        return None
