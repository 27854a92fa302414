"""A pleasantry sent to the API is answered by the supervisor in a line, and raises no work
and no review, as in the chat (whatever planner is configured: here a scripted one)."""

from __future__ import annotations

import pytest

from ringmaster.api.plan_graph import layout
from tests.ringmaster.api.conftest import Api


def test_a_pleasantry_is_answered_and_raises_nothing(api: Api) -> None:
    thread = api.post("/threads", "ann").json()["id"]
    r = api.post(f"/threads/{thread}/requests", "ann", json={"request": "Thanks a lot! 👍"})
    assert r.status_code == 200, r.text
    out = r.json()
    assert (out["status"], out["answer"], out["pending"]) == ("completed", "You're welcome.", [])
    assert api.get("/reviews", "rev").json()["total"] == 0
    assert not api.gamma.tasks  # no agent ran
    graph = layout(out["plan"], out["results"])
    assert graph is not None and [n.agent for n in graph.nodes] == ["supervisor"]


@pytest.mark.parametrize("said", ["no thanks", "no worries!", "sure thing", "ok, never mind"])
def test_a_declining_or_easy_pleasantry_raises_nothing(api: Api, said: str) -> None:
    # With nothing to answer or call off, these went to a person as "looks out of scope" (or
    # "ok, never mind" to the support agent, which answered with a knowledge-base article).
    thread = api.post("/threads", "ann").json()["id"]
    r = api.post(f"/threads/{thread}/requests", "ann", json={"request": said})
    assert r.status_code == 200, r.text
    out = r.json()
    assert (out["status"], out["pending"]) == ("completed", [])
    assert out["answer"] and len(out["answer"]) < 40
    assert api.get("/reviews", "rev").json()["total"] == 0
    assert not api.gamma.tasks
