"""Languages: Qt translators for English (the source) and Hebrew, switched at run time, with RTL layout.

`Languages.switch("he")` installs `resources/i18n/kupa_he.qm` (built from `kupa_he.ts` by
`scripts/build_translations.py`) and Qt's own `qtbase_he` for standard dialogs, then sets the application's
layout direction; every widget receives `QEvent.LanguageChange` and re-reads its texts (`retranslate()`).
Core messages (`KupaError`) are English sentences with values in them; `core_message()` maps the common
ones to translated sentences and shows the rest as written.

Signals:
    changed(str): the new language code.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QObject, Qt, QTranslator, Signal
from PySide6.QtWidgets import QApplication

log = logging.getLogger(__name__)

I18N_DIR = Path(__file__).resolve().parents[1] / "resources" / "i18n"
LANGUAGES = ("en", "he")


class Languages(QObject):
    """Owns the installed translators."""

    changed = Signal(str)

    def __init__(self, app: QApplication) -> None:
        super().__init__(app)
        self._app = app
        self._translators: list[QTranslator] = []
        self.current = "en"

    def switch(self, lang: str) -> None:
        """Install `lang`'s translations and layout direction (unknown codes fall back to English)."""
        lang = lang if lang in LANGUAGES else "en"
        for translator in self._translators:
            self._app.removeTranslator(translator)
        self._translators = []
        if lang != "en":
            ours = QTranslator(self)
            if ours.load(str(I18N_DIR / f"kupa_{lang}.qm")):
                self._translators.append(ours)
            else:
                log.warning("no compiled translations for %s (run scripts/build_translations.py)", lang)
            base = QTranslator(self)
            if base.load(f"qtbase_{lang}", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
                self._translators.append(base)
        for translator in self._translators:
            self._app.installTranslator(translator)
        self.current = lang
        QLocale.setDefault(QLocale(QLocale.Language.Hebrew if lang == "he" else QLocale.Language.English,
                                   QLocale.Country.Israel))
        self._app.setLayoutDirection(Qt.LayoutDirection.RightToLeft if lang == "he"
                                     else Qt.LayoutDirection.LeftToRight)
        self.changed.emit(lang)


def _t(text: str) -> str:
    return QCoreApplication.translate("CoreMessage", text)


_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^unknown product '(.*)'$"), "Unknown product '{0}'"),
    (re.compile(r"^no member found for '(.*)'$"), "No member found for '{0}'"),
    (re.compile(r"^no member with id (.*)$"), "No member with id {0}"),
    (re.compile(r"^not a valid member card \((.*)\)$"), "Not a valid member card ({0})"),
    (re.compile(r"^cannot redeem (\d+) points: .*; the most allowed on this sale is (\d+) points$"),
     "Cannot redeem {0} points: the most allowed on this sale is {1} points"),
    (re.compile(r"^cannot redeem (\d+) points: .*; no points can be redeemed on this sale$"),
     "Cannot redeem {0} points: no points can be redeemed on this sale"),
    (re.compile(r"^a member with phone (.*) already exists$"), "A member with phone {0} already exists"),
    (re.compile(r"^'(.*)' is not a phone number$"), "'{0}' is not a phone number"),
    (re.compile(r"^the member has (-?\d+) points$"), "The member has {0} points"),
    (re.compile(r"^points may pay at most (\d+)% of the eligible items$"), "Points may pay at most {0}% of the eligible items"),
    (re.compile(r"^offline, a member may redeem at most (\d+) points a day$"),
     "Offline, a member may redeem at most {0} points a day"),
    (re.compile(r"^(.*): the member has (\d+) of (\d+) stamps; no free item yet$"), "{0}: {1} of {2} stamps, no free item yet"),
]
_EXACT = {
    "wrong PIN": "Wrong PIN",
    "wrong manager PIN": "Wrong manager PIN",
    "the basket is empty": "The basket is empty",
    "spending points needs the member's card (scan the QR code) or a manager PIN":
        "Spending points needs the member's card (scan the QR code) or a manager PIN",
    "using a punch-card reward needs the member's card (scan the QR code) or a manager PIN":
        "A punch-card reward needs the member's card (scan the QR code) or a manager PIN",
    "a member's name must be 1 to 120 printable characters": "Enter the member's name",
    "that code is not a product or a member card": "That code is not a product or a member card",
    "the birthday must be a real date in the past": "The birthday must be a real date in the past",
    "redeeming points needs a member": "Redeeming points needs a member",
    "this program has no points redemption": "This program has no points redemption",
}


def core_message(message: str) -> str:
    """A core `KupaError` message in the current language (as written when it is not a known one)."""
    if message in _EXACT:
        return _t(_EXACT[message])
    for pattern, template in _PATTERNS:
        match = pattern.match(message)
        if match:
            return _t(template).format(*match.groups())
    return message[:1].upper() + message[1:]

