"""ASGI middleware of the API: the request's context (id, logs, headers) and the body limit.

RequestContext is the outermost of ours: it takes the caller's `X-Request-ID` (when short and
plain) or makes one, binds it for the logs (`ringmaster.logs`), answers with it, adds the
security headers to every answer (JSON, HTML, events, errors alike), and logs one line per
request with its status and duration.
"""

from __future__ import annotations

import json
import logging
import time
import uuid

from opentelemetry import trace
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ringmaster import logs
from ringmaster.api.errors import PROBLEM_JSON, instance, problem
from ringmaster.api.headers import REQUEST_ID, SCOPE_KEY, SECURITY, VALID_REQUEST_ID
from ringmaster.api.schemas import ErrorCode

log = logging.getLogger("ringmaster.api.access")


class RequestContext:
    """Request id in and out, security headers on every answer, one access-log line."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = dict(scope["headers"]).get(REQUEST_ID.lower().encode(), b"").decode("latin-1")
        request_id = given if VALID_REQUEST_ID.fullmatch(given) else uuid.uuid4().hex
        scope[SCOPE_KEY] = request_id  # for answers made outside this middleware (a 500)
        trace.get_current_span().set_attribute("ringmaster.request_id", request_id)
        started = time.perf_counter()
        status = 500

        async def with_headers(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = MutableHeaders(scope=message)
                headers[REQUEST_ID] = request_id
                for name, value in SECURITY.items():
                    if name not in headers:
                        headers[name] = value
            await send(message)

        with logs.bind(request_id=request_id):
            try:
                await self.app(scope, receive, with_headers)
            finally:
                log.info(
                    "%s %s %s",
                    scope["method"],
                    scope["path"],
                    status,
                    extra={
                        "method": scope["method"],
                        "path": scope["path"],
                        "status": status,
                        "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                    },
                )


class _TooLarge(Exception):
    pass


class BodyLimit:
    """Answers 413 to a body over `max_bytes`, declared or streamed, before a route reads it."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def _refuse(self, scope: Scope, send: Send) -> None:
        body = problem(
            413,
            ErrorCode.body_too_large,
            f"the body is over the {self.max_bytes:,}-byte limit",
            instance(scope),
        )
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [(b"content-type", PROBLEM_JSON.encode())],
            }
        )
        await send({"type": "http.response.body", "body": json.dumps(body).encode()})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > self.max_bytes):
            await self._refuse(scope, send)
            return
        seen = 0
        started = too_large = False

        async def limited() -> Message:
            nonlocal seen, too_large
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    too_large = True
                    raise _TooLarge
            return message

        async def tracking(message: Message) -> None:
            nonlocal started
            if too_large:  # the route's answer to a body cut short (FastAPI: a 400) is dropped
                return
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited, tracking)
        except _TooLarge:
            pass
        if too_large and not started:
            await self._refuse(scope, send)
