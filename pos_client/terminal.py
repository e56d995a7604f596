"""The open terminal: its data folder, database, settings and units of work.

A `Terminal` is what every service receives. It owns the engine and hands out units of work: one SQLite
transaction per business action (STYLE.md, habit 4), committed only if the block finishes, rolled back on
any exception. Storage failures that a person can act on (disk full, read-only file, database locked by
another program) come out as `StorageError` with a plain message; nothing half-done remains.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import platformdirs
from sqlalchemy import Engine, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from pos_client.db.engine import make_engine, migrate
from pos_client.db.models import Setting
from pos_client.errors import StateError, StorageError
from pos_client.messages import message

DB_NAME = "kupa.sqlite3"


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
        try:
            data_dir.mkdir(parents=True, exist_ok=True)
            engine = make_engine(db_path)
            with storage_errors():
                migrate(engine)
        except OSError as exc:
            raise StorageError(DATA_FOLDER, path=str(data_dir), error=exc.strerror or str(exc)) from exc
        return cls(data_dir, engine)

    @property
    def keys_dir(self) -> Path:
        return self.data_dir / "keys"

    @contextmanager
    def unit_of_work(self) -> Iterator[Session]:
        """One transaction: commits when the block ends normally, rolls back otherwise."""
        with storage_errors():
            with self._sessions.begin() as session:
                yield session

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read-only session on a consistent snapshot; it never waits for a writer."""
        with storage_errors():
            with self._read_sessions() as session:
                yield session

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
def storage_errors() -> Iterator[None]:
    """Turn the storage failures a person can fix into `StorageError` messages."""
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
