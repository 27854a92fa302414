"""Structured logs: one JSON object a line, carrying the request, thread and turn they belong to.

The ids live in context variables, so whatever logs inside a request (a route, the runner on
its worker thread, a library) is tagged without being handed them: the API's middleware binds
the request id, routes bind the thread and turn once they know them (`bind`). Context variables
follow `anyio.to_thread` and asyncio tasks, so the ids cross into the thread pool.

`configure()` is called once by `ringmaster serve` (and may be by anyone embedding ringmaster);
importing this module changes no logging configuration. Its handler hides secrets
(`SecretFilter`): the values it is given (the audit key, API keys, passwords), and whatever
tools/redaction.py, the list the rest of the product redacts requests with, finds: a URL's
password, a bearer token, an API token, `password=…`-style pairs, "my password is …".
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any, Literal

from opentelemetry import trace

from ringmaster.tools.redaction import REDACTED
from ringmaster.tools.redaction import redact as redact_secrets

request_id: ContextVar[str | None] = ContextVar("ringmaster_request_id", default=None)
thread_id: ContextVar[str | None] = ContextVar("ringmaster_thread_id", default=None)
turn: ContextVar[int | None] = ContextVar("ringmaster_turn", default=None)

_VARS: dict[str, ContextVar[Any]] = {"request_id": request_id, "thread_id": thread_id, "turn": turn}
# LogRecord attributes that are not extras passed by the caller.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}


def context() -> dict[str, Any]:
    """The ids bound now (those that are set)."""
    return {name: var.get() for name, var in _VARS.items() if var.get() is not None}


@contextmanager
def bind(**ids: Any) -> Iterator[None]:
    """Tag the logs inside the block with `request_id`, `thread_id` and/or `turn`."""
    tokens = [(_VARS[name], _VARS[name].set(value)) for name, value in ids.items()]
    try:
        yield
    finally:
        for var, token in reversed(tokens):
            var.reset(token)


class ContextFilter(logging.Filter):
    """Copies the bound ids onto every record (as attributes, for any formatter)."""

    def filter(self, record: logging.LogRecord) -> bool:
        for name, value in context().items():
            if not hasattr(record, name):
                setattr(record, name, value)
        return True


class JsonFormatter(logging.Formatter):
    """A record as one JSON line: time, level, logger, message, the ids, extras, exception."""

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "at": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                out[key] = value
        span = trace.get_current_span().get_span_context()
        if span.is_valid:
            out["trace_id"] = format(span.trace_id, "032x")
            out["span_id"] = format(span.span_id, "016x")
        if record.exc_info:
            out["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:  # already formatted (and redacted) by SecretFilter
            out["exception"] = record.exc_text
        return json.dumps(out, default=str, ensure_ascii=False)


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """`text` with the given secret values hidden, and whatever the product redacts from a
    request (tools/redaction.py, the one list): passwords, keys and tokens, URL passwords,
    Authorization and cookie values, private keys, card numbers."""
    for value in sorted({v for v in secrets if v and len(v) >= 4}, key=len, reverse=True):
        text = text.replace(value, REDACTED)
    return redact_secrets(text)


class SecretFilter(logging.Filter):
    """Hides secrets in a record before any formatter sees it: its message (arguments
    merged in), its string extras and its exception text."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self.secrets = [s for s in secrets if s]

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string: log what was given, hidden all the same
            message = f"{record.msg} {record.args}"
        record.msg, record.args = redact(message, self.secrets), None
        for key, value in list(vars(record).items()):
            if key not in _STANDARD and isinstance(value, str):
                setattr(record, key, redact(value, self.secrets))
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text, self.secrets)
            record.exc_info = None  # formatters print exc_text; the raw one would undo this
        return True


def configure(
    level: str = "info", fmt: Literal["json", "text"] = "json", secrets: Iterable[str] = ()
) -> logging.Handler:
    """Send ringmaster's and the server's logs to stderr, JSON (default) or plain text, with
    `secrets` (and whatever looks like a secret) hidden."""
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(ContextFilter())
    handler.addFilter(SecretFilter(secrets))
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(
            logging.Formatter(
                "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s",
                defaults={"request_id": "-"},
            )
        )
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).handlers = []
        logging.getLogger(name).propagate = True
    return handler
