"""The progress stream: a live `subtask_finished` never precedes the audit events written
before it (the plan first), and an idle stream gets keep-alive pings."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from ringmaster.api import progress
from tests.ringmaster.api.conftest import Api, build_api
from tests.ringmaster.api.test_flow import parse_sse
from tests.ringmaster.api.test_web import sign_in


async def _waiting_on_live(hub: progress.ProgressHub, thread: str) -> None:
    """Until the stream has read the audit and waits for a live update."""
    while True:
        subs = hub._subs.get(thread, [])
        if subs and subs[0][1]._getters:  # type: ignore[attr-defined]
            return
        await asyncio.sleep(0.005)


def test_a_live_update_never_precedes_the_plan(sqlite_api: Api) -> None:
    runner, hub = sqlite_api.runner, sqlite_api.client.app.state.rm.hub  # type: ignore[attr-defined]
    thread = runner.submit_thread("ann")

    async def main() -> list[Any]:
        gen = progress.stream(runner, hub, thread, after=0, turn=1, poll=30, limit=60)
        first = asyncio.ensure_future(gen.__anext__())
        await _waiting_on_live(hub, thread)
        # The runner's order: the plan is in the audit before the update that follows it.
        await asyncio.to_thread(runner.audit.append, thread, "plan", "planner:x", subtasks=[])
        hub.publish(thread, {"subtask_id": "t1", "status": "done"})
        events = [await first, await gen.__anext__()]
        await gen.aclose()
        return events

    events = asyncio.run(main())
    assert [e.event for e in events] == ["plan", "subtask_finished"]


def test_an_idle_stream_is_kept_alive_with_pings(tmp_path: Path) -> None:
    gen = build_api(tmp_path, None, api_stream_seconds=0.5, api_ping_seconds=0.1)
    api = next(gen)
    try:
        thread = api.post("/threads", "ann").json()["id"]
        r = api.get(f"/threads/{thread}/events?turn=1", "ann")
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
        assert ": ping" in r.text
        blocks = [b for b in r.text.strip().split("\n\n") if not b.startswith(":")]
        assert [name for name, _ in parse_sse("\n\n".join(blocks))] == ["timeout"]
    finally:
        gen.close()


def test_the_live_stream_has_the_plan_before_subtasks_finish(api: Api) -> None:
    thread = api.post("/threads", "ann").json()["id"]
    api.post(f"/threads/{thread}/requests", "ann", json={"request": "do it", "background": True})
    names = [name for name, _ in parse_sse(api.get(f"/threads/{thread}/events?turn=1", "ann").text)]
    assert names.index("plan") < names.index("subtask_started") < names.index("interrupt")
    if "subtask_finished" in names:
        assert names.index("plan") < names.index("subtask_finished")


def test_a_last_event_id_that_is_no_sequence_number_does_not_break_the_stream(
    sqlite_api: Api,
) -> None:
    """A browser reconnecting sends the last id it saw; a header of anything else is not one:
    '²' passed str.isdigit() and int() refused it (a 500), and 20 digits overflowed SQLite's
    integers once the stream had started. Both streams now end as a finished turn's does."""
    api = sqlite_api
    thread, item = api.waiting_item()
    decided = api.post(
        f"/reviews/{item['id']}/decision", "rita", json={"decision": "reject", "reason": "no"}
    )
    assert decided.status_code == 200, decided.text  # a settled thread: both streams end
    for path in (f"/threads/{thread}/events", f"/ui/threads/{thread}/events"):
        if path.startswith("/ui"):
            sign_in(api)
        for value in ("\u00b2".encode("latin-1"), b"99999999999999999999", b"12a"):
            r = api.client.get(path, headers={**api.h("ann"), "Last-Event-ID": value})
            assert r.status_code == 200, (path, value, r.text)
            names = [name for name, _ in parse_sse(r.text)]
            assert names[-1] == "end", (path, value, names)
            # Past every event for the huge one; from the start for the others.
            assert ("plan" in names) == (value != b"99999999999999999999"), (path, value)
