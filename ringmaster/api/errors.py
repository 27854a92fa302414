"""Errors as HTTP answers: every one a JSON body `{"detail": "...", "errors": [...]?}`.

RingmasterError → 400, NotFound → 404, Conflict (AlreadyDecided, ThreadBusy) → 409,
InvalidDecision and RequestError (bad request text) → 422, RateLimited → 429,
pydantic validation → 422 with a one-line summary and the individual errors.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from ringmaster.api.schemas import ErrorBody
from ringmaster.errors import Conflict, InvalidDecision, NotFound, RingmasterError
from ringmaster.graph.errors import GraphError, RequestError


class RateLimited(RingmasterError):
    """Too many requests or decisions for one token."""

    def __init__(self, message: str, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = retry_after


DESCRIPTIONS = {
    400: "The request cannot be carried out as asked",
    401: "No valid token (send `Authorization: Bearer TOKEN`)",
    403: "The token's user may not do this",
    404: "No such thread, review item or user visible to you",
    409: "It changed under you: already decided, or the thread is busy",
    413: "The body is larger than the limit",
    422: "The body or parameters are not valid",
    429: "Too many requests for this token; retry after `Retry-After` seconds",
}


def doc(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` for the error codes a route can answer with."""
    return {code: {"model": ErrorBody, "description": DESCRIPTIONS[code]} for code in codes}


def status_for(exc: Exception) -> int:
    """The HTTP status of a RingmasterError or GraphError (also the web pages' status)."""
    if isinstance(exc, NotFound):
        return 404
    if isinstance(exc, Conflict):
        return 409
    if isinstance(exc, InvalidDecision | RequestError):
        return 422
    if isinstance(exc, RateLimited):
        return 429
    return 400


def _body(detail: str, errors: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return ErrorBody(detail=detail, errors=errors).model_dump(exclude_none=True)


def _location(loc: Any) -> str:
    parts = [str(p) for p in loc if p not in ("body",)]
    return ".".join(parts) or "body"


def install(app: FastAPI) -> None:
    """Register the handlers that turn errors into 4xx answers."""

    async def user_error(request: Request, exc: Exception) -> JSONResponse:
        status = status_for(exc)
        headers = {}
        if isinstance(exc, RateLimited):
            headers["Retry-After"] = str(max(1, round(exc.retry_after)))
        return JSONResponse(_body(str(exc)), status_code=status, headers=headers)

    async def invalid(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        errors = [
            {
                "loc": [str(p) for p in e.get("loc", ())],
                "msg": str(e.get("msg", "")),
                "type": str(e.get("type", "")),
            }
            for e in exc.errors()
        ]
        first = errors[0] if errors else {"loc": [], "msg": "invalid input"}
        summary = f"{_location(first['loc'])}: {first['msg']}"
        if len(errors) > 1:
            summary += f" (and {len(errors) - 1} more)"
        return JSONResponse(_body(summary, errors), status_code=422)

    async def http_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        detail = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
        return JSONResponse(
            _body(detail), status_code=exc.status_code, headers=getattr(exc, "headers", None)
        )

    app.add_exception_handler(RingmasterError, user_error)
    app.add_exception_handler(GraphError, user_error)
    app.add_exception_handler(RequestValidationError, invalid)
    app.add_exception_handler(StarletteHTTPException, http_error)
