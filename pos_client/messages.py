"""Every message a person reads, by a stable code, in English and Hebrew: one catalogue for core, CLI and UI.

A message is declared once, beside the code that raises or shows it, with both languages:

    NO_MEMBER = message("member.not_found", en="No member found for '{code}'",
                        he="לא נמצא חבר מועדון עבור '{code}'")
    raise NotFoundError(NO_MEMBER, code=text)

`message()` registers it in `CATALOGUE` under its code; a second declaration of a code with other words is a
bug and fails at import. Errors (`pos_client.errors.KupaError`) carry the `Message` and its parameters, never
a finished sentence: the edge that shows them (a widget, a receipt, the CLI) renders them in its reader's
language with `render()`. No caller ever matches an error's English text.

Placeholders are `str.format` fields named after the parameters, with two additions of the catalogue's own:

- `{amount:money}` formats an integer count of minor units with Babel's rules for the language
  (`₪12.50` in English, `12.50 ₪` in Hebrew) through `pos_client.money.format_money`. The currency is the
  message's `currency` parameter when it has one, else `DEFAULT_CURRENCY` (the shekel: Kupa's stores are in
  Israel); a raise site that knows the program passes `currency=program.currency`.
- A parameter whose value is a `Text` (a message bound to its own parameters, `SOME_MESSAGE.bind(...)`) is
  rendered in the same language: a refusal can say *why* with a reason that is itself a catalogue message
  (`InvalidCardError`'s reasons, a catalogue file's "line 5" / "product 3").
- A parameter with `en` and `he` text attributes (a program's `name` of a tier, a punch card, an action) is
  shown in the language, so `{card}` reads "Coffee card" or "כרטיסיית קפה".

The catalogue is Python, not gettext `.po` files, so that a code, its parameters and both wordings are
reviewed together and a test (tests/unit/test_messages.py) can check that every code has both languages and
the same placeholders (names and format specs) in each. Qt's `.ts` files stay for the widgets' own labels.

The language: each edge passes it explicitly (`err.text("he")`); where a formatter has no reader at hand
(money in a table cell), `current_language()` is the one the edge chose with `set_language()` — the CLI's
`--lang`/`KUPA_LANG`, the UI's language switch.
"""

from __future__ import annotations

import os
import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

#: The languages every message is written in; the first is the fallback.
LANGUAGES: tuple[str, ...] = ("en", "he")

#: The currency of a `{x:money}` placeholder when the message has no `currency` parameter.
DEFAULT_CURRENCY = "ILS"

#: The format specs the catalogue's formatter understands beyond `str.format`'s own.
MONEY_SPEC = "money"


@dataclass(frozen=True)
class Message:
    """One message: a stable code and its wording in each language."""

    code: str
    en: str
    he: str

    def text(self, lang: str) -> str:
        """The template in `lang` (English for a language Kupa does not speak)."""
        return self.he if lang == "he" else self.en

    def render(self, lang: str = "en", /, **params: object) -> str:
        """The message in `lang`, its placeholders filled from `params` (a missing one stays as `{name}`)."""
        return _Formatter(lang, params).vformat(self.text(lang), (), params)

    def bind(self, **params: object) -> Text:
        """This message with its parameters, to be rendered later (or nested in another message)."""
        return Text(self, params)

    def fields(self, lang: str) -> set[str]:
        """The placeholder names of the template in `lang`."""
        return {name for _, name, _, _ in string.Formatter().parse(self.text(lang)) if name}

    def placeholders(self, lang: str) -> set[tuple[str, str]]:
        """The placeholders of the template in `lang` as (name, format spec): both languages must agree."""
        return {(name, spec or "") for _, name, spec, _ in string.Formatter().parse(self.text(lang)) if name}


@dataclass(frozen=True)
class Text:
    """A message bound to its parameters: a sentence to be worded in the reader's language."""

    message: Message
    params: Mapping[str, object] = field(default_factory=dict)

    @property
    def code(self) -> str:
        return self.message.code

    def render(self, lang: str | None = None) -> str:
        """The sentence in `lang` (the current language when none is given)."""
        return self.message.render(lang or current_language(), **dict(self.params))

    def __str__(self) -> str:
        return self.message.render("en", **dict(self.params))


