"""The open terminal: its data folder, database, settings and units of work.

A `Terminal` is what every service receives. It owns the engine and hands out units of work: one SQLite
transaction per business action (STYLE.md, habit 4), committed only if the block finishes, rolled back on
any exception. Storage failures that a person can act on (disk full, read-only file, database locked by
another program) come out as `StorageError` with a plain message; nothing half-done remains.

Opening also keeps the folder's secrets private (`pos_client.secure`): the folder and its files are made
owner-only, an HQ token an older version kept in the database is moved out of it, and a PIN attempt that a
unit of work decided (`authenticate` leaves it in `session.info`) is recorded after the transaction ends,
so a wrong PIN counts even though its action rolled back (`services.pin_throttle`).
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import platformdirs
from sqlalchemy import Engine, select
from sqlalchemy.exc import DatabaseError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from pos_client import secure
from pos_client.db.engine import SchemaVersionError, make_engine, migrate
from pos_client.db.models import Setting
from pos_client.errors import DamagedStoreError, StateError, StorageError
from pos_client.messages import message
from pos_client.services import pin_throttle

DB_NAME = "kupa.sqlite3"

DAMAGED = message("storage.damaged",
                  en="the database {path} is damaged or is not a Kupa database ({reason}): "
                     "restore the data folder from a backup",
                  he="מסד הנתונים {path} פגום או שאינו מסד נתונים של קופה ({reason}): "
                     "יש לשחזר את תיקיית הנתונים מגיבוי")
NO_SCHEMA_VERSION = message("storage.no_schema_version",
                            en="the database {path} has tables but no schema version: it is damaged or was not "
                               "made by Kupa; restore the data folder from a backup",
                            he="במסד הנתונים {path} יש טבלאות אך אין גרסת סכֵמה: הוא פגום או שלא נוצר על ידי "
                               "קופה; יש לשחזר את תיקיית הנתונים מגיבוי")
NEWER_SCHEMA = message("storage.newer_schema",
                       en="the database {path} was written by a newer Kupa (schema {found}; this version knows up "
                          "to {head}): install the newer Kupa",
                       he="מסד הנתונים {path} נכתב בגרסה חדשה יותר של קופה (סכֵמה {found}; גרסה זו מכירה עד "
                          "{head}): יש להתקין את הגרסה החדשה")
UNKNOWN_SCHEMA = message("storage.unknown_schema",
                         en="the database {path} has a schema version Kupa never had ({found}): "
                            "restore the data folder from a backup",
                         he="למסד הנתונים {path} גרסת סכֵמה שלא הייתה בקופה מעולם ({found}): "
                            "יש לשחזר את תיקיית הנתונים מגיבוי")
NOT_A_FOLDER = message("storage.not_a_folder", en="cannot use the data folder {path}: it is a file, not a folder",
                       he="לא ניתן להשתמש בתיקיית הנתונים {path}: זהו קובץ ולא תיקייה")
UNUSABLE_FOLDER = message("storage.unusable_folder", en="cannot use the data folder {path}: {reason}",
                          he="לא ניתן להשתמש בתיקיית הנתונים {path}: {reason}")


def default_data_dir() -> Path:
    """`KUPA_DATA_DIR`, else the user's data folder from platformdirs."""
    env = os.environ.get("KUPA_DATA_DIR")
    return Path(env) if env else Path(platformdirs.user_data_dir("kupa", "Kupa"))


@dataclass(frozen=True)
class TerminalSettings:
    """Settings read once when the terminal opens and passed around (STYLE.md, habit 11)."""

    terminal_id: str
    store_name: str
    member_prefix: str
    server_url: str | None = None

    @property
    def receipt_prefix(self) -> str:
        """The terminal's part of its receipt numbers (`T1` in `T1-000123`): see `receipt_prefix()`."""
        return receipt_prefix(self.terminal_id, self.member_prefix)


_NUMBERED_TERMINAL = re.compile(r"[Tt]?-?0*([0-9]{1,6})")


def receipt_prefix(terminal_id: str, member_prefix: str) -> str:
    """`T` and the terminal's number, for its receipt numbers.

    Decision: a terminal named by a number (`T1`, `t-02`, `7`) is that number (`T1`, `T2`, `T7`): what a
    store that numbers its tills expects to read. Any other id (`T-3fa9c2d1`, `front-desk`) is not a number a
    person reads aloud, so the terminal's member-id prefix stands in (`T482`): HQ assigns each terminal a
    distinct one, so two terminals of a chain never print the same receipt number. The number is read when
    a receipt is made and stored with the sale; a later change of prefix (the first sync adopting HQ's) only
    changes the receipts after it, and the sequence number never restarts.
    """
    found = _NUMBERED_TERMINAL.fullmatch(terminal_id)
    if found:
        return f"T{int(found.group(1))}"
    return f"T{member_prefix or 1}"


