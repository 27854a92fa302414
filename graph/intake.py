"""Checks a request before anything about it is stored."""

from __future__ import annotations

from ringmaster.graph.errors import RequestError

MAX_REQUEST_CHARS = 8_000


def validate_request(text: object, *, max_chars: int = MAX_REQUEST_CHARS) -> str:
    """Return the request as clean text, or raise RequestError saying what is wrong."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise RequestError(f"the request is not valid UTF-8 (byte {exc.start})") from None
    if not isinstance(text, str):
        raise RequestError(f"the request must be text, not {type(text).__name__}")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise RequestError("the request contains characters that are not valid text") from None
    if "\x00" in text:
        raise RequestError("the request contains a NUL character")
    cleaned = text.strip()
    if not cleaned:
        raise RequestError("the request is empty")
    if len(cleaned) > max_chars:
        raise RequestError(
            f"the request is {len(cleaned):,} characters; the limit is {max_chars:,}"
        )
    return cleaned