class _Missing(str):
    """A parameter the caller did not give: shown as `{name}` rather than failing."""


class _Formatter(string.Formatter):
    def __init__(self, lang: str, params: Mapping[str, object]) -> None:
        super().__init__()
        self._lang = lang
        self._currency = str(params.get("currency") or DEFAULT_CURRENCY)

    def get_value(self, key: int | str, args: object, kwargs: Mapping[str, object]) -> object:
        if isinstance(key, str) and key not in kwargs:
            return _Missing("{" + key + "}")
        return super().get_value(key, args, kwargs)  # type: ignore[arg-type]

    def format_field(self, value: Any, format_spec: str) -> str:
        if isinstance(value, _Missing):
            return str(value)
        if isinstance(value, Text):
            return value.render(self._lang)
        if isinstance(value, Message):
            return value.render(self._lang)
        if _is_label(value):  # a program's name in each language (a tier, a punch card, an action)
            return str(getattr(value, self._lang, None) or value.en)
        if format_spec == MONEY_SPEC:
            from pos_client.money import format_money  # money imports errors, which import this module

            try:
                return format_money(int(value), self._currency, self._lang)
            except (TypeError, ValueError):
                return str(value)
        return str(super().format_field(value, format_spec))


def _is_label(value: object) -> bool:
    return isinstance(getattr(value, "en", None), str) and isinstance(getattr(value, "he", None), str)


#: Every message, by code.
CATALOGUE: dict[str, Message] = {}


def message(code: str, *, en: str, he: str) -> Message:
    """Declare (and register) the message `code`; the same code declared twice must say the same thing."""
    declared = Message(code, en, he)
    existing = CATALOGUE.setdefault(code, declared)
    if existing != declared:
        raise RuntimeError(f"message code {code!r} is declared twice with different words")
    return declared


def render(code: str, params: Mapping[str, object] | None = None, lang: str = "en") -> str:
    """The message `code` in `lang` (the code itself if no such message is declared)."""
    declared = CATALOGUE.get(code)
    return declared.render(lang, **dict(params or {})) if declared else code


def jsonable(params: Mapping[str, object]) -> dict[str, object]:
    """`params` for a JSON document: a nested `Text` becomes `{"message_code", "params"}`, others as is or str."""
    out: dict[str, object] = {}
    for key, value in params.items():
        if isinstance(value, Text):
            out[key] = {"message_code": value.code, "params": jsonable(value.params)}
        elif _is_label(value):
            out[key] = {lang: getattr(value, lang) for lang in LANGUAGES}
        elif value is None or isinstance(value, (bool, int, float, str)):
            out[key] = value
        elif isinstance(value, (list, tuple)):
            out[key] = [item if isinstance(item, (bool, int, float, str)) else str(item) for item in value]
        else:
            out[key] = str(value)
    return out


def default_language() -> str:
    """The CLI's language: `KUPA_LANG` (`en` or `he`), else English."""
    return normalise_language(os.environ.get("KUPA_LANG", "en"))


def normalise_language(lang: str | None) -> str:
    """`"he"`, `"he_IL.UTF-8"`, `"HE"` → `"he"`; anything Kupa does not speak → English."""
    code = (lang or "").strip().lower()[:2]
    return code if code in LANGUAGES else LANGUAGES[0]


_current: list[str] = []


def set_language(lang: str) -> None:
    """Choose the language of this process's edge (the CLI's `--lang`, the UI's switch)."""
    _current[:] = [normalise_language(lang)]


def reset_language() -> None:
    """Forget the edge's choice (back to `KUPA_LANG`): the end of a CLI run inside a longer process, a test."""
    _current.clear()


def current_language() -> str:
    """The language the edge chose with `set_language()`, else `KUPA_LANG`, else English."""
    return _current[0] if _current else default_language()
