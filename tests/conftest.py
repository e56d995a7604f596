"""Suite-wide setup: Qt draws offscreen (there is no display on the build machines); no OS keyring."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# The HQ token goes to the OS keyring where one works: never a developer's real keyring from the tests (the
# 0600 token file in each test's data folder is used instead; subprocesses inherit this).
os.environ["KUPA_KEYRING"] = "0"
