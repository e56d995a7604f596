"""A real terminal in a temporary folder, and the `kupa` CLI run in-process against it."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from pos_client.cli.main import main
from pos_client.services.setup import init_terminal

DATA = Path(__file__).resolve().parents[1] / "data"
DEMO = Path(__file__).resolve().parents[2] / "resources" / "demo"
MANAGER_PIN = "9999"


@dataclass
class CliResult:
    code: int
    out: str
    err: str

    @property
    def json(self) -> dict:  # type: ignore[type-arg]
        return json.loads(self.out)


Kupa = Callable[..., CliResult]


@pytest.fixture(scope="session")
def _store_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("template") / "store"
    result = init_terminal(root, terminal_id="T1", manager_pin=MANAGER_PIN, store_name="Test store")
    result.terminal.close()
    assert main(["--data-dir", str(root), "program", "load", str(DATA / "program_full.json")]) == 0
    assert main(["--data-dir", str(root), "catalog", "load", str(DATA / "catalog.csv")]) == 0
    return root


@pytest.fixture
def store(_store_template: Path, tmp_path: Path) -> Path:
    """A fresh copy of a terminal with the full example program and a small catalog."""
    target = tmp_path / "store"
    shutil.copytree(_store_template, target)
    return target


@pytest.fixture
def kupa(store: Path, capsys: pytest.CaptureFixture[str]) -> Kupa:
    def run(*args: str) -> CliResult:
        capsys.readouterr()
        code = main(["--data-dir", str(store), *args])
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return run
