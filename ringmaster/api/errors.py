"""Errors as HTTP answers: every one an RFC 9457 problem (`application/problem+json`).

RingmasterError     → 400 bad_request
├── NotFound        → 404 not_found
├── Conflict        → 409 conflict
│   ├── AlreadyDecided → 409 already_decided
│   └── ThreadBusy     → 409 thread_busy
│       └── ThreadQuarantined → 409 thread_quarantined
├── InvalidDecision → 422 invalid_decision
├── RateLimited     → 429 rate_limited (with Retry-After)
GraphError          → 400 bad_request; RequestError (bad request text) → 422 invalid_request
ApiError            → its own status and code (a route's refusal: 401, 403, own_item …)
HTTPException       → its status, the code of that status
pydantic validation → 422 invalid_input, a one-line summary and each field in `errors`;
                      a body that is no JSON at all → 400 invalid_json, what is wrong and where;
                      a body sent as another media type (a form, text) to an endpoint that
                      takes JSON → 415 unsupported_media_type, saying it takes JSON
anything else       → 500 internal_error: generic text and the request id; the exception is
                      logged under that id and never reaches the caller
"""

from __future__ import annotations

import json
import logging
import uuid
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.params import Form
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from ringmaster import logs
from ringmaster.api.headers import SCOPE_KEY, response_headers
from ringmaster.api.ratelimit import RateLimited
from ringmaster.api.schemas import ErrorCode, FieldProblem, Problem
from ringmaster.errors import (
    AlreadyDecided,
    Conflict,
    InvalidDecision,
    NotFound,
    RingmasterError,
    ThreadBusy,
    ThreadQuarantined,
)
from ringmaster.graph.errors import GraphError, RequestError

log = logging.getLogger(__name__)
__all__ = ["ApiError", "RateLimited", "doc", "install", "problem", "status_for"]

PROBLEM_JSON = "application/problem+json"
TYPE_BASE = "urn:ringmaster:problem:"