NO_TERMINAL = message("terminal.none",
                      en="no Kupa terminal in {path}: run 'kupa init' first (add --demo for the demo store)",
                      he="אין קופת Kupa בתיקייה {path}: הריצו קודם 'kupa init' (הוסיפו --demo לחנות ההדגמה)")
DATA_FOLDER = message("terminal.data_folder", en="cannot use the data folder {path}: {error}",
                      he="אי אפשר להשתמש בתיקיית הנתונים {path}: {error}")
NOT_INITIALISED = message("terminal.not_initialised",
                          en="the terminal in {path} is not initialised: run 'kupa init'",
                          he="הקופה בתיקייה {path} לא אותחלה: הריצו 'kupa init'")


class Terminal:
    """A terminal's data folder opened for work."""

    def __init__(self, data_dir: Path, engine: Engine) -> None:
        self.data_dir = data_dir
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self._read_sessions = sessionmaker(engine.execution_options(kupa_read=True), expire_on_commit=False)
        self._settings: TerminalSettings | None = None

    @classmethod
    def open(cls, data_dir: Path, *, create: bool = False) -> Terminal:
        """Open `data_dir`; refuse (StateError) if it has no terminal yet, unless `create`."""
        db_path = data_dir / DB_NAME
        if not create and not db_path.exists():
            raise StateError(NO_TERMINAL, path=str(data_dir))
        if data_dir.exists() and not data_dir.is_dir():
            raise DamagedStoreError(NOT_A_FOLDER, path=data_dir)
        engine: Engine | None = None
        try:
            secure.make_private_dir(data_dir)
            secure.private_file(db_path)
            secure.tighten(data_dir)
            engine = make_engine(db_path)
            with storage_errors(db_path):
                try:
                    migrate(engine)
                except (OperationalError, sqlite3.OperationalError) as exc:
                    reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
                    if "unable to open" in reason:  # the folder or the file cannot be read
                        raise DamagedStoreError(UNUSABLE_FOLDER, path=data_dir, reason=reason) from exc
                    raise
        except OSError as exc:
            raise DamagedStoreError(UNUSABLE_FOLDER, path=data_dir, reason=exc.strerror or exc) from exc
        except SchemaVersionError as exc:
            template = {"missing": NO_SCHEMA_VERSION, "newer": NEWER_SCHEMA}.get(exc.kind, UNKNOWN_SCHEMA)
            raise DamagedStoreError(template, path=db_path, found=exc.found, head=exc.head) from exc
        finally:
            if engine is not None and sys.exc_info()[0] is not None:
                engine.dispose()
        terminal = cls(data_dir, engine)
        (data_dir / "pin_failures").unlink(missing_ok=True)  # the old throttle file, replaced by pin_attempts
        terminal._move_token_out_of_database()
        return terminal

    @property
    def keys_dir(self) -> Path:
        return self.data_dir / "keys"

    @contextmanager
    def unit_of_work(self) -> Iterator[Session]:
        """One transaction: commits when the block ends normally, rolls back otherwise."""
        opened: Session | None = None
        try:
            with storage_errors(self.data_dir / DB_NAME):
                with self._sessions.begin() as session:
                    opened = session
                    yield session
        finally:
            self._record_pin_outcome(opened)

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read-only session on a consistent snapshot; it never waits for a writer."""
        opened: Session | None = None
        try:
            with storage_errors(self.data_dir / DB_NAME):
                with self._read_sessions() as session:
                    opened = session
                    yield session
        finally:
            self._record_pin_outcome(opened)

    def _record_pin_outcome(self, session: Session | None) -> None:
        outcome = session.info.pop(pin_throttle.OUTCOME_KEY, None) if session is not None else None
        if outcome:
            pin_throttle.record(self.engine, outcome)

    def wait_out_pin_lockout(self) -> None:
        """Sleep until the wrong-PIN throttle allows another attempt (call it outside any unit of work)."""
        pin_throttle.wait_out_lockout(self.engine)

    # -- the HQ token (pos_client.secure) ---------------------------------------------------------------

    def hq_token(self) -> str | None:
        """The terminal's HQ token, from the keyring or its 0600 file (moved out of the database first)."""
        self._move_token_out_of_database()
        return secure.load_token(self.data_dir)

    def set_hq_token(self, token: str) -> str:
        """Store the HQ token outside the database; returns where it went."""
        return secure.save_token(self.data_dir, token)

    def _move_token_out_of_database(self) -> None:
        """An older Kupa kept the token in `settings`: store it outside and wipe it from the file."""
        try:
            with self.read() as session:
                row = session.get(Setting, "sync_token")
                token = json.loads(row.value) if row is not None else None
        except (StorageError, OperationalError):
            return
        if not token:
            return
        self.set_hq_token(str(token))
        raw = self.engine.raw_connection()  # pragmas outside any transaction: below SQLAlchemy's autobegin
        try:
            cursor = raw.cursor()
            cursor.execute("PRAGMA secure_delete=ON")  # the freed bytes are zeroed, not just unlinked
            cursor.execute("BEGIN IMMEDIATE")
            cursor.execute("DELETE FROM settings WHERE key = 'sync_token'")
            cursor.execute("COMMIT")
            cursor.execute("PRAGMA secure_delete=OFF")
            # Fold the WAL in and empty it, so no old copy of the page stays there; never wait for it (another
            # window's reader may hold a snapshot: then the copy is overwritten by later checkpoints).
            cursor.execute("PRAGMA busy_timeout=0")
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            cursor.execute("PRAGMA busy_timeout=10000")
            cursor.close()
        finally:
            raw.close()

    @property
    def settings(self) -> TerminalSettings:
        if self._settings is None:
            with self.read() as session:
                values = {row.key: json.loads(row.value) for row in session.scalars(select(Setting))}
            if "terminal_id" not in values:
                raise StateError(NOT_INITIALISED, path=str(self.data_dir))
            self._settings = TerminalSettings(
                terminal_id=values["terminal_id"], store_name=values.get("store_name", "Kupa store"),
                member_prefix=values.get("member_prefix", "1"), server_url=values.get("server_url"))
        return self._settings

    def forget_settings(self) -> None:
        """Drop the cached settings (a sync changed them); the next `settings` reads them again."""
        self._settings = None

    def close(self) -> None:
        self.engine.dispose()


