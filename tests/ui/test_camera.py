"""The webcam in the app, with MJPG video files standing in for a camera (there is none on the build machines).

The videos are made here: a member card's QR code (from `qrcode`) held up for a while, then nothing, then
again. Files are played unpaced (as fast as frames decode) with the video's own clock driving the
confirmer, so a 3 s debounce takes 3 s of *video*, not of test time.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
import qrcode
from PySide6.QtCore import Qt

from pos_client.services.members import issue_card
from pos_client.timeutil import utcnow
from tests.ui.conftest import wait_idle
from tests.ui.test_checkout import sign_in
from ui.camera_view import IdleWatcher, State
from ui.camera_worker import CameraController, preview_image

FPS = 10.0
SIZE = (640, 480)


def qr_frame(payload: str) -> np.ndarray:
    """A 640x480 webcam-like frame with `payload`'s QR code in the middle."""
    qr = qrcode.QRCode(border=4, box_size=4)
    qr.add_data(payload)
    qr.make(fit=True)
    code = np.array(qr.make_image(fill_color="black", back_color="white").convert("L"), dtype=np.uint8)
    side = 300
    code = cv2.resize(code, (side, side), interpolation=cv2.INTER_NEAREST)
    frame = np.full((SIZE[1], SIZE[0]), 170, dtype=np.uint8)
    top, left = (SIZE[1] - side) // 2, (SIZE[0] - side) // 2
    frame[top:top + side, left:left + side] = code
    return cv2.cvtColor(frame, cv2.COLOR_GRAY2BGR)


def blank_frame() -> np.ndarray:
    return np.full((SIZE[1], SIZE[0], 3), 170, dtype=np.uint8)


def write_video(path: Path, scenes: list[tuple[np.ndarray, int]]) -> Path:
    """An MJPG .avi of `scenes`: (frame, how many times) in order."""
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), FPS, SIZE)
    assert writer.isOpened()
    for frame, count in scenes:
        for _ in range(count):
            writer.write(frame)
    writer.release()
    return path


def member_token(win) -> tuple[str, str, int]:  # type: ignore[no-untyped-def]
    """(name, card token, points) of a demo member with a fresh card."""
    from sqlalchemy import select

    from pos_client.db.models import Member, MemberBalance
    with win.terminal.unit_of_work() as session:
        member = session.scalars(select(Member).join(MemberBalance, MemberBalance.member_id == Member.member_id)
                                 .where(MemberBalance.points >= 100).order_by(Member.member_id)).first()
        assert member is not None
        _card, token = issue_card(win.terminal, session, member.member_id, utcnow())
        name, member_id = member.name, member.member_id
    from pos_client.services import till
    return name, token, int(till.member_view(win.terminal, member_id)["points"])


@pytest.fixture
def controller(qtbot):  # type: ignore[no-untyped-def]
    ctrl = CameraController()
    yield ctrl
    ctrl.shutdown()
    assert not ctrl.camera_thread.isRunning()


def test_one_code_per_presentation(qtbot, controller, tmp_path) -> None:  # type: ignore[no-untyped-def]
    token = "KUPA1.k1.M1000001.AAAB.20260101.c2lnbmF0dXJlLXNpZ25hdHVyZQ"
    video = write_video(tmp_path / "card.avi", [(qr_frame(token), 15), (blank_frame(), 40), (qr_frame(token), 15)])
    scanned: list[str] = []
    previews: list[int] = []
    controller.code_scanned.connect(scanned.append)
    controller.frame_ready.connect(lambda image: (previews.append(image.width()), controller.preview_shown()))
    with qtbot.waitSignal(controller.stopped, timeout=20000):
        controller.open(str(video), pace=False)
    assert scanned == [token, token]  # 4 s of nothing > the 3 s debounce: shown twice, read twice
    assert previews and set(previews) == {240}
    assert controller.worker.stats["decoded"] == 70


