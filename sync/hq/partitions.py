"""Monthly partitions of HQ's two big tables on PostgreSQL (`hq_entries`, `hq_sales`; HQ migration 0004).

A chain writes millions of entries a day (docs/scale.md). Partitioned by month of `created_at`, a month's report
reads one partition, old months can be detached and archived whole, and every index stays the size of a month.
The partition key is the canonical UTC text `created_at` (`pos_client.timeutil.to_iso`), compared byte by byte
(the column's collation is "C" on PostgreSQL): month *m*'s partition holds `'YYYY-MM-01' <= created_at < 'next month-01'`.

Partitions are made ahead of time: the migration makes one per month found in the data and the months around
today, `kupa-hq partitions ensure` makes the coming months (run it from cron monthly, or leave it to the pushes),
and every push makes the partition of a recent month it brings that has none yet, in a short transaction of its
own before the push (`ensure_for_push`). A row whose month has no partition lands in the `…_default` partition,
so an insert never fails for want of one; a month whose rows are already in the default partition is left there
(PostgreSQL refuses to create a partition the default one holds rows for; moving them is a maintenance job, not
a push's). Making a partition locks the parent table briefly (PostgreSQL takes an exclusive lock on it, waiting
at most 5 s here, `lock_timeout`): the first push of a month may wait that long, which `partitions ensure` run
ahead avoids. On SQLite the tables are plain and these functions do nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError

from sync.hq.db import Database
from sync.protocol import PushItem, parse_utc

log = logging.getLogger(__name__)
TABLES = ("hq_entries", "hq_sales")
Month = tuple[int, int]
#: How far back a push may create a month's partition: older rows (a till offline for a year) go to default.
PUSH_MONTHS_BACK = 12


def month_of(moment: datetime) -> Month:
    return moment.year, moment.month


def add_months(month: Month, count: int) -> Month:
    index = month[0] * 12 + month[1] - 1 + count
    return index // 12, index % 12 + 1


def partition_name(table: str, month: Month) -> str:
    return f"{table}_{month[0]:04d}_{month[1]:02d}"


def _bound(month: Month) -> str:
    return f"{month[0]:04d}-{month[1]:02d}-01"


def is_partitioned(conn: Connection, table: str) -> bool:
    if conn.dialect.name != "postgresql":
        return False
    found = conn.scalar(text("SELECT count(*) FROM pg_partitioned_table WHERE partrelid = to_regclass(:t)"),
                        {"t": table})
    return bool(found == 1)


def create_month(conn: Connection, table: str, month: Month) -> bool:
    """Create `table`'s partition for `month` if it has none (True if made now). Left alone (False) when the
    default partition already holds rows of that month."""
    name = partition_name(table, month)
    if conn.scalar(text("SELECT to_regclass(:n) IS NOT NULL"), {"n": name}):
        return False
    low, high = _bound(month), _bound(add_months(month, 1))
    default = f"{table}_default"
    if conn.scalar(text(f'SELECT EXISTS (SELECT 1 FROM "{default}" WHERE created_at >= :lo AND created_at < :hi)'),
                   {"lo": low, "hi": high}):
        log.warning("%s: rows of %s are in %s already; the month stays there", table, _bound(month)[:7], default)
        return False
    conn.execute(text(f'CREATE TABLE "{name}" PARTITION OF "{table}" FOR VALUES FROM (\'{low}\') TO (\'{high}\')'))
    return True


def ensure(db: Database, months: Iterable[Month]) -> list[str]:
    """Make both tables' partitions for `months` (each in a short transaction); the names made."""
    made: list[str] = []
    if not db.is_postgres:
        return made
    for month in sorted(set(months)):
        for table in TABLES:
            try:
                with db.engine.begin() as conn:
                    if not is_partitioned(conn, table):
                        continue
                    conn.execute(text("SET LOCAL lock_timeout = '5s'"))
                    if create_month(conn, table, month):
                        made.append(partition_name(table, month))
            except DBAPIError as exc:  # another HQ process made it first, or a lock it could not get in time
                log.info("partition %s not made now: %s", partition_name(table, month), exc.orig)
    return made


def months_ahead(now: datetime, ahead: int) -> list[Month]:
    """This month and the `ahead` next ones."""
    return [add_months(month_of(now), i) for i in range(ahead + 1)]


def ensure_for_push(db: Database, items: Iterable[PushItem], now: datetime) -> list[str]:
    """Before a push: the partitions of the recent months its entries and sales name, if any is missing
    (one catalogue query when they all exist, as they do but on the first push of a month)."""
    if not db.is_postgres:
        return []
    earliest, latest = add_months(month_of(now), -PUSH_MONTHS_BACK), add_months(month_of(now), 1)
    months: set[Month] = set()
    for item in items:
        if item.kind in ("ledger_entry", "sale") and isinstance(item.body.get("created_at"), str):
            try:
                month = month_of(parse_utc(item.body["created_at"]))
            except ValueError:
                continue  # the push refuses the item itself
            if earliest <= month <= latest:
                months.add(month)
    if not months:
        return []
    names = [partition_name(t, m) for m in months for t in TABLES]
    with db.engine.connect() as conn:
        missing = conn.scalar(text("SELECT count(*) FROM unnest(CAST(:n AS text[])) AS n"
                                   " WHERE to_regclass(n) IS NULL"), {"n": names})
    return ensure(db, months) if missing else []
