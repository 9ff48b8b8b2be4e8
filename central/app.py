"""The central records HTTP service (ASGI, FastAPI), served by ``duty-central serve``.

Nothing from the network is trusted: bodies are size-capped while they stream in, JSON is
parsed strictly (no duplicate keys, no NaN), every object refuses unknown keys, and referral
payloads are validated by the app's own records. Nothing logs a body: errors are logged by
exception type only, and SQL errors carry no parameters (``hide_parameters``). Failed
authentication is logged by client address and count only, and throttled per address
(central.throttle): 429 with Retry-After once a client has failed a few times in a minute.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from typing import Any

from fastapi import Depends, FastAPI, HTTPException, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from sqlalchemy import text
from sqlalchemy.engine import Engine
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from central import service
from central.db import make_engine
from central.service import (
    BatchResult,
    Envelope,
    HeldPage,
    StatusQuery,
    StatusResult,
    SubmissionStatus,
    SubmitBatch,
    VerifyQuery,
    VerifyResult,
)
from central.throttle import FailureThrottle, client_key

log = logging.getLogger("central")

PROTOCOL = 1
MAX_BODY_BYTES = 2 * 1024 * 1024  # a full batch of the largest items is well under this
_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
# Every error central answers carries this marker (``error``), so a device can tell central's
# own refusal (final) from a 4xx made up by a proxy or captive portal in between (transient).
SERVICE = "duty-central"


def error_body(status: int, detail: Any) -> dict[str, Any]:
    return {"detail": detail, "error": {"service": SERVICE, "status": status}}


class _StrictJSONError(ValueError):
    pass


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # dict() in C, and a key count to compare: called for every object of every body, a
    # Python loop over the pairs was a tenth of a worker's CPU under load.
    data = dict(pairs)
    if len(data) != len(pairs):
        seen: set[str] = set()
        for key, _value in pairs:
            if key in seen:
                raise _StrictJSONError(f"duplicate key {key[:40]!r}")
            seen.add(key)
    return data


def _no_constants(name: str) -> Any:
    raise _StrictJSONError(f"{name} is not JSON")


def strict_loads(raw: bytes) -> Any:
    try:
        text_ = raw.decode("utf-8")
        return json.loads(text_, object_pairs_hook=_no_duplicate_keys, parse_constant=_no_constants)
    except UnicodeDecodeError:
        raise HTTPException(400, "body is not UTF-8") from None
    except _StrictJSONError as exc:
        raise HTTPException(400, f"body is not strict JSON: {exc}") from None
    except json.JSONDecodeError as exc:
        raise HTTPException(400, f"body is not JSON ({exc.msg} at {exc.pos})") from None
    except RecursionError:
        raise HTTPException(400, "body is nested too deeply") from None


async def read_json(request: Request, limit: int = MAX_BODY_BYTES) -> Any:
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media != "application/json":
        raise HTTPException(415, "send application/json")
    length = request.headers.get("content-length")
    if length is not None and (not length.isdigit() or int(length) > limit):
        raise HTTPException(413, f"body larger than {limit} bytes")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:  # chunked bodies have no length to check up front
            raise HTTPException(413, f"body larger than {limit} bytes")
    return strict_loads(bytes(body))


def _validated(model: type[Any], data: Any) -> Any:
    try:
        return model.model_validate(data, strict=True)
    except ValidationError as exc:
        # Where and what kind of error, never the input (pydantic's "input" would echo it).
        detail = [{"loc": list(e["loc"]), "type": e["type"]} for e in exc.errors()[:20]]
        raise HTTPException(422, detail) from None


class _NoLeakErrors:
    """Turn any unexpected exception into a bare 503 and log only its type.

    Starlette's own error middleware re-raises to let the server log the traceback, and a
    traceback can quote data; this sits inside it and never lets one through.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as exc:
            log.error(
                "request %s %s failed: %s", scope["method"], scope["path"], type(exc).__name__
            )
            if started:
                raise RuntimeError("response failed after it started") from None
            response = JSONResponse({"detail": "central could not complete the request"}, 503)
            await response(scope, receive, send)


def _openapi_with_body_schemas(app: FastAPI) -> Callable[[], dict[str, Any]]:
    """OpenAPI that also documents the bodies read by hand (strict parsing bypasses FastAPI)."""
    original = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = original()
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        for model in (SubmitBatch, StatusQuery):
            body = model.model_json_schema(ref_template="#/components/schemas/{model}")
            components.update(body.pop("$defs", {}))
            components[model.__name__] = body
        return schema

    return openapi


def _body(model: type[Any]) -> dict[str, Any]:
    return {
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": {"$ref": f"#/components/schemas/{model.__name__}"}}
            },
        }
    }


