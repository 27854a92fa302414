"""LangGraph's private run state and LangChain's private helpers are read in one module
(agents/langgraph_internals.py), and what it reads of LangGraph is still there in the installed
version: a resumed run says it resumes and gives the whole value its interrupt was resumed with.
LangChain's helpers are run by the tests of what uses them."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, TypedDict

from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import END, START, StateGraph
from langgraph.types import Command, interrupt

from ringmaster.agents.langgraph_internals import graph_checkpoints, resume_values, resuming

ROOT = Path(__file__).resolve().parents[2]
PRIVATE = re.compile(r"\blanggraph\._internal\b|\bfrom langchain[\w.]* import _")


def test_only_one_module_reads_langgraph_private_modules() -> None:
    readers = sorted(
        str(path.relative_to(ROOT))
        for folder in ("agents", "graph", "ringmaster", "tools", "evals", "prompts")
        for path in (ROOT / folder).rglob("*.py")
        if not path.is_symlink() and PRIVATE.search(path.read_text(encoding="utf-8"))
    )
    assert readers == ["agents/langgraph_internals.py"]


class State(TypedDict, total=False):
    seen: list[Any]


def test_a_resumed_step_sees_that_it_resumes_and_its_whole_resume_value() -> None:
    def ask(state: State) -> State:
        answer = interrupt("approve?")  # as HumanInTheLoopMiddleware's, which keeps a part
        return {"seen": [resuming(), resume_values(), graph_checkpoints(), answer]}

    builder = StateGraph(State)
    builder.add_node("ask", ask)
    builder.add_edge(START, "ask")
    builder.add_edge("ask", END)
    graph = builder.compile(checkpointer=InMemorySaver())
    config: Any = {"configurable": {"thread_id": "t"}}
    assert "__interrupt__" in graph.invoke({}, config)
    value = {"decisions": [{"type": "approve"}], "reviewer": "rev"}
    done = graph.invoke(Command(resume=value), config)
    assert done["seen"] == [True, [value], True, value]
    assert (resuming(), graph_checkpoints()) == (False, False)  # outside a graph's run
