"""The cart in progress and the parked carts, kept in the terminal's database.

The till saves its current cart after every change (one small row, `state="current"`), so a crash or a
restart loses nothing the cashier rang up; parking moves it to a `state="parked"` row with a label, and
resuming takes a parked cart back (the row is deleted in the same transaction). A cart is a plain JSON
payload owned by the UI (`items`, `member_code`, `redeem_points`, `punch_rewards`); this module does not
price it. Note: a member code may be a signed card token; it stays on this terminal like the rest of the data.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from pos_client.db.models import ParkedCart
from pos_client.errors import NotFoundError
from pos_client.messages import message
from pos_client.terminal import Terminal
from pos_client.timeutil import to_iso, utcnow

CURRENT_ID = "current"


@dataclass(frozen=True)
class ParkedInfo:
    """A parked cart as the resume list shows it."""

    cart_id: str
    label: str
    updated_at: str
    payload: dict[str, Any]


def save_current(terminal: Terminal, payload: dict[str, Any]) -> None:
    """Store the cart in progress (an empty cart removes the row)."""
    with terminal.unit_of_work() as session:
        row = session.get(ParkedCart, CURRENT_ID)
        if not payload.get("items") and not payload.get("member_code"):
            if row is not None:
                session.delete(row)
            return
        text = json.dumps(payload, ensure_ascii=False)
        if row is None:
            session.add(ParkedCart(cart_id=CURRENT_ID, label="", state="current", payload=text,
                                   updated_at=to_iso(utcnow())))
        else:
            row.payload, row.updated_at = text, to_iso(utcnow())


def load_current(terminal: Terminal) -> dict[str, Any] | None:
    """The cart that was in progress when the app stopped, if any."""
    with terminal.read() as session:
        row = session.get(ParkedCart, CURRENT_ID)
        return json.loads(row.payload) if row is not None else None


def park(terminal: Terminal, label: str, payload: dict[str, Any]) -> str:
    """Park `payload` under `label` and clear the current cart; returns the parked cart's id."""
    cart_id = str(uuid.uuid4())
    with terminal.unit_of_work() as session:
        session.add(ParkedCart(cart_id=cart_id, label=(label or "")[:80], state="parked",
                               payload=json.dumps(payload, ensure_ascii=False), updated_at=to_iso(utcnow())))
        current = session.get(ParkedCart, CURRENT_ID)
        if current is not None:
            session.delete(current)
    return cart_id


def list_parked(terminal: Terminal) -> list[ParkedInfo]:
    """Parked carts, oldest first."""
    with terminal.read() as session:
        rows = session.scalars(select(ParkedCart).where(ParkedCart.state == "parked")
                               .order_by(ParkedCart.updated_at))
        return [ParkedInfo(r.cart_id, r.label, r.updated_at, json.loads(r.payload)) for r in rows]


PARKED_GONE = message("cart.parked_gone", en="that parked sale is gone (resumed elsewhere?)",
                      he="המכירה שהושהתה אינה קיימת עוד (אולי נפתחה במקום אחר?)")


def resume(terminal: Terminal, cart_id: str) -> dict[str, Any]:
    """Take a parked cart back as the current one."""
    with terminal.unit_of_work() as session:
        row = session.get(ParkedCart, cart_id)
        if row is None or row.state != "parked":
            raise NotFoundError(PARKED_GONE)
        payload: dict[str, Any] = json.loads(row.payload)
        session.delete(row)
        current = session.get(ParkedCart, CURRENT_ID)
        text = json.dumps(payload, ensure_ascii=False)
        if current is None:
            session.add(ParkedCart(cart_id=CURRENT_ID, label="", state="current", payload=text,
                                   updated_at=to_iso(utcnow())))
        else:
            current.payload = text
        return payload