def create_app(db: str | Engine, *, throttle: FailureThrottle | None = None) -> FastAPI:
    """The app over a database URL (or an engine, for tests)."""
    engine = make_engine(db) if isinstance(db, str) else db
    throttle = throttle if throttle is not None else FailureThrottle()
    app = FastAPI(
        title="duty-central",
        summary="Central records for duty officers' referrals (idempotent per referral)",
        version=str(PROTOCOL),
        docs_url=None,
        redoc_url=None,
    )
    app.state.engine = engine
    app.state.auth_throttle = throttle
    app.add_middleware(_NoLeakErrors)
    app.openapi = _openapi_with_body_schemas(app)  # type: ignore[method-assign]

    @app.exception_handler(RequestValidationError)
    async def validation_error(_request: Request, exc: RequestValidationError) -> JSONResponse:
        detail = [{"loc": list(e["loc"]), "type": e["type"]} for e in exc.errors()[:20]]
        return JSONResponse(error_body(422, detail), 422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_request: Request, exc: StarletteHTTPException) -> Response:
        return JSONResponse(
            error_body(exc.status_code, exc.detail), exc.status_code, headers=exc.headers
        )

    async def device(request: Request) -> int:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        device_id = None
        if scheme.lower() == "bearer" and token:
            device_id = await run_in_threadpool(service.authenticate, engine, token.strip())
        if device_id is not None:
            return device_id  # good tokens are never throttled, whoever shares the address
        address = client_key(request.client.host if request.client else None)
        verdict = throttle.failed(address)
        # The address and how many times, never the token: a near-miss token is a secret too.
        if verdict.retry_after:
            log.warning(
                "authentication failed from %s (%d failures); throttled for %d s",
                address,
                verdict.failures,
                verdict.retry_after,
            )
            raise HTTPException(
                429,
                "too many failed authentications from this address: wait, then check the "
                "device token",
                headers={"Retry-After": str(verdict.retry_after)},
            )
        log.warning("authentication failed from %s (%d failures)", address, verdict.failures)
        raise HTTPException(
            401, "a valid device token is needed", headers={"WWW-Authenticate": "Bearer"}
        )

    @app.get("/health")
    async def health() -> dict[str, Any]:
        """For the app's reachability probe: answers only if the database does."""

        def ping() -> None:
            with engine.connect() as connection:
                connection.execute(text("SELECT 1"))

        await run_in_threadpool(ping)
        return {"status": "ok", "protocol": PROTOCOL}

    @app.post("/referrals/batch", response_model=BatchResult, openapi_extra=_body(SubmitBatch))
    async def submit(request: Request, device_id: int = Depends(device)) -> Response:
        """Store each referral revision once. Per-item results; one bad item fails only itself.

        The same key with the same content answers with the same receipt (resends are safe);
        the same key with other content is refused (409), as is a new revision of a referral
        that was withdrawn or rejected.
        """
        envelope: Envelope = _validated(Envelope, await read_json(request))
        results = await run_in_threadpool(service.submit_batch, engine, device_id, envelope.items)
        # Serialised here: returned as a model, FastAPI would validate every result again
        # against response_model (which still documents the answer) before serialising it.
        body = BatchResult(results=results).model_dump_json()
        return Response(body, media_type="application/json")

    @app.post("/referrals/status", response_model=StatusResult, openapi_extra=_body(StatusQuery))
    async def status(request: Request, device_id: int = Depends(device)) -> StatusResult:
        """Status of this device's submissions; keys it does not own are simply absent."""
        query: StatusQuery = _validated(StatusQuery, await read_json(request))
        keys = [(k.referral_id, k.revision) for k in query.keys]
        found = await run_in_threadpool(service.statuses, engine, device_id, keys)
        return StatusResult(statuses=found)

    @app.post("/referrals/verify", response_model=VerifyResult, openapi_extra=_body(VerifyQuery))
    async def verify(request: Request, _device_id: int = Depends(device)) -> VerifyResult:
        """Does central still hold these acknowledged referrals (key and sha256)? One digest
        per batch of up to 1000 keys; the missing keys only when asked (``list_missing``)."""
        query: VerifyQuery = _validated(VerifyQuery, await read_json(request))
        return await run_in_threadpool(service.verify_held, engine, query)

    @app.get("/referrals", response_model=HeldPage)
    async def held(
        device_id: int = Depends(device),
        after: str = Query("", max_length=64, pattern=r"^[A-Za-z0-9_-]{0,64}$"),
        limit: int = Query(1000, ge=0, le=5000),
    ) -> HeldPage:
        """This device's referrals central holds (latest revision and receipt each, no
        content), a page at a time: how a laptop notices an outbox that forgot some."""
        return await run_in_threadpool(
            service.held_referrals, engine, device_id, after=after, limit=limit
        )

    @app.get("/referrals/{referral_id}", response_model=list[SubmissionStatus])
    async def history(referral_id: str, device_id: int = Depends(device)) -> Any:
        """Every revision of one of this device's referrals (404 for anything else)."""
        if not _ID.fullmatch(referral_id):
            raise HTTPException(404, "no such referral")
        found = await run_in_threadpool(service.referral_history, engine, device_id, referral_id)
        if not found:
            raise HTTPException(404, "no such referral")
        return found

    @app.get("/providers")
    async def providers(request: Request, _device_id: int = Depends(device)) -> Response:
        """The provider directory (providers format). Honours If-None-Match with its ETag."""
        body, etag = await run_in_threadpool(service.providers_document, engine)
        headers = {"ETag": etag, "Cache-Control": "no-cache"}
        if request.headers.get("if-none-match") == etag:
            return Response(status_code=304, headers=headers)
        return Response(body, media_type="application/json", headers=headers)

    return app
