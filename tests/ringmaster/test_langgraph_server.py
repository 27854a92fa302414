"""The project's graph under `langgraph dev`, driven as LangGraph's own clients drive it.

One in-memory LangGraph Server (langgraph-cli[inmem], the dev extra) is started with the
project's langgraph.json on a loopback port it picks as it binds (port 0; its start-up log
names it), and `langgraph_sdk` talks to it the way Studio, Agent Chat UI and Agent Inbox do:
requests on a thread, chat messages, and review answers sent without interrupt ids in Agent
Inbox's shapes.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from tenacity import Retrying, retry_if_exception_type, stop_after_delay, wait_fixed

from benchmarks.scale_out import listening_url

pytest.importorskip("langgraph_api", reason="langgraph-cli[inmem] is not installed")
from langgraph_sdk import get_sync_client  # noqa: E402
from langgraph_sdk.client import SyncLangGraphClient  # noqa: E402

# One worker starts the module's `langgraph dev` server once under `-n`.
pytestmark = pytest.mark.xdist_group("langgraph_server")

ROOT = Path(__file__).resolve().parents[2]
GRAPH = "ringmaster"
SCOPES = ["analytics", "billing", "content", "legal", "ops", "support"]
DEMO = (
    "Refund invoice INV-1004 in full, the customer cancelled, and roll back the api "
    "deployment in production, then draft a status update about the rollback."
)


class ServerDown(Exception):
    """The server is not answering its health check yet."""


def _config_in(directory: Path) -> Path:
    """The project's langgraph.json, its relative paths made absolute, in `directory`.

    The server keeps its files in its working directory, so it runs in a temporary one and
    leaves nothing in the checkout.
    """
    config = json.loads((ROOT / "langgraph.json").read_text())
    config["dependencies"] = [str((ROOT / d).resolve()) for d in config["dependencies"]]
    config["graphs"] = {
        name: str((ROOT / spec.partition(":")[0]).resolve()) + ":" + spec.partition(":")[2]
        for name, spec in config["graphs"].items()
    }
    path = directory / "langgraph.json"
    path.write_text(json.dumps(config))
    return path


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    work = tmp_path_factory.mktemp("langgraph-dev")
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),  # this checkout's code, whatever is installed
        "RINGMASTER_HOME": str(work / "home"),
        "LANGGRAPH_DISABLE_FILE_PERSISTENCE": "true",
        "LANGSMITH_TRACING": "false",
    }
    env.pop("RINGMASTER_TEAM_FILE", None)
    env.pop("RINGMASTER_DATABASE_URL", None)
    log_path = work / "server.log"
    log = log_path.open("w")
    cli = Path(sys.executable).with_name("langgraph")  # the CLI installed next to this Python
    if not cli.is_file():
        pytest.skip("the langgraph CLI is not installed next to this Python")
    # Port 0: uvicorn binds a port the system picks, so no other process (another xdist
    # worker's server) can take it between choosing and binding, and logs it at INFO
    # ("Uvicorn running on http://127.0.0.1:PORT"). The banner's URL then says port 0.
    proc = subprocess.Popen(
        [str(cli), "dev", "--config", str(_config_in(work)), "--host", "127.0.0.1"]
        + ["--port", "0", "--server-log-level", "INFO", "--no-browser", "--no-reload"],
        cwd=work,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group, stopped as one at the end
    )
    url = ""

    def healthy() -> None:
        nonlocal url
        if proc.poll() is not None:
            raise RuntimeError(f"langgraph dev exited: {log_path.read_text()}")
        url = url or listening_url(log_path.read_text()) or ""
        if not url:
            raise ServerDown("not listening yet")
        try:
            httpx.get(f"{url}/ok", timeout=2).raise_for_status()
        except httpx.HTTPError as exc:
            raise ServerDown(str(exc)) from exc

    try:
        for attempt in Retrying(
            stop=stop_after_delay(120),
            wait=wait_fixed(0.25),
            retry=retry_if_exception_type(ServerDown),
            reraise=True,
        ):
            with attempt:
                healthy()
        yield url
    finally:
        _stop(proc)
        log.close()


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """Stop the server and whatever it started (its process group)."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            break
        try:
            proc.wait(timeout=30)
            break
        except subprocess.TimeoutExpired:
            continue
    proc.wait()


@pytest.fixture
def client(server: str) -> SyncLangGraphClient:
    return get_sync_client(url=server)


def _run(client: SyncLangGraphClient, thread: str, **kw: Any) -> dict[str, Any]:
    result: dict[str, Any] = client.runs.wait(thread, GRAPH, raise_error=False, **kw)  # type: ignore[assignment]
    return result


def _pending(client: SyncLangGraphClient, thread: str) -> list[dict[str, Any]]:
    interrupts: dict[str, Any] = client.threads.get(thread)["interrupts"] or {}
    return [i for found in interrupts.values() for i in found]


def _values(client: SyncLangGraphClient, thread: str) -> dict[str, Any]:
    values: dict[str, Any] = client.threads.get_state(thread)["values"]  # type: ignore[assignment]
    return values


