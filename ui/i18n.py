"""Languages: Qt translators for English (the source) and Hebrew, switched at run time, with RTL layout.

`Languages.switch("he")` installs `resources/i18n/kupa_he.qm` (built from `kupa_he.ts` by
`scripts/build_translations.py`) and Qt's own `qtbase_he` for standard dialogs, then sets the application's
layout direction; every widget receives `QEvent.LanguageChange` and re-reads its texts (`retranslate()`).
Qt's translations word the widgets' own labels. Everything the core says — refusals (`KupaError`), sync
errors — carries a message code and its parameters and is worded here from the one catalogue
(`pos_client.messages`, both languages declared beside the code that raises) by `error_text()`: no English
sentence is ever matched. `switch()` also sets the catalogue's language (`messages.set_language`), so money
formatted without an explicit language follows the app (`12.50 ₪` in Hebrew). The quote's explanation is
worded from its codes in `ui.explain`.

Signals:
    changed(str): the new language code.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QLibraryInfo, QLocale, QObject, Qt, QTranslator, Signal
from PySide6.QtWidgets import QApplication

from pos_client.errors import KupaError
from pos_client.messages import Text, current_language, set_language

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
        set_language(lang)
        QLocale.setDefault(QLocale(QLocale.Language.Hebrew if lang == "he" else QLocale.Language.English,
                                   QLocale.Country.Israel))
        self._app.setLayoutDirection(Qt.LayoutDirection.RightToLeft if lang == "he"
                                     else Qt.LayoutDirection.LeftToRight)
        self.changed.emit(lang)


def error_text(exc: BaseException) -> str:
    """A `KupaError` in the app's language, from the messages catalogue (its code and parameters).

    Anything else is a bug that reached a message area: its type is shown, never its English text.
    """
    if isinstance(exc, KupaError):
        text = exc.text(current_language())
    else:
        text = type(exc).__name__
    return text[:1].upper() + text[1:]


def text_of(text: Text) -> str:
    """A catalogue `Text` (e.g. a sync error handed over from the sync thread) in the app's language."""
    rendered = text.render(current_language())
    return rendered[:1].upper() + rendered[1:]