class ApiError(HTTPException):
    """A route's refusal with its own stable code (e.g. 403 own_item)."""

    def __init__(
        self,
        status_code: int,
        detail: str,
        code: ErrorCode | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(status_code, detail, headers)
        self.code = code or code_for_status(status_code)


DESCRIPTIONS = {
    400: "The request cannot be carried out as asked, or its body is not valid JSON "
    "(`invalid_json`: what is wrong and where)",
    401: "No valid token (send `Authorization: Bearer TOKEN`)",
    403: "The token's user may not do this",
    404: "No such thread, review item or user visible to you",
    409: "It changed under you: `already_decided`, `thread_busy` or `thread_quarantined`",
    413: "The body is larger than the limit",
    415: "The body is not sent as JSON (`Content-Type: application/json`)",
    422: "The body or parameters are not valid",
    429: "Too many requests for this token; retry after `Retry-After` seconds",
    500: "An internal error; quote the request id",
}

TITLES = {
    ErrorCode.bad_request: "Bad request",
    ErrorCode.invalid_json: "The body is not valid JSON",
    ErrorCode.invalid_input: "Invalid body or parameters",
    ErrorCode.invalid_request: "The request cannot be taken",
    ErrorCode.invalid_decision: "The decision does not fit the item",
    ErrorCode.unauthenticated: "No valid token",
    ErrorCode.forbidden: "Not allowed",
    ErrorCode.own_item: "You cannot review your own request",
    ErrorCode.not_found: "Not found",
    ErrorCode.method_not_allowed: "Method not allowed",
    ErrorCode.conflict: "Conflict",
    ErrorCode.already_decided: "Already decided",
    ErrorCode.thread_busy: "The thread is busy",
    ErrorCode.thread_quarantined: "The thread's last run failed; decide its failure item",
    ErrorCode.body_too_large: "The body is too large",
    ErrorCode.unsupported_media_type: "Unsupported media type",
    ErrorCode.rate_limited: "Too many requests",
    ErrorCode.internal_error: "Internal error",
    ErrorCode.unavailable: "Unavailable",
}

_BY_STATUS = {
    401: ErrorCode.unauthenticated,
    403: ErrorCode.forbidden,
    404: ErrorCode.not_found,
    405: ErrorCode.method_not_allowed,
    409: ErrorCode.conflict,
    413: ErrorCode.body_too_large,
    415: ErrorCode.unsupported_media_type,
    422: ErrorCode.invalid_input,
    429: ErrorCode.rate_limited,
    503: ErrorCode.unavailable,
}


def code_for_status(status: int) -> ErrorCode:
    if status >= 500:
        return _BY_STATUS.get(status, ErrorCode.internal_error)
    return _BY_STATUS.get(status, ErrorCode.bad_request)


def doc(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` for the error statuses a route can answer with (500 always)."""
    return {
        code: {
            "model": Problem,
            "description": DESCRIPTIONS[code],
            "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
        for code in sorted({*codes, 500})
    }


def classify(exc: Exception) -> tuple[int, ErrorCode]:
    """The HTTP status and code of a RingmasterError or GraphError."""
    if isinstance(exc, NotFound):
        return 404, ErrorCode.not_found
    if isinstance(exc, AlreadyDecided):
        return 409, ErrorCode.already_decided
    if isinstance(exc, ThreadQuarantined):
        return 409, ErrorCode.thread_quarantined
    if isinstance(exc, ThreadBusy):
        return 409, ErrorCode.thread_busy
    if isinstance(exc, Conflict):
        return 409, ErrorCode.conflict
    if isinstance(exc, InvalidDecision):
        return 422, ErrorCode.invalid_decision
    if isinstance(exc, RequestError):
        return 422, ErrorCode.invalid_request
    if isinstance(exc, RateLimited):
        return 429, ErrorCode.rate_limited
    return 400, ErrorCode.bad_request


def status_for(exc: Exception) -> int:
    """The HTTP status of a RingmasterError or GraphError (also the web pages' status)."""
    return classify(exc)[0]


def current_request_id(request: Request | None = None) -> str:
    """The id the middleware gave this request (a fresh one outside a request)."""
    given = request.scope.get(SCOPE_KEY) if request is not None else None
    return str(given or logs.request_id.get() or uuid.uuid4().hex)


def problem(
    status: int,
    code: ErrorCode,
    detail: str,
    instance: str,
    errors: list[FieldProblem] | None = None,
    request_id: str | None = None,
) -> dict[str, Any]:
    """A problem body as JSON-ready data."""
    body = Problem(
        type=TYPE_BASE + code.value.replace("_", "-"),
        title=TITLES[code],
        status=status,
        detail=detail,
        instance=instance,
        code=code,
        request_id=request_id or current_request_id(),
        errors=errors,
    )
    return body.model_dump(mode="json", exclude_none=True)


def problem_response(
    request: Request,
    status: int,
    code: ErrorCode,
    detail: str,
    errors: list[FieldProblem] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body = problem(
        status, code, detail, instance(request.scope), errors, current_request_id(request)
    )
    return JSONResponse(body, status_code=status, headers=headers, media_type=PROBLEM_JSON)


def instance(scope: Any) -> str:
    """The request's path as sent (percent-encoded: a URI reference, as RFC 9457 asks)."""
    raw = scope.get("raw_path")
    return raw.decode("latin-1").split("?", 1)[0] if raw else str(scope.get("path", "/"))


def _location(loc: Any) -> str:
    parts = [str(p) for p in loc if p not in ("body",)]
    return ".".join(parts) or "body"


def _json_media(content_type: str | None) -> bool:
    media = (content_type or "").split(";", 1)[0].strip().lower()
    return media == "application/json" or (
        media.startswith("application/") and media.endswith("+json")
    )


def not_json_problem(request: Request, exc: RequestValidationError, body: bytes) -> str | None:
    """What is wrong when an endpoint that takes a JSON body got another media type (curl's
    `-d` sends a form): FastAPI then sees bytes, not an object, and its error ("Input should
    be a valid dictionary") does not say why. None when that is not the case (an empty body
    is told it misses its fields, whatever its media type)."""
    route = request.scope.get("route")
    field = getattr(route, "body_field", None)
    if field is None or isinstance(field.field_info, Form):
        return None  # no body, or a form the endpoint asks for (the web pages)
    content_type = request.headers.get("content-type")
    if (
        not body
        or _json_media(content_type)
        or not any(tuple(e.get("loc", ()))[:1] == ("body",) for e in exc.errors())
    ):
        return None
    media = (content_type or "").split(";", 1)[0].strip()[:80]
    sent = f"it was sent as {media}" if media else "it had no Content-Type"
    return f"this endpoint takes a JSON body: send it with Content-Type: application/json ({sent})"


def json_problem(body: bytes) -> str:
    """What is wrong with a body that is not JSON, and where, in one line."""
    try:
        text = body.decode("utf-8")  # JSON is UTF-8 (RFC 8259)
    except UnicodeDecodeError as exc:
        return f"the body is not valid JSON: it is not UTF-8 text (byte {exc.start})"
    if not text.strip():
        return "the body is empty: send a JSON object"
    try:
        json.loads(text)
    except json.JSONDecodeError as exc:
        return (
            f"the body is not valid JSON: {exc.msg.lower()} at line {exc.lineno}, column "
            f"{exc.colno}"
        )
    except RecursionError:
        return "the body is not valid JSON: nested too deep"
    return "the body is not valid JSON"


def install(app: FastAPI) -> None:
    """Register the handlers that turn every error into a problem answer."""

    async def user_error(request: Request, exc: Exception) -> JSONResponse:
        status, code = classify(exc)
        headers = {}
        if isinstance(exc, RateLimited):
            headers["Retry-After"] = str(max(1, round(exc.retry_after)))
        return problem_response(request, status, code, str(exc), headers=headers)

    async def invalid(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        not_json = not_json_problem(request, exc, await request.body())
        if not_json is not None:
            return problem_response(request, 415, ErrorCode.unsupported_media_type, not_json)
        if any(e.get("type") == "json_invalid" for e in exc.errors()):
            # Not a body that fails its schema but no JSON at all: FastAPI's error is only
            # the parser's character offset ("22: JSON decode error").
            detail = json_problem(await request.body())
            return problem_response(request, 400, ErrorCode.invalid_json, detail)
        errors = [
            FieldProblem(
                loc=[str(p) for p in e.get("loc", ())],
                msg=str(e.get("msg", "")),
                type=str(e.get("type", "")),
            )
            for e in exc.errors()
        ]
        summary = (
            f"{_location(errors[0].loc)}: {errors[0].msg}" if errors else "the input is not valid"
        )
        if len(errors) > 1:
            summary += f" (and {len(errors) - 1} more)"
        return problem_response(request, 422, ErrorCode.invalid_input, summary, errors)

    async def http_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        detail = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
        code = exc.code if isinstance(exc, ApiError) else code_for_status(exc.status_code)
        headers = getattr(exc, "headers", None)
        return problem_response(request, exc.status_code, code, detail, headers=headers)

    async def internal(request: Request, exc: Exception) -> JSONResponse:
        # The cause goes to the log under the request id; the caller gets only the id.
        request_id = current_request_id(request)
        log.error(
            "unhandled error on %s %s",
            request.method,
            request.url.path,
            exc_info=exc,
            extra={"request_id": request_id},
        )
        detail = f"an internal error occurred; quote request id {request_id}"
        # This answer leaves through Starlette's outermost error middleware, past ours: it
        # carries the request id and security headers itself.
        return problem_response(
            request, 500, ErrorCode.internal_error, detail, headers=response_headers(request_id)
        )

    app.add_exception_handler(RingmasterError, user_error)
    app.add_exception_handler(GraphError, user_error)
    app.add_exception_handler(RequestValidationError, invalid)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(Exception, internal)
