"""Typed bridges where PySide6's stubs are vaguer than the runtime (so `ui/` type-checks without casts).

`QDate.toPython()` returns a `datetime.date`, but the stubs declare `object`; `to_date` says what it is.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate


def to_date(value: QDate) -> date:
    """The calendar day of `value` (a valid QDate) as a `datetime.date`."""
    return date(value.year(), value.month(), value.day())
