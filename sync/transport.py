"""HTTP to HQ with `requests`: explicit timeouts, typed errors, retries with exponential back-off and jitter.

Every call is idempotent (pushes carry idempotency keys, pulls a cursor), so any request may be retried
after a timeout or a dropped connection — even when HQ had already committed it. Only `OfflineError`
(no connection, timeout, 5xx, 429) is retried; an auth failure or a 4xx is final and raised at once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar

import requests  # type: ignore[import-untyped,unused-ignore]
from pydantic import BaseModel, ValidationError
from tenacity import Retrying, before_sleep_log, retry_if_exception_type, stop_after_attempt, wait_random_exponential

from pos_client.messages import message
from pos_client.timeutil import utcnow
from sync.errors import OfflineError, SyncAuthError, SyncRejected

log = logging.getLogger(__name__)
M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class RetryPolicy:
    """How hard one sync cycle tries before giving up with `OfflineError` (the next cycle tries again)."""

    attempts: int = 4
    initial_wait: float = 0.5
    max_wait: float = 20.0


HQ_TIMEOUT = message("sync.timeout", en="HQ at {server} did not answer in time",
                     he="המטה בכתובת {server} לא ענה בזמן")
HQ_UNREACHABLE = message("sync.unreachable", en="HQ at {server} cannot be reached ({error})",
                         he="אין חיבור למטה בכתובת {server} ({error})")
HQ_TOKEN_REFUSED = message("sync.token_refused",
                           en="HQ refused this terminal's token ({detail}): ask a manager for a new one",
                           he="המטה דחה את אסימון הקופה ({detail}): בקשו ממנהל אסימון חדש")
HQ_REVOKED = message("sync.revoked", en="HQ has revoked this terminal: ask a manager",
                     he="המטה ביטל את הקופה הזו: פנו למנהל")
HQ_UNAVAILABLE = message("sync.unavailable", en="HQ is unavailable (HTTP {status}): {detail}",
                         he="המטה אינו זמין (HTTP {status}): {detail}")
HQ_REFUSED = message("sync.refused", en="HQ refused the request (HTTP {status}): {detail}",
                     he="המטה דחה את הבקשה (HTTP {status}): {detail}")
HQ_BAD_ANSWER = message("sync.bad_answer",
                        en="HQ answered something this terminal does not understand: {detail}",
                        he="המטה השיב תשובה שהקופה אינה מבינה: {detail}")


class Transport:
    """A connection to one HQ server for one terminal token."""

    def __init__(self, server_url: str, token: str, *, connect_timeout: float = 5.0, read_timeout: float = 60.0,
                 retry: RetryPolicy | None = None) -> None:
        self.base = server_url.rstrip("/")
        self.timeout = (connect_timeout, read_timeout)
        self.retry = retry or RetryPolicy()
        self.session = requests.Session()
        self.session.headers.update({"Authorization": f"Bearer {token}", "User-Agent": "kupa-terminal/1"})
        #: HQ's time (the `Date` header of its last answer) and this terminal's clock when it arrived, for the
        #: terminal's clock check (`pos_client.services.clock`); None until HQ has answered with a valid one.
        self.server_time: tuple[datetime, datetime] | None = None

    def close(self) -> None:
        self.session.close()

    def post(self, path: str, message: BaseModel, answer: type[M]) -> M:
        """POST `message` to `path` and parse the answer as `answer`, retrying while HQ is unreachable."""
        return self.post_bytes(path, message.model_dump_json().encode("utf-8"), answer)

    def post_bytes(self, path: str, body: bytes, answer: type[M]) -> M:
        """POST a body already serialised (the push builds it from the outbox's stored JSON), with retries."""
        retrying = Retrying(
            stop=stop_after_attempt(self.retry.attempts),
            wait=wait_random_exponential(multiplier=self.retry.initial_wait, max=self.retry.max_wait),
            retry=retry_if_exception_type(OfflineError), reraise=True,
            before_sleep=before_sleep_log(log, logging.INFO))
        for attempt in retrying:
            with attempt:
                return self._once(path, body, answer)
        raise AssertionError("unreachable")  # pragma: no cover

    def _once(self, path: str, body: bytes, answer: type[M]) -> M:
        try:
            response = self.session.post(self.base + path, data=body, timeout=self.timeout,
                                         headers={"Content-Type": "application/json"})
        except requests.Timeout as exc:
            raise OfflineError(HQ_TIMEOUT, reason="timeout",
                               server=self.base) from exc
        except requests.RequestException as exc:
            raise OfflineError(HQ_UNREACHABLE, reason="unreachable",
                               server=self.base, error=type(exc).__name__) from exc
        self._note_server_time(response)
        status = response.status_code
        error, detail = _detail(response)
        if status in (401, 403):
            reason = "revoked" if status == 403 or error == "terminal_revoked" else "token_refused"
            raise SyncAuthError(HQ_REVOKED if reason == "revoked" else HQ_TOKEN_REFUSED, reason=reason, status=status,
                                detail=detail)
        if status == 429 or status >= 500:
            raise OfflineError(HQ_UNAVAILABLE, reason="unavailable", status=status,
                               detail=detail)
        if status >= 400:
            raise SyncRejected(HQ_REFUSED, status, reason="refused",
                               detail=detail)
        try:
            return answer.model_validate_json(response.content)
        except ValidationError as exc:
            what = str(exc.errors()[0]["msg"])
            raise SyncRejected(HQ_BAD_ANSWER,
                               status, reason="bad_answer", detail=what) from exc


    def _note_server_time(self, response: requests.Response) -> None:
        try:
            stamp = parsedate_to_datetime(str(response.headers.get("Date") or ""))
        except (TypeError, ValueError, IndexError):
            return
        if stamp.tzinfo is None:
            stamp = stamp.replace(tzinfo=timezone.utc)
        self.server_time = (stamp.astimezone(timezone.utc), utcnow())


def _detail(response: requests.Response) -> tuple[str, str]:
    """HQ's error code (`""` when the body has none) and its sentence."""
    try:
        data: Any = response.json()
    except ValueError:
        return "", response.text[:200] or response.reason or ""
    if isinstance(data, dict):
        return str(data.get("error") or "")[:40], str(data.get("detail") or data.get("error") or data)[:300]
    return "", str(data)[:300]
