"""A pleasantry sent to the API is answered by the supervisor in a line, and raises no work
and no review, as in the chat (whatever planner is configured: here a scripted one)."""

from __future__ import annotations

import pytest

from ringmaster.api.plan_graph import layout
from tests.ringmaster.api.conftest import Api
from tests.ringmaster.api.test_web import csrf_of


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
    # The thread page's results say the supervisor answered: not "no results yet", nor a row
    # of a person's work.
    login = {"token": api.tokens["rev"], "csrf": csrf_of(api.client.get("/ui/login").text)}
    api.client.post("/ui/login", data=login)
    page = api.client.get(f"/ui/threads/{thread}").text
    assert "Answered by the supervisor: nothing was run." in page
    assert "No results yet." not in page and "<td>human</td>" not in page


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
