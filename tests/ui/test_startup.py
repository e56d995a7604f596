"""The app on a damaged or too-new data folder: a clear dialog in the cashier's language and exit code 2,
never a traceback and never a half-built window."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from pos_client.services.setup import init_terminal


@pytest.fixture
def newer_store(tmp_path: Path) -> Path:
    path = tmp_path / "store"
    init_terminal(path, terminal_id="T1").terminal.close()
    with sqlite3.connect(path / "kupa.sqlite3") as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999'")
    conn.close()
    return path


def test_a_database_from_a_newer_kupa_shows_a_dialog_and_exits_2(
        newer_store: Path, qtbot, monkeypatch: pytest.MonkeyPatch,  # type: ignore[no-untyped-def]
        capsys: pytest.CaptureFixture[str]) -> None:
    import ui.app

    shown: list[tuple[str, str]] = []
    monkeypatch.setattr(ui.app.QMessageBox, "critical",
                        lambda parent, title, text: shown.append((title, text)))
    assert ui.app.run(newer_store, ["--lang", "he", "--camera", "off"]) == 2
    (title, text), = shown
    assert title == "Kupa" and "9999" in text and "גרסה חדשה יותר של קופה" in text
    err = capsys.readouterr().err
    assert "kupa: the database" in err and "was written by a newer Kupa" in err and "Traceback" not in err


def test_a_corrupt_database_shows_a_dialog(tmp_path: Path, qtbot, monkeypatch: pytest.MonkeyPatch,  # type: ignore[no-untyped-def]
                                           capsys: pytest.CaptureFixture[str]) -> None:
    import ui.app

    store = tmp_path / "store"
    store.mkdir()
    (store / "kupa.sqlite3").write_bytes(b"garbage, not SQLite" * 100)
    shown: list[str] = []
    monkeypatch.setattr(ui.app.QMessageBox, "critical", lambda parent, title, text: shown.append(text))
    assert ui.app.run(store, ["--camera", "off"]) == 2
    assert shown == [f"the database {store / 'kupa.sqlite3'} is damaged or is not a Kupa database "
                     "(file is not a database): restore the data folder from a backup"]
    capsys.readouterr()


def test_a_deleted_window_leaves_nothing_on_the_application(store: Path, qtbot) -> None:  # type: ignore[no-untyped-def]
    """The window owns its job queue and translators: deleting it leaves no object on the application (each
    one left there kept its window, terminal and pool thread alive through its signal connections, and the
    UI suite slowed down test after test)."""
    from PySide6.QtCore import QCoreApplication, QEvent

    from ui.app import build

    app, window = build(store, "he", camera=None)
    window.close()
    window.terminal.close()
    window.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    children = len(app.children())
    for lang in ("en", "he"):
        _app, window = build(store, lang, camera=None)
        assert window.worker.parent() is window and window.languages.parent() is window
        window.close()
        window.terminal.close()
        window.deleteLater()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        assert len(app.children()) == children
