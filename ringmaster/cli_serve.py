"""`ringmaster serve`: the HTTP API and the web review queue under uvicorn.

Start-up resumes every decided-but-not-resumed review. Any number of these processes can share
one Postgres (`RINGMASTER_DB_URL`): checkpoints, queue, accounts and audit are all there.
"""

from __future__ import annotations

from typing import Annotated

import typer

from ringmaster.settings import Settings


def serve(
    host: Annotated[
        str | None, typer.Option(help="Address to listen on (default RINGMASTER_API_HOST).")
    ] = None,
    port: Annotated[
        int | None, typer.Option(min=1, max=65535, help="Port (default RINGMASTER_API_PORT).")
    ] = None,
    workers: Annotated[int, typer.Option(min=1, max=64, help="Worker processes.")] = 1,
    log_level: Annotated[
        str | None, typer.Option(help="Log level (default RINGMASTER_LOG_LEVEL).")
    ] = None,
) -> None:
    """Serve the HTTP API and the web review queue (/ui)."""
    import uvicorn

    settings = Settings()
    uvicorn.run(
        "ringmaster.api.app:app_from_env",
        factory=True,
        host=host or settings.api_host,
        port=port or settings.api_port,
        workers=workers,
        log_level=log_level or settings.log_level,
        log_config=None,  # each worker's app configures logging (RINGMASTER_LOG_FORMAT)
        proxy_headers=False,
    )


def main() -> None:
    typer.run(serve)


if __name__ == "__main__":
    main()
