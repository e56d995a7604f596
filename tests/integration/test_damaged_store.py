"""A damaged, foreign or too-new data folder at the real `kupa` process: one line on stderr, exit code 2, never
a traceback, nothing changed; an unexpected error: one line, the traceback in the owner-only rotating log."""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path


from pos_client.db.engine import head_revision


def kupa(store: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pos_client", "--data-dir", str(store), *args],
                          capture_output=True, text=True, timeout=120)


def refused_with_exit_2(store: Path) -> str:
    result = kupa(store, "member", "show", "M1", "--json")
    assert result.returncode == 2, (result.returncode, result.stderr)
    assert result.stdout == ""
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1, result.stderr
    return result.stderr.strip()


def db(store: Path) -> Path:
    return store / "kupa.sqlite3"


def settled(store: Path) -> Path:
    """The store's database with its WAL folded in and removed, as after a clean shutdown."""
    with sqlite3.connect(db(store)) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.execute("PRAGMA journal_mode=DELETE")
    conn.close()
    assert not (store / "kupa.sqlite3-wal").exists()
    return db(store)


def test_a_corrupt_header(store: Path) -> None:
    before = settled(store).read_bytes()
    with db(store).open("r+b") as handle:
        handle.write(b"This is not SQLite at all")  # the 16-byte magic string and the page size
    line = refused_with_exit_2(store)
    assert line == (f"kupa: the database {db(store)} is damaged or is not a Kupa database (file is not a database): "
                    "restore the data folder from a backup")
    assert db(store).read_bytes()[25:] == before[25:]  # nothing written to it


def test_a_truncated_file(store: Path) -> None:
    with settled(store).open("r+b") as handle:
        handle.truncate(1000)  # the header says more pages than there are
    line = refused_with_exit_2(store)
    assert "is damaged or is not a Kupa database" in line and "restore the data folder from a backup" in line


def test_a_missing_schema_version(store: Path) -> None:
    with sqlite3.connect(db(store)) as conn:
        conn.execute("DROP TABLE alembic_version")
    line = refused_with_exit_2(store)
    assert line == (f"kupa: the database {db(store)} has tables but no schema version: it is damaged or was not "
                    "made by Kupa; restore the data folder from a backup")
    with sqlite3.connect(db(store)) as conn:  # nothing was migrated over it
        assert conn.execute("SELECT count(*) FROM sqlite_master WHERE name = 'alembic_version'").fetchone()[0] == 0


def test_a_database_from_a_newer_kupa(store: Path) -> None:
    with sqlite3.connect(db(store)) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999'")
    line = refused_with_exit_2(store)
    assert line == (f"kupa: the database {db(store)} was written by a newer Kupa (schema 9999; this version knows up "
                    f"to {head_revision()}): install the newer Kupa")
    with sqlite3.connect(db(store)) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone()[0] == "9999"


def test_an_unknown_schema_version(store: Path) -> None:
    with sqlite3.connect(db(store)) as conn:
        conn.execute("UPDATE alembic_version SET version_num = 'abc'")
    assert "has a schema version Kupa never had (abc)" in refused_with_exit_2(store)


def test_a_data_folder_that_is_a_file(tmp_path: Path) -> None:
    path = tmp_path / "store"
    path.write_text("not a folder")
    result = kupa(path, "init", "--terminal-id", "T1")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.strip() == f"kupa: cannot use the data folder {path}: it is a file, not a folder"


def test_a_database_that_is_a_folder(tmp_path: Path) -> None:
    store = tmp_path / "store"
    (store / "kupa.sqlite3").mkdir(parents=True)
    line = refused_with_exit_2(store)
    assert line.startswith(f"kupa: cannot use the data folder {store}: ")


def test_an_unexpected_error_is_one_line_and_its_traceback_goes_to_the_private_log(store: Path) -> None:
    script = ("import sys\n"
              "from pos_client.cli import commands, main\n"
              "def broken(args):\n"
              "    raise RuntimeError('boom in the program show')\n"
              "commands.program_show = broken\n"
              "sys.exit(main.main(sys.argv[1:]))\n")
    result = subprocess.run([sys.executable, "-c", script, "--data-dir", str(store), "program", "show"],
                            capture_output=True, text=True, timeout=120)
    log = store / "kupa.log"
    assert result.returncode == 70
    assert result.stderr.strip() == (f"kupa: unexpected error; nothing half-done was kept. Details were written "
                                     f"to {log}")
    text = log.read_text()
    assert "Traceback" in text and "RuntimeError: boom in the program show" in text
    assert stat.S_IMODE(log.stat().st_mode) == 0o600


def test_the_log_rotates(store: Path) -> None:
    from pos_client.cli.main import PrivateRotatingFileHandler

    import logging

    handler = PrivateRotatingFileHandler(store / "kupa.log")
    record = logging.LogRecord("kupa", logging.ERROR, __file__, 1, "x" * 10_000, None, None)
    try:
        for _ in range(250):  # 2.5 MB
            handler.emit(record)
    finally:
        handler.close()
    logs = sorted(p.name for p in store.iterdir() if p.name.startswith("kupa.log"))
    assert logs == ["kupa.log", "kupa.log.1", "kupa.log.2"]
    assert all(stat.S_IMODE((store / name).stat().st_mode) == 0o600 for name in logs)
    assert all((store / name).stat().st_size <= 1_000_000 for name in logs)


def test_main_py_on_an_unusable_folder_exits_2_in_one_line(tmp_path: Path) -> None:
    path = tmp_path / "store"
    path.write_text("not a folder")
    main_py = Path(__file__).resolve().parents[2] / "main.py"
    result = subprocess.run([sys.executable, str(main_py), "--data-dir", str(path)], capture_output=True, text=True,
                            timeout=120, env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.strip() == f"kupa: cannot use the data folder {path}: it is a file, not a folder"
