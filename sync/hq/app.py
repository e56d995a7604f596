"""HQ's HTTP API (FastAPI): hello, push, pull, health; the OpenAPI document at `/openapi.json`.

(No `from __future__ import annotations` here: FastAPI resolves the endpoints' annotations, which name
the closure-local `Auth` dependency.)

Every request but `/v1/health` carries a terminal's Bearer token. Bad input always gets a 4xx with a JSON
body `{"error": code, "detail": sentence}` — a body too large 413, malformed JSON or a message that breaks
the protocol 422 (JSON nested deeper than `sync.protocol.MAX_JSON_DEPTH` too), a body the parser cannot take
at all 400, a missing or wrong token 401, a revoked terminal 403 — never a 5xx. A push answers 200 even when it
refuses items: each refused item carries its reason code (`sync.refusals`), see docs/sync.md. The endpoints are
plain functions (FastAPI runs them on its thread pool) because the database work is blocking.
"""

import logging
import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.exceptions import HTTPException as StarletteHTTPException
from sqlalchemy import select

from pos_client.timeutil import to_iso, utcnow

from sync.hq import auth, partitions, restore
from sync.hq.db import Database, at_head, db_url_from, migrate, order_changes, retrying
from sync.hq.limits import BodyLimitMiddleware
from sync.hq.models import Change, HqKey, HqTerminal
from sync.hq.pull import build_page, fetch_member
from sync.hq.throttle import AuthThrottle
from sync.hq.push import apply_push
from sync.protocol import (ErrorResponse, HelloRequest, HelloResponse, ItemResult, MemberFetch, MemberFetchRequest,
                           Message, OwnEntriesPage, OwnEntriesRequest, PullPage, PullRequest, PushRequest,
                           PushResponse, parse_utc)

log = logging.getLogger(__name__)
MAX_BODY = 5 * 1024 * 1024
#: The refusals every endpoint may answer, as the OpenAPI document describes them.
_ERRORS = {
    400: "the body cannot be parsed at all (e.g. JSON nested past the parser's limit)",
    401: "no terminal token, or a wrong one",
    403: "the terminal was revoked at HQ",
    409: "the card-signing key is registered to another terminal",
    413: f"the request body is over the size limit ({MAX_BODY} bytes by default): send smaller batches",
    422: "malformed JSON, or a message that breaks the protocol (types, bounds, unknown keys, nesting deeper"
         " than sync.protocol.MAX_JSON_DEPTH, times that are not aware ISO 8601)",
    429: "too many wrong tokens from this address: wait Retry-After seconds",
}


def now_iso() -> str:
    return to_iso(utcnow())


