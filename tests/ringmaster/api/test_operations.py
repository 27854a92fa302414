"""GET /agents/status, /metrics (parsed with Prometheus' own parser), /summary and /outbox
after real runs through the API, on SQLite and Postgres; and the pages under /ui."""

from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families

from ringmaster.outbox import Outbox
from tests.ringmaster.api.conftest import Api
from tests.ringmaster.api.test_web import sign_in


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    out = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            out[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return out


def test_status_metrics_summary_and_outbox(api: Api) -> None:
    thread, item = api.waiting_item("ann")
    api.waiting_item("bob")
    status = api.get("/agents/status", "ann")
    assert status.status_code == 200, status.text
    by = {s["name"]: s for s in status.json()}
    assert set(by) == {"alpha", "beta", "gamma", "secret"}
    assert by["alpha"]["outputs"] == 0 and by["alpha"]["last_success"] is None
    for name in ("beta", "gamma"):
        assert (by[name]["outputs"], by[name]["errors"], by[name]["healthy"]) == (2, 0, True)
        assert by[name]["p50_seconds"] is not None and by[name]["last_success"]
    assert api.get("/metrics", "ann").status_code == 403  # reviewers and admins scrape
    text = api.get("/metrics", "rev")
    assert text.status_code == 200 and text.headers["content-type"].startswith("text/plain")
    m = samples(text.text)
    assert m[("ringmaster_subtasks_total", (("agent", "beta"), ("outcome", "ok")))] == 2
    assert m[("ringmaster_subtasks_total", (("agent", "gamma"), ("outcome", "ok")))] == 2
    assert m[("ringmaster_review_backlog", (("overdue", "false"),))] == 2
    assert m[("ringmaster_threads", (("status", "waiting"),))] == 2
    assert m[("ringmaster_agent_healthy", (("agent", "beta"),))] == 1
    assert m[("ringmaster_queue_depth", (("agent", "beta"),))] == 0
    assert m[("ringmaster_model_calls_total", ())] == 0
    assert m[("ringmaster_review_oldest_age_seconds", ())] >= 0
    # The status request above was counted under its route's template.
    key = (("method", "GET"), ("route", "/agents/status"), ("status", "200"))
    assert m[("ringmaster_http_requests_total", key)] >= 1
    assert ("ringmaster_http_request_seconds_count", key[:2]) in m
    summary = api.get("/summary?since=1h", "rev").json()
    lines = {a["agent"]: a for a in summary["agents"]}
    assert (lines["beta"]["processed"], lines["gamma"]["processed"]) == (2, 2)
    assert lines["gamma"]["escalated"] == 2
    assert summary["requests"] == 2 and summary["action_items"]["pending_reviews"] == 2
    assert summary["escalation_rate"] == 0.5  # 2 reviews for 4 subtasks planned
    md = api.get("/summary?format=md", "rev")
    assert md.headers["content-type"].startswith("text/markdown") and "| gamma | 2 |" in md.text
    # A bad period is a bad query parameter, a 422 invalid_input as every other one is (it
    # was a 400 bad_request), naming the parameter, not the CLI's flag ("--since 'soon': …").
    for since, said in (
        ("soon", "since 'soon': use"),
        ("0h", "since must be longer than zero"),
        ("99999999d", "since '99999999d' is too long"),  # was a 500 (OverflowError)
    ):
        bad = api.get(f"/summary?since={since}", "rev")
        assert (bad.status_code, bad.json()["code"]) == (422, "invalid_input"), since
        assert bad.json()["detail"].startswith(said)
    assert api.get("/summary?format=pdf", "rev").status_code == 422
    box = Outbox(api.runner.engine, {})
    box.add("webhook", "https://hooks.example.org/x", {"text": "hi"}, item_id="x")
    rows = api.get("/outbox", "rev").json()
    assert [(r["status"], r["channel"], r["attempts"]) for r in rows] == [("queued", "webhook", 0)]
    assert api.get("/outbox?status=delivered", "rev").json() == []
    bogus = api.get("/outbox?status=bogus", "rev")
    assert (bogus.status_code, bogus.json()["code"]) == (422, "invalid_input")
    assert bogus.json()["detail"].startswith("query.status: ")


def test_operations_pages(sqlite_api: Api) -> None:
    api = sqlite_api
    api.waiting_item("ann")
    assert api.client.get("/ui/status", follow_redirects=False).status_code == 303  # sign in
    sign_in(api)
    page = api.client.get("/ui/status")
    assert page.status_code == 200
    assert 'data-agent="gamma" class="healthy"' in page.text and page.text.count("<svg") == 8
    summary = api.client.get("/ui/summary?since=2h")
    assert summary.status_code == 200 and "1 review(s) pending" in summary.text
    assert "<th>timed out</th>" in summary.text and ">timed_out<" not in summary.text
    page = api.client.get("/ui/summary?since=x")
    assert page.status_code == 400 and "since &#39;x&#39;: use" in page.text
    assert "--since" not in page.text
    Outbox(api.runner.engine, {}).add("email", "a@example.org", {"text": "<b>x</b>"}, item_id="i")
    outbox = api.client.get("/ui/outbox")
    assert outbox.status_code == 200 and "queued 1" in outbox.text
