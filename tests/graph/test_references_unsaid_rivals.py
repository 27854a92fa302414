"""A side effect on the one record recency leaves is asked while another record of its kind is
live, however the request reaches it: "close it" did, and so now does an act typed without its
object ("close pls"), a rollback ("roll it back", whose tool takes a service, not an id), and a
person bound as the owner of the newer record ("give the customer a credit" after two tickets
of two customers, one a turn). With one record in play each of them still acts."""

from __future__ import annotations

import json
from contextlib import nullcontext
from pathlib import Path

from langgraph.checkpoint.memory import InMemorySaver

from ringmaster.evals.conversations import load_conversations, run_conversations
from ringmaster.graph.references import RecordFacts, resolve
from ringmaster.settings import Settings
from ringmaster.wiring import build_deps
from tests.graph.references_kit import ACTS, KINDS, entities, turn

# As tools/demo/lookup.py answers for these records of the demo database.
FACTS = {
    "TCK-1133": RecordFacts("TCK-1133", "CUS-1024", "Mobile app crashes on start open high"),
    "TCK-1145": RecordFacts("TCK-1145", "CUS-1024", "Need to add more seats open normal"),
    "TCK-1140": RecordFacts("TCK-1140", "CUS-1006", "Dashboard loads slowly pending normal"),
    "CUS-1024": RecordFacts("CUS-1024", None, "Tariq Castillo", owns=("TCK-1133", "TCK-1145")),
    "CUS-1006": RecordFacts("CUS-1006", None, "Liam Murphy", owns=("TCK-1140",)),
}


def lookup(entity: str) -> RecordFacts | None:
    return FACTS.get(entity)


def test_an_act_typed_without_its_object_asks_while_another_record_is_live() -> None:
    tickets = [turn(1, "TCK-1133 is the app crash"), turn(2, "and TCK-1145 is about seats")]
    for request in ("close pls", "close"):
        out = resolve(request, tickets, KINDS, lookup, ACTS)
        assert out.question is not None and out.resolutions == [], request
        assert "TCK-1133" in out.question and "TCK-1145" in out.question, request
    invoices = [turn(1, "what's INV-1001 for?"), turn(2, "who is INV-1005 billed to?")]
    out = resolve("refund", invoices, KINDS, acts=ACTS)
    assert out.question is not None and "INV-1001" in out.question and "INV-1005" in out.question
    # With one record in play it acts on that record, as before.
    out = resolve("close pls", tickets[:1], KINDS, lookup, ACTS)
    assert out.question is None and entities(out) == ["TCK-1133"]


def test_a_rollback_of_it_asks_while_another_deployment_is_live() -> None:
    deploys = [turn(1, "what version is DEP-1028?"), turn(2, "who shipped DEP-1030?")]
    for request in ("roll it back", "roll that one back", "rollback it"):
        out = resolve(request, deploys, KINDS, acts=ACTS)
        assert out.question is not None and out.resolutions == [], request
        assert "DEP-1028" in out.question and "DEP-1030" in out.question, request
    out = resolve("roll it back", deploys[:1], KINDS, acts=ACTS)
    assert out.question is None and entities(out) == ["DEP-1028"]
    # A question about the newer one acts on nothing: read as before.
    out = resolve("what version is it on?", deploys, KINDS, acts=ACTS)
    assert out.question is None and entities(out) == ["DEP-1030"]


