"""Driver-level statements: Core built from the models' tables, compiled once, run on the raw sqlite3 connection."""

from __future__ import annotations

import ast
import re
import sqlite3
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, bindparam, insert, select
from sqlalchemy.orm import Session

from pos_client.db import driver
from pos_client.db.engine import make_engine, migrate
from pos_client.db.models import LedgerEntry, OutboxRow, Setting

ROOT = Path(__file__).resolve().parents[2]
#: The hot path's modules: their statements are built from the models, never written as SQL text.
HOT_PATH = ("pos_client/db/driver.py", "pos_client/ledger.py", "pos_client/sales.py", "pos_client/services/checkout.py",
            "pos_client/services/members.py", "pos_client/services/programs.py", "pos_client/services/refunds.py")
SQL_TEXT = re.compile(r"\b(SELECT|INSERT|UPDATE|DELETE)\b.*\b(FROM|INTO|SET|WHERE)\b", re.IGNORECASE | re.DOTALL)


@pytest.fixture
def session(tmp_path: Path) -> Iterator[Session]:
    engine = make_engine(tmp_path / "kupa.sqlite3")
    migrate(engine)
    with Session(engine) as session, session.begin():
        yield session
    engine.dispose()


def test_a_statement_fills_in_its_constants_and_takes_named_parameters(session: Session) -> None:
    driver.insert(session, Setting, [{"key": f"k{i}", "value": str(i)} for i in range(5)])
    statement = driver.Statement(select(Setting.key).where(Setting.value >= bindparam("low"), Setting.key != "k4")
                                 .order_by(Setting.key).limit(2))
    assert driver.all_rows(session, statement, {"low": "1"}) == [("k1",), ("k2",)]
    assert ":low" in statement.sql and "settings" in statement.sql
    with pytest.raises(sqlite3.ProgrammingError):
        driver.one(session, statement)  # a parameter the caller must give


def test_an_insert_fills_in_column_defaults_and_is_compiled_once_per_column_set(session: Session) -> None:
    rows = [{"kind": "sale", "ref_id": "s1", "payload": "{}", "created_at": "2026-01-01T00:00:00.000000+00:00"}]
    driver.insert(session, OutboxRow, rows)
    assert session.execute(select(OutboxRow.status, OutboxRow.ref_id)).all() == [("pending", "s1")]
    first = driver.insert_statement(OutboxRow, tuple(rows[0]))
    assert driver.insert_statement(OutboxRow, tuple(rows[0])) is first
    assert driver.insert_statement(OutboxRow, (*rows[0], "status")) is not first


def test_a_default_the_driver_cannot_compute_is_refused_when_compiled() -> None:
    table = Table("t", MetaData(), Column("id", Integer, primary_key=True),
                  Column("at", String, default=lambda: datetime.now(timezone.utc).isoformat()))
    statement = driver.Statement(insert(table), ["id"])
    with pytest.raises(TypeError, match="default"):
        statement.sql


def test_driver_statements_see_the_sessions_pending_changes(session: Session) -> None:
    session.add(Setting(key="pending", value="1"))
    statement = driver.Statement(select(Setting.value).where(Setting.key == bindparam("k")))
    assert driver.one(session, statement, {"k": "pending"}) == ("1",)


def test_every_hot_path_statement_compiles_against_the_models() -> None:
    """Each compiles at its first use; here all of them do, and name only the models' tables."""
    from pos_client import ledger
    from pos_client.reports import projection
    from pos_client.services import checkout, members, programs

    tables = {table.name for table in LedgerEntry.metadata.sorted_tables}
    statements = [value for module in (ledger, projection, checkout, members, programs)
                  for value in vars(module).values() if isinstance(value, driver.Statement)]
    assert len(statements) > 20
    for statement in statements:
        named = set(re.findall(r"\b(?:FROM|INTO|JOIN|(?<!DO )UPDATE)\s+(\w+)", statement.sql))
        assert named <= tables | {"json_each"}, statement.sql


def test_the_hot_path_writes_no_sql_text() -> None:
    offenders = []
    for name in HOT_PATH:
        tree = ast.parse((ROOT / name).read_text(encoding="utf-8"))
        docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                      if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef)) and node.body
                      and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant)}
        offenders += [f"{name}:{node.lineno}: {node.value[:60]!r}" for node in ast.walk(tree)
                      if isinstance(node, ast.Constant) and isinstance(node.value, str)
                      and id(node) not in docstrings and SQL_TEXT.search(node.value)]
    assert offenders == []
    # the check does see SQL text
    assert SQL_TEXT.search("SELECT value FROM settings WHERE key = 'last_sync_ok_at'")
