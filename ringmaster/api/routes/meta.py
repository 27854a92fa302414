"""Who am I, and the OpenAPI document (behind a token like everything else)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from ringmaster.api.deps import AnyUser
from ringmaster.api.errors import doc
from ringmaster.api.schemas import UserOut

router = APIRouter(tags=["meta"])


@router.get("/me", operation_id="get_me", response_model=UserOut, responses=doc(401))
def me(caller: AnyUser) -> UserOut:
    """The token's user."""
    u = caller.user
    return UserOut.model_validate(
        {"name": u.name, "role": u.role, "scopes": u.scopes, "priority": u.priority}
    )


@router.get("/openapi.json", include_in_schema=False)
def openapi(request: Request, caller: AnyUser) -> dict[str, Any]:
    """This API's OpenAPI document."""
    return request.app.openapi()  # type: ignore[no-any-return]
