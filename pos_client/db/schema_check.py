"""Does a migrated database match the SQLAlchemy models? (The schema is described once: in the models.)

The migrations build the schema step by step and the models describe it whole; an `alembic revision
--autogenerate` compares the two and would drop whatever the models leave out. `differences()` runs Alembic's
own comparison (tables, columns, types, nullability, server defaults, keys, unique constraints, indexes) and,
on SQLite, what Alembic does not compare: each index's full definition (a partial index's `WHERE`) and
`WITHOUT ROWID` tables. The tests run it on freshly migrated terminal and HQ databases; an empty list means
the two descriptions agree. Triggers are not part of the models: the tests check them by behaviour.
"""

from __future__ import annotations

import re

from sqlalchemy import Connection, MetaData
from sqlalchemy.schema import CreateIndex


def differences(conn: Connection, metadata: MetaData) -> list[str]:
    """Every way the database on `conn` differs from `metadata`, one readable line each (empty: they agree)."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    partitions = _partitions(conn)

    def include_name(name: str | None, type_: str, _parents: object) -> bool:
        return not (type_ == "table" and name in partitions)

    context = MigrationContext.configure(conn, opts={"compare_type": True, "compare_server_default": True,
                                                     "include_name": include_name})
    found = [repr(diff) for diff in compare_metadata(context, metadata)]
    if conn.dialect.name == "sqlite":
        found += _sqlite_differences(conn, metadata)
    return found


def _partitions(conn: Connection) -> set[str]:
    """The partitions of partitioned tables (PostgreSQL): made by the database as months come, described by
    their parent in the models (HQ's `sync.hq.partitions`), so left out of the comparison."""
    if conn.dialect.name != "postgresql":
        return set()
    return set(conn.exec_driver_sql("SELECT relname FROM pg_class WHERE relispartition").scalars())


def _sqlite_differences(conn: Connection, metadata: MetaData) -> list[str]:
    stored = {name: sql for name, sql in conn.exec_driver_sql(
        "SELECT name, sql FROM sqlite_master WHERE type IN ('table', 'index') AND sql IS NOT NULL")}
    found = []
    for table in metadata.sorted_tables:
        wants_rowid = table.dialect_options["sqlite"].get("with_rowid", True) is not False
        has_rowid = "WITHOUTROWID" not in _normal(stored.get(table.name, ""))
        if table.name in stored and wants_rowid != has_rowid:
            found.append(f"table {table.name}: WITHOUT ROWID is {not has_rowid} in the database, "
                         f"{not wants_rowid} in the models")
        for index in table.indexes:
            model_sql = str(CreateIndex(index).compile(dialect=conn.dialect))
            if index.name in stored and _normal(stored[index.name]) != _normal(model_sql):
                found.append(f"index {index.name}: the database has {stored[index.name]!r}, the models {model_sql!r}")
    return found


def _normal(sql: str) -> str:
    """DDL without quotes, whitespace and letter case, so that only what it means is compared."""
    return re.sub(r"[\s\"'`()]", "", sql).upper()
