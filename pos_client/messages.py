"""Every message a person reads, by a stable code, in English and Hebrew: one catalogue for core, CLI and UI.

A message is declared once, beside the code that raises or shows it, with both languages:

    NO_MEMBER = message("member.not_found", en="No member found for '{code}'",
                        he="לא נמצא חבר מועדון עבור '{code}'")
    raise NotFoundError(NO_MEMBER, code=text)

`message()` registers it in `CATALOGUE` under its code; a second declaration of a code with other words is a
bug and fails at import. Errors (`pos_client.errors.KupaError`) carry the `Message` and its parameters, never
a finished sentence: the edge that shows them (a widget, a receipt, the CLI) renders them in its reader's
language with `render()`. No caller ever matches an error's English text.

Placeholders are `str.format` fields named after the parameters. The catalogue is Python, not gettext `.po`
files, so that a code, its parameters and both wordings are reviewed together and a test (tests/unit/
test_messages.py) can check that every code has both languages and the same placeholders in each.
"""

from __future__ import annotations

import os
import string
from collections.abc import Mapping
from dataclasses import dataclass

#: The languages every message is written in; the first is the fallback.
LANGUAGES: tuple[str, ...] = ("en", "he")


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
        return _Formatter().vformat(self.text(lang), (), params)

    def fields(self, lang: str) -> set[str]:
        """The placeholder names of the template in `lang`."""
        return {name for _, name, _, _ in string.Formatter().parse(self.text(lang)) if name}


class _Formatter(string.Formatter):
    def get_value(self, key: int | str, args: object, kwargs: Mapping[str, object]) -> object:
        if isinstance(key, str) and key not in kwargs:
            return "{" + key + "}"
        return super().get_value(key, args, kwargs)  # type: ignore[arg-type]


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


def default_language() -> str:
    """The CLI's language: `KUPA_LANG` (`en` or `he`), else English."""
    lang = os.environ.get("KUPA_LANG", "en").strip().lower()[:2]
    return lang if lang in LANGUAGES else LANGUAGES[0]