def test_paced_file_drops_frames_behind_a_slow_decode(qtbot, tmp_path) -> None:  # type: ignore[no-untyped-def]
    clock = iter(i * 0.25 for i in range(10_000))  # every look at the clock: 2.5 frames later
    ctrl = CameraController(clock=lambda: next(clock))
    video = write_video(tmp_path / "blank.avi", [(blank_frame(), 40)])
    try:
        with qtbot.waitSignal(ctrl.stopped, timeout=20000):
            ctrl.open(str(video), pace=True)
        stats = ctrl.worker.stats
        assert stats["read"] == 40 and stats["dropped"] > 20 and stats["decoded"] + stats["dropped"] == 40
    finally:
        ctrl.shutdown()
    assert not ctrl.camera_thread.isRunning()


def test_preview_has_a_box_around_the_code() -> None:
    from pos_client.scanning import decode_frame
    frame = qr_frame("KUPA-CARD-1234")
    codes = decode_frame(frame)
    image = preview_image(frame, codes)
    assert codes and (image.width(), image.height()) == (240, 180)
    pixels = np.frombuffer(image.constBits(), dtype=np.uint8).reshape(180, image.bytesPerLine())[:, :720]
    rgb = pixels.reshape(180, 240, 3).astype(int)
    green = (rgb[..., 1] > 150) & (rgb[..., 0] < 120) & (rgb[..., 2] < 120)
    assert green.sum() > 100


def test_scanned_card_fills_the_member_panel(qtbot, window, tmp_path) -> None:  # type: ignore[no-untyped-def]
    sign_in(qtbot, window)
    name, token, points = member_token(window)
    video = write_video(tmp_path / "card.avi", [(blank_frame(), 5), (qr_frame(token), 15), (blank_frame(), 5)])
    with qtbot.waitSignal(window.camera.code_scanned, timeout=20000) as blocker:
        window.camera.open(str(video), pace=False)
    assert blocker.args == [token]
    panel = window.checkout.member_panel
    qtbot.waitUntil(lambda: panel.name.text() == name, timeout=10000)
    wait_idle(qtbot, window)
    assert panel.points.text() == f"{points:,} points"
    assert window.sale.member is not None and window.sale.member["can_spend"]


def test_forged_card_is_refused(qtbot, window, tmp_path) -> None:  # type: ignore[no-untyped-def]
    sign_in(qtbot, window)
    _name, token, _points = member_token(window)
    head, signature = token.rsplit(".", 1)
    forged = f"{head}.{('B' if signature[0] != 'B' else 'C')}{signature[1:]}"
    video = write_video(tmp_path / "forged.avi", [(qr_frame(forged), 15)])
    with qtbot.waitSignal(window.camera.stopped, timeout=20000):
        window.camera.open(str(video), pace=False)
    qtbot.waitUntil(lambda: "valid member card" in window.checkout.messages.text().lower(), timeout=10000)
    wait_idle(qtbot, window)
    assert window.sale.member is None
    assert window.checkout.member_panel.name.text() == "No member on this sale"


def test_not_a_kupa_code_shows_a_message(qtbot, window, tmp_path) -> None:  # type: ignore[no-untyped-def]
    sign_in(qtbot, window)
    video = write_video(tmp_path / "url.avi", [(qr_frame("https://example.com/?q=' OR 1=1 --"), 15)])
    with qtbot.waitSignal(window.camera.rejected, timeout=20000) as blocker:
        window.camera.open(str(video), pace=False)
    assert "Not a Kupa code" in blocker.args[0]
    assert "Not a Kupa code" in window.checkout.messages.text()
    assert window.sale.member is None


