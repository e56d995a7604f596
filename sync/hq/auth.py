"""Terminal registration and Bearer-token authentication at HQ.

A token is ``<terminal id>.<32 random bytes, URL-safe base64>``: the terminal id in clear lets
``kupa init --token`` name the terminal without asking HQ, the random part is the secret. HQ keeps only the
SHA-256 of the whole token — enough for 256 bits of randomness (no password stretching needed) — and
compares digests in constant time. Revoking a terminal refuses its token from the next request on.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

from sqlalchemy import Integer, cast, func, select
from sqlalchemy.orm import Session

from pos_client.errors import KupaError
from pos_client.ids import MAX_PREFIX
from pos_client.messages import message
from sync.hq.models import HqTerminal

_ID_RE = re.compile(r"^[A-Za-z0-9_\-]{1,40}$")
HQ_TERMINAL = "HQ"  # entries and members created at HQ itself (imports, opening balances)
#: The store of a terminal registered without `--store`, and of every terminal registered before stores
#: existed (HQ migration 0006): a single-store install never names one.
DEFAULT_STORE = "main"


class RegistrationError(KupaError, ValueError):
    """A terminal name or id that cannot be registered; the message is for the operator."""

    code = "registration"


@dataclass(frozen=True)
class Registration:
    terminal_id: str
    token: str
    member_prefix: str
    store_id: str = DEFAULT_STORE


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def terminal_id_from_token(token: str) -> str | None:
    """The terminal id written in clear in front of a token, if the token has the right shape."""
    terminal_id, sep, secret = (token or "").rpartition(".")
    return terminal_id if sep and _ID_RE.match(terminal_id) and len(secret) >= 20 else None


def slug(name: str) -> str:
    text = re.sub(r"[^A-Za-z0-9_\-]+", "-", (name or "").strip()).strip("-")
    return text[:40]


BAD_TERMINAL_NAME = message("hq.bad_terminal_name",
                            en="'{name}' cannot name a terminal: use letters, digits, '-' or '_'",
                            he="'{name}' אינו יכול לשמש שם לקופה: השתמשו באותיות, ספרות, '-' או '_'")
TERMINAL_EXISTS = message("hq.terminal_exists",
                          en="a terminal '{terminal_id}' is already registered; choose another name",
                          he="קופה '{terminal_id}' כבר רשומה; בחרו שם אחר")
PREFIXES_USED = message("hq.prefixes_used", en="all {count} member-id prefixes are in use",
                        he="כל {count} הקידומות של מספרי חברים בשימוש")
BAD_STORE = message("hq.bad_store", en="'{store}' cannot name a store: 1 to 40 letters, digits, '-' or '_'",
                    he="'{store}' אינו יכול לשמש שם לחנות: 1 עד 40 אותיות, ספרות, '-' או '_'")


def register(session: Session, name: str, now: str, store: str = DEFAULT_STORE) -> Registration:
    """Register a terminal called `name` in `store`; its id is the name made safe, its member-id prefix the
    next free number: 101, 102, … as before, then on past 999 up to `pos_client.ids.MAX_PREFIX` (new-form ids
    carry 5 prefix digits, so the 900th terminal is no longer refused). The highest is read as a number —
    as text "999" sorts after "1000"."""
    terminal_id = slug(name)
    if not terminal_id or terminal_id == HQ_TERMINAL:
        raise RegistrationError(BAD_TERMINAL_NAME, name=name)
    if not _ID_RE.match(store or ""):
        raise RegistrationError(BAD_STORE, store=(store or "")[:40])
    if session.get(HqTerminal, terminal_id) is not None:
        raise RegistrationError(TERMINAL_EXISTS, terminal_id=terminal_id)
    highest = session.scalar(select(func.max(cast(HqTerminal.member_prefix, Integer))))
    prefix = int(highest) + 1 if highest else 101
    if prefix > MAX_PREFIX:
        raise RegistrationError(PREFIXES_USED, count=MAX_PREFIX - 100)
    token = f"{terminal_id}.{secrets.token_urlsafe(32)}"
    session.add(HqTerminal(terminal_id=terminal_id, name=name[:120], token_sha256=hash_token(token),
                           member_prefix=str(prefix), registered_at=now, store_id=store))
    return Registration(terminal_id, token, str(prefix), store)


NO_TERMINAL = message("hq.no_terminal", en="no terminal '{terminal_id}' is registered",
                      he="לא רשומה קופה '{terminal_id}'")


def revoke(session: Session, terminal_id: str, now: str) -> HqTerminal:
    terminal = session.get(HqTerminal, terminal_id)
    if terminal is None:
        raise RegistrationError(NO_TERMINAL, terminal_id=terminal_id)
    if terminal.revoked_at is None:
        terminal.revoked_at = now
    return terminal


def authenticate(session: Session, token: str) -> HqTerminal | None:
    """The active terminal holding `token`, or None (unknown, malformed or revoked)."""
    terminal_id = terminal_id_from_token(token)
    if terminal_id is None:
        return None
    terminal = session.get(HqTerminal, terminal_id)
    if terminal is None or terminal.revoked_at is not None:
        return None
    if not hmac.compare_digest(terminal.token_sha256, hash_token(token)):
        return None
    return terminal
