"""A local webhook server for delivery tests: scripted statuses, redirects, held requests."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class Hook:
    """A local webhook: answers the scripted statuses in turn, then 200; records every body.

    `redirect_to` answers every request with a redirect there. `held` keeps each request until
    the test sets `release` (`entered` is set when one arrives)."""

    def __init__(
        self, statuses: list[int], redirect_to: str | None = None, *, held: bool = False
    ) -> None:
        self.statuses = list(statuses)
        self.redirect_to = redirect_to
        self.requests: list[tuple[int, dict[str, str], bytes]] = []
        self.entered, self.release = threading.Event(), threading.Event()
        if not held:
            self.release.set()
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                body = self.rfile.read(int(self.headers["Content-Length"]))
                hook.entered.set()
                hook.release.wait(120)  # a guard: a held test releases it when it is ready
                if hook.redirect_to:
                    hook.requests.append((307, dict(self.headers), body))
                    self.send_response(307)
                    self.send_header("Location", hook.redirect_to)
                    self.end_headers()
                    return
                status = hook.statuses.pop(0) if hook.statuses else 200
                hook.requests.append((status, dict(self.headers), body))
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Hook:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()

    @property
    def delivered(self) -> list[bytes]:
        return [body for status, _, body in self.requests if status == 200]
