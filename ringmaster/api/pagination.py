"""Cursor pagination: every list answer is a `Page` with `next_cursor`.

A cursor is the sort key of the last row of a page (keyset pagination), so a page starts right
after the row the caller last saw, whatever was added or decided since; offsets would skip or
repeat rows as the queue changes. It is opaque to callers: URL-safe base64 of a small JSON
list naming the list it belongs to. A cursor that does not decode, or belongs to another
list, is a 422 `invalid_input`.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Annotated, Any

from fastapi import Query

from ringmaster.api.errors import ApiError
from ringmaster.api.schemas import ErrorCode

Cursor = Annotated[
    str | None,
    Query(
        max_length=512,
        description="The `next_cursor` of the previous page; omit it for the first page.",
    ),
]


def encode(kind: str, *key: Any) -> str:
    raw = json.dumps([kind, *key], default=str, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(kind: str, cursor: str, size: int) -> list[Any]:
    """The key in `cursor` (of `size` parts), or a 422 if it is not one of this list's."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        value = json.loads(raw)
    except (binascii.Error, ValueError):
        value = None
    if not isinstance(value, list) or len(value) != size + 1 or value[0] != kind:
        raise ApiError(
            422,
            "cursor: not a cursor of this list (pass next_cursor back)",
            ErrorCode.invalid_input,
        )
    return value[1:]
