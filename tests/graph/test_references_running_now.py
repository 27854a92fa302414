"""A follow-up to a question what runs now acts on what runs: "roll that back" after "what's
running on web in production?" is the running web production deployment, and asks between
production and staging after "what's running on web?". The answer had listed the newest
deployments, the failed and the replaced among them, for the follow-up to choose from."""

from __future__ import annotations

import json
from contextlib import nullcontext
from pathlib import Path

from langgraph.checkpoint.memory import InMemorySaver

from ringmaster.evals.conversations import load_conversations, run_conversations
from ringmaster.graph.references import RecordFacts, resolve
from ringmaster.settings import Settings
from ringmaster.wiring import build_deps
from tests.graph.references_kit import ACTS, KINDS, turn

RUNNING = {
    "DEP-1028": RecordFacts("DEP-1028", None, "web production 3.8.1 succeeded release"),
    "DEP-1025": RecordFacts("DEP-1025", None, "web staging 3.8.1 succeeded release"),
    "DEP-1032": RecordFacts("DEP-1032", None, "api production 2.14.0 succeeded release"),
    "DEP-1033": RecordFacts("DEP-1033", None, "api staging 2.15.0-rc1 succeeded release"),
}


def test_a_request_about_two_places_singles_out_neither_of_its_answers() -> None:
    """ "whats on web prod and staging rn" answered with what runs in each: "roll back that
    one" asks which, where "staging", the one word that fit a record whole, had picked it."""
    for request, listed in (
        ("whats on web prod and staging rn", "DEP-1028 DEP-1025"),
        ("whats on api staging n prod rn", "DEP-1032 DEP-1033"),
    ):
        history = [turn(1, request, listed)]
        out = resolve("roll back that one", history, KINDS, RUNNING.get, ACTS)
        assert out.question is not None and out.resolutions == [], request
        assert all(e in out.question for e in listed.split()), out.question
    # One place asked: its one running deployment.
    history = [turn(1, "what's running on web in production?", "DEP-1028")]
    out = resolve("roll back that one", history, KINDS, RUNNING.get, ACTS)
    assert out.question is None and [r.entity for r in out.resolutions] == ["DEP-1028"]


def test_a_follow_up_to_what_runs_now_acts_on_the_running_deployment(tmp_path: Path) -> None:
    # One database for the three: the rollback, which changes what runs, goes last.
    rows = {
        "two": ["what's running on web today?", "roll it back"],
        "asked": ["which version of api is live in production?", "who deployed it?"],
        "one": ["what's running on web in production?", "roll that back"],
    }
    data = tmp_path / "conv.jsonl"
    data.write_text(
        "".join(
            json.dumps(
                {
                    "id": name,
                    "turns": [{"text": t, "agents": [], "ambiguous": False} for t in texts],
                }
            )
            + "\n"
            for name, texts in rows.items()
        ),
        encoding="utf-8",
    )
    report = run_conversations(
        load_conversations(data),
        lambda: build_deps(Settings(home=tmp_path / "h", planner_cache=tmp_path)),
        lambda: nullcontext(InMemorySaver()),
        {"id": "eval", "scopes": ["support", "billing", "ops", "content", "analytics", "legal"]},
    )
    second = {t.conversation: t for t in report.turns if t.turn == 2}
    # web production runs 3.8.1 (DEP-1028); 3.8.0 (DEP-1022) failed, 3.7.1 was replaced.
    assert second["one"].resolved == ["DEP-1028"] and not second["one"].asked
    assert second["one"].acted
    # Two places run web: asked which, between the two running deployments only.
    question = second["two"].question or ""
    assert "DEP-1028" in question and "DEP-1025" in question, second["two"]
    assert "DEP-1022" not in question and not second["two"].acted
    assert second["asked"].resolved == ["DEP-1032"] and not second["asked"].asked
