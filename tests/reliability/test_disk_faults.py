"""Disk faults during a checkout: a full database, a full disk (file-size limit) and a read-only file.

Each fault must give the cashier one clear line (the core's `StorageError`), exit code 1, no traceback and no
partial sale; once the fault clears, the same terminal checks out again. "Full" is simulated two ways, as
a loopback filesystem needs root mounts: SQLite's `PRAGMA max_page_count` (the database cannot grow), and
`RLIMIT_FSIZE` on a real `kupa checkout` process (the kernel refuses to grow any file: what a full disk
looks like to SQLite). Read-only is `chattr +i` when the tests run as root (root ignores file modes), else
`chmod 444`.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import signal
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, event

import pos_client.terminal as terminal_module
from pos_client.cli.main import main
from pos_client.terminal import DB_NAME
from rel_harness import KUPA, ROOT, Template, _env, check_store, copy_template


def _counts(store: Path) -> tuple[int, ...]:
    conn = sqlite3.connect(store / DB_NAME)
    try:
        return tuple(conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                     for t in ("sales", "sale_lines", "ledger_entries", "outbox", "audit_log", "member_days"))
    finally:
        conn.close()


def _kupa(capsys: pytest.CaptureFixture[str], store: Path, *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(["--data-dir", str(store), *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _assert_clear_refusal(code: int, err: str, words: str) -> None:
    assert code == 1, err
    assert "Traceback" not in err and err.count("\n") == 1, err
    assert words in err, err


@pytest.fixture
def store(template: Template, tmp_path: Path) -> Path:
    return copy_template(template, tmp_path)[0]


def test_a_database_that_cannot_grow_refuses_the_sale_whole_and_recovers(
        store: Path, template: Template, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    real_make_engine = terminal_module.make_engine

    def capped(db_path: Path) -> Engine:
        engine = real_make_engine(db_path)

        @event.listens_for(engine, "connect")
        def _cap(dbapi_conn: Any, _record: Any) -> None:
            cursor = dbapi_conn.cursor()
            size = cursor.execute("PRAGMA page_count").fetchone()[0]
            cursor.execute(f"PRAGMA max_page_count = {size}")
            cursor.close()

        return engine

    monkeypatch.setattr(terminal_module, "make_engine", capped)
    done: list[str] = []
    for n in range(300):  # sell until the database is full
        before = _counts(store)
        code, out, err = _kupa(capsys, store, "checkout", "--member", template.members[n % 4], "--item", "SHOE",
                               "--item", "COFFEE-S:2", "--json")
        if code == 0:
            done.append(json.loads(out)["sale_id"])
            continue
        _assert_clear_refusal(code, err, "disk is full")
        assert _counts(store) == before  # nothing of the refused sale
        break
    else:
        pytest.fail("the capped database never filled up")
    check_store(store, successes=done)
    monkeypatch.setattr(terminal_module, "make_engine", real_make_engine)  # space freed
    code, _out, err = _kupa(capsys, store, "checkout", "--member", template.members[0], "--item", "SHOE")
    assert code == 0, err
    check_store(store, successes=done)


def _limited(limit: int) -> Any:
    def preexec() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG instead
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return preexec


def test_a_full_disk_under_a_real_checkout_process(store: Path, template: Template) -> None:
    args = [*KUPA, "--data-dir", str(store), "checkout", "--member", template.members[1], "--item", "SHOE",
            "--item", "COFFEE-L:3", "--json"]
    before = _counts(store)
    refused = None
    for limit in (1, 4096, 40_000):
        proc = subprocess.run(args, cwd=ROOT, env=_env(), capture_output=True, preexec_fn=_limited(limit),
                              timeout=60)
        err = proc.stderr.decode()
        if proc.returncode == 0:
            continue
        _assert_clear_refusal(proc.returncode, err, "nothing was recorded")
        assert _counts(store) == before
        refused = err
        check_store(store)
    assert refused is not None, "no file-size limit made the checkout fail"
    proc = subprocess.run(args, cwd=ROOT, env=_env(), capture_output=True, timeout=60)
    assert proc.returncode == 0, proc.stderr.decode()
    check_store(store, successes=[json.loads(proc.stdout)["sale_id"]])


@contextmanager
def _read_only(path: Path) -> Iterator[None]:
    if os.geteuid() == 0:
        if shutil.which("chattr") is None or subprocess.run(["chattr", "+i", str(path)],
                                                            capture_output=True).returncode != 0:
            pytest.skip("running as root without chattr +i: cannot make a file read-only")
        try:
            yield
        finally:
            subprocess.run(["chattr", "-i", str(path)], check=True)
    else:
        path.chmod(0o444)
        try:
            yield
        finally:
            path.chmod(0o644)


def test_a_read_only_database_file_refuses_the_sale_and_recovers(
        store: Path, template: Template, capsys: pytest.CaptureFixture[str]) -> None:
    before = _counts(store)
    with _read_only(store / DB_NAME):
        code, _out, err = _kupa(capsys, store, "checkout", "--member", template.members[2], "--item", "CROISSANT")
        _assert_clear_refusal(code, err, "read-only")
        assert _counts(store) == before
    check_store(store)
    code, out, err = _kupa(capsys, store, "checkout", "--member", template.members[2], "--item", "CROISSANT",
                           "--json")
    assert code == 0, err
    check_store(store, successes=[json.loads(out)["sale_id"]])
