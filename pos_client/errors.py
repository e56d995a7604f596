"""The errors a cashier or a manager may see, kept apart from bugs.

Kupa sorts failures into three kinds (STYLE.md, habit 9): a `KupaError` is user-facing and its message is
shown as written (the CLI prints it on stderr, the UI in its message area); a cancellation is silent; anything
else is a bug. Every `KupaError` is raised *before* anything is written, or inside a unit of work that then
rolls back, so a refused action changes nothing.
"""

from __future__ import annotations

from typing import Any

from pos_client.messages import Message, Text, jsonable, message

#: A legacy error raised with a finished sentence (code outside Kupa's packages): shown as written.
AS_WRITTEN = message("error.as_written", en="{text}", he="{text}")


class KupaError(Exception):
    """A refusal meant for the person at the counter: a catalogue `Message` and its parameters.

    `code` is the error's kind (stable, for JSON output and scripts); `message_code` names the exact message
    in `pos_client.messages.CATALOGUE`; `text(lang)` words it. `message` is the English text (logs, tests).
    A bound `Text` (`MESSAGE.bind(...)`, e.g. a reason handed up from a lower layer) is accepted too, its
    parameters merged under the keyword ones. A plain `str` is still accepted for code outside Kupa's
    packages; inside them an AST test (tests/unit/test_messages.py) refuses a raise with a literal string.
    """

    #: A stable machine-readable kind (for the JSON output).
    code: str = "error"

    def __init__(self, message: Message | Text | str, **params: object) -> None:
        if isinstance(message, Text):
            params = {**message.params, **params}
            message = message.message
        self.template: Message | None = message if isinstance(message, Message) else None
        self._plain = message if isinstance(message, str) else ""
        #: The values in the message, for the edge that words it in its reader's language.
        self.params = params
        self.message = self.text("en")
        super().__init__(self.message)

    @property
    def message_code(self) -> str:
        """The catalogue code of the message (the kind's code for a legacy plain-text error)."""
        return self.template.code if self.template else self.code

    def text(self, lang: str = "en") -> str:
        """The message in `lang`."""
        if self.template is None:
            return self._plain
        return self.template.render(lang, **self.params)

    def bound(self) -> Text:
        """The message with its parameters, to be worded later (e.g. on another thread, in another language)."""
        if self.template is None:
            return AS_WRITTEN.bind(text=self._plain)
        return self.template.bind(**self.params)

    def to_json(self, lang: str = "en") -> dict[str, Any]:
        """The error as the CLI's `--json` prints it: kind, message code, the words in `lang`, parameters."""
        return {"error": self.code, "message_code": self.message_code, "message": self.text(lang),
                "params": jsonable(self.params)}


class NotFoundError(KupaError):
    """An unknown member, product, sale, card or program."""

    code = "not_found"


class InvalidInputError(KupaError):
    """A typed amount, a quantity, a file row or a scanned code that is not acceptable."""

    code = "invalid_input"


class RuleViolation(KupaError):
    """The loyalty program forbids what was asked (a redemption too large, a reward not due)."""

    code = "rule_violation"


class AuthError(KupaError):
    """A wrong PIN, or an action that needs a manager or a signed card."""

    code = "not_allowed"


class StateError(KupaError):
    """The action does not fit the current state (a refunded sale, an uninitialised terminal)."""

    code = "invalid_state"


class StorageError(KupaError):
    """The database cannot be written (disk full, read-only, locked): nothing was recorded."""

    code = "storage"


class DamagedStoreError(StorageError):
    """The data folder or its database cannot be used at all: damaged, unreadable, or from a newer Kupa.

    Unlike a full disk or a busy database, trying again does not help: the CLI exits with code 2, the app
    shows a dialog and does not start.
    """

    code = "damaged"