def test_it_asks_when_the_two_latest_answers_each_brought_up_one_record_of_its_kind() -> None:
    """ "which deploy caused INC-1012" (DEP-1032 in its answer), "and whats on api staging"
    (DEP-1033): two turns that named no deployment but each brought one up put both in play,
    as two turns naming them do; "roll it back" asks which, never takes the newer."""
    deploys = [
        turn(1, "which deploy caused INC-1012", "DEP-1032"),
        turn(2, "and whats on api staging", "DEP-1033"),
    ]
    for request in ("roll it back", "roll that one back"):
        out = resolve(request, deploys, KINDS, acts=ACTS)
        assert out.question is not None and out.resolutions == [], request
        assert "DEP-1032" in out.question and "DEP-1033" in out.question, request
    # An answer naming one beside the other's named one: the same.
    mixed = [turn(1, "which deploy caused INC-1012", "DEP-1032"), turn(2, "who shipped DEP-1033?")]
    out = resolve("roll it back", mixed, KINDS, acts=ACTS)
    assert out.question is not None and "DEP-1032" in out.question and "DEP-1033" in out.question
    # The earlier one acted on: the one brought up last.
    acted = [turn(1, "roll back DEP-1029"), turn(2, "whats on auth prod", "DEP-1030")]
    acted[0]["entities"]["acted"] = [["deployment", "DEP-1029"]]
    out = resolve("roll that one back too", acted, KINDS, acts=ACTS)
    assert out.question is None and entities(out) == ["DEP-1030"]
    # A question about it acts on nothing: the newer one, as before.
    out = resolve("who shipped it?", deploys, KINDS, acts=ACTS)
    assert out.question is None and entities(out) == ["DEP-1033"]


def test_the_owner_of_the_newer_record_is_asked_while_the_older_records_owner_is_live() -> None:
    two = [turn(1, "TCK-1133 is the app crash"), turn(2, "and TCK-1140 is the slow dashboard")]
    for request in (
        "give the customer a 20 dollar credit",
        "give them a 20 dollar credit",
        "email the customer that we're on it",
    ):
        out = resolve(request, two, KINDS, lookup, ACTS)
        assert out.question is not None and out.resolutions == [], request
        assert "CUS-1024" in out.question and "CUS-1006" in out.question, request
    # Both tickets one customer's: that customer, whichever ticket is meant.
    same = [turn(1, "TCK-1133 is the app crash"), turn(2, "and TCK-1145 is about seats")]
    out = resolve("give the customer a 20 dollar credit", same, KINDS, lookup, ACTS)
    assert out.question is None and entities(out) == ["CUS-1024"]
    # One ticket in play, or the older one acted on: the newer ticket's customer.
    out = resolve("give the customer a 20 dollar credit", two[1:], KINDS, lookup, ACTS)
    assert out.question is None and entities(out) == ["CUS-1006"]
    acted = [turn(1, "close TCK-1133"), turn(2, "and TCK-1140 is the slow dashboard")]
    acted[0]["entities"]["acted"] = [["ticket", "TCK-1133"]]
    out = resolve("give the customer a 20 dollar credit", acted, KINDS, lookup, ACTS)
    assert out.question is None and entities(out) == ["CUS-1006"]


def test_a_bare_noun_a_note_and_a_thanks_between_do_not_settle_which_record() -> None:
    two = [turn(1, "TCK-1133 is the app crash"), turn(2, "and TCK-1140 is the slow dashboard")]
    # "email cust …": the customer's noun typed bare is as plain as "the customer".
    out = resolve("email cust that we're on it", two, KINDS, lookup, ACTS)
    assert out.question is not None and "CUS-1024" in out.question and "CUS-1006" in out.question
    # "add note: …" binds no record; one ticket found by recency, another live: asked.
    out = resolve("add note: waiting on the vendor", two, KINDS, lookup, ACTS)
    assert out.question is not None and "TCK-1133" in out.question and "TCK-1140" in out.question
    # A turn that was only a pleasantry does not part the two records.
    thanked = [two[0], turn(2, "thanks"), turn(3, "and TCK-1145 is about seats")]
    out = resolve("close it", thanked, KINDS, lookup, ACTS)
    assert out.question is not None and "TCK-1133" in out.question and "TCK-1145" in out.question
    # A turn of its own between them does (as "how many customers are on pro?" does).
    spaced = [two[0], turn(2, "how many customers are on pro?"), turn(3, "TCK-1145 is next")]
    out = resolve("close it", spaced, KINDS, lookup, ACTS)
    assert out.question is None and entities(out) == ["TCK-1145"]
    # With one ticket in play the note and the email are no question.
    out = resolve("email cust that we're on it", two[1:], KINDS, lookup, ACTS)
    assert out.question is None and entities(out) == ["CUS-1006"]
    assert resolve("add note: waiting on the vendor", two[1:], KINDS, lookup, ACTS).question is None


