"""The bench scripts keep working: each imports, and their store builders write today's schema.

Why: the benchmarks are run by hand, so nothing noticed when bench_dashboard.py stopped importing (a helper it
used was removed from bench_kpis.py). This smoke test imports every script in bench/ (a new one is picked up by
the glob), fills the two raw-SQL store builders at a tiny size (they write the tables directly and break first
when the schema moves) and runs one script end to end. It asserts behaviour only, never a timing.
"""

from __future__ import annotations

import importlib.util
import os
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]
BENCH = ROOT / "bench"
SCRIPTS = sorted(BENCH.glob("*.py"))
LoadBench = Callable[[str], ModuleType]


@pytest.fixture
def load_bench(monkeypatch: pytest.MonkeyPatch) -> Iterator[LoadBench]:
    """Import bench scripts by file; their `sys.path` inserts and the modules imported through them are undone."""
    monkeypatch.setattr(sys, "path", [str(BENCH), *sys.path])
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    before = set(sys.modules)

    def load(name: str) -> ModuleType:
        spec = importlib.util.spec_from_file_location(name, BENCH / f"{name}.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
        return module

    yield load
    for name in set(sys.modules) - before:  # the scripts and the test helpers they import by path
        if (getattr(sys.modules[name], "__file__", None) or "").startswith((str(BENCH), str(ROOT / "tests"))):
            del sys.modules[name]


def test_the_glob_sees_the_bench_scripts() -> None:
    assert {"bench_core", "bench_dashboard", "bench_kpis", "bench_ui"} <= {path.stem for path in SCRIPTS}


@pytest.mark.parametrize("script", SCRIPTS, ids=[path.stem for path in SCRIPTS])
def test_every_bench_script_imports_and_has_a_main(script: Path, load_bench: LoadBench) -> None:
    module = load_bench(script.stem)
    assert callable(getattr(module, "main", None)), f"{script.name} has no main()"


def test_the_core_bench_store_builder_writes_a_store_the_lookup_reads(tmp_path: Path, load_bench: LoadBench) -> None:
    bench_core = load_bench("bench_core")
    now = datetime.now(timezone.utc)
    terminal = bench_core.build_large_store(tmp_path / "big", 20, 200)
    try:
        with terminal.read() as session:  # what bench_lookup times, once
            by_phone = bench_core.identify(session, "0500000003")
            by_id = bench_core.identify(session, "M0000019")
            program = bench_core.program_at(session, now)
            bench_core.member_state(session, by_id.member, program, now, can_spend=False, terminal_id="BIG")
        assert (by_phone.member.member_id, by_id.member.member_id) == ("M0000003", "M0000019")
    finally:
        terminal.close()
    with sqlite3.connect(tmp_path / "big" / "kupa.sqlite3") as db:
        assert db.execute("select count(*) from ledger_entries").fetchone()[0] == 200
        assert db.execute("select count(*) from members").fetchone()[0] == 20


def test_the_kpi_bench_store_builder_gives_a_year_of_kpis(tmp_path: Path, load_bench: LoadBench) -> None:
    bench_kpis = load_bench("bench_kpis")
    from pos_client.reports import compute_kpis
    from pos_client.terminal import Terminal

    now = datetime.now(timezone.utc)
    sales, refunded = bench_kpis.build_store(tmp_path / "big", 30, 400, now)
    bench_kpis.analyze(tmp_path / "big")
    assert sales > 0 and 0 <= refunded <= sales
    terminal = Terminal.open(tmp_path / "big")
    try:
        with terminal.read() as session:
            kpis = compute_kpis(session, now.date() - timedelta(days=364), now.date(), "Asia/Jerusalem", now=now)
    finally:
        terminal.close()
    assert 0 < kpis.sales_total and kpis.members_total == 30


def test_the_dashboard_bench_runs_end_to_end_on_a_tiny_store(tmp_path: Path) -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    run = subprocess.run([sys.executable, str(BENCH / "bench_dashboard.py"), "--members", "20", "--entries", "300",
                          "--store", str(tmp_path / "big")], capture_output=True, text=True, env=env, timeout=300,
                         cwd=ROOT)
    assert run.returncode == 0, run.stderr[-3000:]
    assert "store: 20 members, 300 entries; a year:" in run.stdout
    assert "dashboard for a year: set_range → charts filled" in run.stdout


def test_the_chain_bench_answers_help_and_runs_only_against_a_loopback_postgresql(
        load_bench: LoadBench, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    chain = load_bench("bench_chain")
    with pytest.raises(SystemExit) as done:
        chain.main(["--help"])
    assert done.value.code == 0 and "--workers" in capsys.readouterr().out
    monkeypatch.delenv("KUPA_TEST_POSTGRES_URL", raising=False)
    with pytest.raises(SystemExit) as done:
        chain.main(["--terminals", "2"])
    assert done.value.code == 2 and "KUPA_TEST_POSTGRES_URL" in capsys.readouterr().err
    monkeypatch.setenv("KUPA_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@db.example.com:5432/test")
    with pytest.raises(SystemExit) as done:
        chain.main(["--terminals", "2"])
    assert done.value.code == 2 and "127.0.0.1 only" in capsys.readouterr().err
    monkeypatch.setenv("KUPA_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
    with pytest.raises(SystemExit) as done:
        chain.main(["--terminals", "2001"])
    assert done.value.code == 2 and "out of bounds" in capsys.readouterr().err


def test_the_hq_kpi_bench_runs_at_a_tiny_size(load_bench: LoadBench, capsys: pytest.CaptureFixture[str]) -> None:
    bench_hq_kpis = load_bench("bench_hq_kpis")
    assert bench_hq_kpis.main(["--small"]) == 0
    out = capsys.readouterr().out
    assert "300 members, 1,500 entries" in out and "[sqlite] report kpis, year with series" in out
