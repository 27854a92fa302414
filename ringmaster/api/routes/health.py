"""Health checks, the only routes without a token: liveness and readiness."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import text

from ringmaster.api.deps import StateDep
from ringmaster.api.schemas import Health, Ready

router = APIRouter(tags=["health"])


@router.get("/healthz", operation_id="healthz", response_model=Health)
def healthz() -> Health:
    """The process is up."""
    return Health()


@router.get(
    "/readyz", operation_id="readyz", response_model=Ready, responses={503: {"model": Ready}}
)
def readyz(state: StateDep) -> JSONResponse:
    """Ready to serve: start-up recovery is done and the database answers."""
    checks = {"recovery": "done" if state.ready else "running"}
    try:
        with state.runner.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as exc:  # any driver error means "not ready", never a 500
        checks["database"] = f"error: {type(exc).__name__}"
    ok = all(v in ("ok", "done") for v in checks.values())
    body = Ready(status="ready" if ok else "not ready", checks=checks)
    return JSONResponse(body.model_dump(), status_code=200 if ok else 503)
