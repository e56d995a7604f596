"""Driver-level statements for the sale's hot path, inside the session's own transaction.

SQLAlchemy costs 20–40 µs a statement (cache keys, execution contexts, result objects) and an ORM load or
flush ten times that; a checkout issues about twenty statements, which made a durable sale twenty times a
bare commit. The hot path — identifying the member, the program in force, the basket's products, the
member's state, and the sale's writes — therefore runs on the sqlite3 connection under the session: the
same transaction (the session's `BEGIN IMMEDIATE` has already run when `sql()` returns), and sqlite3's own
cache of prepared statements.

The statements are still SQLAlchemy Core, built from the models' `Table` objects (the schema is described
once, in `pos_client.db.models`): a `Statement` compiles its Core construct for SQLite the first time it
runs — to SQL text with named parameters, plus the values of the constants and column defaults the
construct carries — and every later run hands that text and a dict of parameters straight to sqlite3.
Values pass through as sqlite3 takes them (no SQLAlchemy type processing): str, int, None. Like the ORM's
autoflush, each call flushes pending ORM changes first, so driver statements see them; a driver write that
changes rows the session has loaded must expire those objects.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence
from functools import cache
from typing import Any, cast

from sqlalchemy import Table, insert as core_insert
from sqlalchemy.dialects import sqlite
from sqlalchemy.orm import DeclarativeBase, Session
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.schema import ScalarElementColumnDefault

#: sqlite3 accepts `:name` parameters from a dict, so a compiled statement needs no reordering of them.
_DIALECT = sqlite.dialect(paramstyle="named")

Params = Mapping[str, Any]


class Statement:
    """A Core statement compiled once, on first use, for the raw sqlite3 connection.

    Parameters are the statement's `bindparam` names (for an INSERT of whole rows, the column names);
    constants in the statement (`kind == "redeem"`, a `LIMIT`) and the columns' scalar defaults are filled in.
    """

    __slots__ = ("clause", "_columns", "_sql", "_defaults")

    def __init__(self, clause: ClauseElement, columns: Sequence[str] | None = None) -> None:
        self.clause = clause
        self._columns = list(columns) if columns is not None else None
        self._sql: str | None = None
        self._defaults: dict[str, Any] = {}

    @property
    def sql(self) -> str:
        """The SQL text sqlite3 runs (compiled at the first call)."""
        return self._sql if self._sql is not None else self._compile()

    def params(self, given: Params) -> Params:
        """`given` with the statement's own constants and defaults added."""
        if self._sql is None:
            self._compile()
        return {**self._defaults, **given} if self._defaults else given

    def run(self, db: sqlite3.Connection, params: Params | None = None) -> sqlite3.Cursor:
        """Execute on `db` (the connection `sql(session)` returned, inside the session's transaction)."""
        sql = self._sql if self._sql is not None else self._compile()
        if self._defaults:
            return db.execute(sql, {**self._defaults, **params} if params else self._defaults)
        return db.execute(sql, params or {})

    def run_many(self, db: sqlite3.Connection, rows: Sequence[Params]) -> None:
        """Execute once per row of parameters (one `executemany`); nothing when `rows` is empty."""
        if rows:
            sql = self._sql if self._sql is not None else self._compile()
            defaults = self._defaults
            db.executemany(sql, [{**defaults, **row} for row in rows] if defaults else rows)

    def _compile(self) -> str:
        compiled = cast(SQLCompiler, self.clause.compile(dialect=_DIALECT, column_keys=self._columns))
        defaults = {name: bind.effective_value for bind, name in compiled.bind_names.items() if not bind.required}
        for column in compiled.insert_prefetch:  # columns left out of an INSERT that have a Python-side default
            default = column.default
            if not isinstance(default, ScalarElementColumnDefault):
                raise TypeError(f"{column} has a default a driver statement cannot compute")
            defaults[column.key] = default.arg
        self._defaults = defaults
        self._sql = compiled.string
        return self._sql


def sql(session: Session) -> sqlite3.Connection:
    """The sqlite3 connection the session's transaction runs on (beginning it if it has not begun)."""
    session.flush()
    return cast(sqlite3.Connection, session.connection().connection.driver_connection)


def execute(session: Session, statement: Statement, params: Params | None = None) -> sqlite3.Cursor:
    return statement.run(sql(session), params)


def execute_many(session: Session, statement: Statement, rows: Sequence[Params]) -> None:
    if rows:
        statement.run_many(sql(session), rows)


def one(session: Session, statement: Statement, params: Params | None = None) -> tuple[Any, ...] | None:
    """The first row of `statement`, or None."""
    return cast(tuple[Any, ...] | None, execute(session, statement, params).fetchone())


def all_rows(session: Session, statement: Statement, params: Params | None = None) -> list[tuple[Any, ...]]:
    return execute(session, statement, params).fetchall()


def table(model: type[DeclarativeBase]) -> Table:
    """A model's `Table` (SQLAlchemy types `__table__` as any FROM clause; a declarative model's is a Table)."""
    return cast(Table, model.__table__)


def insert(session: Session, model: type[DeclarativeBase], rows: Sequence[Params]) -> None:
    """Insert `rows` (dicts with the same keys; columns left out take their defaults) into `model`'s table."""
    if rows:
        execute_many(session, insert_statement(model, tuple(rows[0])), rows)


@cache
def insert_statement(model: type[DeclarativeBase], columns: tuple[str, ...]) -> Statement:
    """`INSERT INTO table (columns…)`, compiled once per table and set of columns."""
    return Statement(core_insert(table(model)), columns)
