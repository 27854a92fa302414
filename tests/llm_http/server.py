"""A scripted OpenAI-compatible server on 127.0.0.1 for tests that drive the real ChatOpenAI.

Each POST to /v1/chat/completions takes the next `Reply` from the script; every request body
and its arrival time are kept, so tests assert on what was sent and when. Only loopback.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Reply:
    """One scripted answer: a status, headers, a body, and an optional delay before it, or
    an event it is held for (so a client's timeout expires whatever the machine's load)."""

    body: Any
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    hold: threading.Event | None = None


def completion(
    content: str | None = None,
    tool_calls: list[dict[str, Any]] | None = None,
    prompt_tokens: int = 100,
    completion_tokens: int = 20,
) -> Reply:
    """A chat completion with text content or tool calls, and usage."""
    message: dict[str, Any] = {"role": "assistant", "content": content}
    if tool_calls:
        message["tool_calls"] = [
            {
                "id": f"call_{i}",
                "type": "function",
                "function": {"name": c["name"], "arguments": json.dumps(c["args"])},
            }
            for i, c in enumerate(tool_calls)
        ]
    return Reply(
        {
            "id": "chatcmpl-test",
            "object": "chat.completion",
            "created": 0,
            "model": "scripted",
            "choices": [
                {
                    "index": 0,
                    "message": message,
                    "finish_reason": "tool_calls" if tool_calls else "stop",
                }
            ],
            "usage": {
                "prompt_tokens": prompt_tokens,
                "completion_tokens": completion_tokens,
                "total_tokens": prompt_tokens + completion_tokens,
            },
        }
    )


def rate_limited(retry_after: str = "0.2") -> Reply:
    return Reply(
        {"error": {"message": "rate limited", "type": "rate_limit_exceeded"}},
        status=429,
        headers={"Retry-After": retry_after},
    )


def plan_json(*subtasks: dict[str, Any]) -> str:
    """The planner's answer in its compact schema; `depends_on: ["t1"]` becomes `after: [1]`."""
    return json.dumps(
        {
            "parts": [
                {
                    "task": s["description"],
                    "agent": s.get("agent"),
                    "conf": s.get("confidence", 0.9),
                    "why": "scripted",
                    "after": [int(d.removeprefix("t")) for d in s.get("depends_on", [])],
                }
                for s in subtasks
            ]
        }
    )


class ScriptedServer:
    """The server's script and what it received."""

    def __init__(self) -> None:
        self.script: list[Reply] = []
        self.requests: list[dict[str, Any]] = []
        self.times: list[float] = []
        self.url = ""
        # When set, answers every request from its body (for concurrent clients).
        self.responder: Callable[[dict[str, Any]], Reply] | None = None
        self._lock = threading.Lock()

    def next_reply(self, body: dict[str, Any]) -> Reply:
        with self._lock:
            self.requests.append(body)
            self.times.append(time.monotonic())
            if self.responder is not None:
                return self.responder(body)
            if not self.script:
                return Reply({"error": {"message": "script exhausted"}}, status=400)
            return self.script.pop(0)


def _handler(server: ScriptedServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:  # keep test output clean
            pass

        def do_POST(self) -> None:
            length = int(self.headers.get("content-length", 0))
            body = json.loads(self.rfile.read(length) or b"{}")
            reply = server.next_reply(body)
            if reply.delay:
                time.sleep(reply.delay)  # the server is slow: the client's timeout is tested
            if reply.hold is not None:
                reply.hold.wait(60)  # a guard: the test releases it once the client gave up
            data = reply.body if isinstance(reply.body, bytes) else json.dumps(reply.body).encode()
            try:
                self.send_response(reply.status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                for k, v in reply.headers.items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (timeout)

    return Handler


@contextmanager
def serve() -> Iterator[ScriptedServer]:
    scripted = ScriptedServer()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(scripted))
    httpd.daemon_threads = True
    scripted.url = f"http://127.0.0.1:{httpd.server_address[1]}/v1"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield scripted
    finally:
        httpd.shutdown()
        httpd.server_close()
