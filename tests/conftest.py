"""Suite-wide setup: Qt draws offscreen (there is no display on the build machines)."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
