"""Secrets at rest, on real files and processes: owner-only data folder, the HQ token outside the database,
the wrong-PIN throttle kept append-only in the database, and manager PINs at a higher scrypt cost."""

from __future__ import annotations

import json
import os
import sqlite3
import stat
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from pos_client.services import auth, pin_throttle
from pos_client.services.setup import init_terminal
from pos_client.terminal import Terminal, put_setting
from tests.integration.conftest import MANAGER_PIN

TOKEN = "T1." + "s3cr3t-token-" + "q" * 30

pytestmark = pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def kupa(store: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pos_client", "--data-dir", str(store), *args],
                          capture_output=True, text=True, timeout=120)


def raw_bytes(store: Path) -> bytes:
    return b"".join(p.read_bytes() for p in store.iterdir() if p.name.startswith("kupa.sqlite3"))


# -- permissions ---------------------------------------------------------------------------------------------


def test_a_new_terminal_is_owner_only_including_wal_and_shm(tmp_path: Path) -> None:
    store = tmp_path / "new" / "store"
    result = kupa(store, "init", "--terminal-id", "T1", "--manager-pin", "246813", "--server",
                  "http://127.0.0.1:9", "--token", TOKEN)
    assert result.returncode == 0, result.stderr
    terminal = Terminal.open(store)  # held open: the -wal and -shm files exist while it is
    try:
        with terminal.unit_of_work() as session:
            put_setting(session, "store_name", "Shop")
        files = sorted(p.name for p in store.iterdir())
        assert {"kupa.sqlite3", "kupa.sqlite3-wal", "kupa.sqlite3-shm", "hq_token", "keys"} <= set(files)
        assert mode(store) == 0o700 and mode(store / "keys") == 0o700
        for path in [*store.iterdir(), *(store / "keys").iterdir()]:
            if path.is_file():
                assert mode(path) == 0o600, path
    finally:
        terminal.close()


def test_an_older_world_readable_install_is_tightened_when_opened(store: Path) -> None:
    store.chmod(0o755)
    (store / "keys").chmod(0o755)
    for path in [*store.iterdir(), *(store / "keys").iterdir()]:
        if path.is_file():
            path.chmod(0o644)
    (store / "kupa.log").write_text("old log\n")
    (store / "kupa.log").chmod(0o644)
    assert kupa(store, "program", "show").returncode == 0
    assert mode(store) == 0o700 and mode(store / "keys") == 0o700
    for path in [*store.iterdir(), *(store / "keys").iterdir()]:
        if path.is_file():
            assert mode(path) == 0o600, path


# -- the HQ token ------------------------------------------------------------------------------------------------


def test_the_hq_token_is_kept_in_a_0600_file_not_in_the_database(tmp_path: Path) -> None:
    store = tmp_path / "store"
    assert kupa(store, "init", "--server", "http://127.0.0.1:9", "--token", TOKEN).returncode == 0
    assert (store / "hq_token").read_text().strip() == TOKEN and mode(store / "hq_token") == 0o600
    assert TOKEN.encode() not in raw_bytes(store)
    terminal = Terminal.open(store)
    try:
        assert terminal.hq_token() == TOKEN
    finally:
        terminal.close()


def test_a_token_an_older_version_kept_in_the_database_is_moved_out_and_wiped(store: Path) -> None:
    with sqlite3.connect(store / "kupa.sqlite3") as conn:  # as an older Kupa wrote it
        conn.execute("INSERT INTO settings (key, value) VALUES ('sync_token', ?)", (json.dumps(TOKEN),))
    assert TOKEN.encode() in raw_bytes(store)
    assert kupa(store, "program", "show").returncode == 0  # any command opens the terminal
    assert (store / "hq_token").read_text().strip() == TOKEN
    with sqlite3.connect(store / "kupa.sqlite3") as conn:
        assert conn.execute("SELECT count(*) FROM settings WHERE key = 'sync_token'").fetchone()[0] == 0
    assert TOKEN.encode() not in raw_bytes(store)  # not in a freed page, not in the WAL


