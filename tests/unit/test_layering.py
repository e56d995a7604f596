"""The core never imports Qt, the UI package or the network client (STYLE.md, habit 1)."""

from __future__ import annotations

import ast
from pathlib import Path

CORE = Path(__file__).resolve().parents[2] / "pos_client"
FORBIDDEN = ("PySide6", "PyQt5", "PyQt6", "ui", "requests", "sync")


def test_pos_client_imports_no_qt_ui_or_network() -> None:
    offenders = []
    for path in CORE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = ([alias.name for alias in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) and node.level == 0 else [])
            offenders += [f"{path.relative_to(CORE)}: {name}" for name in names if name.split(".")[0] in FORBIDDEN]
    assert offenders == []
    assert len(list(CORE.rglob("*.py"))) > 20  # the walk really saw the core
