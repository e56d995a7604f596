"""HQ's schema is described once: its migrations build exactly what `sync.hq.models` describes, on SQLite and
(with `KUPA_TEST_POSTGRES_URL`) on PostgreSQL."""

from __future__ import annotations

from sqlalchemy import Index, MetaData

from pos_client.db.schema_check import differences
from sync.hq.db import make_engine, migrate
from sync.hq.models import Base


def test_hq_migrations_build_exactly_the_models(hq_db_url: str) -> None:
    engine = make_engine(hq_db_url)
    try:
        migrate(engine)
        with engine.connect() as conn:
            assert differences(conn, Base.metadata) == []
            # and the comparison does notice an index the migrations never built
            models = MetaData()
            for table in Base.metadata.sorted_tables:
                table.to_metadata(models)
            Index("ix_hq_sales_kind_probe", models.tables["hq_sales"].c.kind)
            assert any("ix_hq_sales_kind_probe" in line for line in differences(conn, models))
    finally:
        engine.dispose()
