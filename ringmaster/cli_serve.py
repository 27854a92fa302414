"""`ringmaster serve`: the HTTP API and the web review queue under uvicorn, and a worker
running queued work in each process (unless `--no-worker`).

Start-up runs nothing inline: it re-queues what a crash left without a job. Any number of
these processes (and of `ringmaster worker`) can share one Postgres (`RINGMASTER_DB_URL`):
checkpoints, run queue, review queue, accounts and audit are all there.
"""

from __future__ import annotations

from typing import Annotated, get_args

import click
import typer

from ringmaster.settings import Settings

# As RINGMASTER_LOG_LEVEL takes them: uvicorn's own set-up raised KeyError for another.
LOG_LEVELS = get_args(Settings.model_fields["log_level"].annotation)


def serve(
    host: Annotated[
        str | None, typer.Option(help="Address to listen on (default RINGMASTER_API_HOST).")
    ] = None,
    port: Annotated[
        int | None,
        typer.Option(
            min=0,
            max=65535,
            help="Port (default RINGMASTER_API_PORT); 0: a free one, named in the start-up "
            "log line (at --log-level info).",
        ),
    ] = None,
    workers: Annotated[int, typer.Option(min=1, max=64, help="Worker processes.")] = 1,
    log_level: Annotated[
        str | None,
        typer.Option(
            help="Log level (default RINGMASTER_LOG_LEVEL).", click_type=click.Choice(LOG_LEVELS)
        ),
    ] = None,
    no_worker: Annotated[
        bool, typer.Option("--no-worker", help="Run no worker here (run `ringmaster worker`).")
    ] = False,
    json_mode: Annotated[
        bool,
        typer.Option(
            "--json",
            help="Logs as JSON lines whatever RINGMASTER_LOG_FORMAT, and an error before start-up "
            "as one JSON object.",
        ),
    ] = False,
) -> None:
    """Serve the HTTP API and the web review queue (/ui), with a worker."""
    import os

    import uvicorn

    if no_worker:  # the app reads it from the environment in every uvicorn process
        os.environ["RINGMASTER_SERVE_WORKER"] = "false"
    settings = Settings()
    host = host or settings.api_host
    port = settings.api_port if port is None else port
    _check_can_listen(host, port)
    # A set-up the app cannot start with (a team the default install has no planner model for,
    # a planner without its model) is one line here, not a traceback from uvicorn's start-up.
    from ringmaster.cli_output import cli_runner

    with cli_runner() as runner:
        _ = runner.deps
    # As --no-worker, read by every uvicorn process's app; set once the checks have passed. (An
    # error before here is a JSON object through the CLI's handling of --json, as for every
    # command.)
    if json_mode:
        os.environ["RINGMASTER_LOG_FORMAT"] = "json"
    uvicorn.run(
        "ringmaster.api.app:app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level=log_level or settings.log_level,
        log_config=None,  # each worker's app configures logging (RINGMASTER_LOG_FORMAT)
        proxy_headers=False,
    )


def _check_can_listen(host: str, port: int) -> None:
    """One line before anything starts for an address that cannot be listened on (a port in
    use, a host that is no address here), instead of uvicorn's log lines and exit 3. Bound as
    uvicorn binds (SO_REUSEADDR), so a port in TIME_WAIT is not taken for one in use."""
    import socket

    from ringmaster.errors import ConfigError

    # Port 0 is bound too (the system picks a free one), so the host is checked all the same.
    where = f"{host}:{port}"
    hint = "" if port == 0 else " (another `ringmaster serve`? --port 0 picks a free port)"
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind(address)
    except OSError as exc:  # socket.gaierror is one
        raise ConfigError(f"cannot listen on {where}: {exc.strerror or exc}{hint}") from None


def main() -> None:
    """`python -m ringmaster.cli_serve …` (`make serve`) is `ringmaster serve …`, through the
    CLI's own entry point: one line and exit 2 for a mistake, never a traceback."""
    import sys

    from ringmaster.cli import main as cli_main

    cli_main(["serve", *sys.argv[1:]])


if __name__ == "__main__":
    main()
