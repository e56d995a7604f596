"""The wedge-scanner detector on replayed keyboard-wedge timing (key events carry their own timestamps).

Scanners type 1–20 ms per key, people more than 60 ms. A code is taken whole or typed whole, never split.
"""

from __future__ import annotations

from collections.abc import Iterable

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QLineEdit

from ui.scanner import WedgeScanner


@pytest.fixture
def field(qtbot):  # type: ignore[no-untyped-def]
    edit = QLineEdit()
    qtbot.addWidget(edit)
    edit.show()
    edit.setFocus()
    scanner = WedgeScanner()
    scanner.enabled = True
    QApplication.instance().installEventFilter(scanner)  # type: ignore[union-attr]
    edit.scanner = scanner  # type: ignore[attr-defined]
    edit.codes = []  # type: ignore[attr-defined]
    edit.entered = []  # type: ignore[attr-defined]
    scanner.scanned.connect(edit.codes.append)  # type: ignore[attr-defined]
    edit.returnPressed.connect(lambda: edit.entered.append(edit.text()))  # type: ignore[attr-defined]
    yield edit
    QApplication.instance().removeEventFilter(scanner)  # type: ignore[union-attr]


def _key(edit: QLineEdit, key: int, text: str, at_ms: int) -> None:
    event = QKeyEvent(QEvent.Type.KeyPress, key, Qt.KeyboardModifier.NoModifier, text)
    event.setTimestamp(at_ms)
    QApplication.sendEvent(edit, event)
    release = QKeyEvent(QEvent.Type.KeyRelease, key, Qt.KeyboardModifier.NoModifier, text)
    release.setTimestamp(at_ms + 1)
    QApplication.sendEvent(edit, release)


def replay(edit: QLineEdit, text: str, gaps: Iterable[int], start_ms: int = 10_000) -> int:
    """Type `text` then Enter, the n-th key `gaps[n]` ms after the previous one; returns the last time."""
    at = start_ms
    gaps = iter(gaps)
    for ch in text:
        _key(edit, ord(ch.upper()) if ch.isalpha() else ord(ch), ch, at)
        at += next(gaps)
    _key(edit, Qt.Key.Key_Return, "\r", at)
    return at


def every(ms: int) -> Iterable[int]:
    while True:
        yield ms


def jitter(*pattern: int) -> Iterable[int]:
    while True:
        yield from pattern


def test_forty_ms_per_key_is_typed_whole_never_split(field) -> None:  # type: ignore[no-untyped-def]
    """The issue's case: ~40 ms a key, some gaps under the old 35 ms limit, some over. Decision: typed."""
    replay(field, "BOGUS-CARD-123", jitter(25, 55, 30, 50, 40))
    assert field.codes == []
    assert field.entered == ["BOGUS-CARD-123"]  # Enter reached the field: the text is handled as typed
    assert field.text() == "BOGUS-CARD-123"


def test_steady_forty_ms_is_typed(field) -> None:  # type: ignore[no-untyped-def]
    replay(field, "BOGUS-CARD-123", every(40))
    assert field.codes == [] and field.entered == ["BOGUS-CARD-123"]


@pytest.mark.parametrize("ms", [1, 8, 20, 30])
def test_scanner_speeds_are_one_code(field, ms: int) -> None:  # type: ignore[no-untyped-def]
    replay(field, "BOGUS-CARD-123", every(ms))
    assert field.codes == ["BOGUS-CARD-123"]
    assert field.entered == [] and field.text() == ""  # the Enter was swallowed, the code left the field


def test_one_gap_over_thirty_ms_makes_the_whole_code_typed(field) -> None:  # type: ignore[no-untyped-def]
    gaps = [5] * 13 + [5]
    gaps[6] = 31
    replay(field, "BOGUS-CARD-123", iter(gaps))
    assert field.codes == [] and field.entered == ["BOGUS-CARD-123"]


def test_scan_after_typing_takes_only_the_scan(field) -> None:  # type: ignore[no-untyped-def]
    at = replay(field, "", every(5))  # a lone Enter
    field.entered.clear()
    for i, ch in enumerate("ab"):
        _key(field, ord(ch.upper()), ch, at + 200 * (i + 1))
    replay(field, "12345678", every(6), start_ms=at + 1000)  # a pause, then the scanner
    assert field.codes == ["12345678"]
    assert field.text() == "ab"


def test_short_bursts_are_not_codes(field) -> None:  # type: ignore[no-untyped-def]
    replay(field, "123", every(5))
    assert field.codes == [] and field.entered == ["123"]


def test_clear_forgets_a_half_read_code(field) -> None:  # type: ignore[no-untyped-def]
    at = 10_000
    for i, ch in enumerate("ABCD"):
        _key(field, ord(ch), ch, at + 5 * i)
    field.scanner.clear()
    field.clear()
    replay(field, "EF", every(5), start_ms=at + 25)  # the rest of a burst: too short alone
    assert field.codes == []


def test_sign_out_clears_scanner_and_fields(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    from tests.ui.test_checkout import sign_in

    sign_in(qtbot, window)
    window.checkout.search.setText("BOGUS-CAR")
    window.checkout.member_panel.code.setText("0541234")
    window.scanner._buffer = "BOGUS-CAR"
    window.sign_out()
    assert window.checkout.search.text() == ""
    assert window.checkout.member_panel.code.text() == ""
    assert window.scanner._buffer == ""


def test_card_number_typed_by_hand_in_the_search_identifies_the_member(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    """The manual path: a card number typed (slowly) into the product search and Enter puts the member on."""
    from sqlalchemy import select

    from pos_client.db.models import Card
    from tests.ui.conftest import wait_idle
    from tests.ui.test_checkout import sign_in

    sign_in(qtbot, window)
    with window.terminal.read() as session:
        card = session.scalars(select(Card).where(Card.revoked_at.is_(None)).order_by(Card.card_number)).first()
        number, member_id = card.card_number, card.member_id
    search = window.checkout.search
    search.setFocus()
    codes: list[str] = []
    window.scanner.scanned.connect(codes.append)
    replay(search, number, every(120))
    qtbot.waitUntil(lambda: window.sale.member is not None, timeout=10000)
    wait_idle(qtbot, window)
    assert codes == [] and window.sale.member["member_id"] == member_id
    assert search.text() == ""