DEPLOYS = {
    "DEP-1028": RecordFacts("DEP-1028", None, "web production 3.8.1 succeeded deploy"),
    "DEP-1030": RecordFacts("DEP-1030", None, "auth production 4.3.0 succeeded deploy"),
    "DEP-1031": RecordFacts("DEP-1031", None, "api staging 2.14.0 succeeded deploy", done=True),
    "DEP-1033": RecordFacts("DEP-1033", None, "api staging 2.15.0-rc1 succeeded deploy"),
}


def test_a_change_by_value_on_it_asks_while_another_record_is_live() -> None:
    tickets = [turn(1, "TCK-1133 is the app crash"), turn(2, "and TCK-1145 is about seats")]
    out = resolve("set it to urgent", tickets, KINDS, lookup, ACTS)
    assert out.question is not None and "TCK-1133" in out.question and "TCK-1145" in out.question
    two = [turn(1, "TCK-1133 is the app crash"), turn(2, "and TCK-1140 is the slow dashboard")]
    for request in ("move their plan to pro", "upgrade them to enterprise"):
        out = resolve(request, two, KINDS, lookup, ACTS)
        assert out.question is not None, request
        assert "CUS-1024" in out.question and "CUS-1006" in out.question, request
    out = resolve("upgrade them to enterprise", two[1:], KINDS, lookup, ACTS)
    assert out.question is None and entities(out) == ["CUS-1006"]
    out = resolve("set it to urgent", tickets[:1], KINDS, lookup, ACTS)
    assert out.question is None and entities(out) == ["TCK-1133"]


def test_a_rollback_settled_by_words_that_fit_two_live_deployments_asks() -> None:
    deploys = [turn(1, "what version is DEP-1028?"), turn(2, "who shipped DEP-1030?")]
    out = resolve("roll back production", deploys, KINDS, DEPLOYS.get, ACTS)
    assert out.question is not None and "DEP-1028" in out.question and "DEP-1030" in out.question
    # Words that fit one of them, or neither (another service), settle it; so does one
    # deployment in play.
    for request in ("roll back auth in production", "roll back the api in staging"):
        assert resolve(request, deploys, KINDS, DEPLOYS.get, ACTS).question is None, request
    assert resolve("roll back production", deploys[:1], KINDS, DEPLOYS.get, ACTS).question is None
    # A deployment since replaced no longer runs: "api staging" is the one that does.
    listed = [turn(1, "whats on api staging right now", "DEP-1033 DEP-1031")]
    assert resolve("roll back api staging", listed, KINDS, DEPLOYS.get, ACTS).question is None


def test_the_eval_asks_these_turns_and_acts_on_their_clear_twins(tmp_path: Path) -> None:
    rows = {
        "bare": ["TCK-1133 is the app crash", "and TCK-1145 is about seats", "close pls"],
        "rollback": ["what version is DEP-1028?", "who shipped DEP-1030?", "roll it back"],
        "owner": [
            "TCK-1133 is the app crash",
            "and TCK-1140 is the slow dashboard",
            "give the customer a 20 dollar credit",
        ],  # fmt: skip
        "by words": ["what version is DEP-1028?", "who shipped DEP-1030?", "roll back production"],
        "by value": [
            "TCK-1133 is the app crash",
            "and TCK-1145 is about seats",
            "set it to urgent",
        ],
        "clear": ["what version is DEP-1028?", "roll it back"],
    }
    data = tmp_path / "conv.jsonl"
    lines = []
    for name, texts in rows.items():
        last = len(texts) - 1
        turns = [
            {"text": t, "agents": [], "ambiguous": i == last and name != "clear"}
            for i, t in enumerate(texts)
        ]
        lines.append(json.dumps({"id": name, "turns": turns}))
    data.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = run_conversations(
        load_conversations(data),
        lambda: build_deps(Settings(home=tmp_path / "h", planner_cache=tmp_path)),
        lambda: nullcontext(InMemorySaver()),
        {"id": "eval", "scopes": ["support", "billing", "ops", "content", "analytics", "legal"]},
    )
    last = {t.conversation: t for t in report.turns if t.turn == len(rows[t.conversation])}
    for name in ("bare", "rollback", "owner", "by words", "by value"):
        assert last[name].asked and not last[name].acted, name
    assert last["clear"].acted and not last["clear"].asked
    assert report.metrics()["ambiguous_acted_on"] == 0