def test_missing_video_shows_the_no_camera_state(qtbot, window, tmp_path) -> None:  # type: ignore[no-untyped-def]
    sign_in(qtbot, window)  # the camera is paused while the terminal is locked
    view = window.checkout.member_panel.camera_view
    with qtbot.waitSignal(window.camera.failed, timeout=10000) as blocker:
        view.source_chosen.emit(str(tmp_path / "nowhere.avi"))
    assert "no such file" in blocker.args[0]
    assert view.state == State.NONE and not view.preview.isVisible()
    assert "USB scanner" in view.status.text()


def test_no_webcam_here_means_the_no_camera_state(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    view = window.checkout.member_panel.camera_view
    qtbot.waitUntil(lambda: view.state != State.SEARCHING, timeout=10000)
    if view.state == State.LIVE:
        pytest.skip("this machine has a webcam")
    assert view.state == State.NONE
    assert view.status.text() == "No camera found — type the card number or use a USB scanner"
    assert [view.picker.itemText(i) for i in range(view.picker.count())] == ["Video file…", "No camera"]


def test_camera_pauses_when_locked_or_minimised(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    assert window.camera.paused  # locked at start
    sign_in(qtbot, window)
    assert not window.camera.paused
    window.setWindowState(Qt.WindowState.WindowMinimized)
    qtbot.waitUntil(lambda: window.camera.paused, timeout=5000)
    window.setWindowState(Qt.WindowState.WindowNoState)
    qtbot.waitUntil(lambda: not window.camera.paused, timeout=5000)
    window.lock_action.trigger()
    assert window.camera.paused


def test_idle_watcher(qtbot) -> None:  # type: ignore[no-untyped-def]
    watcher = IdleWatcher(50)
    with qtbot.waitSignal(watcher.idle, timeout=5000):
        pass
    assert watcher.is_idle
    with qtbot.waitSignal(watcher.active, timeout=1000):
        watcher.touch()
    assert not watcher.is_idle



def card_frame(token: str, number: str) -> np.ndarray:
    """A frame like a printed member card: the QR token on one side, a Code 128 of the card number on the other."""
    from barcode.codex import Code128
    frame = blank_frame()
    qr = qr_frame(token)[90:390, 170:470]  # the 300 px code with its quiet zone
    frame[90:390, 10:310] = qr
    bits = Code128(number).build()[0]
    bars = np.array([0 if bit == "1" else 255 for bit in "0" * 10 + bits + "0" * 10], dtype=np.uint8)
    strip = cv2.cvtColor(cv2.resize(bars[None, :], (len(bars) * 2, 140), interpolation=cv2.INTER_NEAREST),
                         cv2.COLOR_GRAY2BGR)
    left = 640 - strip.shape[1] - 10
    frame[170:310, left:left + strip.shape[1]] = strip
    return frame


def test_card_number_beside_the_qr_token_is_not_reported(qtbot, controller, tmp_path) -> None:  # type: ignore[no-untyped-def]
    token = "KUPA1.k1.M1000001.AAAB.20260101.c2lnbmF0dXJlLXNpZ25hdHVyZQ"
    from pos_client.scanning import decode_frame
    frame = card_frame(token, "PC11262843")
    bars_only = frame.copy()
    bars_only[:, :320] = 170  # the card slides: only its barcode is left in view
    assert [code.symbology for code in decode_frame(bars_only)] == ["code128"]
    video = write_video(tmp_path / "card.avi", [(frame, 6), (bars_only, 6)])
    scanned: list[str] = []
    controller.code_scanned.connect(scanned.append)
    with qtbot.waitSignal(controller.stopped, timeout=20000):
        controller.open(str(video), pace=False)
    assert scanned == [token]


def test_closing_the_window_stops_the_camera_thread(qtbot, window, tmp_path) -> None:  # type: ignore[no-untyped-def]
    sign_in(qtbot, window)
    video = write_video(tmp_path / "blank.avi", [(blank_frame(), 30)])
    with qtbot.waitSignal(window.camera.opened, timeout=10000):
        window.camera.open(str(video), loop=True)  # playing, paced, when the window closes
    window.close()
    assert not window.camera.camera_thread.isRunning()
