"""A request that names a person by full name is routed as if it named them by id
(conversations-dev25, half A): "Can you look into Mateo Brennan?" is an account look-up, as
"Can you look into CUS-1018?" is, while the name's letters alone sent it to a person or to
whichever agent a team example typing a like name was for."""

from __future__ import annotations

from contextlib import nullcontext
from pathlib import Path

from langchain_core.messages import HumanMessage
from langgraph.checkpoint.memory import InMemorySaver

from ringmaster.evals.conversations import Conversation, Turn, run_conversations
from ringmaster.graph.nodes.plan import make_plan
from ringmaster.graph.references.names import routing_names
from ringmaster.settings import Settings
from ringmaster.wiring import build_deps

from .references_kit import KINDS, catalogue, customer, facts

PEOPLE = facts(
    customer("CUS-1018", "Mateo Brennan", "Brennan Co pro active", [], "he"),
    customer("CUS-1047", "Elif Costa", "Costa Studio free active", [], "she"),
)


def test_a_full_name_is_written_as_its_id_for_routing_and_remembered() -> None:
    lookup, records = catalogue(PEOPLE)
    text, stood = routing_names(
        "can you look into mateo brennan's plan?", KINDS, lookup, records, follows=False
    )[:2]
    assert text == "can you look into CUS-1018's plan?"
    assert stood == {"CUS-1018": "mateo brennan"}
    # A first name alone, or a request already naming the id, is left as typed.
    for typed in ("can you look into Mateo?", "is Elif Costa CUS-1047?"):
        assert routing_names(typed, KINDS, lookup, records, follows=False)[:2] == (typed, {})


def _agents(threads: list[list[str]], agent: str, tmp_path: Path) -> list[list[str]]:
    """The agents each turn of `threads` (each a conversation's requests) went to, run on the
    demo team; every turn is labelled `agent`."""
    label = frozenset({agent})
    conversations = [
        Conversation(f"c{i}", [Turn(text, label, frozenset(), False) for text in texts])
        for i, texts in enumerate(threads)
    ]
    homes = iter(range(10))
    report = run_conversations(
        conversations,
        lambda: build_deps(Settings(home=tmp_path / f"h{next(homes)}", planner_cache=tmp_path)),
        lambda: nullcontext(InMemorySaver()),
        {"id": "eval", "scopes": ["support", "billing", "ops", "content", "analytics", "legal"]},
    )
    return [t.agents for t in report.turns]


def test_a_first_turn_naming_only_a_person_goes_to_support(tmp_path: Path) -> None:
    asks = ["Can you look into Mateo Brennan?", "Please pull up Elif Costa."]
    assert _agents([[text] for text in asks], "support", tmp_path) == [["support"]] * 2


NAMED = facts(
    customer("CUS-1016", "Victor Kowalski", "Kowalski GmbH enterprise active", [], "he"),
    customer("CUS-1049", "Chloe Petrov", "Petrov Labs pro active", [], "she"),
)


def test_a_name_beside_a_record_of_another_kind_is_left_as_typed() -> None:
    # The record is what is asked about; the name only says whose it is.
    lookup, records = catalogue(NAMED)
    for typed in (
        "Chloe Petrov wrote in about a refund, is there a case open for it?",
        "victor kowalski and chloe petrov both say their march bills are off",
        "what about Victor Kowalski's login one?",
    ):
        assert routing_names(typed, KINDS, lookup, records, follows=False)[:2] == (typed, {})
    # A person's own noun is the person: still written as the id.
    text, _ = routing_names("open Chloe Petrov's account", KINDS, lookup, records, follows=False)[
        :2
    ]
    assert text == "open CUS-1049's account"


def test_a_repeat_or_correction_naming_only_a_person_swaps_the_person() -> None:
    lookup, records = catalogue(NAMED)
    for typed in ("what about Victor Kowalski?", "oops, meant Chloe Petrov", "Chloe Petrov too"):
        assert routing_names(typed, KINDS, lookup, records, follows=True)[2]
    # A follow-up that asks something of its own, or names nobody in full, swaps no one.
    for typed in ("also pull up Victor Kowalski", "and Victor?", "and CUS-1016?"):
        assert not routing_names(typed, KINDS, lookup, records, follows=True)[2]


def test_a_follow_up_that_only_swaps_the_person_goes_where_the_ask_went(tmp_path: Path) -> None:
    threads = [
        ["What plan is Victor Kowalski on?", "and Diego Ueda?"],
        ["Which plan has Chloe Petrov got?", "sorry, I meant Xavier Weber."],
    ]
    assert _agents(threads, "billing", tmp_path) == [["billing"]] * 4


def test_the_agent_is_handed_the_name_as_typed_not_the_id_it_was_routed_by(
    tmp_path: Path,
) -> None:
    # Routed as "Can you look into CUS-1018?"; the subtask the agent reads says the name.
    deps = build_deps(Settings(home=tmp_path / "h", planner_cache=tmp_path))
    typed = "Can you look into Mateo Brennan's plan?"
    state = {
        "request": typed,
        "messages": [HumanMessage(typed)],
        "requester": {"id": "eval", "scopes": ["billing", "support"]},
    }
    subtasks = make_plan(deps)(state)["plan"]["subtasks"]
    assert [s["description"] for s in subtasks] == [typed]
