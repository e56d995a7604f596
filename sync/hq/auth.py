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

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pos_client.errors import KupaError
from pos_client.messages import message
from sync.hq.models import HqTerminal

_ID_RE = re.compile(r"^[A-Za-z0-9_\-]{1,40}$")
HQ_TERMINAL = "HQ"  # entries and members created at HQ itself (imports, opening balances)


class RegistrationError(KupaError, ValueError):
    """A terminal name or id that cannot be registered; the message is for the operator."""

    code = "registration"


@dataclass(frozen=True)
class Registration:
    terminal_id: str
    token: str
    member_prefix: str


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


def register(session: Session, name: str, now: str) -> Registration:
    """Register a terminal called `name`; its id is the name made safe, its prefix the next free one."""
    terminal_id = slug(name)
    if not terminal_id or terminal_id == HQ_TERMINAL:
        raise RegistrationError(BAD_TERMINAL_NAME, name=name)
    if session.get(HqTerminal, terminal_id) is not None:
        raise RegistrationError(TERMINAL_EXISTS, terminal_id=terminal_id)
    highest = session.scalar(select(func.max(HqTerminal.member_prefix)))
    prefix = int(highest) + 1 if highest else 101
    if prefix > 999:
        raise RegistrationError(PREFIXES_USED, count=899)
    token = f"{terminal_id}.{secrets.token_urlsafe(32)}"
    session.add(HqTerminal(terminal_id=terminal_id, name=name[:120], token_sha256=hash_token(token),
                           member_prefix=str(prefix), registered_at=now))
    return Registration(terminal_id, token, str(prefix))


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
