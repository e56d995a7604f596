"""HQ's database: engines for SQLite or PostgreSQL, Alembic migrations, serialised write transactions.

Writers are serialised on purpose. The pull cursor is a position in `hq_changes`; if two transactions could
commit out of order, a terminal could read change 11, move its cursor past 10, and never see 10 once it
commits. One writer at a time (a process lock, plus `BEGIN IMMEDIATE` on SQLite and a transaction-level
advisory lock on PostgreSQL for several HQ processes) makes commit order equal to change-id order. Pushes
are batched, so the throughput cost is small.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
DEFAULT_DB = "sqlite:///kupa-hq.sqlite3"
_ADVISORY_KEY = 0x4B555041  # "KUPA"


def db_url_from(arg: str | None) -> str:
    """`--db`, else `KUPA_HQ_DB`, else a SQLite file in the current folder."""
    return arg or os.environ.get("KUPA_HQ_DB") or DEFAULT_DB


def make_engine(url: str) -> Engine:
    """An engine with durable settings: WAL and full sync on SQLite, a sane pool on PostgreSQL."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_conn: sqlite3.Connection, _record: Any) -> None:
            dbapi_conn.isolation_level = None
            cursor = dbapi_conn.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=FULL")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _on_begin(conn: Any) -> None:
            conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get("hq_write") else "BEGIN")

        return engine
    return create_engine(url, pool_size=5, max_overflow=5, pool_pre_ping=True)


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def migrate(engine: Engine) -> None:
    """Create or upgrade HQ's schema (`kupa-hq init`, and every `serve` start)."""
    command.upgrade(alembic_config(engine), "head")


class Database:
    """Hands out read sessions and serialised write transactions on one engine."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self.is_postgres = self.engine.dialect.name == "postgresql"
        self._reads = sessionmaker(self.engine, expire_on_commit=False)
        self._writes = sessionmaker(self.engine.execution_options(hq_write=True), expire_on_commit=False)
        self._lock = threading.Lock()

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One write transaction, committed at the end of the block, alone among HQ's writers."""
        with self._lock, self._writes.begin() as session:
            if self.is_postgres:
                session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _ADVISORY_KEY})
            yield session

    @contextmanager
    def read(self) -> Iterator[Session]:
        with self._reads.begin() as session:
            yield session

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()
