"""Open the terminal's SQLite file durably and bring its schema up to date.

Durability settings (DESIGN.md, "Ledger"): WAL journal, `synchronous=FULL` (a commit survives a power cut),
foreign keys on, and a busy timeout so two windows on one database wait instead of failing. Every write
transaction starts with `BEGIN IMMEDIATE`: a business action takes the write lock up front, so two writers
never deadlock on a lock upgrade halfway through a sale. Read-only sessions (execution option `kupa_read`)
use a plain deferred `BEGIN`, which in WAL mode never waits for a writer.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from typing import TYPE_CHECKING

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.exc import OperationalError

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def make_engine(db_path: Path) -> Engine:
    """An engine on `db_path` with Kupa's pragmas applied to every connection."""
    engine = create_engine(f"sqlite:///{db_path}", future=True)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: sqlite3.Connection, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN" if conn.get_execution_options().get("kupa_read") else "BEGIN IMMEDIATE")

    return engine


def alembic_config(engine: Engine) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def head_revision() -> str:
    """The newest migration; revision ids are 4-digit sequence numbers that start their file names."""
    return max(path.name[:4] for path in (MIGRATIONS / "versions").glob("[0-9][0-9][0-9][0-9]_*.py"))


def current_revision(engine: Engine) -> str | None:
    try:
        with engine.connect().execution_options(kupa_read=True) as conn:
            return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except OperationalError:
        return None  # a new database: no alembic_version table yet


class SchemaVersionError(Exception):
    """The database's schema version is one this Kupa cannot upgrade: `kind` is "missing" (tables but no
    `alembic_version`), "newer" (written by a newer Kupa) or "unknown" (not a version Kupa ever had)."""

    def __init__(self, kind: str, found: str | None, head: str) -> None:
        super().__init__(f"schema version {found!r} ({kind}); this Kupa knows up to {head}")
        self.kind, self.found, self.head = kind, found, head


def _has_tables(engine: Engine) -> bool:
    with engine.connect().execution_options(kupa_read=True) as conn:
        return bool(conn.execute(text("SELECT count(*) FROM sqlite_master WHERE type = 'table'")).scalar_one())


def check_revision(engine: Engine) -> str | None:
    """The database's revision if Kupa can open it (None for a new, empty database), else `SchemaVersionError`."""
    head = head_revision()
    current = current_revision(engine)
    if current is None:
        if _has_tables(engine):
            raise SchemaVersionError("missing", None, head)
        return None
    known = {path.name[:4] for path in (MIGRATIONS / "versions").glob("[0-9][0-9][0-9][0-9]_*.py")}
    if current not in known:
        newer = current.isdigit() and len(current) == len(head) and current > head
        raise SchemaVersionError("newer" if newer else "unknown", current, head)
    return current


def migrate(engine: Engine) -> None:
    """Apply every pending migration (a user's ledger survives upgrades of Kupa).

    An up-to-date database (the common case: every CLI call opens one) is recognised without loading
    Alembic, which keeps `kupa` quick to start. A database Kupa cannot upgrade (no schema version beside
    its tables, or one newer than this Kupa) raises `SchemaVersionError` before anything is changed.
    """
    if check_revision(engine) == head_revision():
        return
    from alembic import command

    command.upgrade(alembic_config(engine), "head")
