"""A real window on a real X server: `main.py` under Xvfb with Qt's xcb platform, signed in by typed keys.

Why: every other UI test draws offscreen, so nothing noticed when the xcb platform could not load on a desktop
(missing libxcb-* packages, issue 16). Here the app runs as a user starts it (`python main.py --data-dir DIR`)
on its own Xvfb server with `QT_QPA_PLATFORM=xcb`; xdotool types the demo cashier's PIN through the X server
(XTEST, as a keyboard would) and ImageMagick's `import` grabs the X server's own pixels. The grab must show
the checkout: it must be far from blank, and much closer to Qt's offscreen rendering of the signed-in
checkout than to its rendering of the sign-in screen (the same widgets drawn by the same Qt, so a window that
shows the checkout matches it but for the clock and the cursor).

Needs the `xvfb`, `xdotool` and `imagemagick` packages (`./dev test` installs them). Only a missing Xvfb skips
the test; with Xvfb present, a missing xdotool or ImageMagick is a failure that says what to install.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PIL import Image, ImageChops

from pos_client.demo.generate import CASHIER_PIN

ROOT = Path(__file__).resolve().parents[2]
SCREEN = (1440, 900)  # larger than the window's 1280×800, so none of it is cut off
WINDOW = (1280, 800)
SAME = 0.02  # at most 2 % of the pixels differ: the same screen (see `_differing`)


def _stop(process: subprocess.Popen[bytes], grace: float = 10.0) -> None:
    """SIGTERM, then SIGKILL after `grace` seconds; always reaped."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(grace)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(grace)


@pytest.fixture
def xvfb(tmp_path: Path) -> Iterator[str]:
    """A fresh Xvfb on a display number it picks itself (`-displayfd`); yields the DISPLAY value."""
    binary = shutil.which("Xvfb")
    if binary is None:
        pytest.skip("Xvfb is not installed (apt-get install xvfb; `./dev test` installs it)")
    missing = [tool for tool in ("xdotool", "import") if not shutil.which(tool)]
    assert not missing, f"Xvfb is here but {missing} is not: apt-get install xdotool imagemagick (or ./dev test)"
    read_end, write_end = os.pipe()
    log_path = tmp_path / "xvfb.log"
    with log_path.open("wb") as log:
        server = subprocess.Popen([binary, "-displayfd", str(write_end), "-screen", "0",
                                   f"{SCREEN[0]}x{SCREEN[1]}x24", "-dpi", "96", "-nolisten", "tcp", "-noreset"],
                                  pass_fds=(write_end,), stdout=subprocess.DEVNULL, stderr=log)
    os.close(write_end)
    try:
        number = b""
        deadline = time.monotonic() + 30
        os.set_blocking(read_end, False)
        while not number.endswith(b"\n") and time.monotonic() < deadline and server.poll() is None:
            try:
                number += os.read(read_end, 16)
            except BlockingIOError:
                time.sleep(0.05)
        assert number.strip().isdigit(), f"Xvfb gave no display number: {log_path.read_text(errors='replace')}"
        yield f":{int(number)}"
    finally:
        os.close(read_end)
        _stop(server)


def _x(display: str, *command: str, timeout: float = 20) -> subprocess.CompletedProcess[str]:
    """Run an X client against `display` (never the developer's own screen)."""
    env = {**os.environ, "DISPLAY": display}
    env.pop("WAYLAND_DISPLAY", None)
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=timeout, check=False)