def test_without_a_keyring_backend_the_file_is_used(store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`KUPA_KEYRING=1` on this headless machine: keyring has no backend, the token goes to the file."""
    monkeypatch.setenv("KUPA_KEYRING", "1")
    import keyring
    from keyring.backends import fail

    monkeypatch.setattr(keyring, "get_keyring", lambda: fail.Keyring())
    keyring.set_keyring(fail.Keyring())
    terminal = Terminal.open(store)
    try:
        assert terminal.set_hq_token(TOKEN) == str(store / "hq_token")
        assert terminal.hq_token() == TOKEN
    finally:
        terminal.close()


# -- the wrong-PIN throttle -----------------------------------------------------------------------------------


def attempts(store: Path) -> list[str]:
    with sqlite3.connect(store / "kupa.sqlite3") as conn:
        return [row[0] for row in conn.execute("SELECT outcome FROM pin_attempts ORDER BY attempt_id")]


def test_parallel_wrong_pins_from_several_processes_all_count(store: Path) -> None:
    def guess(pin: str) -> subprocess.CompletedProcess[str]:
        return kupa(store, "adjust", "--member", "nobody", "--points", "5", "--reason", "guess", "--pin", pin)

    with ThreadPoolExecutor(max_workers=3) as pool:
        results = list(pool.map(guess, ["0001", "0002", "0003"]))
    assert all(r.returncode == 1 and "wrong manager PIN" in r.stderr for r in results), [r.stderr for r in results]
    assert attempts(store) == ["fail", "fail", "fail"]


def test_a_cashier_cannot_reset_the_count(store: Path) -> None:
    for pin in ("0001", "0002", "0003"):
        assert kupa(store, "adjust", "--member", "x", "--points", "5", "--reason", "guessing", "--pin", pin).returncode == 1
    (store / "pin_failures").write_text("0")  # the old throttle file: no longer read
    with sqlite3.connect(store / "kupa.sqlite3") as conn:
        for statement in ("DELETE FROM pin_attempts", "UPDATE pin_attempts SET outcome = 'reset'"):
            with pytest.raises(sqlite3.DatabaseError, match="append-only"):
                conn.execute(statement)
    terminal = Terminal.open(store)
    try:
        with terminal.read() as session:
            assert pin_throttle.streak(session).failures == 3
    finally:
        terminal.close()


class FakeClock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0
        self.slept: list[float] = []

    def time(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(round(seconds, 3))
        self.now += seconds


def test_the_lockout_grows_and_a_right_pin_resets_it(store: Path, monkeypatch: pytest.MonkeyPatch,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    from pos_client.cli.main import main

    clock = FakeClock()
    monkeypatch.setattr(pin_throttle, "clock", clock.time)
    monkeypatch.setattr(pin_throttle, "sleep", clock.sleep)
    args = ["--data-dir", str(store), "adjust", "--member", "nobody", "--points", "5", "--reason", "guessing"]
    for guess in ("0000", "1111", "2222", "3333", "4444"):
        assert main([*args, "--pin", guess]) == 1
    assert clock.slept == [0.25, 0.5]  # the 4th and 5th attempts waited, before their transaction
    assert attempts(store) == ["fail"] * 5
    terminal = Terminal.open(store)
    try:
        with pytest.raises(auth.AuthError) as early:  # too early: refused unchecked, not counted
            with terminal.unit_of_work() as session:
                auth.authenticate(session, MANAGER_PIN, role="manager")
        assert early.value.message == "too many wrong PINs: try again in 1 s"
        assert attempts(store) == ["fail"] * 5
        clock.now += 1.0
        with terminal.unit_of_work() as session:
            assert auth.authenticate(session, MANAGER_PIN, role="manager").role == "manager"
        assert attempts(store) == ["fail"] * 5 + ["reset"]
    finally:
        terminal.close()
    assert main([*args, "--pin", "5555"]) == 1
    assert clock.slept == [0.25, 0.5]  # one wrong PIN after the reset: no wait
    capsys.readouterr()


def test_the_wait_never_holds_the_database_write_lock(store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    terminal = Terminal.open(store)
    writes: list[str] = []
    clock = FakeClock()
    monkeypatch.setattr(pin_throttle, "clock", clock.time)

    def sleep_while_another_writer_writes(seconds: float) -> None:
        clock.sleep(seconds)
        other = sqlite3.connect(store / "kupa.sqlite3", timeout=0)
        other.execute("BEGIN IMMEDIATE")  # fails at once ("database is locked") if the waiter held the lock
        other.execute("INSERT INTO settings (key, value) VALUES ('probe', '1')")
        other.commit()
        other.close()
        writes.append("written")

    monkeypatch.setattr(pin_throttle, "sleep", sleep_while_another_writer_writes)
    try:
        for pin in ("0001", "0002", "0003"):
            with pytest.raises(auth.AuthError):
                with terminal.unit_of_work() as session:
                    auth.authenticate(session, pin, role="manager")
        from pos_client.services.till import manager_check

        with pytest.raises(auth.AuthError):
            manager_check(terminal, "0004")  # waits out the lock-out first, outside any transaction
        assert writes == ["written"] and clock.slept == [0.25]
    finally:
        terminal.close()


# -- hash costs --------------------------------------------------------------------------------------------------


def test_manager_pins_cost_more_than_cashier_pins_and_old_hashes_are_upgraded(tmp_path: Path) -> None:
    result = init_terminal(tmp_path / "store", terminal_id="T1", manager_pin="135790")
    terminal = result.terminal
    try:
        from pos_client.services import staff

        with terminal.unit_of_work() as session:
            staff.create(session, "Cashier", "cashier", "2468")
        with sqlite3.connect(tmp_path / "store" / "kupa.sqlite3") as conn:
            costs = dict(conn.execute("SELECT role, pin_hash FROM staff").fetchall())
            assert costs["manager"].split("$")[1] == str(2**16)
            assert costs["cashier"].split("$")[1] == str(2**14)
            old = auth.hash_pin("135790", "cashier")  # what an older Kupa stored for a manager
            conn.execute("UPDATE staff SET pin_hash = ? WHERE role = 'manager'", (old,))
        with terminal.unit_of_work() as session:
            auth.authenticate(session, "135790", role="manager")
        with sqlite3.connect(tmp_path / "store" / "kupa.sqlite3") as conn:
            upgraded = conn.execute("SELECT pin_hash FROM staff WHERE role = 'manager'").fetchone()[0]
        assert upgraded.split("$")[1] == str(2**16) and auth.pin_matches("135790", upgraded)
    finally:
        terminal.close()


def test_a_tampered_hash_cannot_make_scrypt_exhaust_memory() -> None:
    good = auth.hash_pin("1234")
    parts = good.split("$")
    parts[1] = str(2**30)
    assert auth.pin_matches("1234", "$".join(parts)) is False