def put_setting(session: Session, key: str, value: object) -> None:
    session.merge(Setting(key=key, value=json.dumps(value)))


DISK_FULL = message("storage.disk_full",
                    en="the disk is full: nothing was recorded; free some space and try again",
                    he="הדיסק מלא: דבר לא נרשם; פנו מקום ונסו שוב")
READ_ONLY = message("storage.read_only",
                    en="the database file is read-only: nothing was recorded; check the data folder's "
                       "permissions",
                    he="קובץ מסד הנתונים לקריאה בלבד: דבר לא נרשם; בדקו את ההרשאות של תיקיית הנתונים")
DB_BUSY = message("storage.busy",
                  en="the database is busy in another window: nothing was recorded; try again",
                  he="מסד הנתונים תפוס בחלון אחר: דבר לא נרשם; נסו שוב")
DB_UNUSABLE = message("storage.unusable", en="the database cannot be opened or written: nothing was recorded",
                      he="אי אפשר לפתוח את מסד הנתונים או לכתוב בו: דבר לא נרשם")


@contextmanager
def storage_errors(path: Path | None = None) -> Iterator[None]:
    """Turn the storage failures a person can fix into `StorageError` messages (`DamagedStoreError` for a
    database file that is damaged: `path` names it)."""
    try:
        yield
    except (OperationalError, sqlite3.OperationalError) as exc:
        text = str(getattr(exc, "orig", exc)).lower()
        if "full" in text:
            what = DISK_FULL
        elif "readonly" in text or "read-only" in text:
            what = READ_ONLY
        elif "locked" in text or "busy" in text:
            what = DB_BUSY
        elif "unable to open" in text or "disk i/o" in text:
            what = DB_UNUSABLE
        else:
            raise
        raise StorageError(what) from exc
    except (DatabaseError, sqlite3.DatabaseError) as exc:
        reason = str(getattr(exc, "orig", exc))
        if "malformed" in reason or "not a database" in reason:  # found damaged in the middle of the work
            raise DamagedStoreError(DAMAGED, path=path or DB_NAME, reason=reason.splitlines()[0]) from exc
        raise