def _wait_for(condition: Callable[[], object], timeout: float, what: str) -> object:
    """Poll `condition` until it returns something true; fail with `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.25)
    pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}")


def _grab(display: str, out: Path, geometry: tuple[int, int, int, int]) -> Image.Image:
    """The X server's pixels of the root window (ImageMagick `import`), cropped to the app's window."""
    done = _x(display, "import", "-window", "root", f"png:{out}")
    assert done.returncode == 0, done.stderr
    x, y, width, height = geometry
    with Image.open(out) as root:
        assert root.size == SCREEN
        return root.convert("RGB").crop((x, y, x + width, y + height))


def _differing(a: Image.Image, b: Image.Image) -> float:
    """The share of pixels whose grey levels differ by more than 40 (of 255) between two same-size pictures.

    The X grab and the offscreen rendering of the same screen differ only in the clock, the text cursor and a
    focus frame (measured: 0.05–0.3 %); the sign-in screen and the checkout differ in about 6 % of their pixels.
    """
    assert a.size == b.size
    histogram = ImageChops.difference(a.convert("L"), b.convert("L")).histogram()
    return sum(histogram[41:]) / (a.size[0] * a.size[1])


def _offscreen_renders(store: Path, qtbot, out: Path) -> tuple[Image.Image, Image.Image]:  # type: ignore[no-untyped-def]
    """Qt's offscreen rendering of the sign-in screen and of the signed-in, empty checkout (on a copy)."""
    from pos_client.services import till
    from ui.app import build

    copy = out / "offscreen-store"
    shutil.copytree(store, copy)
    _app, window = build(copy, "en", camera="off")
    qtbot.addWidget(window)
    window.resize(*WINDOW)
    window.show()
    qtbot.waitUntil(lambda: window.worker.idle, timeout=20000)
    window.grab().save(str(out / "offscreen-signin.png"))
    window.signed_in(till.sign_in(window.terminal, CASHIER_PIN))
    # the quick picks arrive from the worker after the sign-in: grabbed only once they are laid out and shown
    grid = window.checkout.quick_grid
    qtbot.waitUntil(lambda: window.worker.idle and grid.count() > 0 and all(
        grid.itemAt(i).widget().isVisible() for i in range(grid.count())), timeout=20000)
    qtbot.wait(200)
    window.grab().save(str(out / "offscreen-checkout.png"))
    window.close()
    window.terminal.close()
    return (Image.open(out / "offscreen-signin.png").convert("RGB"),
            Image.open(out / "offscreen-checkout.png").convert("RGB"))


def test_main_py_opens_a_real_xcb_window_and_signs_in_with_typed_keys(xvfb: str, store: Path, tmp_path: Path,
                                                                         qtbot) -> None:  # type: ignore[no-untyped-def]
    signin_render, checkout_render = _offscreen_renders(store, qtbot, tmp_path)
    env = {**os.environ, "DISPLAY": xvfb, "QT_QPA_PLATFORM": "xcb"}
    env.pop("WAYLAND_DISPLAY", None)
    log = (tmp_path / "app.log").open("wb")
    app = subprocess.Popen([sys.executable, str(ROOT / "main.py"), "--data-dir", str(store), "--camera", "off"],
                           cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        def window_id() -> str | None:
            assert app.poll() is None, f"main.py exited with {app.returncode}: {(tmp_path / 'app.log').read_text()}"
            found = _x(xvfb, "xdotool", "search", "--onlyvisible", "--name", "^Kupa — ").stdout.split()
            return found[0] if found else None

        window = str(_wait_for(window_id, 90, "main.py's window on the X server"))
        assert _x(xvfb, "xdotool", "getwindowname", window).stdout.strip() == "Kupa — Kupa Café & Sport"
        geometry_text = _x(xvfb, "xdotool", "getwindowgeometry", "--shell", window).stdout
        geometry = dict(line.split("=", 1) for line in geometry_text.split())
        box = (int(geometry["X"]), int(geometry["Y"]), int(geometry["WIDTH"]), int(geometry["HEIGHT"]))
        assert box[2:] == WINDOW

        # The sign-in screen is up and painted before any key is typed (the PIN field has the focus).
        _wait_for(lambda: _differing(_grab(xvfb, tmp_path / "x.png", box), signin_render) < SAME, 60,
                  "the sign-in screen to be painted (compare x.png with offscreen-signin.png)")
        assert _x(xvfb, "xdotool", "windowfocus", "--sync", window).returncode == 0
        typed = _x(xvfb, "xdotool", "type", "--delay", "60", CASHIER_PIN)
        pressed = _x(xvfb, "xdotool", "key", "Return")
        assert typed.returncode == 0 and pressed.returncode == 0, typed.stderr + pressed.stderr

        def shows_checkout() -> Image.Image | None:
            shot = _grab(xvfb, tmp_path / "x.png", box)
            return shot if _differing(shot, checkout_render) < SAME else None

        shot = _wait_for(shows_checkout, 60, "the checkout after the typed PIN (compare x.png with "
                         "offscreen-checkout.png)")
        assert isinstance(shot, Image.Image)
        shot.save(tmp_path / "xvfb-checkout.png")
        # Not blank: a real screen has many colours and light and dark pixels.
        assert len(shot.getcolors(maxcolors=1 << 20) or []) > 50
        low, high = shot.convert("L").getextrema()
        assert high - low > 150
        # The checkout, not the sign-in screen that was there before.
        assert _differing(shot, checkout_render) * 5 < _differing(shot, signin_render)
        assert app.poll() is None, "the app must still be running after signing in"
    finally:
        _stop(app)
        log.close()
