"""Set-wise writes and reads shared by the projections a terminal and HQ keep (`pos_client.reports.tiers`,
`sync.hq.kpi_projection`): an upsert that adds or replaces columns, summed counts, and `IN (...)` lookups in
chunks. The same SQLAlchemy statements serve SQLite and PostgreSQL (both have ON CONFLICT).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Table, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

#: Keys per `IN (...)` (SQLite's default host-parameter limit is far above; PostgreSQL has none that low).
CHUNK = 900


def table(model: type[Any]) -> Table:
    found: Table = model.__table__
    return found


def upsert(session: Session, target: Table, rows: list[dict[str, Any]], keys: Sequence[str],
           add: Sequence[str] = (), replace: Sequence[str] = ()) -> None:
    """Insert `rows`, or on a key already there add the `add` columns to it and overwrite `replace` (SQLite
    and PostgreSQL share the ON CONFLICT form). Rows go in key order: concurrent writers lock alike."""
    if not rows:
        return
    pg = session.connection().dialect.name == "postgresql"
    stmt = (pg_insert if pg else sqlite_insert)(target)
    sets = {c: target.c[c] + stmt.excluded[c] for c in add} | {c: stmt.excluded[c] for c in replace}
    rows = sorted(rows, key=lambda r: tuple(r[k] for k in keys))
    session.connection().execute(stmt.on_conflict_do_update(index_elements=list(keys), set_=sets), rows)


def add_counts(session: Session, target: Table, rows: list[dict[str, Any]], columns: Sequence[str]) -> None:
    """Sum `rows` by the table's primary key, then add the sums to the table's rows."""
    keys = [c.name for c in target.primary_key.columns]
    summed: dict[tuple[Any, ...], dict[str, Any]] = {}
    for row in rows:
        key = tuple(row[k] for k in keys)
        if key in summed:
            for c in columns:
                summed[key][c] += row[c]
        else:
            summed[key] = dict(row)
    upsert(session, target, list(summed.values()), keys, add=columns)


def select_in(session: Session, columns: list[Any], key: Any, keys: Iterable[Any]) -> list[Any]:
    """Rows of `columns` whose `key` is among `keys`, `CHUNK` keys per statement."""
    wanted = sorted(set(keys))
    found: list[Any] = []
    for start in range(0, len(wanted), CHUNK):
        found += session.execute(select(*columns).where(key.in_(wanted[start:start + CHUNK]))).all()
    return found
