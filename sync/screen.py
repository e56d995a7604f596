"""Screening what HQ sends before the terminal applies it: nothing stored at HQ can stop a pull.

A pull page is read leniently (`RawPullPage`: each list item a plain JSON object) and every item is then
validated on its own with the protocol's model (`sync.protocol`) plus the checks the terminal's own code
relies on (a timestamp that parses as an aware time, a birthday that is a real date). An item that fails is
left out and reported as a `Skip` (kind, key, reason), which `sync.apply` records in `sync_skipped` and
`kupa sync` prints; the rest of the page is applied and the cursor moves past it. An HQ that stored a bad
row — a buggy or older HQ, or one restored from an old dump — therefore costs one reported row, never a
terminal's whole sync.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from sync.protocol import (MAX_PAGE_SIZE, PullPage, WireBalance, WireCard, WireEntry, WireGiftBalance, WireKey,
                           WireMember, WireProduct, WireProgram, WireSnapshot)

Items = Annotated[list[dict[str, Any]], Field(max_length=MAX_PAGE_SIZE)]


class RawPullPage(BaseModel):
    """A pull answer before its items are checked one by one (each list holds at most a page of objects)."""

    model_config = ConfigDict(extra="ignore")
    protocol: int = 1
    cursor: Annotated[int, Field(ge=0, le=2**63 - 1)]
    has_more: bool
    members: Items = []
    cards: Items = []
    keys: Items = []
    products: Items = []
    programs: Items = []
    entries: Items = []
    balances: Items = []
    snapshots: Items = []
    gift_balances: Items = []


@dataclass(frozen=True)
class Skip:
    """A pulled item the terminal could not apply: what it was, its key, and why (in English, for logs and
    the manager's list; `reason` starts with a stable code such as ``invalid`` or ``constraint``)."""

    kind: str
    ref: str
    reason: str


_KEYS = {"members": ("member", "member_id"), "cards": ("card", "card_number"), "keys": ("key", "key_id"),
         "products": ("product", "sku"), "programs": ("program", "version"), "entries": ("entry", "entry_id"),
         "balances": ("balance", "member_id"), "snapshots": ("snapshot", "member_id"),
         "gift_balances": ("gift_balance", "account")}
_MODELS: dict[str, type[BaseModel]] = {"members": WireMember, "cards": WireCard, "keys": WireKey,
                                       "products": WireProduct, "programs": WireProgram, "entries": WireEntry,
                                       "balances": WireBalance, "snapshots": WireSnapshot,
                                       "gift_balances": WireGiftBalance}
#: The timestamp fields of each kind that the terminal parses (`pos_client.timeutil.from_iso`).
_TIMES = {"members": ("enrolled_at",), "cards": ("issued_at", "revoked_at"), "keys": ("revoked_at",),
          "entries": ("created_at",), "programs": ("published_at",),
          "snapshots": ("membership_expires", "last_credit_at", "last_sale_at")}


def ref_of(kind: str, item: object) -> str:
    """The key of a pulled item for the report (`?` when even that is missing)."""
    name = _KEYS[kind][1]
    value = item.get(name) if isinstance(item, dict) else None
    return str(value)[:100] if value is not None else "?"


def _aware_time(value: object) -> bool:
    if isinstance(value, datetime):
        return value.tzinfo is not None
    if not isinstance(value, str):
        return False
    try:
        return datetime.fromisoformat(value).tzinfo is not None
    except ValueError:
        return False


def _problem(kind: str, model: BaseModel) -> str | None:
    """Why a validated item still cannot be applied here, or None."""
    for name in _TIMES.get(kind, ()):
        value = getattr(model, name)
        if value is not None and not _aware_time(value):
            return f"invalid {name}: {str(value)[:40]!r} is not a time with a UTC offset"
    if isinstance(model, WireMember) and model.birthday is not None:
        try:
            date.fromisoformat(str(model.birthday))
        except ValueError:
            return f"invalid birthday: {str(model.birthday)[:12]!r} is not a date"
    if isinstance(model, WireSnapshot):
        for day, _spend, _credits in model.days:
            try:
                date.fromisoformat(day)
            except ValueError:
                return f"invalid day: {day[:12]!r} is not a date"
    return None


def screen(raw: RawPullPage) -> tuple[PullPage, list[Skip]]:
    """The page's items that can be applied (as a `PullPage`) and the ones left out."""
    skips: list[Skip] = []
    kept: dict[str, list[Any]] = {}
    for field_name, model in _MODELS.items():
        kind = _KEYS[field_name][0]
        good: list[Any] = []
        for item in getattr(raw, field_name):
            try:
                value = model.model_validate(item)
            except ValidationError as exc:
                first = exc.errors()[0]
                where = ".".join(str(p) for p in first.get("loc", ())) or kind
                skips.append(Skip(kind, ref_of(field_name, item), f"invalid {where}: {first.get('msg', '')}"[:300]))
                continue
            problem = _problem(field_name, value)
            if problem is not None:
                skips.append(Skip(kind, ref_of(field_name, item), problem))
                continue
            good.append(value)
        kept[field_name] = good
    values: dict[str, Any] = {"cursor": raw.cursor, "has_more": raw.has_more, **kept}
    return PullPage.model_construct(None, **values), skips
