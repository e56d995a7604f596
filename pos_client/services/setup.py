"""`kupa init`: create a terminal's database, signing key and first manager."""

from __future__ import annotations

import hashlib
import re
import uuid
from dataclasses import dataclass
from pathlib import Path

from pos_client.cards import tokens
from pos_client.cards.keys import create_key
from pos_client.db.models import Setting, TrustedKey
from pos_client.errors import InvalidInputError, StateError
from pos_client.messages import message
from pos_client.services import staff
from pos_client.services.auth import check_pin_format
from pos_client.terminal import Terminal, put_setting

_TERMINAL_ID_RE = re.compile(r"^[A-Za-z0-9_\-]{1,40}$")


@dataclass(frozen=True)
class InitResult:
    terminal: Terminal
    terminal_id: str
    key_id: str


def member_prefix_for(terminal_id: str) -> str:
    """A 3-digit member-id prefix derived from the terminal id (HQ assigns distinct ones on registration)."""
    return str(100 + int(hashlib.sha256(terminal_id.encode()).hexdigest(), 16) % 900)


TERMINAL_ID_FORMAT = message("setup.terminal_id_format",
                             en="a terminal id is 1 to 40 letters, digits, '-' or '_'",
                             he="מזהה קופה הוא 1 עד 40 אותיות, ספרות, '-' או '_'")
ALREADY_TERMINAL = message("setup.already_terminal",
                           en="{path} already holds a Kupa terminal; choose another --data-dir",
                           he="בתיקייה {path} כבר יש קופת Kupa; בחרו --data-dir אחר")
ALREADY_KEY = message("setup.already_key", en="{path} already holds a key; choose another --data-dir",
                      he="בתיקייה {path} כבר יש מפתח; בחרו --data-dir אחר")


def init_terminal(data_dir: Path, *, terminal_id: str | None = None, store_name: str = "Kupa store",
                  manager_pin: str | None = None, manager_name: str = "Manager") -> InitResult:
    """Create a new terminal in `data_dir`; refuse if one is already there."""
    terminal_id = terminal_id or f"T-{uuid.uuid4().hex[:8]}"
    if not _TERMINAL_ID_RE.match(terminal_id):
        raise InvalidInputError(TERMINAL_ID_FORMAT)
    if manager_pin:
        check_pin_format(manager_pin)
    terminal = Terminal.open(data_dir, create=True)
    with terminal.unit_of_work() as session:
        if session.get(Setting, "terminal_id") is not None:
            raise StateError(ALREADY_TERMINAL, path=str(data_dir))
        if (terminal.keys_dir / "terminal_ed25519.pem").exists():
            raise StateError(ALREADY_KEY, path=str(terminal.keys_dir))
        key = create_key(terminal.keys_dir)
        raw = tokens.public_raw(key)
        key_id = tokens.key_id_for(raw)
        session.add(TrustedKey(key_id=key_id, public_key=tokens.b64encode(raw), owner=terminal_id))
        put_setting(session, "terminal_id", terminal_id)
        put_setting(session, "store_name", store_name)
        put_setting(session, "member_prefix", member_prefix_for(terminal_id))
        if manager_pin:  # staff member #1
            staff.create(session, manager_name, "manager", manager_pin)
    return InitResult(terminal, terminal_id, key_id)
