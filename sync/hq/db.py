"""HQ's database: engines for SQLite or PostgreSQL, Alembic migrations, write transactions.

HQ keeps no state in a process: several HQ processes (`kupa-hq serve --workers N`, or several machines behind
a load balancer) share one database and nothing else (docs/scale.md).

What must stay in order is the change log. The pull cursor is a position in `hq_changes`; if two transactions
could append to it and commit out of order, a terminal could read change 11, move its cursor past 10, and
never see 10 once it commits. So whoever appends to `hq_changes` holds the *change-log lock* from the append
to its commit (`order_changes`): a transaction-level advisory lock on PostgreSQL, which makes commit order
equal to change-id order across every HQ process.

Everything else a push does — reading the batch's ids, validating every item, inserting its entries, sales,
members and cards, updating balances — runs concurrently on PostgreSQL (`Database.push`): pushes of one
terminal are ordered by a row lock on its `hq_terminals` row (`SELECT … FOR UPDATE`), balances by row locks
taken in member-id order (`sync.hq.push`), and idempotency by primary keys and unique indexes (an entry id, a
sale id, a terminal's (terminal, seq) in `hq_entry_keys`). A push that loses a race on one of them (a unique
violation, a deadlock PostgreSQL broke) is rolled back whole and run again (`retrying`): it then sees the
other's rows and answers *duplicate* or a refusal, exactly as if the two had run one after the other. Only
the change-log append and the commit are serialised chain-wide.

SQLite has one writer at a time anyway: every write transaction is `BEGIN IMMEDIATE` (plus a lock in the
process so threads queue instead of spinning on `busy_timeout`).
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session, sessionmaker

log = logging.getLogger(__name__)
T = TypeVar("T")

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


def at_head(engine: Engine) -> bool:
    """Is the database reachable and its schema at the newest migration? (`/readyz`)"""
    heads = set(ScriptDirectory.from_config(alembic_config(engine)).get_heads())
    with engine.connect() as conn:
        return set(MigrationContext.configure(conn).get_current_heads()) == heads


#: PostgreSQL's SQLSTATEs for a lost race a whole re-run resolves: serialization failure, deadlock.
_RETRY_STATES = {"40001", "40P01"}


def retrying(work: Callable[[], T], *, attempts: int = 5) -> T:
    """Run `work` (one whole write transaction) again when it lost a race with a concurrent push: a unique
    violation on an id the other committed first, or a deadlock/serialization failure. The re-run reads the
    other's rows and answers as if the two had run one after the other; a genuine error still raises."""
    for attempt in range(1, attempts + 1):
        try:
            return work()
        except DBAPIError as exc:
            state = getattr(exc.orig, "sqlstate", None)
            if attempt == attempts or not (isinstance(exc, IntegrityError) or state in _RETRY_STATES):
                raise
            log.info("write lost a race (%s), running it again (attempt %d)", state or type(exc).__name__,
                     attempt + 1)
            time.sleep(0.005 * attempt)
    raise AssertionError("unreachable")


class Database:
    """Hands out read sessions and write transactions on one engine (see the module docstring)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self.is_postgres = self.engine.dialect.name == "postgresql"
        self._reads = sessionmaker(self.engine, expire_on_commit=False)
        self._writes = sessionmaker(self.engine.execution_options(hq_write=True), expire_on_commit=False)
        self._lock = threading.Lock()

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One write transaction, committed at the end of the block, alone among HQ's writers (the operator's
        commands: program, catalog, member import, registration)."""
        with self._sqlite_lock(), self._writes.begin() as session:
            order_changes(session)
            yield session

    @contextmanager
    def push(self, terminal_id: str) -> Iterator[Session]:
        """One write transaction of `terminal_id` (a push, a hello): on PostgreSQL it runs beside other
        terminals' and after this terminal's earlier ones (a row lock on its `hq_terminals` row); it takes the
        change-log lock only when it appends to `hq_changes` (`order_changes`)."""
        with self._sqlite_lock(), self._writes.begin() as session:
            if self.is_postgres:
                session.execute(text("SELECT 1 FROM hq_terminals WHERE terminal_id = :t FOR UPDATE"),
                                {"t": terminal_id})
            yield session

    @contextmanager
    def small_write(self) -> Iterator[Session]:
        """A short write transaction that touches no ledger and no change log (the token throttle)."""
        with self._sqlite_lock(), self._writes.begin() as session:
            yield session

    @contextmanager
    def _sqlite_lock(self) -> Iterator[None]:
        if self.is_postgres:
            yield
            return
        with self._lock:
            yield

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


def order_changes(session: Session) -> None:
    """Hold the change-log lock until this transaction ends (call it before appending to `hq_changes`): change
    ids then commit in order across all HQ processes. Re-entrant within a transaction; a no-op on SQLite, whose
    write transactions already run one at a time."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _ADVISORY_KEY})
