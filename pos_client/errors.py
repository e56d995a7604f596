"""The errors a cashier or a manager may see, kept apart from bugs.

Kupa sorts failures into three kinds (STYLE.md, habit 9): a `KupaError` is user-facing and its message is
shown as written (the CLI prints it on stderr, the UI in its message area); a cancellation is silent; anything
else is a bug. Every `KupaError` is raised *before* anything is written, or inside a unit of work that then
rolls back, so a refused action changes nothing.
"""

from __future__ import annotations


class KupaError(Exception):
    """A refusal with a message meant for the person at the counter."""

    #: A stable machine-readable code (for the JSON output and for translations in the UI).
    code: str = "error"

    def __init__(self, message: str, **params: object) -> None:
        super().__init__(message)
        self.message = message
        #: The values in the message, for a UI that words it in another language.
        self.params = params


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