class HttpError(Exception):
    def __init__(self, status: int, error: str, detail: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.status, self.error, self.detail, self.headers = status, error, detail, headers


@dataclass
class Hooks:
    """Test seams: `after_push` runs after a push committed and before the response is sent; `clock`, when
    set, is HQ's time for hello and push (a test that moves its terminals' clocks moves HQ's with them)."""

    after_push: Callable[[str, PushResponse], None] | None = None
    clock: Callable[[], datetime] | None = None


@dataclass(frozen=True)
class Caller:
    terminal_id: str
    member_prefix: str
    store_id: str | None = None


def _json(message: Message) -> Response:
    """Serialise a protocol message once (FastAPI would validate and dump a returned model a second time)."""
    return Response(message.model_dump_json(), media_type="application/json")


def create_app(db_url: str, *, max_body: int = MAX_BODY, hooks: Hooks | None = None,
               migrate_schema: bool = True, auth_throttle: AuthThrottle | None = None) -> FastAPI:
    """The HQ app on `db_url` (SQLite file or `postgresql+psycopg://...`), schema brought up to date.

    Wrong tokens are slowed down per client address (`sync.hq.throttle`: 429 after 5 in a row).
    """
    db = Database(db_url)
    if migrate_schema:
        migrate(db.engine)
    throttle = auth_throttle or AuthThrottle()
    throttle.bind(db)
    hooks = hooks or Hooks()

    def hq_now() -> str:
        return to_iso(hooks.clock()) if hooks.clock is not None else now_iso()
    app = FastAPI(title="Kupa HQ", version="1", description="Sync API for Kupa loyalty terminals (protocol 1).")
    app.state.db = db
    app.add_middleware(BodyLimitMiddleware, max_body=max_body)
    bearer = HTTPBearer(auto_error=False)
    errors: dict[int | str, dict[str, Any]] = {
        code: {"model": ErrorResponse, "description": words} for code, words in _ERRORS.items()}

    @app.exception_handler(HttpError)
    def _http_error(_request: Request, exc: HttpError) -> JSONResponse:
        return JSONResponse({"error": exc.error, "detail": exc.detail}, status_code=exc.status, headers=exc.headers)

    @app.exception_handler(StarletteHTTPException)
    def _starlette(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        # Starlette's own refusals (a body that cannot even be parsed — nested past Python's recursion
        # limit —, an unknown path, a wrong method) in HQ's error shape.
        code = {400: "bad_request", 404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        return JSONResponse({"error": code, "detail": str(exc.detail)[:500]}, status_code=exc.status_code,
                            headers=getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    def _invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = exc.errors()
        first = problems[0] if problems else {}
        where = ".".join(str(p) for p in first.get("loc", ()) if p != "body") or "body"
        detail = f"{where}: {first.get('msg', 'invalid request')}"
        if first.get("type") == "json_invalid":
            detail = "the body is not valid JSON"
        if len(problems) > 1:
            detail += f" (and {len(problems) - 1} more problems)"
        return JSONResponse({"error": "invalid_request", "detail": detail[:500]}, status_code=422)

    def caller(request: Request,
               credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]) -> Caller:
        if credentials is None or credentials.scheme.lower() != "bearer":
            raise HttpError(401, "unauthorized", "a terminal token is required (Authorization: Bearer ...)")
        client = request.client.host if request.client else "unknown"
        wait, tracked = throttle.check(client)
        if wait > 0:
            raise HttpError(429, "too_many_attempts", f"too many wrong terminal tokens from {client};"
                            f" try again in {math.ceil(wait)} s", {"Retry-After": str(math.ceil(wait))})
        with db.read() as session:
            terminal = auth.authenticate(session, credentials.credentials)
            found = Caller(terminal.terminal_id, terminal.member_prefix, terminal.store_id) \
                if terminal is not None else None
            if found is None:
                named = auth.terminal_id_from_token(credentials.credentials)
                known = session.get(HqTerminal, named) if named else None
                if known is not None and known.revoked_at is not None and \
                        known.token_sha256 == auth.hash_token(credentials.credentials):
                    raise HttpError(403, "terminal_revoked", f"terminal {named} was revoked at HQ")
        if found is None:
            throttle.failure(client)
            raise HttpError(401, "unauthorized", "unknown or wrong terminal token")
        if tracked:
            throttle.success(client)
        return found

    Auth = Annotated[Caller, Depends(caller)]

    @app.get("/v1/health")
    def health() -> dict[str, str]:
        return {"status": "ok", "time": now_iso()}

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        """Liveness for a load balancer or an orchestrator: the process answers (no database work)."""
        return {"status": "ok"}

    @app.get("/readyz", responses={503: {"model": ErrorResponse,
                                         "description": "the database is unreachable or not migrated to head"}})
    def readyz() -> Response:
        """Readiness: the database answers and its schema is at the newest migration; else 503, and the load
        balancer sends this worker nothing until it is."""
        try:
            ready = at_head(db.engine)
        except Exception as exc:  # any failure to reach the database means "not ready", never a 500
            log.warning("not ready: %s", exc)
            return JSONResponse({"error": "not_ready", "detail": "the database is unreachable"}, status_code=503)
        if not ready:
            return JSONResponse({"error": "not_ready", "detail": "the database is not migrated to the newest"
                                 " revision (kupa-hq init)"}, status_code=503)
        return JSONResponse({"status": "ready"})

    @app.post("/v1/hello", response_model=HelloResponse, responses=errors)
    def hello(request: HelloRequest, who: Auth) -> HelloResponse:
        """Register the terminal's card-signing key (first sync) and tell it its id and member prefix."""
        now = hq_now()

        def run() -> tuple[int, int, int]:
            with db.push(who.terminal_id) as session:
                session.get_one(HqTerminal, who.terminal_id).last_seen_at = now
                key = request.terminal_key
                if key is not None:
                    row = session.get(HqKey, key.key_id)
                    if row is None:
                        order_changes(session)
                        session.add(HqKey(key_id=key.key_id, public_key=key.public_key, owner=who.terminal_id))
                        session.add(Change(kind="key", ref=key.key_id))
                    elif row.owner != who.terminal_id or row.public_key != key.public_key:
                        raise HttpError(409, "key_conflict", f"key {key.key_id} is registered to another terminal")
                return (*restore.acknowledged(session, who.terminal_id, who.member_prefix),
                        restore.receipt_seq(session, who.terminal_id))
        acked_seq, acked_member_seq, acked_receipt_seq = retrying(run)
        return HelloResponse(terminal_id=who.terminal_id, member_prefix=who.member_prefix,
                             server_time=parse_utc(now), acked_seq=acked_seq, acked_member_seq=acked_member_seq,
                             acked_receipt_seq=acked_receipt_seq)

    @app.post("/v1/push", response_model=PushResponse, responses=errors)
    def push(request: PushRequest, who: Auth) -> Response:
        """Apply a batch of outbox items exactly once; results in request order. Runs beside other terminals'
        pushes (`Database.push`); one that loses a race on an id is run again whole (`retrying`)."""
        now = hq_now()
        partitions.ensure_for_push(db, request.items, parse_utc(now))

        def run() -> list[ItemResult]:
            with db.push(who.terminal_id) as session:
                return apply_push(session, who.terminal_id, request.items, now)
        results = retrying(run)
        response = PushResponse(results=results, accepted=sum(r.status == "accepted" for r in results),
                                duplicate=sum(r.status == "duplicate" for r in results),
                                rejected=sum(r.status == "rejected" for r in results))
        log.info("push from %s: %d accepted, %d duplicate, %d rejected", who.terminal_id, response.accepted,
                 response.duplicate, response.rejected)
        if hooks.after_push is not None:
            hooks.after_push(who.terminal_id, response)
        return _json(response)

    @app.post("/v1/pull", response_model=PullPage, responses=errors)
    def pull(request: PullRequest, who: Auth) -> Response:
        """One page of the changes after `cursor` that the caller's store needs: its members' profiles, cards
        and HQ-confirmed snapshots, and the programs, catalog and keys (docs/sync.md, "The pull")."""
        with db.read() as session:
            return _json(build_page(session, request.cursor, request.page_size, who.store_id))

    @app.post("/v1/member", response_model=MemberFetch, responses=errors | {
        404: {"model": ErrorResponse, "description": "HQ knows no member with that id or card number"}})
    def member(request: MemberFetchRequest, who: Auth) -> Response:
        """A member of another store who walks in: their profile, cards and snapshot, by member id or card
        number; HQ links them to the caller's store, whose pulls carry their changes from then on."""
        with db.write() as session:
            found = fetch_member(session, request.code, who.store_id, hq_now())
        if found is None:
            raise HttpError(404, "member_not_found", f"no member with id or card number {request.code}")
        return _json(found)

    @app.post("/v1/own-entries", response_model=OwnEntriesPage, responses=errors)
    def own_entries(request: OwnEntriesRequest, who: Auth) -> Response:
        """The caller's own entries above a sequence number: a terminal restored from a backup takes back
        the ones it lost (docs/sync.md, "Restored terminals")."""
        with db.read() as session:
            return _json(restore.own_entries(session, who.terminal_id, request.after_seq, request.limit))

    @app.get("/v1/status", responses=errors)
    def status(who: Auth) -> dict[str, Any]:
        with db.read() as session:
            head = session.scalar(select(Change.change_id).order_by(Change.change_id.desc()).limit(1)) or 0
        return {"terminal_id": who.terminal_id, "cursor_head": head}

    return app


def app_from_env() -> FastAPI:
    """The app of one `kupa-hq serve --workers N` worker: its database from `KUPA_HQ_DB`, migrated already by
    the parent (workers never race to migrate), its body limit from `KUPA_HQ_MAX_BODY` if set."""
    import os

    return create_app(db_url_from(None), migrate_schema=False,
                      max_body=int(os.environ.get("KUPA_HQ_MAX_BODY") or MAX_BODY))
