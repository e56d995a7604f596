"""Suite-wide setup: Qt draws offscreen (there is no display on the build machines); no OS keyring."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# The HQ token goes to the OS keyring where one works: never a developer's real keyring from the tests (the
# 0600 token file in each test's data folder is used instead; subprocesses inherit this).
os.environ["KUPA_KEYRING"] = "0"

from collections.abc import Iterator  # noqa: E402

import pytest  # noqa: E402

from pos_client.messages import reset_language  # noqa: E402


@pytest.fixture(autouse=True)
def _no_language_left_behind() -> Iterator[None]:
    """A test that switched the display language (the UI's switch, the CLI's --lang) leaves English behind."""
    yield
    reset_language()
