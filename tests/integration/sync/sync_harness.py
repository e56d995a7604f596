"""A real HQ (uvicorn on 127.0.0.1, a free port, in a thread) and real terminal folders joined to it.

The HQ database is SQLite always, and PostgreSQL too when `KUPA_TEST_POSTGRES_URL` is set: each test gets
its own fresh PostgreSQL schema (dropped afterwards), so runs never see each other's rows.
"""

from __future__ import annotations

import json
import os
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from sqlalchemy import create_engine, text

from pos_client.cli.main import main
from pos_client.services.setup import init_terminal
from pos_client.terminal import Terminal, put_setting
from sync.hq import admin, auth
from sync.hq.app import Hooks, create_app
from sync.hq.db import Database
from sync.transport import RetryPolicy

DATA = Path(__file__).resolve().parents[2] / "data"
MANAGER_PIN = "9999"
FAST_RETRY = RetryPolicy(attempts=3, initial_wait=0.05, max_wait=0.2)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(params=["sqlite", "postgres"])
def hq_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'hq.sqlite3'}"
        return
    base = os.environ.get("KUPA_TEST_POSTGRES_URL")
    if not base:
        pytest.skip("KUPA_TEST_POSTGRES_URL is not set")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin_engine = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin_engine.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in base else "?"
    try:
        yield f"{base}{sep}options=-csearch_path%3D{schema}"
    finally:
        with admin_engine.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin_engine.dispose()


@dataclass
class Hq:
    """A running HQ: its URL, its database (for assertions), the test hooks, stop and start again."""

    db_url: str
    port: int
    hooks: Hooks = field(default_factory=Hooks)
    server: uvicorn.Server | None = None
    thread: threading.Thread | None = None
    app: Any = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def db(self) -> Database:
        return self.app.state.db  # type: ignore[no-any-return]

    def start(self) -> None:
        if self.app is None:
            self.app = create_app(self.db_url, hooks=self.hooks)
        config = uvicorn.Config(self.app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="off",
                                ws="none", access_log=False)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("HQ did not start")
            time.sleep(0.01)

    def stop(self) -> None:
        if self.server is not None and self.thread is not None:
            self.server.should_exit = True
            self.thread.join(10)
            self.server = None

    def register(self, name: str, store: str = auth.DEFAULT_STORE) -> tuple[str, str]:
        with self.db.write() as session:
            reg = auth.register(session, name, "2026-01-01T00:00:00+00:00", store)
        return reg.terminal_id, reg.token


@pytest.fixture
def hq(hq_db_url: str) -> Iterator[Hq]:
    server = Hq(hq_db_url, _free_port())
    server.start()
    admin.publish_program(server.db, DATA / "program_full.json")
    admin.load_catalog(server.db, DATA / "catalog.csv")
    try:
        yield server
    finally:
        server.stop()
        server.db.close()


@dataclass
class Till:
    """A terminal folder joined to HQ, with the CLI run in-process against it."""

    path: Path
    terminal_id: str
    token: str
    capsys: pytest.CaptureFixture[str]

    def kupa(self, *args: str) -> dict[str, Any]:
        self.capsys.readouterr()
        code = main(["--data-dir", str(self.path), *args, "--json"])
        captured = self.capsys.readouterr()
        assert code == 0, captured.err
        return json.loads(captured.out)  # type: ignore[no-any-return]

    def kupa_fails(self, *args: str) -> str:
        self.capsys.readouterr()
        code = main(["--data-dir", str(self.path), *args])
        captured = self.capsys.readouterr()
        assert code != 0
        return captured.err

    def open(self) -> Terminal:
        return Terminal.open(self.path)

    def sync(self, **kwargs: Any) -> Any:
        from sync.client import sync_once

        terminal = self.open()
        try:
            return sync_once(terminal, retry=kwargs.pop("retry", FAST_RETRY), **kwargs)
        finally:
            terminal.close()


@pytest.fixture
def make_till(hq: Hq, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Any:
    def make(name: str, *, sync: bool = True, store: str = auth.DEFAULT_STORE) -> Till:
        terminal_id, token = hq.register(name, store)
        path = tmp_path / name
        result = init_terminal(path, terminal_id=terminal_id, manager_pin=MANAGER_PIN, store_name="Test store")
        with result.terminal.unit_of_work() as session:
            put_setting(session, "server_url", hq.url)
            put_setting(session, "sync_token", token)
        result.terminal.close()
        till = Till(path, terminal_id, token, capsys)
        till.kupa("program", "load", str(DATA / "program_full.json"))
        till.kupa("catalog", "load", str(DATA / "catalog.csv"))
        if sync:
            till.sync()
        return till

    return make