def test_studio_gets_the_state_schemas(client: SyncLangGraphClient) -> None:
    (assistant,) = client.assistants.search(graph_id=GRAPH)
    schemas = client.assistants.get_schemas(assistant["assistant_id"])
    for key in ("input_schema", "output_schema"):
        schema = schemas[key]  # type: ignore[literal-required]
        assert schema is not None, key
        assert {"request", "messages", "results", "answer"} <= set(schema["properties"])


def test_the_second_turn_returns_its_own_results(client: SyncLangGraphClient) -> None:
    thread = client.threads.create()["thread_id"]
    requester = {"id": "ana", "scopes": SCOPES}
    first = _run(client, thread, input={"request": "show invoice INV-1200", "requester": requester})
    assert first["turn"] == 1 and first["answer"]
    second = _run(
        client,
        thread,
        input={"request": "what is the status of ticket T-1001?", "requester": requester},
    )
    assert second["turn"] == 2
    assert second["request"] == "what is the status of ticket T-1001?"
    # Only this turn's subtasks, and an answer about them, not the first turn's.
    assert set(second["results"]) == {s["id"] for s in second["plan"]["subtasks"]}
    descriptions = [r["description"] for r in second["results"].values()]
    assert all("INV-1200" not in d for d in descriptions)
    assert second["answer"] != first["answer"]
    assert "INV-1200" not in second["answer"]
    # The transcript: each turn's request and answer, in order.
    assert [(m["type"], m["content"]) for m in second["messages"]] == [
        ("human", "show invoice INV-1200"),
        ("ai", first["answer"]),
        ("human", "what is the status of ticket T-1001?"),
        ("ai", second["answer"]),
    ]
    assert [h["turn"] for h in second["history"]] == [1, 2]


def test_a_chat_client_sends_messages_and_gets_an_ai_message(
    client: SyncLangGraphClient,
) -> None:
    thread = client.threads.create()["thread_id"]
    chat = [{"type": "human", "content": [{"type": "text", "text": "show invoice INV-1200"}]}]
    out = _run(
        client,
        thread,
        input={"messages": chat, "requester": {"id": "chat", "scopes": SCOPES}},
    )
    assert out["request"] == "show invoice INV-1200"
    assert [m["type"] for m in out["messages"]] == ["human", "ai"]
    assert out["messages"][-1]["content"] == out["answer"]
    assert all(r["status"] in ("done", "answered") for r in out["results"].values())


def test_two_reviews_answered_agent_inbox_style(client: SyncLangGraphClient) -> None:
    thread = client.threads.create()["thread_id"]
    _run(client, thread, input={"request": DEMO, "requester": {"id": "ana", "scopes": SCOPES}})
    seen = []
    answers = iter(
        [
            # Agent Inbox's "accept" (sent as approve, with the action it showed as args)...
            lambda req: {"type": "approve", "args": {"action": req["name"], "args": req["args"]}},
            # ...and its "response", which it sends for HITL interrupts as a rejection.
            lambda req: {"type": "reject", "args": "not during the freeze"},
        ]
    )
    while pending := _pending(client, thread):
        # One review at a time: an answer without an id can only be for the one shown.
        assert len(pending) == 1
        (intr,) = pending
        value = intr["value"]
        request = value["action_requests"][0]
        # Agent Inbox shows the first action's description: the packaged context is there.
        assert "Why you are asked" in request["description"]
        assert value["context"]["request"] == DEMO
        assert intr["response_schema"]["properties"]["decisions"]
        seen.append(value["context"]["subtask_id"])
        answer = next(answers)(request)
        _run(client, thread, command={"resume": {"decisions": [answer]}})
        assert client.threads.get(thread)["status"] != "error"
    assert len(seen) == 2 and len(set(seen)) == 2
    state = _values(client, thread)
    first, second = (state["results"][s] for s in seen)
    assert first["status"] == "done"
    assert second["status"] == "rejected"
    assert "not during the freeze" in json.dumps(second)
    assert state["messages"][-1]["content"] == state["answer"]


def test_a_typo_is_refused_and_the_review_stays(client: SyncLangGraphClient) -> None:
    thread = client.threads.create()["thread_id"]
    _run(client, thread, input={"request": DEMO, "requester": {"id": "ana", "scopes": SCOPES}})
    (before,) = _pending(client, thread)
    subtask = before["value"]["context"]["subtask_id"]
    _run(client, thread, command={"resume": {"decisions": [{"type": "aprove"}]}})
    # Refused, and nothing decided: the same review asks again, saying why; no error.
    assert client.threads.get(thread)["status"] == "interrupted"
    (after,) = _pending(client, thread)
    assert after["value"]["context"] == before["value"]["context"]
    assert "aprove" in after["value"]["refused"]
    assert "refused" in after["value"]["action_requests"][0]["description"]
    values = _values(client, thread)
    assert values["results"][subtask]["status"] == "awaiting_review"
    # LangChain's per_call shape: one decision, not wrapped in a list.
    _run(client, thread, command={"resume": {"type": "approve"}})
    values = _values(client, thread)
    assert values["results"][subtask]["status"] == "done"
