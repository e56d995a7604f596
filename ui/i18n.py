"""Languages: Qt translators for English (the source) and Hebrew, switched at run time, with RTL layout.

`Languages.switch("he")` installs `resources/i18n/kupa_he.qm` (built from `kupa_he.ts` by
`scripts/build_translations.py`) and Qt's own `qtbase_he` for standard dialogs, then sets the application's
layout direction; every widget receives `QEvent.LanguageChange` and re-reads its texts (`retranslate()`).
Core errors (`KupaError`) are English sentences; `error_text()` words the ones that carry `params` (the
redemption refusals) from those values, and `core_message()` maps the remaining common sentences to
translated ones and shows anything else as the core wrote it. The quote's explanation is worded from its
codes in `ui.explain`. Sync errors (`sync.errors`) are worded from their `code` and `params` by
`sync_error_text()`.

Signals:
    changed(str): the new language code.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping
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


#: Core errors that carry no `params` yet: matched on the English sentence (the values in it are kept).
_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^unknown product '(.*)'$"), "Unknown product '{0}'"),
    (re.compile(r"^no member found for '(.*)'$"), "No member found for '{0}'"),
    (re.compile(r"^no member with id (.*)$"), "No member with id {0}"),
    (re.compile(r"^not a valid member card \((.*)\)$"), "Not a valid member card ({0})"),
    (re.compile(r"^a member with phone (.*) already exists$"), "A member with phone {0} already exists"),
    (re.compile(r"^'(.*)' is not a phone number$"), "'{0}' is not a phone number"),
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
    "Redeeming points needs a member": "Redeeming points needs a member",
    "This program has no points redemption": "This program has no points redemption",
    "several members share that phone number: scan the card or use the member id":
        "Several members share that phone number: scan the card or use the member id",
    "a PIN is 4 to 12 digits": "A PIN is 4 to 12 digits",
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


#: Why a redemption was refused, by the `rule` in the error's params.
_REDEEM_RULES = {
    "balance": "more than the member's balance",
    "share": "points may pay only part of the eligible items",
    "offline_cap": "over the offline daily limit",
    "step": "not a multiple of the redemption step",
    "min_points": "below the smallest redemption",
}


def error_text(exc: BaseException) -> str:
    """A `KupaError` in the current language: worded from its `params` where it has them, else its message."""
    message = str(getattr(exc, "message", None) or exc)
    params = getattr(exc, "params", None) or {}
    if "requested" in params and "max_points" in params:
        why = _REDEEM_RULES.get(str(params.get("rule")))
        head = _t("Cannot redeem {0} points").format(params["requested"])
        if why:
            head += ": " + _t(why)
        most = int(str(params["max_points"]))
        tail = (_t("the most allowed on this sale is {0} points").format(most) if most
                else _t("no points can be redeemed on this sale"))
        return f"{head}. {tail[:1].upper()}{tail[1:]}."
    return core_message(message)



#: Sync errors by `params["reason"]` (see `sync.errors`), worded from the error's params.
_SYNC_REASONS: dict[str, Callable[[Mapping[str, object]], str]] = {
    "timeout": lambda p: _t("HQ at {0} did not answer in time; the sync will try again").format(p.get("server", "")),
    "unreachable": lambda p: _t("HQ at {0} cannot be reached; the sync will try again").format(p.get("server", "")),
    "unavailable": lambda p: _t("HQ is unavailable (HTTP {0}); the sync will try again").format(p.get("status", "")),
    "token_refused": lambda p: _t("HQ refused this terminal's token: ask a manager for a new one"),
    "revoked": lambda p: _t("HQ has revoked this terminal: ask a manager"),
    "no_server": lambda p: _t("This terminal has no HQ server"),
    "no_token": lambda p: _t("This terminal has no HQ token: ask a manager for one"),
    "wrong_terminal": lambda p: _t("The HQ token belongs to terminal {0}, but this is terminal {1}").format(
        p.get("token_terminal", ""), p.get("terminal", "")),
    "refused": lambda p: _t("HQ refused the request (HTTP {0}): {1}").format(p.get("status", ""),
                                                                            p.get("detail", "")),
    "bad_answer": lambda p: _t("HQ answered something this terminal does not understand"),
    "busy": lambda p: _t("Another sync of this terminal is running; try again in a moment"),
}
#: When an error has no known reason: by its code.
_SYNC_CODES: dict[str, Callable[[Mapping[str, object]], str]] = {
    "offline": lambda p: _t("HQ cannot be reached; the sync will try again"),
    "sync_auth": lambda p: _t("HQ refused this terminal's token: ask a manager for a new one"),
    "sync_rejected": lambda p: _t("HQ refused the request"),
    "sync_busy": lambda p: _t("Another sync of this terminal is running; try again in a moment"),
    "bug": lambda p: _t("The sync failed ({0}); see the log").format(p.get("error", "")),
}


def sync_error_text(code: str, params: Mapping[str, object], message: str = "") -> str:
    """A sync error (its `code` and `params`) in the current language; `message` (English) if unknown."""
    wording = _SYNC_REASONS.get(str(params.get("reason", ""))) or _SYNC_CODES.get(code)
    if wording is not None:
        return wording(params)
    return core_message(message) if message else ""
