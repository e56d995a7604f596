"""Driver-level statements for the sale's hot path, inside the session's own transaction.

SQLAlchemy costs 20–40 µs a statement (cache keys, execution contexts, result objects) and an ORM load or
flush ten times that; a checkout issues about twenty statements, which made a durable sale twenty times a
bare commit. The hot path — identifying the member, the program in force, the basket's products, the
member's state, and the sale's writes — therefore runs plain SQL on the sqlite3 connection under the
session: the same transaction (the session's `BEGIN IMMEDIATE` has already run when `sql()` returns), and
sqlite3's own cache of prepared statements. The tables stay defined by `pos_client.db.models` and the
migrations; everything off the hot path keeps the ORM. Like the ORM's autoflush, `sql()` flushes pending
ORM changes first, so driver statements see them; a driver write that changes rows the session has loaded
must expire those objects.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from functools import cache
from typing import Any, cast

from sqlalchemy.orm import Session


def sql(session: Session) -> sqlite3.Connection:
    """The sqlite3 connection the session's transaction runs on (beginning it if it has not begun)."""
    session.flush()
    return cast(sqlite3.Connection, session.connection().connection.driver_connection)


def one(session: Session, statement: str, params: dict[str, Any] | tuple[Any, ...] = ()) -> tuple[Any, ...] | None:
    """The first row of `statement`, or None."""
    return cast(tuple[Any, ...] | None, sql(session).execute(statement, params).fetchone())


def all_rows(session: Session, statement: str,
             params: dict[str, Any] | tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    return sql(session).execute(statement, params).fetchall()


def insert(session: Session, table: str, rows: Sequence[dict[str, Any]]) -> None:
    """Insert `rows` (dicts with the same keys, naming every column without a database default) into `table`."""
    if rows:
        sql(session).executemany(_insert_statement(table, tuple(rows[0])), rows)


@cache
def _insert_statement(table: str, columns: tuple[str, ...]) -> str:
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(':' + c for c in columns)})"
